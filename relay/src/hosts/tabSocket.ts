/**
 * The WebSocket a Vial tab opens to the relay. It registers a host, keeps it alive with
 * heartbeats and carries the host's MCP traffic. Every frame is validated before use.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import {
  CLOSE_CODES,
  deriveHostId,
  parseFrame,
  tabFrameSchema,
  VIAL_VERSION,
  type RelayFrame,
  type TabFrame,
} from '@vial/shared';
import type { Logger } from '../log.ts';
import type { RelayMetrics, TabDropReason } from '../metrics.ts';
import type { Host, HostRegistry, TabLink } from './registry.ts';

export interface TabSocketOptions {
  registry: HostRegistry;
  logger: Logger;
  metrics: RelayMetrics;
  maxFrameBytes: number;
  /** Unsent bytes the socket may hold for a tab that is not reading before the tab is dropped. */
  tabBufferBytes: number;
  heartbeatMs: number;
  fixtures: string[];
  /** The base URL clients should use, e.g. `http://localhost:8787`; derived from the request if unset. */
  publicUrl: string | undefined;
}

export interface TabSocketServer {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

export function createTabSocketServer(options: TabSocketOptions): TabSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes });
  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const baseUrl = options.publicUrl ?? `http://${req.headers.host ?? 'localhost'}`;
    serveTab(ws, baseUrl, options);
  });
  return {
    handleUpgrade(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    close() {
      for (const client of wss.clients) client.close(CLOSE_CODES.shuttingDown, 'relay shutting down');
      wss.close();
    },
  };
}

/** WebSocket close code for a tab that left more than `tabBufferBytes` unread (policy violation). */
const SEND_BUFFER_FULL_CLOSE_CODE = 1008;

function serveTab(ws: WebSocket, baseUrl: string, options: TabSocketOptions): void {
  const { registry, logger, metrics } = options;
  let host: Host | undefined;
  let awaitingPong = false;
  let pingId = 0;
  let queue: Promise<void> = Promise.resolve();
  /** Why the relay dropped this tab, for the errors its sessions' pending calls get. */
  let dropReason: string | undefined;
  const untrackBuffer = metrics.trackBuffer('tab_sockets', () => ws.bufferedAmount);

  const link: TabLink = {
    send(frame: RelayFrame) {
      if (ws.readyState !== ws.OPEN) return;
      // ws queues without limit for a tab that stops reading; heartbeats catch it only after up to two intervals.
      if (ws.bufferedAmount > options.tabBufferBytes) {
        return drop(
          'send_buffer_full',
          SEND_BUFFER_FULL_CLOSE_CODE,
          `it left more than ${options.tabBufferBytes} bytes unread, see VIAL_TAB_BUFFER_BYTES`,
          { bufferedBytes: ws.bufferedAmount },
        );
      }
      ws.send(JSON.stringify(frame));
    },
    close(code, reason) {
      ws.close(code, reason);
    },
  };

  /**
   * Closes the socket with a code the tab can read if it ever does, and terminates it at once:
   * a tab that reads nothing would never finish the closing handshake. The frame that found the
   * buffer full is not sent, and need not be: the sessions fail every call the tab had.
   */
  function drop(reason: TabDropReason, code: number, detail: string, logFields: Record<string, unknown> = {}): void {
    if (dropReason !== undefined) return;
    dropReason = `dropped by the relay: ${detail}`;
    metrics.tabDropped(reason);
    logger.warn({ hostId: host?.id, reason, ...logFields }, `dropping tab: ${detail}`);
    ws.close(code, reason.replaceAll('_', ' '));
    ws.terminate();
  }

  const heartbeat = setInterval(() => {
    if (awaitingPong) {
      drop(
        'heartbeat_timeout',
        CLOSE_CODES.heartbeatTimeout,
        `it missed a heartbeat, VIAL_HEARTBEAT_MS=${options.heartbeatMs}`,
      );
      return;
    }
    awaitingPong = true;
    link.send({ type: 'ping', id: ++pingId });
  }, options.heartbeatMs);

  async function register(frame: Extract<TabFrame, { type: 'register' }>): Promise<void> {
    if ((await deriveHostId(frame.secret)) !== frame.hostId) {
      link.send({ type: 'error', message: 'host id does not match its secret' });
      ws.close(CLOSE_CODES.rejected, 'host id does not match its secret');
      return;
    }
    const next = registry.getOrCreate(frame.hostId);
    if (next.link && next.link !== link) next.link.close(CLOSE_CODES.replaced, 'this host was opened in another tab');
    host = next;
    link.send({
      type: 'registered',
      hostId: next.id,
      mcpUrl: `${baseUrl}/mcp/${next.id}`,
      fixtures: options.fixtures,
      relayVersion: VIAL_VERSION,
      llmKey: registry.issueLlmKey(next, link),
    });
    next.attach(link, frame.tokens);
    logger.info({ hostId: next.id, tokens: frame.tokens.length, sessions: next.sessions.size }, 'tab registered');
  }

  function handle(frame: TabFrame): void | Promise<void> {
    switch (frame.type) {
      case 'register':
        return register(frame);
      case 'ping':
        return link.send({ type: 'pong', id: frame.id });
      case 'pong':
        awaitingPong = false;
        return;
      case 'tokens':
      case 'mcp':
      case 'close-sse-stream':
        if (!host) return link.send({ type: 'error', message: `register before sending '${frame.type}' frames` });
        if (frame.type === 'tokens') return host.setTokens(frame.tokens);
        return routeToSession(host, frame);
    }
  }

  function routeToSession(owner: Host, frame: Extract<TabFrame, { type: 'mcp' | 'close-sse-stream' }>): void {
    const session = owner.sessions.get(frame.sessionId);
    if (!session) return link.send({ type: 'error', message: `unknown session '${frame.sessionId}'` });
    if (frame.type === 'close-sse-stream') return session.closeStream(frame.requestId);
    session.fromTab(frame.message as JSONRPCMessage, frame.relatedRequestId);
  }

  ws.on('message', (data, isBinary) => {
    const parsed = isBinary
      ? ({ ok: false, error: 'binary frames are not supported; send JSON text' } as const)
      : parseFrame(tabFrameSchema, data.toString());
    // Frames are handled strictly in order: `register` is async, and what follows it must see its result.
    queue = queue
      .then(() => {
        if (parsed.ok) return handle(parsed.frame);
        logger.warn({ hostId: host?.id, error: parsed.error }, 'rejected tab frame');
        link.send({ type: 'error', message: parsed.error });
      })
      .catch((error: unknown) => logger.error({ err: error, hostId: host?.id }, 'tab frame handler failed'));
  });

  ws.on('close', (code, reason) => {
    clearInterval(heartbeat);
    untrackBuffer();
    if (!host) return;
    logger.info({ hostId: host.id, code, reason: reason.toString() }, 'tab disconnected');
    host.detach(link, dropReason ?? (code === CLOSE_CODES.replaced ? 'replaced by another tab' : 'tab disconnected'));
  });
  ws.on('error', (error) => logger.warn({ err: error, hostId: host?.id }, 'tab socket error'));
}
