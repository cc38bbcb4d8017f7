/**
 * The 2026-07-28 (stateless) era on `/mcp/<hostId>`, after the endpoint has checked Origin/Host,
 * rate limits and the bearer token, and the SDK's classifier has called the POST modern. No
 * session state: each request stands alone. The relay answers what it can without the tab (the
 * version gate, header presence, notifications, `server/discover`, `subscriptions/listen` in
 * listen.ts) and forwards the rest to the tab as an `http-request` frame (forwarded.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createMcpHandler,
  isJsonContentType,
  type InboundModernRoute,
  type McpHttpHandler,
} from '@modelcontextprotocol/server';
import { HTTP_HEADER_MAX_CHARS, RELAY_ERROR_CODES, type TokenRecord } from '@vial/shared';
import type { Host } from '../../hosts/registry.ts';
import { clientIdentityOf } from '../../hosts/tokens.ts';
import type { RelayMetrics, RequestOutcome } from '../../metrics.ts';
import { jsonRpcError, relayError, tabOffline, type RelayError } from '../../relayError.ts';
import type { QuietAnswerTiming } from './forwarded.ts';
import { HEADER_MISMATCH, standardHeaderMismatch } from './headers.ts';
import { forwardedHeaders, hostServer, webRequest, writeWebResponse } from './hostServer.ts';
import { createListenRoute } from './listen.ts';

export type { HostInfo } from './hostServer.ts';

/** The stateless revisions this relay serves. */
export const MODERN_VERSIONS = ['2026-07-28'];

const UNSUPPORTED_VERSION = -32022;
/** The JSON-RPC code of a request refused at a limit (`data.limit` says which), as on the session path. */
const LIMIT_ERROR_CODE = -32000;

export interface ModernRouteOptions {
  metrics: RelayMetrics;
  clientBufferBytes: number;
  /** Requests one token may have waiting on a tab at once (VIAL_SESSION_MAX_PENDING, as for a session). */
  maxPending: number;
  /** Listen streams one host, and one token on it, may have open (the session caps, counted apart). */
  maxListenPerHost: number;
  maxListenPerToken: number;
  /** SSE keep-alive comment interval on listen streams (VIAL_SSE_KEEPALIVE_MS). */
  listenKeepAliveMs: number;
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
  const listen = createListenRoute({
    metrics,
    clientBufferBytes: options.clientBufferBytes,
    maxPerHost: options.maxListenPerHost,
    maxPerToken: options.maxListenPerToken,
    keepAliveMs: options.listenKeepAliveMs,
  });
  /** Each host's own `server/discover` answerer, built on what its tab last said. */
  const discoverers = new WeakMap<Host, McpHttpHandler>();

  function discoverer(host: Host): McpHttpHandler {
    let handler = discoverers.get(host);
    if (!handler) {
      handler = createMcpHandler(() => hostServer(host), { legacy: 'reject' });
      discoverers.set(host, handler);
    }
    return handler;
  }

  async function serve(request: ModernRequest): Promise<void> {
    const { route } = request;
    if (route.messageKind !== 'request') return void (await answer(request));
    const { method } = route.message;
    const startedAt = performance.now();
    const outcome = await answer(request);
    metrics.requestFinished(method, outcome, 'modern');
    if (method === 'tools/call') metrics.toolCallLatency((performance.now() - startedAt) / 1000, outcome);
  }

  /** Answers one modern POST; resolves, once it is answered, to how it ended. */
  async function answer({ req, res, host, token, text, body, route }: ModernRequest): Promise<RequestOutcome> {
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
    if (route.messageKind === 'notification') {
      res.writeHead(202).end();
      return 'ok';
    }
    const { method, params } = route.message;
    const mismatch = standardHeaderMismatch(req.headers, method, params);
    if (mismatch) {
      metrics.relayError('bad_request');
      return sendError(res, 400, id, { code: HEADER_MISMATCH, ...mismatch });
    }
    if (method === 'server/discover') {
      await discover(req, res, host, text, body);
      return 'ok';
    }
    if (method === 'subscriptions/listen') return listen.serve({ req, res, host, token, text, body });
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
        'too_many_pending',
      );
    }
    const client = clientIdentityOf(token);
    const limits = { clientBufferBytes: options.clientBufferBytes, ...options.quietAnswer };
    const ended = new Promise<RequestOutcome>((resolve) => {
      if (host.forwarded.forward(res, { headers, body: text, client }, route.message, limits, resolve)) return;
      metrics.relayError('tab_offline');
      resolve(sendError(res, 200, id, jsonRpcError(RELAY_ERROR_CODES.tabOffline, tabOffline(host.id)), 'tab_offline'));
    });
    return ended;
  }

  async function discover(
    req: IncomingMessage,
    res: ServerResponse,
    host: Host,
    text: string,
    body: unknown,
  ): Promise<void> {
    const abort = new AbortController();
    res.once('close', () => abort.abort());
    const response = await discoverer(host).fetch(webRequest(req, text, abort.signal), { parsedBody: body });
    await writeWebResponse(res, response, { clientBufferBytes: options.clientBufferBytes });
  }

  return { serve };
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
  outcome: RequestOutcome = 'bad_request',
): RequestOutcome {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id, error }));
  return outcome;
}
