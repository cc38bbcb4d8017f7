/**
 * What the relay answers for a host without asking its tab (`server/discover`,
 * `subscriptions/listen`): the server the tab last described, served by the SDK's own handler on
 * a web `Request`, and that handler's `Response` written to the client.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Server, type ServerCapabilities } from '@modelcontextprotocol/server';
import { FORWARDED_HEADER_NAME, VIAL_VERSION } from '@vial/shared';
import type { Host } from '../../hosts/registry.ts';

/** What the tab told the relay to say in `server/discover`. */
export interface HostInfo {
  serverInfo: { name: string; version: string };
  capabilities: Record<string, unknown>;
  instructions?: string;
}

/**
 * Before a tab has described itself (a relay restarted, a host just registered), the lists every
 * Vial tab serves. Their changes are promised because the relay delivers them: a listen stream
 * opened now hears all three list changes when the tab attaches.
 */
const PLACEHOLDER_CAPABILITIES = {
  tools: { listChanged: true },
  resources: { listChanged: true, subscribe: true },
  prompts: { listChanged: true },
};

/**
 * The server `server/discover` describes and `subscriptions/listen` narrows its filter against:
 * the tab's identity, capabilities (list changes and resource subscriptions as the tab declares
 * them: it publishes those changes, and the relay delivers them) and instructions when it is
 * online; when it is not, still an answer (a client probing the era must not fall back), cached
 * for no time, saying so.
 */
export function hostServer(host: Host): Server {
  const online = host.online && host.info !== undefined;
  const info = host.info;
  const serverInfo = info?.serverInfo ?? { name: 'vial', version: VIAL_VERSION };
  const capabilities = withoutExtensions(info?.capabilities ?? PLACEHOLDER_CAPABILITIES);
  const instructions = online
    ? info?.instructions
    : `The Vial host ${host.id} is offline: its tab is closed. Open the Vial web app on the machine that owns this host; calls fail until it is back.`;
  return new Server(serverInfo, {
    capabilities,
    ...(instructions === undefined ? {} : { instructions }),
    cacheHints: { 'server/discover': { ttlMs: online ? 60_000 : 0, cacheScope: 'private' } },
  });
}

/** The client's POST as a web `Request` for the SDK's handler, ending when `signal` aborts. */
export function webRequest(req: IncomingMessage, text: string, signal: AbortSignal): Request {
  return new Request('http://relay.invalid/mcp', {
    method: 'POST',
    headers: forwardedHeaders(req),
    body: text,
    signal,
  });
}

/**
 * The request's MCP headers, lower-case, as the tab (or the relay's own handler) sees them; an
 * `Mcp-Param-*` nobody declared passes on too (S:549). Never credentials, cookies, Origin or Host.
 */
export function forwardedHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string' && FORWARDED_HEADER_NAME.test(name)) headers[name] = value;
  }
  return headers;
}

export interface WriteResponseOptions {
  /** Unsent bytes the client may leave queued; past them its response is cut (`onCut` is told). */
  clientBufferBytes: number;
  onCut?: () => void;
  /** Read when the handler's body ends: a last SSE event of the relay's own, if any. */
  lastEvent?: () => string | undefined;
}

/** Writes the handler's `response` to the client, as it comes, cut if the client stops reading. */
export async function writeWebResponse(
  res: ServerResponse,
  response: Response,
  options: WriteResponseOptions,
): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (!response.body) return void res.end();
  const reader = response.body.getReader();
  res.once('close', () => void reader.cancel().catch(() => undefined));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      res.write(value);
      if (res.writableLength > options.clientBufferBytes) {
        options.onCut?.();
        res.destroy();
        return;
      }
    }
  } catch {
    // The client went away: the reader was cancelled.
  }
  if (res.destroyed || res.writableEnded) return;
  const last = options.lastEvent?.();
  if (last !== undefined) res.write(last);
  res.end();
}

function withoutExtensions(capabilities: Record<string, unknown>): ServerCapabilities {
  const { extensions: _extensions, ...kept } = capabilities;
  return kept as ServerCapabilities;
}
