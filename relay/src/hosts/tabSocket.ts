/**
 * The WebSocket a Vial tab opens to the relay. It registers a host, keeps it alive with
 * heartbeats and carries the host's MCP traffic. Every frame is validated before use.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import {
  CLOSE_CODES,
  deriveHostId,
  HOST_INFO_MAX_BYTES,
  VIAL_VERSION,
  type RelayFrame,
  type TabFrame,
} from '@vial/shared';
import { addressBlock, type ClientAddress } from '../clientAddress.ts';
import type { HostLimitsConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import type { RelayMetrics, TabDropReason } from '../metrics.ts';
import { createRateLimits } from '../mcp/rateLimits.ts';
import type { Admission } from './admission.ts';
import type { Host, HostRegistry, TabLink } from './registry.ts';
import { readTabFrame } from './tabFrame.ts';
import type { HttpAnswerFrame } from '../mcp/modern/forwarded.ts';
import type { OAuth } from '../oauth/index.ts';
import { createTabThrottles, type TabThrottle } from './tabThrottle.ts';

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
  admission: Admission;
  hostLimits: HostLimitsConfig;
  clientAddress: ClientAddress;
  /** Consents and grants; undefined with VIAL_OAUTH=off. */
  oauth?: OAuth;
}

export interface TabSocketServer {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

/** What every tab socket shares: who made how many hosts lately, and how fast all tabs may send. */
interface SharedLimits {
  newHost(address: string): boolean;
  throttle(): TabThrottle;
}

export function createTabSocketServer(options: TabSocketOptions): TabSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes });
  const { hostLimits } = options;
  const socketsByAddress = new Map<string, number>();
  const newHosts = createRateLimits({
    tokenRate: hostLimits.newHostsPerMinute / 60,
    tokenBurst: Math.max(1, hostLimits.newHostsPerMinute),
    authFailuresPerMinute: 0,
  });
  const throttles = createTabThrottles({
    tabBytesPerSecond: hostLimits.tabBytesPerSecond,
    tabsBytesPerSecond: hostLimits.tabsBytesPerSecond,
    burstBytes: hostLimits.tabBurstBytes,
    maxPauseMs: Math.max(1, Math.floor(options.heartbeatMs / 2)),
    dropAfterMs: hostLimits.tabThrottleDropMs,
  });
  const sharedLimits: SharedLimits = {
    newHost: (address) => newHosts.takeTokenRequest(address) === undefined,
    throttle: () => throttles.open(),
  };
  wss.on('connection', (ws: WebSocket, req: IncomingMessage, address: string) => {
    const baseUrl = options.publicUrl ?? `http://${req.headers.host ?? 'localhost'}`;
    socketsByAddress.set(address, (socketsByAddress.get(address) ?? 0) + 1);
    ws.once('close', () => {
      const left = (socketsByAddress.get(address) ?? 1) - 1;
      if (left > 0) socketsByAddress.set(address, left);
      else socketsByAddress.delete(address);
    });
    serveTab(ws, baseUrl, address, sharedLimits, options);
  });
  return {
    handleUpgrade(req, socket, head) {
      const address = addressBlock(options.clientAddress(req));
      if ((socketsByAddress.get(address) ?? 0) >= hostLimits.socketsPerAddress) {
        socket.end(
          `HTTP/1.1 429 Too Many Requests\r\nretry-after: 60\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nThis address already has ${hostLimits.socketsPerAddress} tab sockets open (VIAL_TAB_SOCKETS_PER_ADDRESS)`,
        );
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req, address));
    },
    close() {
      for (const client of wss.clients) client.close(CLOSE_CODES.shuttingDown, 'relay shutting down');
      wss.close();
    },
  };
}

/** What of an answer to a waiting client is not counted against its tab's share. */
const ANSWER_FREE_BYTES = 64 * 1024;

/**
 * What of the pong a tab owes (the answer to the relay's heartbeat ping) is not counted against its
 * share: all of a pong as the tab sends it. An idle tab sends nothing else, so it takes no part in
 * the tabs' shared bandwidth (tabThrottle.ts); padding beyond this counts.
 */
const OWED_PONG_FREE_BYTES = 64;

/** WebSocket close code for a tab that broke a limit: left more than `tabBufferBytes` unread, or sent more than its share. */
const POLICY_VIOLATION_CLOSE_CODE = 1008;

