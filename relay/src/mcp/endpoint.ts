/**
 * `/mcp/<hostId>`: the Streamable HTTP endpoint remote clients use. It checks Origin/Host,
 * the host, the bearer token and the session, then hands the request to that session's
 * SDK transport, which speaks the protocol; the session forwards messages to the tab.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  isJSONRPCRequest,
  type RequestId,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import { readJsonBody, sendJsonRpcError } from '../http.ts';
import { cutByShutdown, shuttingDown } from '../relayError.ts';
import type { Logger, RequestLog } from '../log.ts';
import type { MemoryBudget } from '../memoryBudget.ts';
import type { RelayMetrics } from '../metrics.ts';
import type { Host, HostRegistry } from '../hosts/registry.ts';
import { bearerToken, clientIdentityOf, findToken } from '../hosts/tokens.ts';
import { BoundedEventStore } from './eventStore.ts';
import { negotiatedProtocolHeader } from './protocolVersion.ts';
import { addressBlock, type ClientAddress } from '../clientAddress.ts';
import type { RateLimited, RequestLimits } from './rateLimits.ts';
import type { RequestGuard } from '../requestGuard.ts';
import { ClientSession } from './session.ts';
import { classifyEra, sendRejection } from './modern/era.ts';
import { createModernRoute } from './modern/modernRoute.ts';
import { hostIdSchema, MCP_PATH_PREFIX, RELAY_ERROR_CODES, TOKEN_PREFIX, type TokenRecord } from '@vial/shared';
import type { OAuth } from '../oauth/index.ts';

export interface McpEndpointOptions {
  registry: HostRegistry;
  logger: Logger;
  guard: RequestGuard;
  metrics: RelayMetrics;
  rateLimits: RequestLimits;
  clientAddress: ClientAddress;
  /**
   * Whether the relay is shutting down: new sessions and new requests get 503, while what
   * in-flight calls still need (resuming their stream, answering the tab's own requests,
   * notifications, DELETE) is still served.
   */
  draining: () => boolean;
  drainRetryAfterSeconds: number;
  maxBodyBytes: number;
  eventBufferSize: number;
  eventBufferBytes: number;
  /** What every host's kept events are charged to. */
  memory: MemoryBudget;
  sseKeepAliveMs: number;
  /** A 2026-07-28 call its tab keeps silent this long gets an SSE head and keep-alives from the relay. */
  quietAnswerMs: number;
  /** Sent as `retry:` on each stream's priming event; keep it below `abandonGraceMs`. */
  sseRetryMs: number;
  sessionIdleMs: number;
  maxSessionsPerHost: number;
  maxSessionsPerToken: number;
  /** Unsent bytes one response may hold for a client that is not reading before it is dropped. */
  clientBufferBytes: number;
  /** Requests one session may have waiting on the tab at once. */
  sessionMaxPending: number;
  /** How long a client may take to resume a closed stream before its requests are cancelled. */
  abandonGraceMs: number;
  /** OAuth access tokens and the 401's resource metadata; undefined with VIAL_OAUTH=off. */
  oauth?: OAuth;
}

export interface McpEndpoint {
  /** `log` gives the request's logger (it carries the request id), made when first asked for. */
  handle(req: IncomingMessage, res: ServerResponse, hostId: string, log: RequestLog): Promise<void>;
  sessionCount(): number;
  /** Client requests forwarded to a tab and not answered yet, over all sessions and modern requests. */
  pendingCount(): number;
  /** Answers every request still in flight with a shutting-down error, then ends every session. */
  close(): Promise<void>;
}

const UNAUTHORIZED_DESCRIPTION = 'missing, unknown, expired or revoked token';

/** Longest JSON-RPC request id taken (a UUID is 36; SDKs count up from 0). */
const MAX_REQUEST_ID_CHARS = 256;

/** What Streamable HTTP uses; OPTIONS (CORS preflight) is answered before this check. */
const SERVED_METHODS = ['GET', 'POST', 'DELETE'];

const CORS_HEADERS = {
  'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
  'access-control-allow-headers':
    'authorization, content-type, mcp-session-id, mcp-protocol-version, mcp-method, mcp-name, last-event-id',
  'access-control-expose-headers': 'mcp-session-id, www-authenticate',
  'access-control-max-age': '600',
};

/** A 2025 session's POST body: parsed, as sent, and the ids of the requests in it (mapped to its stream). */
interface ReadBody {
  body: unknown;
  text: string;
  requestIds: RequestId[];
}

