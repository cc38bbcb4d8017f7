/**
 * A host for MCP Apps, run in a test page the way Claude or VS Code host them: an MCP client that
 * advertises the `io.modelcontextprotocol/ui` extension, connected through the relay to the tab,
 * calls a tool, reads the `ui://` resource its `tools/list` entry points at, and renders it in a
 * sandboxed iframe (scripts only, an opaque origin) under a CSP built from the resource's own
 * `_meta.ui.csp`. The official host side (`AppBridge` over `PostMessageTransport`) sends the app
 * the call's arguments and result, and forwards the app's `tools/call` and `resources/read` to
 * the same client: the app's calls go through the relay with this client's token.
 * Bundled by apps.spec.ts with esbuild into the page, which drives it through `window.appHost`.
 */
import { Client, StreamableHTTPClientTransport, type CallToolResult } from '@modelcontextprotocol/client';
import {
  AppBridge,
  PostMessageTransport,
  RESOURCE_MIME_TYPE,
  getToolUiResourceUri,
  type McpUiResourceCsp,
} from '@modelcontextprotocol/ext-apps/app-bridge';

type Theme = 'light' | 'dark';

let client: Client | undefined;
/** The call `renderThenCall` started (its app shown before the result). */
let pendingResult: Promise<CallToolResult> | undefined;
/** Every URL an app asked the host to open (`ui/open-link`), in order. */
const openedLinks: string[] = [];
let bridge: AppBridge | undefined;

