/**
 * `subscriptions/listen` (2026-07-28), answered at the relay: the SDK's own listen router (ack
 * first, the filter narrowed to what the host's server declares, every notification stamped with
 * the subscription id, resource updates only for the URIs asked for) on a handler of the stream's
 * own, whose bus is the host's events that the stream's token may learn (hostEvents.ts). The
 * stream lives at the relay, so it outlives tab reloads.
 *
 * Bounded: one token may hold `maxPerToken` streams on a host and a host `maxPerHost` (the session
 * caps, VIAL_MAX_SESSIONS_PER_TOKEN and VIAL_MAX_SESSIONS_PER_HOST, counted apart from sessions),
 * a filter names at most MAX_RESOURCE_SUBSCRIPTIONS URIs, and a client that stops reading is cut
 * past `clientBufferBytes` unread.
 */
import { createMcpHandler } from '@modelcontextprotocol/server';
import { SERVER_EVENT_URI_MAX_CHARS, type TokenRecord } from '@vial/shared';
import type { Host } from '../../hosts/registry.ts';
import type { RelayMetrics, RequestOutcome } from '../../metrics.ts';
import { jsonRpcError, relayError, type JsonRpcErrorObject } from '../../relayError.ts';
import { hostServer, webRequest, writeWebResponse } from './hostServer.ts';
import type { ModernRequest } from './modernRoute.ts';

/** Resource URIs one listen stream may ask to hear updates of. */
export const MAX_RESOURCE_SUBSCRIPTIONS = 256;
/**
 * Longest `subscriptions/listen` body, in characters: a stream holds its request for as long as
 * it is open, so it may not hold VIAL_MAX_BODY_BYTES of it. An honest filter is a few hundred.
 */
export const MAX_LISTEN_BODY_CHARS = 64 * 1024;

/** The JSON-RPC code of a request refused at a limit (`data.limit` says which), as on the session path. */
const LIMIT_ERROR_CODE = -32000;
const INVALID_PARAMS = -32602;

export interface ListenRouteOptions {
  metrics: RelayMetrics;
  clientBufferBytes: number;
  /** Streams one host may have open (VIAL_MAX_SESSIONS_PER_HOST). */
  maxPerHost: number;
  /** Streams one token may have open on a host (VIAL_MAX_SESSIONS_PER_TOKEN). */
  maxPerToken: number;
  /** SSE keep-alive comment interval (VIAL_SSE_KEEPALIVE_MS; 0: none). */
  keepAliveMs: number;
}

/** A modern request for `subscriptions/listen`, its era and headers checked. */
export type ListenRequest = Omit<ModernRequest, 'route'>;

export function createListenRoute(options: ListenRouteOptions): {
  /** Serves one listen stream until it ends; resolves to how it ended. */
  serve(request: ListenRequest): Promise<RequestOutcome>;
} {
  const { metrics } = options;

  async function serve({ req, res, host, token, text, body }: ListenRequest): Promise<RequestOutcome> {
    const id = (body as { id: string | number }).id;
    const refusal = limitRefusal(host, token) ?? filterRefusal(text, body);
    if (refusal) {
      const outcome = refusal.code === LIMIT_ERROR_CODE ? 'rate_limited' : 'bad_request';
      metrics.relayError(outcome);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', id, error: refusal }));
      return outcome;
    }
    const abort = new AbortController();
    const handler = createMcpHandler(() => hostServer(host), {
      legacy: 'reject',
      bus: host.events.busFor(token),
      maxSubscriptions: 1,
      keepAliveMs: options.keepAliveMs,
    });
    let lastError: JsonRpcErrorObject | undefined;
    const leave = host.events.open({
      tokenId: token.id,
      end(error) {
        if (error === undefined) return void handler.close();
        lastError = error;
        abort.abort();
      },
    });
    res.once('close', () => {
      leave();
      abort.abort();
    });
    const response = await handler.fetch(webRequest(req, text, abort.signal), { parsedBody: body });
    await writeWebResponse(res, response, {
      clientBufferBytes: options.clientBufferBytes,
      onCut: () => metrics.clientStreamDropped(),
      lastEvent: () =>
        lastError && `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id, error: lastError })}\n\n`,
    });
    leave();
    return lastError ? 'error' : 'ok';
  }

  /** Why this token may open no more streams on this host now, naming the setting; undefined when it may. */
  function limitRefusal(host: Host, token: TokenRecord): JsonRpcErrorObject | undefined {
    const caps = [
      {
        open: host.events.streamsOf(token.id),
        max: options.maxPerToken,
        setting: 'VIAL_MAX_SESSIONS_PER_TOKEN',
        of: 'this token has',
      },
      {
        open: host.events.streamCount,
        max: options.maxPerHost,
        setting: 'VIAL_MAX_SESSIONS_PER_HOST',
        of: 'this host has',
      },
    ];
    const full = caps.find((cap) => cap.open >= cap.max);
    if (!full) return undefined;
    const error = relayError('Too many listen streams', {
      details: `${full.of} ${full.max} subscriptions/listen streams open (${full.setting})`,
      hints: [
        'Close a listen stream this client no longer reads (one per client is enough), or raise the limit on the relay.',
      ],
    });
    return jsonRpcError(LIMIT_ERROR_CODE, error, { limit: 'listen-streams', setting: full.setting, max: full.max });
  }

  return { serve };
}

/**
 * Why the request, or its filter's resource URIs, are more than a stream may hold, or undefined.
 * The rest of the filter is the SDK's to check (a missing or malformed one is its -32602).
 */
function filterRefusal(text: string, body: unknown): JsonRpcErrorObject | undefined {
  if (text.length > MAX_LISTEN_BODY_CHARS) {
    return jsonRpcError(
      INVALID_PARAMS,
      `Invalid params: this subscriptions/listen request is ${text.length} characters long; a listen stream's request is at most ${MAX_LISTEN_BODY_CHARS}`,
    );
  }
  const uris = (body as { params?: { notifications?: { resourceSubscriptions?: unknown } } }).params?.notifications
    ?.resourceSubscriptions;
  if (!Array.isArray(uris)) return undefined;
  if (uris.length > MAX_RESOURCE_SUBSCRIPTIONS) {
    return jsonRpcError(
      INVALID_PARAMS,
      `Invalid params: resourceSubscriptions names ${uris.length} URIs; a listen stream takes at most ${MAX_RESOURCE_SUBSCRIPTIONS} (open another stream for more)`,
    );
  }
  const long = uris.find((uri) => typeof uri === 'string' && uri.length > SERVER_EVENT_URI_MAX_CHARS);
  if (typeof long === 'string') {
    return jsonRpcError(
      INVALID_PARAMS,
      `Invalid params: a resourceSubscriptions URI is ${long.length} characters long; Vial's resource URIs are at most ${SERVER_EVENT_URI_MAX_CHARS}`,
    );
  }
  return undefined;
}
