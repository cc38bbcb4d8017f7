/**
 * The 2026-07-28 (stateless) era on `/mcp/<hostId>`, after the endpoint has checked Origin/Host,
 * rate limits and the bearer token, and the SDK's classifier has called the POST modern. No
 * session state: each request stands alone. The relay answers what it can without the tab (the
 * version gate, header presence, notifications, `server/discover`) and forwards the rest to the
 * tab as an `http-request` frame (forwarded.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createMcpHandler,
  isJsonContentType,
  Server,
  type InboundModernRoute,
  type McpHttpHandler,
  type ServerCapabilities,
} from '@modelcontextprotocol/server';
import {
  FORWARDED_HEADER_NAME,
  HTTP_HEADER_MAX_CHARS,
  RELAY_ERROR_CODES,
  VIAL_VERSION,
  type TokenRecord,
} from '@vial/shared';
import type { Host } from '../../hosts/registry.ts';
import type { RelayMetrics } from '../../metrics.ts';
import { jsonRpcError, relayError, tabOffline, type RelayError } from '../../relayError.ts';
import type { QuietAnswerTiming } from './forwarded.ts';
import { HEADER_MISMATCH, standardHeaderMismatch } from './headers.ts';

/** The stateless revisions this relay serves. */
export const MODERN_VERSIONS = ['2026-07-28'];

const UNSUPPORTED_VERSION = -32022;
/** The JSON-RPC code of a request refused at a limit (`data.limit` says which), as on the session path. */
const LIMIT_ERROR_CODE = -32000;

/** What the tab told the relay to say in `server/discover`. */
export interface HostInfo {
  serverInfo: { name: string; version: string };
  capabilities: Record<string, unknown>;
  instructions?: string;
}

export interface ModernRouteOptions {
  metrics: RelayMetrics;
  clientBufferBytes: number;
  /** Requests one token may have waiting on a tab at once (VIAL_SESSION_MAX_PENDING, as for a session). */
  maxPending: number;
  /** Holding a silent call's response open: VIAL_QUIET_ANSWER_MS and VIAL_SSE_KEEPALIVE_MS. */
  quietAnswer: QuietAnswerTiming;
}

export interface ModernRequest {
  req: IncomingMessage;
  res: ServerResponse;
  host: Host;
  token: TokenRecord;
  /** The body as the client sent it, and parsed. */
  text: string;
  body: unknown;
  route: InboundModernRoute;
}

export interface ModernRoute {
  serve(request: ModernRequest): Promise<void>;
}