/** The CSP a host puts on an app's frame: inline code only, and the origins the resource asked for (none here). */
export function appCsp(csp: McpUiResourceCsp | undefined): string {
  const resources = (csp?.resourceDomains ?? []).join(' ');
  const connect = (csp?.connectDomains ?? []).join(' ') || "'none'";
  return [
    "default-src 'none'",
    `script-src 'unsafe-inline' ${resources}`,
    `style-src 'unsafe-inline' ${resources}`,
    `img-src data: ${resources}`,
    `font-src data: ${resources}`,
    `connect-src ${connect}`,
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Renders `html` as an app in a new sandboxed iframe (#app) with a bridge to `mcp`; resolves with the bridge once the app is initialized. */
async function render(mcp: Client, html: string, csp: McpUiResourceCsp | undefined, theme: Theme): Promise<AppBridge> {
  const iframe = document.createElement('iframe');
  iframe.id = 'app';
  iframe.setAttribute('sandbox', 'allow-scripts');
  iframe.style.cssText = 'width: 760px; height: 900px; border: 1px solid #8884';
  iframe.srcdoc = html.replace(
    /<head>/i,
    `<head><meta http-equiv="Content-Security-Policy" content="${appCsp(csp).replace(/"/g, '&quot;')}">`,
  );
  document.body.append(iframe);
  const shown = new AppBridge(
    mcp,
    { name: 'e2e-apps-host', version: '1.0.0' },
    { serverTools: {}, serverResources: {} },
    { hostContext: { theme, displayMode: 'inline', platform: 'web' } },
  );
  bridge = shown;
  const initialized = new Promise<void>((resolve) => (shown.oninitialized = () => resolve()));
  // A host opens a link for the app (Claude asks the person first); this one notes it and says it did.
  shown.onopenlink = async ({ url }) => {
    openedLinks.push(url);
    return {};
  };
  shown.onsizechange = ({ height }) => {
    if (height) iframe.style.height = `${Math.ceil(height) + 2}px`;
  };
  await shown.connect(new PostMessageTransport(iframe.contentWindow!, iframe.contentWindow!));
  await initialized;
  return shown;
}

const appHost = {
  /** The URLs apps asked this host to open. */
  openedLinks: (): string[] => [...openedLinks],

  async connect(mcpUrl: string, token: string): Promise<void> {
    client = new Client(
      { name: 'e2e-apps-host', version: '1.0.0' },
      { capabilities: { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: [RESOURCE_MIME_TYPE] } } } },
    );
    await client.connect(
      new StreamableHTTPClientTransport(new URL(mcpUrl), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
  },

  /** Calls `tool`, renders its app in a new iframe (#app) and resolves with the call's result once the app is initialized. */
  async callAndRender(tool: string, args: Record<string, unknown>, theme: Theme): Promise<CallToolResult> {
    if (!client) throw new Error('connect first');
    const listed = (await client.listTools()).tools.find((entry) => entry.name === tool);
    if (!listed) throw new Error(`the server lists no tool ${tool}`);
    const uri = getToolUiResourceUri(listed);
    if (!uri) throw new Error(`${tool} points at no app`);
    const result = (await client.callTool({ name: tool, arguments: args })) as CallToolResult;
    const [content] = (await client.readResource({ uri })).contents;
    if (!content || !('text' in content) || content.mimeType !== RESOURCE_MIME_TYPE) {
      throw new Error(`${uri} is not an MCP App's HTML`);
    }
    const csp = (content._meta?.ui as { csp?: McpUiResourceCsp } | undefined)?.csp;
    const shown = await render(client, content.text, csp, theme);
    await shown.sendToolInput({ arguments: args });
    await shown.sendToolResult(result);
    return result;
  },

  /**
   * Calls `tool` as the spec lets a host: the app is shown with the call's arguments as the call
   * starts, and given the result when it ends. Resolves once the app has the arguments, the call
   * still running; `renderedResult` waits for its end.
   */
  async renderThenCall(tool: string, args: Record<string, unknown>, theme: Theme): Promise<void> {
    if (!client) throw new Error('connect first');
    const mcp = client;
    const listed = (await mcp.listTools()).tools.find((entry) => entry.name === tool);
    const uri = listed && getToolUiResourceUri(listed);
    if (!uri) throw new Error(`${tool} points at no app`);
    const [content] = (await mcp.readResource({ uri })).contents;
    if (!content || !('text' in content)) throw new Error(`${uri} is not an MCP App's HTML`);
    const csp = (content._meta?.ui as { csp?: McpUiResourceCsp } | undefined)?.csp;
    const shown = await render(mcp, content.text, csp, theme);
    await shown.sendToolInput({ arguments: args });
    pendingResult = (async () => {
      const result = (await mcp.callTool({ name: tool, arguments: args })) as CallToolResult;
      await shown.sendToolResult(result);
      return result;
    })();
    pendingResult.catch(() => undefined);
  },

  /** The result of the call `renderThenCall` started, once its app has it. */
  async renderedResult(): Promise<CallToolResult> {
    if (!pendingResult) throw new Error('renderThenCall first');
    return pendingResult;
  },

  /** Renders `tool`'s app for a call the person cancelled before it answered: the app gets its input, then the cancellation. */
  async renderCancelled(tool: string, args: Record<string, unknown>, reason: string): Promise<void> {
    if (!client) throw new Error('connect first');
    const listed = (await client.listTools()).tools.find((entry) => entry.name === tool);
    const uri = listed && getToolUiResourceUri(listed);
    if (!uri) throw new Error(`${tool} points at no app`);
    const [content] = (await client.readResource({ uri })).contents;
    if (!content || !('text' in content)) throw new Error(`${uri} is not an MCP App's HTML`);
    const shown = await render(client, content.text, { connectDomains: [], resourceDomains: [] }, 'light');
    await shown.sendToolInput({ arguments: args });
    await shown.sendToolCancelled({ reason });
  },

  /**
   * Renders `html` as if the server had sent it as an app (no tool call): what a hostile or broken
   * app could do from inside the frame, with the same bridge and the same CSP (the resource's, none).
   */
  async renderHtml(html: string): Promise<void> {
    if (!client) throw new Error('connect first');
    await render(client, html, { connectDomains: [], resourceDomains: [] }, 'light');
  },

  /** The host switches theme, as Claude does when the person does. */
  async setTheme(theme: Theme): Promise<void> {
    document.documentElement.style.background = theme === 'dark' ? '#1f1e1d' : '#faf9f5';
    await bridge?.sendHostContextChange({ theme });
  },
};

declare global {
  interface Window {
    appHost: typeof appHost;
  }
}
window.appHost = appHost;