function serveTab(
  ws: WebSocket,
  baseUrl: string,
  address: string,
  sharedLimits: SharedLimits,
  options: TabSocketOptions,
): void {
  const { registry, logger, metrics, hostLimits } = options;
  let host: Host | undefined;
  let registered = false;
  const throttle = sharedLimits.throttle();
  let paused = false;
  let awaitingPong = false;
  /** The pong to the last ping has not been counted yet: it is free, once. */
  let pongOwed = false;
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
        return tab.drop(
          'send_buffer_full',
          POLICY_VIOLATION_CLOSE_CODE,
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
   * What the tab socket does, as methods of one object: a named function per tab would carry a
   * property of its own under tsx (esbuild's keepNames sets each one's name), some 250 bytes of
   * heap per function per tab (bench/RESULTS.md, "How many idle tabs and sessions one relay holds").
   */
  const tab = {
    /**
     * Closes the socket with a code the tab can read if it ever does, and terminates it at once:
     * a tab that reads nothing would never finish the closing handshake. The frame that found the
     * buffer full is not sent, and need not be: the sessions fail every call the tab had.
     */
    drop(reason: TabDropReason, code: number, detail: string, logFields: Record<string, unknown> = {}): void {
      if (dropReason !== undefined) return;
      dropReason = `dropped by the relay: ${detail}`;
      metrics.tabDropped(reason);
      logger.warn({ hostId: host?.id, reason, ...logFields }, `dropping tab: ${detail}`);
      ws.close(code, reason.replaceAll('_', ' '));
      ws.terminate();
    },

    /** Ends the socket with a reason the tab shows; the error frame carries it to tabs that read no close reason. */
    refuse(code: number, reason: string): void {
      link.send({ type: 'error', message: reason });
      // A close reason is at most 123 bytes; the error frame has the whole of it.
      ws.close(code, reason.length > 120 ? `${reason.slice(0, 117)}...` : reason);
    },

    /** Why this socket may not create a new host now, or undefined when it may. */
    newHostRefusal(): string | undefined {
      if (registry.size >= hostLimits.maxHosts) {
        return `this relay already knows ${hostLimits.maxHosts} hosts (VIAL_MAX_HOSTS); try again later`;
      }
      if (!sharedLimits.newHost(address)) {
        return `too many new hosts from this address (VIAL_NEW_HOSTS_PER_MIN=${hostLimits.newHostsPerMinute}); try again in a minute`;
      }
      return undefined;
    },

    async register(frame: Extract<TabFrame, { type: 'register' }>): Promise<void> {
      // One socket is one tab: a second register would make it a host factory.
      if (registered) return tab.refuse(CLOSE_CODES.rejected, 'a socket registers one host, once');
      registered = true;
      if ((await deriveHostId(frame.secret)) !== frame.hostId) {
        return tab.refuse(CLOSE_CODES.rejected, 'host id does not match its secret');
      }
      const refusal = registry.get(frame.hostId) ? undefined : tab.newHostRefusal();
      if (refusal) return tab.refuse(CLOSE_CODES.tryAgainLater, refusal);
      const admitted = options.admission.admit(frame.hostId, frame);
      if (!admitted.ok) {
        logger.info({ hostId: frame.hostId, address, reason: admitted.reason }, 'host not admitted');
        return tab.refuse(CLOSE_CODES.notAdmitted, admitted.reason);
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
        ...(admitted.llm ? { llmKey: registry.issueLlmKey(next, link) } : {}),
        ...(admitted.ticket ? { admission: admitted.ticket } : {}),
      });
      next.attach(link, frame.tokens);
      options.oauth?.tabRegistered(next, frame.oauthGrants ?? []);
      logger.info(
        { hostId: next.id, tokens: frame.tokens.length, sessions: next.sessions.size, llm: admitted.llm },
        'tab registered',
      );
    },

    /** Counts what the tab sent against its share: reading it pauses while it is over, and it is dropped if it floods. */
    throttled(bytes: number): boolean {
      const verdict = throttle.take(bytes);
      if (verdict.action === 'drop') {
        tab.drop(
          'rate_exceeded',
          POLICY_VIOLATION_CLOSE_CODE,
          `it kept sending more than its share (${Math.round(throttle.rate)} bytes per second now, after a burst of ${hostLimits.tabBurstBytes}) for ${hostLimits.tabThrottleDropMs} ms: VIAL_TAB_BYTES_PER_SEC, VIAL_TABS_BYTES_PER_SEC, VIAL_TAB_BURST_BYTES, VIAL_TAB_THROTTLE_DROP_MS`,
        );
        return true;
      }
      if (verdict.action === 'pause' && !paused) {
        paused = true;
        ws.pause();
        setTimeout(() => {
          paused = false;
          if (dropReason !== undefined) return;
          throttle.resumed();
          ws.resume();
        }, verdict.ms).unref();
      }
      return false;
    },

    handle(frame: TabFrame): void | Promise<void> {
      switch (frame.type) {
        case 'register':
          return tab.register(frame);
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
          return tab.routeToSession(host, frame);
        case 'host-info':
        case 'server-event':
        case 'http-response':
        case 'http-start':
        case 'http-chunk':
        case 'http-end':
          if (!host) return link.send({ type: 'error', message: `register before sending '${frame.type}' frames` });
          if (frame.type === 'host-info') {
            const { type: _type, ...info } = frame;
            host.info = info;
            return;
          }
          if (frame.type === 'server-event') return host.publish(frame.event, frame.audience);
          return host.forwarded.fromTab(frame);
        case 'oauth-consent-decision':
        case 'oauth-revoke':
        case 'oauth-grants-stored':
          if (!options.oauth) {
            return link.send({
              type: 'error',
              message: `this relay has OAuth off (VIAL_OAUTH=off): '${frame.type}' ignored`,
            });
          }
          if (!host) return link.send({ type: 'error', message: `register before sending '${frame.type}' frames` });
          return options.oauth.tabFrame(host, frame).then((refusal) => {
            if (refusal !== undefined) link.send({ type: 'error', message: refusal });
          });
      }
    },

    routeToSession(owner: Host, frame: Extract<TabFrame, { type: 'mcp' | 'close-sse-stream' }>): void {
      const session = owner.sessions.get(frame.sessionId);
      if (!session) return link.send({ type: 'error', message: `unknown session '${frame.sessionId}'` });
      if (frame.type === 'close-sse-stream') return session.closeStream(frame.requestId);
      session.fromTab(frame.message as JSONRPCMessage, frame.relatedRequestId);
    },

    /**
     * An answer to a request a client is waiting on is the tab doing its job, and there can be only
     * one per request: up to ANSWER_FREE_BYTES of it is never held back (a well-behaved host must not
     * wait behind a crowd of lying tabs). Everything else the tab sends counts against its share.
     */
    answersAClient(frame: TabFrame): boolean {
      if (frame.type !== 'mcp' || !host) return false;
      return host.sessions.get(frame.sessionId)?.awaits(frame.message as JSONRPCMessage) ?? false;
    },

    /**
     * Bytes of `frame` not counted against the tab's share: ANSWER_FREE_BYTES of one answer to a
     * waiting client, OWED_PONG_FREE_BYTES of the one pong owed to the last ping.
     */
    freeBytes(frame: TabFrame, size: number): number {
      if (tab.answersAClient(frame)) return ANSWER_FREE_BYTES;
      if (frame.type === 'pong' && pongOwed && frame.id === pingId) {
        pongOwed = false;
        return OWED_PONG_FREE_BYTES;
      }
      if (!host || !frame.type.startsWith('http-')) return 0;
      return host.forwarded.freeBytes(frame as HttpAnswerFrame, size);
    },
  };

  // A socket is for a tab: one that has not registered by its first heartbeat is only holding a connection.
  const registerDeadline = setTimeout(() => {
    if (!registered) tab.refuse(CLOSE_CODES.rejected, `register within ${options.heartbeatMs} ms of connecting`);
  }, options.heartbeatMs);

  const heartbeat = setInterval(() => {
    if (awaitingPong) {
      tab.drop(
        'heartbeat_timeout',
        CLOSE_CODES.heartbeatTimeout,
        `it missed a heartbeat, VIAL_HEARTBEAT_MS=${options.heartbeatMs}`,
      );
      return;
    }
    awaitingPong = true;
    pongOwed = true;
    link.send({ type: 'ping', id: ++pingId });
  }, options.heartbeatMs);

  ws.on('message', (data, isBinary) => {
    if (dropReason !== undefined) return;
    const size = Array.isArray(data) ? data.reduce((sum, part) => sum + part.byteLength, 0) : data.byteLength;
    const read = isBinary
      ? ({ ok: false, error: 'binary frames are not supported; send JSON text' } as const)
      : readTabFrame(Buffer.isBuffer(data) ? data : Buffer.from(data.toString()));
    // What the relay keeps for as long as it knows the host must stay small.
    const parsed =
      read.ok && read.frame.type === 'host-info' && size > HOST_INFO_MAX_BYTES
        ? ({
            ok: false,
            error: `a host-info frame is at most ${HOST_INFO_MAX_BYTES} bytes; this one is ${size}`,
          } as const)
        : read;
    const counted = parsed.ok ? size - tab.freeBytes(parsed.frame, size) : size;
    if (counted > 0 && tab.throttled(counted)) return;
    // Frames are handled strictly in order: `register` is async, and what follows it must see its result.
    queue = queue
      .then(() => {
        if (parsed.ok) return tab.handle(parsed.frame);
        logger.warn({ hostId: host?.id, error: parsed.error }, 'rejected tab frame');
        link.send({ type: 'error', message: parsed.error });
        if (host?.forwardedCount) host.forwarded.invalidFrame(answerIdOf(data));
      })
      .catch((error: unknown) => logger.error({ err: error, hostId: host?.id }, 'tab frame handler failed'));
  });

  ws.on('close', (code, reason) => {
    clearInterval(heartbeat);
    clearTimeout(registerDeadline);
    throttle.close();
    untrackBuffer();
    if (!host) return;
    registry.revokeLlmKey(host, link);
    logger.info({ hostId: host.id, code, reason: reason.toString() }, 'tab disconnected');
    host.detach(link, dropReason ?? (code === CLOSE_CODES.replaced ? 'replaced by another tab' : 'tab disconnected'));
  });
  ws.on('error', (error) => logger.warn({ err: error, hostId: host?.id }, 'tab socket error'));
}

/** The `id` of a frame that failed validation, if it is JSON with one: its answer fails rather than hangs. */
function answerIdOf(data: unknown): unknown {
  try {
    const json: unknown = JSON.parse(String(data));
    return json !== null && typeof json === 'object' ? (json as Record<string, unknown>).id : undefined;
  } catch {
    return undefined;
  }
}