export function createMcpEndpoint(options: McpEndpointOptions): McpEndpoint {
  const { registry, logger, guard, metrics, rateLimits, clientAddress } = options;
  const modern = createModernRoute({
    metrics,
    clientBufferBytes: options.clientBufferBytes,
    maxPending: options.sessionMaxPending,
    maxListenPerHost: options.maxSessionsPerHost,
    maxListenPerToken: options.maxSessionsPerToken,
    listenKeepAliveMs: options.sseKeepAliveMs,
    quietAnswer: { quietAnswerMs: options.quietAnswerMs, keepAliveMs: options.sseKeepAliveMs },
  });
  /** Every live session by id; each is also listed on its host so the tab's comings and goings reach it. */
  const sessions = new Map<string, ClientSession>();

  const idleSweep = setInterval(
    () => {
      const cutoff = Date.now() - options.sessionIdleMs;
      for (const session of [...sessions.values()]) {
        if (session.lastActivity < cutoff && session.pendingCount === 0) session.close('idle timeout');
      }
    },
    Math.min(options.sessionIdleMs, 60_000),
  );
  idleSweep.unref();

  function openSession(host: Host, token: TokenRecord): ClientSession {
    const id = randomUUID();
    const eventStore =
      options.eventBufferSize > 0
        ? new BoundedEventStore(options.eventBufferSize, options.eventBufferBytes, options.memory.forHost(host.id))
        : undefined;
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      eventStore,
      keepAliveMs: options.sseKeepAliveMs,
      retryInterval: options.sseRetryMs,
    });
    const session: ClientSession = new ClientSession({
      id,
      host,
      client: clientIdentityOf(token),
      transport,
      logger,
      metrics,
      clientBufferBytes: options.clientBufferBytes,
      maxPending: options.sessionMaxPending,
      onClosed: () => {
        sessions.delete(id);
        host.sessions.delete(id);
        eventStore?.dispose();
      },
    });
    // Counted from the start, so that initializes racing each other cannot pass the caps; one
    // that fails is closed, and forgotten, by the caller.
    sessions.set(id, session);
    host.sessions.set(id, session);
    return session;
  }

  /**
   * Clients that never send DELETE (most don't) would otherwise pile up sessions until the idle
   * sweep. Past the per-token or per-host cap, the opening token's own least recently used idle
   * session ends to make room; a token never ends another token's session: with none of its own
   * to give up, its new session is refused, naming the limit.
   */
  function makeRoom(host: Host, token: TokenRecord): { setting: string; max: number } | undefined {
    const owned = [...sessions.values()].filter((session) => session.hostId === host.id);
    const mine = owned.filter((session) => session.tokenId === token.id);
    const caps = [
      { count: mine.length, max: options.maxSessionsPerToken, setting: 'VIAL_MAX_SESSIONS_PER_TOKEN' },
      { count: owned.length, max: options.maxSessionsPerHost, setting: 'VIAL_MAX_SESSIONS_PER_HOST' },
    ];
    const idle = mine.filter((session) => session.pendingCount === 0).sort((a, b) => a.lastActivity - b.lastActivity);
    for (const cap of caps) {
      while (cap.count >= cap.max) {
        const oldest = idle.shift();
        if (!oldest) return { setting: cap.setting, max: cap.max };
        oldest.close('too many sessions; the least recently used idle session of this token ended');
        for (const each of caps) each.count--;
      }
    }
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, hostId: string, log: RequestLog): Promise<void> {
    const refusal = guard(req);
    if (refusal) {
      metrics.relayError('forbidden');
      return sendJsonRpcError(res, 403, `Forbidden: ${refusal}`);
    }
    const origin = req.headers.origin;
    const cors: Record<string, string> = origin
      ? { ...CORS_HEADERS, 'access-control-allow-origin': origin, vary: 'Origin' }
      : {};
    for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    // Fetch's Request refuses TRACE and CONNECT outright: handed to the SDK's transport, they were a 500.
    if (!SERVED_METHODS.includes(req.method ?? '')) {
      metrics.relayError('bad_request');
      return sendJsonRpcError(res, 405, `Method not allowed: the MCP endpoint serves ${SERVED_METHODS.join(', ')}`, {
        allow: SERVED_METHODS.join(', '),
      });
    }

    const ip = addressBlock(clientAddress(req));
    const blocked = await rateLimits.checkAuthFailures(ip);
    if (blocked) return sendRateLimited(res, blocked, log);

    if (!hostIdSchema.safeParse(hostId).success) {
      metrics.relayError('not_found');
      return sendJsonRpcError(
        res,
        404,
        `Not found: the MCP endpoint is ${MCP_PATH_PREFIX}<hostId>, with the 22-character host id from the Vial app`,
      );
    }
    const host = registry.get(hostId);
    if (!host) {
      metrics.relayError('not_found');
      return sendJsonRpcError(
        res,
        404,
        `Unknown Vial host '${hostId}': copy the MCP URL from the Connect view of the Vial app`,
      );
    }
    const presented = bearerToken(req.headers.authorization);
    const { oauth } = options;
    // A static token is shaped `vial_…` and never in the OAuth index: which check runs says nothing secret.
    const token =
      presented === undefined
        ? undefined
        : oauth === undefined || presented.startsWith(TOKEN_PREFIX)
          ? findToken(host.tokens, presented)
          : oauth.verify(presented, host.id);
    if (!token) {
      metrics.relayError('auth_failed');
      // Only a wrong credential counts: a web page can send requests without one (it cannot set
      // Authorization across origins), and would otherwise lock this address's real clients out.
      if (presented !== undefined) await rateLimits.authFailed(ip);
      log().info({ hostId, ip }, 'authentication failed');
      return sendJsonRpcError(
        res,
        401,
        'Unauthorized: send the token minted in the Vial app as "Authorization: Bearer <token>"',
        {
          'www-authenticate':
            oauth?.challenge(req, host.id, UNAUTHORIZED_DESCRIPTION) ??
            `Bearer realm="vial", error="invalid_token", error_description="${UNAUTHORIZED_DESCRIPTION}"`,
        },
      );
    }

    const limited = await rateLimits.takeTokenRequest(`${host.id}/${token.id}`);
    if (limited) return sendRateLimited(res, limited, log);

    // A POST's body says its era (the SDK's classifier): 2026-07-28 requests stand alone and go
    // their own way; initialize-based (2025) ones go on to the sessions below.
    let read: ReadBody | undefined;
    if (req.method === 'POST') {
      const body = await readJsonPost(req, res);
      if (body === undefined) return;
      const era = classifyEra(req, body.body);
      if (era.kind === 'reject') {
        metrics.relayError('bad_request');
        return sendRejection(res, era, body.body);
      }
      if (era.kind === 'modern') {
        if (options.draining()) return sendShuttingDown(res);
        if (era.messageKind === 'request' && refusedLongId(res, [era.message.id])) return;
        return modern.serve({ req, res, host, token, text: body.text, body: body.body, route: era });
      }
      const requestIds = requestIdsIn(body.body);
      if (refusedLongId(res, requestIds)) return;
      read = { ...body, requestIds };
    }

    const sessionId = req.headers['mcp-session-id'];
    if (options.draining()) {
      const resuming = req.method === 'GET' && req.headers['last-event-id'] !== undefined;
      const newWork = typeof sessionId !== 'string' || (req.method === 'GET' && !resuming);
      if (newWork) return sendShuttingDown(res);
    }
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId);
      if (!session || session.hostId !== host.id || session.tokenId !== token.id) {
        metrics.relayError('session_not_found');
        return sendJsonRpcError(
          res,
          404,
          `Session not found: '${sessionId}' has ended or never existed; initialize a new session`,
        );
      }
      return serveExistingSession(req, res, session, read);
    }
    if (read === undefined) {
      metrics.relayError('bad_request');
      return sendJsonRpcError(
        res,
        400,
        `Bad Request: ${req.method} needs an Mcp-Session-Id header from a prior initialize`,
      );
    }
    const full = makeRoom(host, token);
    if (full) {
      metrics.relayError('rate_limited');
      return sendJsonRpcError(
        res,
        429,
        `Too many sessions: ${full.setting}=${full.max} is reached and every session of this token is busy; end one (DELETE) or wait for one to finish. A client never ends another client's session.`,
        { 'retry-after': '5' },
      );
    }
    const session = openSession(host, token);
    await session.serve(req, res, { parsedBody: read.body, requestIds: read.requestIds });
    if (!session.transport.sessionId) await session.transport.close();
  }

  async function serveExistingSession(
    req: IncomingMessage,
    res: ServerResponse,
    session: ClientSession,
    read: ReadBody | undefined,
  ): Promise<void> {
    const headerOverrides = negotiatedProtocolHeader(req, session.negotiatedProtocolVersion);
    if (req.method === 'GET' && req.headers['last-event-id'] === undefined) session.standaloneStreamOpened();
    if (read === undefined) {
      await session.serve(req, res, { headerOverrides });
      // A successful resume means the client is still listening: keep its abandoned calls running.
      if (req.method === 'GET' && req.headers['last-event-id'] && res.statusCode === 200) session.resumed();
      return;
    }
    const { body, requestIds } = read;
    if (requestIds.length > 0 && options.draining()) return sendShuttingDown(res);
    if (requestIds.length > 0) {
      res.on('close', () => session.abandonLater(requestIds, options.abandonGraceMs));
    }
    await session.serve(req, res, { parsedBody: body, headerOverrides, requestIds });
  }

  /** The POST's body, parsed and as sent, or undefined once the client has been answered with why not. */
  async function readJsonPost(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<Omit<ReadBody, 'requestIds'> | undefined> {
    const result = await readJsonBody(req, options.maxBodyBytes);
    if (result.ok) return { body: result.body, text: result.text };
    metrics.relayError(result.status === 413 ? 'payload_too_large' : 'bad_request');
    sendJsonRpcError(res, result.status, result.message, {}, result.code);
    return undefined;
  }

  /**
   * Ids are kept while their requests run (here, in the SDK transport, and for a modern request
   * until its tab answers): a long one is memory a client chooses. True once such a request is refused.
   */
  function refusedLongId(res: ServerResponse, requestIds: readonly RequestId[]): boolean {
    const long = requestIds.find((id) => String(id).length > MAX_REQUEST_ID_CHARS);
    if (long === undefined) return false;
    metrics.relayError('bad_request');
    sendJsonRpcError(
      res,
      400,
      `Bad Request: a JSON-RPC id is ${String(long).length} characters long; the relay takes ids of at most ${MAX_REQUEST_ID_CHARS}`,
      {},
      -32600,
    );
    return true;
  }

  function sendShuttingDown(res: ServerResponse): void {
    metrics.relayError('shutting_down');
    sendJsonRpcError(
      res,
      503,
      shuttingDown(options.drainRetryAfterSeconds),
      { 'retry-after': String(options.drainRetryAfterSeconds) },
      RELAY_ERROR_CODES.shuttingDown,
    );
  }

  function sendRateLimited(res: ServerResponse, limited: RateLimited, log: RequestLog): void {
    metrics.relayError('rate_limited');
    log().warn({ limit: limited.limit, retryAfterSeconds: limited.retryAfterSeconds }, 'rate limited');
    const headers = { 'retry-after': String(limited.retryAfterSeconds) };
    if (res.headersSent) return void res.end();
    res.writeHead(429, { 'content-type': 'application/json', ...headers });
    res.end(
      JSON.stringify({
        jsonrpc: '2.0',
        id: null,
        error: {
          code: -32000,
          message: limited.message,
          data: { limit: limited.limit, retryAfterSeconds: limited.retryAfterSeconds },
        },
      }),
    );
  }

  return {
    handle: (req, res, hostId, log) =>
      handle(req, res, hostId, log).catch((error: unknown) => {
        metrics.relayError('internal');
        log().error({ err: error, hostId }, 'MCP request failed');
        sendJsonRpcError(res, 500, 'Internal relay error; see the relay log', {}, -32603);
      }),
    sessionCount: () => sessions.size,
    pendingCount: () =>
      [...sessions.values()].reduce((sum, session) => sum + session.pendingCount, 0) +
      [...registry.all()].reduce((sum, host) => sum + host.forwardedCount, 0),
    async close() {
      clearInterval(idleSweep);
      const open = [...sessions.values()];
      await Promise.all(
        open.map((session) => session.failPending(RELAY_ERROR_CODES.shuttingDown, cutByShutdown(), 'shutting_down')),
      );
      for (const session of open) session.close('relay shutting down');
      for (const host of registry.all()) {
        host.forwarded.tabGone('the relay is shutting down', 'shutting_down');
        host.events.close();
      }
    },
  };
}

/**
 * The ids the SDK transport will map to this POST's stream: it keeps the messages its
 * `JSONRPCMessageSchema` takes and maps those that are requests. That schema's first member is
 * the (strict) request schema, so a message is mapped exactly when `isJSONRPCRequest` holds.
 */
function requestIdsIn(body: unknown): RequestId[] {
  const messages: unknown[] = Array.isArray(body) ? body : [body];
  return messages.filter(isJSONRPCRequest).map((request) => request.id);
}
