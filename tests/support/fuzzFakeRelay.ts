/**
 * A stand-in relay for testing the host runtime against a hostile peer: it accepts one tab on a
 * real WebSocket, registers it the way the relay does, lets the test send it anything, and
 * records every frame the tab sends back, checked against the tab frame schema.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE_CODES, deriveHostId, parseFrame, tabFrameSchema, VIAL_VERSION, type TabFrame } from '@vial/shared';
import type { ClientIdentity } from '@vial/shared';
import { until } from './until.ts';

export interface FakeRelay {
  /** The relay URL to give the host runtime. */
  url: string;
  /** Frames the tab sent after registering, in order. */
  received: TabFrame[];
  /** Frames from the tab that are not valid tab frames (there should be none). */
  invalid: string[];
  /** Sends raw text or bytes to the tab, as they are. */
  send(data: string | Buffer): void;
  /** Whether the tab's socket is still open. */
  readonly open: boolean;
  /** Resolves once the tab has handled all that was sent before: its frames are handled in order. */
  sync(timeoutMs?: number): Promise<void>;
  /** The tab's answer to request `id` on `sessionId`. */
  answer(sessionId: string, id: string | number, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Opens a client session on the tab and initializes it, as the relay does for a new client. */
  openSession(sessionId: string, client: ClientIdentity): Promise<void>;
  close(): Promise<void>;
}

/** `fixtures`: the fixture packs the relay asks the tab to expose, as `VIAL_FIXTURES` does. */
export async function startFakeRelay(fixtures: string[] = []): Promise<FakeRelay> {
  const server = createServer();
  const wss = new WebSocketServer({ server });
  let tab: WebSocket | undefined;
  const received: TabFrame[] = [];
  const invalid: string[] = [];
  let pingId = 0;

  wss.on('connection', (ws) => {
    ws.once('message', async (data) => {
      const parsed = parseFrame(tabFrameSchema, String(data));
      if (
        !parsed.ok ||
        parsed.frame.type !== 'register' ||
        (await deriveHostId(parsed.frame.secret)) !== parsed.frame.hostId
      ) {
        ws.close(CLOSE_CODES.rejected, 'bad register');
        return;
      }
      const { hostId } = parsed.frame;
      tab = ws;
      ws.on('message', (frame) => {
        const next = parseFrame(tabFrameSchema, String(frame));
        if (next.ok) received.push(next.frame);
        else invalid.push(String(frame).slice(0, 500));
      });
      ws.send(
        JSON.stringify({
          type: 'registered',
          hostId,
          mcpUrl: `http://fake/mcp/${hostId}`,
          fixtures,
          relayVersion: VIAL_VERSION,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const send = (data: string | Buffer) => tab?.send(data);
  const answerTo = (sessionId: string, id: string | number) =>
    received.find(
      (frame) =>
        frame.type === 'mcp' &&
        frame.sessionId === sessionId &&
        frame.message.id === id &&
        ('result' in frame.message || 'error' in frame.message),
    );

  const relay: FakeRelay = {
    url: `http://127.0.0.1:${port}`,
    received,
    invalid,
    send,
    get open() {
      return tab !== undefined && tab.readyState === tab.OPEN;
    },
    async sync(timeoutMs = 5000) {
      const id = --pingId; // negative: never one the fuzzer's pings use
      send(JSON.stringify({ type: 'ping', id }));
      await until(() => received.some((frame) => frame.type === 'pong' && frame.id === id), timeoutMs);
    },
    async answer(sessionId, id, timeoutMs = 5000) {
      await until(() => answerTo(sessionId, id) !== undefined, timeoutMs);
      return (answerTo(sessionId, id) as Extract<TabFrame, { type: 'mcp' }>).message;
    },
    async openSession(sessionId, client) {
      send(JSON.stringify({ type: 'session-open', sessionId, client }));
      const id = `init-${sessionId}`;
      const params = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'fake', version: '1' } };
      send(JSON.stringify({ type: 'mcp', sessionId, message: { jsonrpc: '2.0', id, method: 'initialize', params } }));
      await relay.answer(sessionId, id);
      send(
        JSON.stringify({ type: 'mcp', sessionId, message: { jsonrpc: '2.0', method: 'notifications/initialized' } }),
      );
    },
    async close() {
      tab?.close();
      wss.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return relay;
}
