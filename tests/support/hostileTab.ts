/**
 * A tab that lies: a raw WebSocket that registers a host of its own (a fresh random secret, no
 * browser, no Vial code), mints itself a token by listing that token's hash, answers `initialize`
 * so clients can open sessions on it, and then sends whatever frames the attack needs. What an
 * anonymous visitor can do to a relay that lets anyone host; tests and `bench:abuse` use it.
 */
import { WebSocket } from 'ws';
import { deriveHostId, hashToken, mintTokenValue, randomSecret, type RelayFrame, type TabFrame } from '@vial/shared';
import { INITIALIZE_BODY, mcpHeaders } from './testPack.ts';
import { until } from './until.ts';

export interface HostileTab {
  socket: WebSocket;
  hostId: string;
  secret: string;
  mcpUrl: string;
  /** A token the relay accepts for this host: the tab listed its hash. */
  token: string;
  frames: RelayFrame[];
  /** Resolves with the close code once the relay (or the tab) closed the socket. */
  closed: Promise<{ code: number; reason: string }>;
  send(frame: TabFrame | Record<string, unknown>): void;
}

export interface HostileTabOptions {
  /** Register this host again (another tab of it) instead of a fresh one. */
  secret?: string;
  admission?: string;
  enrolment?: string;
  /** OAuth grant states to hand the relay on `register`, true or not. */
  oauthGrants?: unknown[];
}

/**
 * Connects, registers a host (fresh unless `secret` is given) with one token, and answers every
 * `initialize` the relay forwards. Rejects with the close code and reason if the relay refuses.
 */
export async function openHostileTab(relayUrl: string, options: HostileTabOptions = {}): Promise<HostileTab> {
  const { secret = randomSecret(), ...register } = options;
  const socket = new WebSocket(`${relayUrl.replace(/^http/, 'ws')}/tab`);
  const frames: RelayFrame[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  socket.on('error', () => undefined);
  const send = (frame: TabFrame | Record<string, unknown>) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
  };
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as RelayFrame;
    frames.push(frame);
    if (frame.type === 'ping') send({ type: 'pong', id: frame.id });
    if (frame.type === 'mcp' && frame.message.method === 'initialize') {
      send({
        type: 'mcp',
        sessionId: frame.sessionId,
        message: {
          jsonrpc: '2.0',
          id: frame.message.id,
          result: { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 'hostile', version: '1' } },
        },
      });
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_req, res) => reject(new Error(`tab socket refused: ${res.statusCode}`)));
  });
  const hostId = await deriveHostId(secret);
  const token = mintTokenValue();
  const record = { id: 'attacker', name: 'attacker', hash: await hashToken(token), scopes: [], expiresAt: null };
  send({ type: 'register', hostId, secret, tokens: [record], ...register });
  const outcome = await Promise.race([
    until(() => frames.some((frame) => frame.type === 'registered')).then(() => 'registered' as const),
    closed,
  ]);
  if (outcome !== 'registered') throw new NotRegistered(outcome.code, outcome.reason);
  return { socket, hostId, secret, mcpUrl: `${relayUrl}/mcp/${hostId}`, token, frames, closed, send };
}

export class NotRegistered extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(`not registered: ${code} ${reason}`);
  }
}

/** Opens a session on the hostile tab's own host, as its own client; returns the session id. */
export async function openSession(tab: HostileTab): Promise<string> {
  const res = await fetch(tab.mcpUrl, {
    method: 'POST',
    headers: mcpHeaders(tab.token),
    body: JSON.stringify(INITIALIZE_BODY),
  });
  await res.text();
  const sessionId = res.headers.get('mcp-session-id');
  if (res.status !== 200 || !sessionId) throw new Error(`initialize failed: ${res.status}`);
  return sessionId;
}

/**
 * Opens the session's GET stream and closes it at once, so that the relay keeps the session's
 * notifications for a resume that never comes: the most a client can make it keep.
 */
export async function openAndLeaveStream(tab: HostileTab, sessionId: string): Promise<void> {
  const controller = new AbortController();
  const res = await fetch(tab.mcpUrl, {
    headers: mcpHeaders(tab.token, {
      'mcp-session-id': sessionId,
      'mcp-protocol-version': '2025-11-25',
      accept: 'text/event-stream',
    }),
    signal: controller.signal,
  });
  if (res.status !== 200) throw new Error(`GET stream refused: ${res.status}`);
  controller.abort();
}

/** A notification whose JSON is about `bytes` long and parses into as many objects as it can. */
export function objectFlood(bytes: number): { jsonrpc: '2.0'; method: string; params: Record<string, unknown> } {
  return {
    jsonrpc: '2.0',
    method: 'notifications/message',
    params: { level: 'info', data: new Array(Math.floor(bytes / 3)).fill({}) },
  };
}
