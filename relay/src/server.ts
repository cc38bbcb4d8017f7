/**
 * The relay, as a table of contents: one HTTP server on one port that serves the web app,
 * the tabs' WebSocket, the MCP endpoint for remote clients and the LLM gateway for tabs, plus
 * `/healthz`, `/readyz` and `/metrics`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { LLM_PATH_PREFIX, MCP_PATH_PREFIX, TAB_SOCKET_PATH } from '@vial/shared';
import { createClientAddress } from './clientAddress.ts';
import { createSharedState } from './cluster/index.ts';
import type { RelayConfig } from './config.ts';
import { sendJsonRpcError } from './http.ts';
import { requestLog, type Logger } from './log.ts';
import { createMemoryBudget } from './memoryBudget.ts';
import { createMetrics, type RelayMetrics } from './metrics.ts';
import { createAdmission } from './hosts/admission.ts';
import { HostRegistry } from './hosts/registry.ts';
import { createTabSocketServer } from './hosts/tabSocket.ts';
import { bearerToken, secretMatches } from './hosts/tokens.ts';
import { createLlmEndpoint } from './llm/endpoint.ts';
import { createMcpEndpoint } from './mcp/endpoint.ts';
import type { GrantStore } from './oauth/grantStore.ts';
import { createOAuth, type CimdFetch, type OAuth } from './oauth/index.ts';
import { createRequestGuard } from './requestGuard.ts';
import { requestPath } from './requestPath.ts';
import { createStaticSite } from './staticSite.ts';

export interface Relay {
  server: Server;
  registry: HostRegistry;
  metrics: RelayMetrics;
  /** OAuth's authorization server, consents and grants; undefined with VIAL_OAUTH=off. */
  oauth: OAuth | undefined;
  /** Resolves with the bound port once listening. */
  listen(): Promise<number>;
  /**
   * Graceful shutdown: refuses new requests (503), lets in-flight calls finish for up to
   * `drainMs`, fails what is left with a shutting-down error and closes the tabs' sockets.
   */
  close(): Promise<void>;
}

/** What tests may hand a relay that no environment variable may: kept out of RelayConfig on purpose. */
export interface RelayTestHooks {
  /** The fetch Client ID Metadata Documents go through (a test's loopback server needs its SSRF guard dropped). */
  cimdFetch?: CimdFetch;
  /** How long the consent page's `/wait` holds before answering `pending`. */
  consentWaitMs?: number;
  /** How long an OAuth rotation waits for the tab to say it saved the new state. */
  oauthMirrorAckMs?: number;
  /** The OAuth grant store (a small one, to reach its caps). */
  oauthStore?: GrantStore;
}

