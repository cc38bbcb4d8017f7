/**
 * The server side of MCP Apps: a client that advertises the `io.modelcontextprotocol/ui` extension
 * sees each app's tools point at its `ui://` resource and can read that resource; any other client
 * sees neither (no `ui` metadata in `tools/list`, no `ui://` resource listed, a read refused).
 * Loaded with the session code (`sessionServer.ts`), never with the tab's first paint.
 */
import type { McpServer, ReadResourceResult, RegisteredResource, RegisteredTool } from '@modelcontextprotocol/server';
import { getUiCapability, RESOURCE_URI_META_KEY } from '@modelcontextprotocol/ext-apps/server';
import { APPS, APP_MARKER_META, APP_MIME_TYPE, MAX_APP_HTML_CHARS, type AppManifest } from './catalog.ts';

/**
 * Where an app's built HTML comes from: the tab fetches it from its own origin (`fetchAppHtml`); a
 * Node host names its own in a pack's `appHtml`.
 */
export type AppHtmlSource = (app: AppManifest) => Promise<string>;

/**
 * Whether the client of the request being served renders MCP Apps: it advertised the extension,
 * with our MIME type among those it lists (or no list). `getClientCapabilities()` is initialize's on
 * a 2025 session and the request's own `_meta` envelope on 2026-07-28 (the SDK fills it in per
 * request for a `createMcpHandler` server).
 */
export function rendersApps(server: McpServer): boolean {
  const ui = getUiCapability(server.server.getClientCapabilities());
  if (!ui || typeof ui !== 'object') return false;
  return !Array.isArray(ui.mimeTypes) || ui.mimeTypes.includes(APP_MIME_TYPE);
}

/** The app that shows `tool`'s results, if one does. */
export function appForTool(tool: string): AppManifest | undefined {
  return APPS.find((app) => app.tools.includes(tool));
}

/**
 * What a tool's `tools/list` entry carries for a client that renders apps: the spec's
 * `ui.resourceUri`, the older flat `ui/resourceUri` that hosts still read, and ChatGPT's
 * `openai/outputTemplate` (extra `_meta` keys are allowed, and each host reads its own).
 */
export function toolAppMeta(app: AppManifest): Record<string, unknown> {
  return { ui: { resourceUri: app.uri }, [RESOURCE_URI_META_KEY]: app.uri, 'openai/outputTemplate': app.uri };
}

/**
 * What an app's resource (listed and read) says of it: no network origins at all (connect and
 * resource domains empty, so a host's CSP allows only the inlined page), a border, and the same for
 * ChatGPT in its own keys.
 */
export const APP_RESOURCE_META = {
  ui: { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true },
  'openai/widgetCSP': { connect_domains: [], resource_domains: [] },
  'openai/widgetPrefersBorder': true,
} as const;

/**
 * Points `registered`'s `tools/list` entry at `app`, for clients that render apps only. The SDK
 * reads a tool's `_meta` each time it answers `tools/list`, so a getter answers each client (and,
 * on 2026-07-28, each request) by what it advertised, with one registration made before a 2025
 * session's `initialize` has said anything.
 */
export function linkToolToApp(server: McpServer, registered: RegisteredTool, app: AppManifest): void {
  const own = registered._meta;
  const linked = { ...own, ...toolAppMeta(app) };
  Object.defineProperty(registered, '_meta', {
    configurable: true,
    enumerable: true,
    get: () => (rendersApps(server) ? linked : own),
  });
}

/**
 * Registers every app's `ui://` resource on `server`, there only for clients that render apps: the
 * SDK lists a resource and reads it only while it is `enabled`, which here asks the request's
 * client. Anyone else is refused (-32602, "disabled") and sees none listed. Each page is loaded
 * from `source` once and kept for every server after.
 */
export function registerAppResources(server: McpServer, source: AppHtmlSource = fetchAppHtml): void {
  const load = keptOnceLoaded(source);
  for (const app of APPS) {
    const registered = server.registerResource(
      app.name,
      app.uri,
      { title: app.title, description: app.description, mimeType: APP_MIME_TYPE, _meta: APP_RESOURCE_META },
      async (uri): Promise<ReadResourceResult> => ({
        contents: [{ uri: uri.href, mimeType: APP_MIME_TYPE, text: await load(app), _meta: APP_RESOURCE_META }],
      }),
    );
    offeredOnlyToAppClients(server, registered);
  }
}

function offeredOnlyToAppClients(server: McpServer, registered: RegisteredResource): void {
  Object.defineProperty(registered, 'enabled', {
    configurable: true,
    enumerable: true,
    get: () => rendersApps(server),
  });
}

/** Each source's pages, as loaded (a failed load is tried again next time). */
const loadedBySource = new WeakMap<AppHtmlSource, Map<string, Promise<string>>>();

/** `source`, each app's HTML loaded once and kept. */
function keptOnceLoaded(source: AppHtmlSource): AppHtmlSource {
  let loaded = loadedBySource.get(source);
  if (!loaded) loadedBySource.set(source, (loaded = new Map()));
  const pages = loaded;
  return (app) => {
    let html = pages.get(app.file);
    if (!html) {
      html = source(app);
      pages.set(app.file, html);
      html.catch(() => pages.delete(app.file));
    }
    return html;
  };
}

/**
 * An app's built HTML from `/apps/<file>` on `origin` (the tab's own), checked by
 * `checkedAppHtml`. A host without an origin (a Node host) must be given its own source.
 */
export async function fetchAppHtml(app: AppManifest, origin = globalThis.location?.origin): Promise<string> {
  if (!origin) {
    throw new Error(
      `${app.uri}: this host has no web origin to fetch /apps/${app.file} from; give a pack an appHtml source`,
    );
  }
  const url = new URL(`/apps/${app.file}`, origin);
  const response = await fetch(url, { cache: 'no-cache' });
  if (!response.ok) throw new Error(`${app.uri}: ${url.pathname} answered ${response.status}; was the app built?`);
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_APP_HTML_CHARS * 4) {
    await response.body?.cancel();
    throw new Error(`${app.uri}: ${url.pathname} is ${length} bytes, over the ${MAX_APP_HTML_CHARS}-character limit`);
  }
  return checkedAppHtml(app, await response.text());
}

/** `html` if it is `app`'s built page within MAX_APP_HTML_CHARS; otherwise an error that says what it got. */
export function checkedAppHtml(app: AppManifest, html: string): string {
  if (html.length > MAX_APP_HTML_CHARS) {
    throw new Error(`${app.uri}: the page is ${html.length} characters, over the ${MAX_APP_HTML_CHARS} limit`);
  }
  if (!html.includes(`<meta name="${APP_MARKER_META}" content="${app.folder}"`)) {
    throw new Error(
      `${app.uri}: /apps/${app.file} is not the built app (another page answered: the server's fallback?). Run pnpm build`,
    );
  }
  return html;
}