export function createModernRoute(options: ModernRouteOptions): ModernRoute {
  const { metrics } = options;
  /** Each host's own `server/discover` answerer, built on what its tab last said. */
  const discoverers = new WeakMap<Host, McpHttpHandler>();

  function discoverer(host: Host): McpHttpHandler {
    let handler = discoverers.get(host);
    if (!handler) {
      handler = createMcpHandler(() => stubServer(host), { legacy: 'reject' });
      discoverers.set(host, handler);
    }
    return handler;
  }

  async function serve({ req, res, host, token, text, body, route }: ModernRequest): Promise<void> {
    const revision = route.classification.revision;
    const id = route.messageKind === 'request' ? route.message.id : null;
    if (revision === undefined || !MODERN_VERSIONS.includes(revision)) {
      metrics.relayError('bad_request');
      return sendError(res, 400, id, {
        code: UNSUPPORTED_VERSION,
        message: `Unsupported protocol version: ${revision ?? '(none)'}; this relay serves ${MODERN_VERSIONS.join(', ')} and, with initialize, the 2025 revisions`,
        data: { supported: MODERN_VERSIONS, requested: revision ?? null },
      });
    }
    if (!isJsonContentType(req.headers['content-type'])) {
      metrics.relayError('bad_request');
      return sendError(res, 415, id, {
        code: -32600,
        message: 'Unsupported Media Type: an MCP POST is JSON, sent as Content-Type: application/json',
      });
    }
    // A client's notification has nothing to act on over HTTP (cancelling is closing the stream).
    if (route.messageKind === 'notification') return void res.writeHead(202).end();
    const { method, params } = route.message;
    const mismatch = standardHeaderMismatch(req.headers, method, params);
    if (mismatch) {
      metrics.relayError('bad_request');
      return sendError(res, 400, id, { code: HEADER_MISMATCH, ...mismatch });
    }
    if (method === 'server/discover' || method === 'subscriptions/listen') {
      return answerLocally(req, res, host, text, body);
    }
    const headers = forwardedHeaders(req);
    const long = Object.keys(headers).find((name) => headers[name]!.length > HTTP_HEADER_MAX_CHARS);
    if (long !== undefined) {
      metrics.relayError('bad_request');
      return sendError(res, 400, id, {
        code: -32600,
        message: `Bad Request: the ${long} header is longer than the relay passes on (${HTTP_HEADER_MAX_CHARS} characters)`,
      });
    }
    if (host.forwarded.pendingOf(token.id) >= options.maxPending) {
      metrics.relayError('too_many_pending');
      return sendError(
        res,
        200,
        route.message.id,
        jsonRpcError(LIMIT_ERROR_CODE, tooManyWaiting(options.maxPending), {
          limit: 'modern-pending',
          setting: 'VIAL_SESSION_MAX_PENDING',
          max: options.maxPending,
        }),
      );
    }
    const client = { tokenId: token.id, tokenName: token.name, scopes: token.scopes };
    const limits = { clientBufferBytes: options.clientBufferBytes, ...options.quietAnswer };
    if (host.forwarded.forward(res, { headers, body: text, client }, route.message, limits)) return;
    metrics.relayError('tab_offline');
    sendError(res, 200, route.message.id, jsonRpcError(RELAY_ERROR_CODES.tabOffline, tabOffline(host.id)));
  }

  async function answerLocally(
    req: IncomingMessage,
    res: ServerResponse,
    host: Host,
    text: string,
    body: unknown,
  ): Promise<void> {
    const abort = new AbortController();
    res.once('close', () => abort.abort());
    const request = new Request('http://relay.invalid/mcp', {
      method: 'POST',
      headers: forwardedHeaders(req),
      body: text,
      signal: abort.signal,
    });
    const response = await discoverer(host).fetch(request, { parsedBody: body });
    await sendWebResponse(res, response);
  }

  return { serve };
}

/**
 * The server `server/discover` describes: the tab's identity, capabilities and instructions when
 * it is online; when it is not, still an answer (a client probing the era must not fall back),
 * cached for no time, saying so. List-change and subscription capabilities are left out: the
 * relay does not serve `subscriptions/listen` streams yet, and must not promise what it cannot deliver.
 */
function stubServer(host: Host): Server {
  const online = host.online && host.info !== undefined;
  const info = host.info;
  const serverInfo = info?.serverInfo ?? { name: 'vial', version: VIAL_VERSION };
  const capabilities = withoutNotifications(info?.capabilities ?? { tools: {}, resources: {}, prompts: {} });
  const instructions = online
    ? info?.instructions
    : `The Vial host ${host.id} is offline: its tab is closed. Open the Vial web app on the machine that owns this host; calls fail until it is back.`;
  return new Server(serverInfo, {
    capabilities,
    ...(instructions === undefined ? {} : { instructions }),
    cacheHints: { 'server/discover': { ttlMs: online ? 60_000 : 0, cacheScope: 'private' } },
  });
}

/**
 * The request's MCP headers, lower-case, as the tab (or the relay's own handler) sees them; an
 * `Mcp-Param-*` nobody declared passes on too (S:549). Never credentials, cookies, Origin or Host.
 */
function forwardedHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string' && FORWARDED_HEADER_NAME.test(name)) headers[name] = value;
  }
  return headers;
}

function withoutNotifications(capabilities: Record<string, unknown>): ServerCapabilities {
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(capabilities)) {
    if (name === 'extensions') continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const { listChanged: _listChanged, subscribe: _subscribe, ...rest } = value as Record<string, unknown>;
      kept[name] = rest;
    } else kept[name] = value;
  }
  return kept as ServerCapabilities;
}

function tooManyWaiting(maxPending: number): RelayError {
  return relayError('Too many requests in flight', {
    details: `this token already has ${maxPending} waiting on the Vial tab (VIAL_SESSION_MAX_PENDING)`,
    hints: ['Wait for some to finish before sending more, or raise the limit on the relay.'],
  });
}

function sendError(
  res: ServerResponse,
  status: number,
  id: string | number | null,
  error: { code: number; message: string; data?: unknown },
): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id, error }));
}

async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
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
    }
  } catch {
    // The client went away: the reader was cancelled.
  }
  res.end();
}