/** How long a refused client should wait before trying again while the relay drains. */
const DRAIN_RETRY_AFTER_S = 5;
/** A sane incoming `x-request-id` is kept; anything else is replaced. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

export function createRelay(config: RelayConfig, logger: Logger, testHooks: RelayTestHooks = {}): Relay {
  const metrics = createMetrics();
  const registry = new HostRegistry();
  const guard = createRequestGuard(config);
  const shared = createSharedState({ redis: config.redis, limits: config }, logger, metrics.registry);
  const rateLimits = shared.requestLimits;
  const clientAddress = createClientAddress(config.trustedProxies);
  const memory = createMemoryBudget({ hostBytes: config.hostMemoryBytes, totalBytes: config.memoryLimitBytes });
  let state: 'starting' | 'ready' | 'draining' = 'starting';
  const oauth = config.oauth.enabled
    ? createOAuth({
        config: config.oauth,
        publicUrl: config.publicUrl,
        localOrigin: () => `http://localhost:${boundPort()}`,
        registry,
        guard,
        rateLimits,
        logger,
        cimdFetch: testHooks.cimdFetch,
        consentWaitMs: testHooks.consentWaitMs,
        mirrorAckMs: testHooks.oauthMirrorAckMs,
        store: testHooks.oauthStore,
      })
    : undefined;
  const mcp = createMcpEndpoint({
    ...config,
    registry,
    logger,
    guard,
    metrics,
    rateLimits,
    memory,
    clientAddress,
    draining: () => state === 'draining',
    drainRetryAfterSeconds: DRAIN_RETRY_AFTER_S,
    oauth,
  });
  const tabs = createTabSocketServer({
    ...config,
    registry,
    logger,
    metrics,
    admission: createAdmission(config.admission),
    clientAddress,
    oauth,
  });
  const { offlineHostTtlMs } = config.hostLimits;
  const forgetSweep = setInterval(() => registry.forgetOffline(offlineHostTtlMs), Math.min(offlineHostTtlMs, 60_000));
  forgetSweep.unref();
  const llm = createLlmEndpoint({
    registry,
    llm: config.llm,
    metrics: metrics.llm,
    maxBodyBytes: config.maxBodyBytes,
    guard,
    draining: () => state === 'draining',
    drainRetryAfterSeconds: DRAIN_RETRY_AFTER_S,
    createLimits: shared.hostLimits,
  });
  const site = createStaticSite(config.webDir);
  metrics.watch({
    connectedHosts: () => [...registry.all()].filter((host) => host.online).length,
    clientSessions: () => mcp.sessionCount(),
    pendingRequests: () => mcp.pendingCount(),
    keptEventBytes: () => memory.totalBytes,
  });
  let closing: Promise<void> | undefined;
  function boundPort(): number {
    const address = server.address();
    return typeof address === 'object' && address ? address.port : config.port;
  }

  const server = createServer((req, res) => {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const log = requestLog(logger, { requestId });
    const path = requestPath(req.url ?? '');
    if (path === undefined) {
      sendJsonRpcError(res, 400, `Bad Request: the request target must be a path, e.g. ${MCP_PATH_PREFIX}<hostId>`);
      return;
    }
    if (logger.isLevelEnabled('debug')) {
      const started = performance.now();
      res.once('finish', () =>
        log().debug(
          { method: req.method, path, status: res.statusCode, ms: Math.round(performance.now() - started) },
          'request',
        ),
      );
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, hosts: registry.size, sessions: mcp.sessionCount() }));
      return;
    }
    if (path === '/readyz') {
      // With VIAL_REDIS_URL, a relay that cannot reach Redis is not ready: its limits are its
      // own alone and it refuses LLM spend (docs/multi-relay.md), so the balancer should prefer others.
      const redis = shared.redisHealth();
      const ready = state === 'ready' && (redis?.up ?? true);
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(redis ? { ready, state, redis } : { ready, state }));
      return;
    }
    if (path === '/metrics') {
      const token = config.metricsToken;
      if (token !== undefined && !secretMatches(bearerToken(req.headers.authorization), token)) {
        res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="vial-metrics"' });
        res.end('Unauthorized: /metrics needs "Authorization: Bearer <VIAL_METRICS_TOKEN>"');
        return;
      }
      void metrics.registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      });
      return;
    }
    if (path.startsWith(MCP_PATH_PREFIX)) {
      const hostId = path.slice(MCP_PATH_PREFIX.length).replace(/\/$/, '');
      void mcp.handle(req, res, hostId, log);
      return;
    }
    if (path.startsWith(LLM_PATH_PREFIX)) {
      void llm.handle(req, res, path, log);
      return;
    }
    if (oauth?.owns(path)) {
      void oauth.handle(req, res, path, clientAddress(req)).catch((error: unknown) => {
        log().error({ err: error, path }, 'OAuth request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ error: 'server_error', error_description: 'internal relay error; see the relay log' }),
        );
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJsonRpcError(
        res,
        405,
        `${req.method} ${path} is not served here; the MCP endpoint is ${MCP_PATH_PREFIX}<hostId>`,
      );
      return;
    }
    site(req, res);
  });

  server.on('upgrade', (req, socket, head) => {
    const path = requestPath(req.url ?? '');
    if (state === 'draining') {
      socket.end(
        `HTTP/1.1 503 Service Unavailable\r\nretry-after: ${DRAIN_RETRY_AFTER_S}\r\nconnection: close\r\n\r\n`,
      );
      return;
    }
    const refusal = guard(req);
    if (path !== TAB_SOCKET_PATH || refusal) {
      socket.end(`HTTP/1.1 ${refusal ? '403 Forbidden' : '404 Not Found'}\r\nconnection: close\r\n\r\n`);
      return;
    }
    tabs.handleUpgrade(req, socket, head);
  });

  async function drain(): Promise<void> {
    state = 'draining';
    clearInterval(forgetSweep);
    const deadline = Date.now() + config.drainMs;
    const running = () => mcp.pendingCount() + llm.inFlight();
    while (running() > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, Math.max(1, deadline - Date.now()))));
    }
    if (running() > 0) {
      logger.warn(
        { pending: mcp.pendingCount(), llmChats: llm.inFlight(), drainMs: config.drainMs },
        'drain timed out; failing what is left',
      );
    }
    await mcp.close();
    oauth?.close();
    tabs.close();
    await shared.close();
    // Give the last answers a moment to be written before the remaining connections are cut.
    await new Promise<void>((resolve) => {
      const idle = setInterval(() => server.closeIdleConnections(), 10);
      const cut = setTimeout(() => server.closeAllConnections(), 1000);
      server.close(() => {
        clearInterval(idle);
        clearTimeout(cut);
        resolve();
      });
    });
  }

  return {
    server,
    registry,
    metrics,
    oauth,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.bindHost, () => {
          state = 'ready';
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : config.port);
        });
      }),
    close: () => (closing ??= drain()),
  };
}

function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
