/**
 * The tab's side of host admission. First against a stand-in relay that admits hosts the way a
 * relay with `VIAL_HOST_ADMISSION=enrolment` does (so each register frame can be checked): a tab
 * with no code or ticket is refused with 4003 and stays quiet (no reconnect storm); a pasted code
 * or enrolment link is sent once, swapped for the ticket the relay hands out, and never sent
 * again; a relay at a limit (1013) is retried with backoff; and a host admitted without LLM access
 * says so plainly when a client asks for an LLM. Then end to end against the real relay.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { WebSocket as NodeWebSocket } from 'ws';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CLOSE_CODES,
  deriveHostId,
  parseFrame,
  tabFrameSchema,
  VIAL_VERSION,
  type ClientIdentity,
  type TabFrame,
} from '@vial/shared';
import { mintEnrolmentCode } from '../../relay/src/hosts/admission.ts';
import { MemoryHostStore } from '../../web/src/server/identity.ts';
import { ToolRegistry } from '../../web/src/server/toolRegistry.ts';
import type { ConnectionStatus, SocketLike } from '../../web/src/server/relayConnection.ts';
import { HostRuntime } from '../../web/src/server/runtime.ts';
import { connectClient, nodeToolPacks, startRelay, type StartedRelay } from '../support/relay.ts';
import { resultText, toolResultOf } from '../support/toolResults.ts';
import { until } from '../support/until.ts';

type Register = Extract<TabFrame, { type: 'register' }>;

interface AdmittingRelay {
  url: string;
  /** Every `register` the tabs sent, in order. */
  registers: Register[];
  /** Sockets tabs opened. */
  connections: number;
  /** Mints a one-time code, as the operator's CLI does. */
  mintCode(): string;
  /** The next `n` sockets are closed with 1013, as a relay at its host limit does. */
  busyFor(n: number): void;
  /** Sends a JSON-RPC message to the tab on a session, opening the session first if needed. */
  request(
    sessionId: string,
    client: ClientIdentity,
    message: Record<string, unknown>,
  ): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * A relay that admits hosts. `secret` stands for `VIAL_ADMISSION_SECRET`: tickets name it, so a
 * relay with another secret refuses them. `llm`: whether admitted hosts get an `llmKey`.
 */
async function startAdmittingRelay(options: { secret: string; llm: boolean }): Promise<AdmittingRelay> {
  const server = createServer();
  const wss = new WebSocketServer({ server });
  const unused = new Set<string>();
  const registers: Register[] = [];
  const replies: Record<string, unknown>[] = [];
  const opened = new Set<string>();
  let busy = 0;
  let codes = 0;
  let tab: WebSocket | undefined;
  const ticketFor = (hostId: string) => `va1.${options.secret}.${hostId}`;

  const relay: AdmittingRelay = {
    url: '',
    registers,
    connections: 0,
    mintCode: () => {
      const code = `ve1.${options.secret}${++codes}.c2lnbmF0dXJl`;
      unused.add(code);
      return code;
    },
    busyFor: (n) => void (busy = n),
    async request(sessionId, client, message) {
      if (!opened.has(sessionId)) {
        opened.add(sessionId);
        tab!.send(JSON.stringify({ type: 'session-open', sessionId, client }));
        const params = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } };
        await relay.request(sessionId, client, {
          jsonrpc: '2.0',
          id: `init-${sessionId}`,
          method: 'initialize',
          params,
        });
        tab!.send(
          JSON.stringify({ type: 'mcp', sessionId, message: { jsonrpc: '2.0', method: 'notifications/initialized' } }),
        );
      }
      tab!.send(JSON.stringify({ type: 'mcp', sessionId, message }));
      const answer = () => replies.find((reply) => reply.id === message.id);
      await until(() => answer() !== undefined);
      return answer()!;
    },
    async close() {
      for (const socket of wss.clients) socket.terminate();
      wss.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };

  wss.on('connection', (ws) => {
    relay.connections++;
    ws.once('message', async (data) => {
      const parsed = parseFrame(tabFrameSchema, String(data));
      if (!parsed.ok || parsed.frame.type !== 'register') return ws.close(CLOSE_CODES.rejected, 'bad register');
      const frame = parsed.frame;
      registers.push(frame);
      if (busy > 0) {
        busy--;
        return ws.close(CLOSE_CODES.tryAgainLater, 'the relay is at its host limit; try again later');
      }
      if ((await deriveHostId(frame.secret)) !== frame.hostId) return ws.close(CLOSE_CODES.rejected, 'bad secret');
      let ticket: string | undefined;
      if (frame.admission !== ticketFor(frame.hostId)) {
        if (frame.enrolment === undefined) {
          const reason =
            frame.admission === undefined
              ? 'this relay admits hosts by enrolment: enter the enrolment code or open the enrolment link its operator gave you'
              : 'this host is not admitted here any more: enter a new enrolment code from the operator';
          return ws.close(CLOSE_CODES.notAdmitted, reason);
        }
        if (!unused.delete(frame.enrolment)) {
          return ws.close(CLOSE_CODES.notAdmitted, 'the enrolment code was already used; each code admits one host');
        }
        ticket = ticketFor(frame.hostId);
      }
      tab = ws;
      ws.on('message', (text) => {
        const next = parseFrame(tabFrameSchema, String(text));
        if (next.ok && next.frame.type === 'mcp') replies.push(next.frame.message);
      });
      ws.send(
        JSON.stringify({
          type: 'registered',
          hostId: frame.hostId,
          mcpUrl: `${relay.url}/mcp/${frame.hostId}`,
          fixtures: [],
          relayVersion: VIAL_VERSION,
          ...(options.llm ? { llmKey: `llm-${frame.hostId}` } : {}),
          ...(ticket === undefined ? {} : { admission: ticket }),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return relay;
}

const relays: AdmittingRelay[] = [];
const hosts: HostRuntime[] = [];
afterEach(async () => {
  for (const host of hosts.splice(0)) host.stop();
  for (const relay of relays.splice(0)) await relay.close();
});

async function relayWith(options: { secret?: string; llm?: boolean } = {}) {
  const relay = await startAdmittingRelay({ secret: options.secret ?? 'first', llm: options.llm ?? true });
  relays.push(relay);
  return relay;
}

/** A tab on `relay`, started, with every status it went through. */
async function tabOn(relay: { url: string }, store = new MemoryHostStore()) {
  const host = new HostRuntime({
    relayUrl: relay.url,
    registry: new ToolRegistry(nodeToolPacks()),
    store,
    createSocket: (url) => new NodeWebSocket(url) as unknown as SocketLike,
    backoff: { initialMs: 20, maxMs: 100 },
  });
  hosts.push(host);
  const statuses: ConnectionStatus[] = [];
  host.on('status', (status) => statuses.push(status));
  await host.start();
  return { host, store, statuses };
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a tab on a relay that admits hosts', () => {
  it('is refused with the relay’s reason and stays quiet: no reconnect storm', async () => {
    const relay = await relayWith();
    const { host } = await tabOn(relay);
    await expect(host.whenOnline()).rejects.toThrow(/did not admit the host: this relay admits hosts by enrolment/);
    expect(host.status).toEqual({
      state: 'not-admitted',
      reason: expect.stringContaining('enter the enrolment code'),
    });
    // With a 20-100 ms backoff, a tab that reconnected would have tried a dozen times by now.
    await settle(600);
    expect(relay.connections).toBe(1);
    expect(relay.registers[0]).not.toHaveProperty('admission');
    expect(relay.registers[0]).not.toHaveProperty('enrolment');
  });

  it('enrols with a pasted link, keeps the ticket, and never sends the used code again', async () => {
    const relay = await relayWith();
    const code = relay.mintCode();
    const { host, store } = await tabOn(relay);
    await until(() => host.status.state === 'not-admitted');

    expect(await host.enrol(`${relay.url}/#enrol=${code}`)).toEqual({ ok: true, code });
    await host.whenOnline();
    expect(relay.registers.at(-1)).toMatchObject({ enrolment: code });
    expect(relay.registers.at(-1)).not.toHaveProperty('admission');
    const ticket = `va1.first.${host.hostId}`;
    expect(await store.loadAdmission()).toEqual({ ticket });

    // The relay restarts (same secret): the tab comes back on its ticket alone.
    host.stop();
    const again = await tabOn(relay, store);
    await again.host.whenOnline();
    expect(relay.registers.at(-1)).toMatchObject({ admission: ticket });
    expect(relay.registers.at(-1)).not.toHaveProperty('enrolment');
  });

  it('refuses what is no code without touching the connection, and says why', async () => {
    const relay = await relayWith();
    const { host, store } = await tabOn(relay);
    await until(() => host.status.state === 'not-admitted');
    const attempts = relay.connections;
    expect(await host.enrol('vial_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toEqual({
      ok: false,
      error: expect.stringContaining('not an enrolment code'),
    });
    expect(await host.enrol(`https://elsewhere.example/#enrol=${relay.mintCode()}`)).toEqual({
      ok: false,
      error: expect.stringContaining('is for the relay at https://elsewhere.example'),
    });
    await settle(200);
    expect(relay.connections).toBe(attempts);
    expect(await store.loadAdmission()).toEqual({});
  });

  it('a second tab cannot reuse a code another tab redeemed', async () => {
    const relay = await relayWith();
    const code = relay.mintCode();
    const first = await tabOn(relay);
    await first.host.enrol(code);
    await first.host.whenOnline();

    const second = await tabOn(relay);
    await second.host.enrol(code);
    await until(() =>
      second.statuses.some((status) => status.state === 'not-admitted' && /already used/.test(status.reason)),
    );
    expect(second.host.status.state).toBe('not-admitted');
    expect(first.host.status.state).toBe('online');
  });

  it('a revoked ticket asks for a new code, and the new code replaces it', async () => {
    const old = await relayWith({ secret: 'old' });
    const code = old.mintCode();
    const { host, store } = await tabOn(old);
    await host.enrol(code);
    await host.whenOnline();
    host.stop();

    // The operator rotated the secret: the old ticket is worthless here.
    const rotated = await relayWith({ secret: 'new' });
    const tab = await tabOn(rotated, store);
    await until(() => tab.host.status.state === 'not-admitted');
    expect(tab.host.status).toMatchObject({ reason: expect.stringContaining('not admitted here any more') });

    await tab.host.enrol(rotated.mintCode());
    await tab.host.whenOnline();
    expect(await store.loadAdmission()).toEqual({ ticket: `va1.new.${tab.host.hostId}` });
  });

  it('an enrolment link read before the tab starts keeps the ticket saved before', async () => {
    const relay = await relayWith();
    const store = new MemoryHostStore();
    await store.saveAdmission({ ticket: 'va1.stale.ticket' });
    const host = new HostRuntime({
      relayUrl: relay.url,
      registry: new ToolRegistry(nodeToolPacks()),
      store,
      createSocket: (url) => new NodeWebSocket(url) as unknown as SocketLike,
    });
    hosts.push(host);
    const code = relay.mintCode();
    await host.enrol(`${relay.url}/#enrol=${code}`);
    expect(await store.loadAdmission()).toEqual({ ticket: 'va1.stale.ticket', enrolment: code });
    await host.start();
    await host.whenOnline();
    expect(relay.registers.at(-1)).toMatchObject({ admission: 'va1.stale.ticket', enrolment: code });
  });

  it('a relay at a limit (1013) is retried with backoff until it takes the tab', async () => {
    const relay = await relayWith();
    const code = relay.mintCode();
    relay.busyFor(2);
    const store = new MemoryHostStore();
    await store.saveAdmission({ enrolment: code });
    const { host, statuses } = await tabOn(relay, store);
    await host.whenOnline();
    expect(statuses.filter((status) => status.state === 'offline')).toEqual([
      expect.objectContaining({ reason: 'the relay is at its host limit; try again later' }),
      expect.objectContaining({ reason: 'the relay is at its host limit; try again later' }),
    ]);
    expect(relay.connections).toBe(3);
    // The code went out on each try, and was dropped only once the relay took it.
    expect(relay.registers.map((frame) => frame.enrolment)).toEqual([code, code, code]);
    expect(await store.loadAdmission()).toEqual({ ticket: `va1.first.${host.hostId}` });
  });
});

describe('a host admitted without LLM access', () => {
  it('tells a client plainly that LLM tools are not available here, instead of a connection error', async () => {
    const relay = await relayWith({ llm: false });
    const { host } = await tabOn(relay);
    await host.enrol(relay.mintCode());
    await host.whenOnline();
    expect(host.status).toMatchObject({ state: 'online', llmKey: undefined });

    const client: ClientIdentity = { tokenId: 't', tokenName: 'llm client', scopes: ['llm'] };
    const reply = await relay.request('s1', client, {
      jsonrpc: '2.0',
      id: 'chat',
      method: 'tools/call',
      params: { name: 'llm_chat', arguments: { prompt: 'hi', model: 'anthropic:claude-haiku-4-5' } },
    });
    const result = toolResultOf(reply.result);
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain('LLM tools are not available on this relay for this host');
    await expect(host.llm.providers()).rejects.toThrow(/not granted it LLM access/);
  });
});

describe('a tab on the real relay with VIAL_HOST_ADMISSION=enrolment', () => {
  const secret = 'the-operator-secret-of-at-least-32-chars';
  const enrolment = { VIAL_HOST_ADMISSION: 'enrolment', VIAL_ADMISSION_SECRET: secret };
  const started: StartedRelay[] = [];
  afterEach(async () => {
    for (const relay of started.splice(0)) await relay.close();
  });
  async function realRelay(env: Record<string, string> = enrolment) {
    const relay = await startRelay(env);
    started.push(relay);
    return relay;
  }
  const mint = (llm = false) => mintEnrolmentCode(secret, { llm, ttlMs: 60_000 });

  it('refuses a fresh tab, enrols it with a code, and brings it back on its ticket after a restart', async () => {
    const relay = await realRelay();
    const fresh = await tabOn(relay);
    await expect(fresh.host.whenOnline()).rejects.toThrow(
      /did not admit the host: this relay admits hosts by enrolment/,
    );
    await settle(400);
    expect(fresh.statuses.filter((status) => status.state === 'connecting')).toHaveLength(1);

    const code = mint();
    expect(await fresh.host.enrol(`${relay.url}/#enrol=${code}`)).toMatchObject({ ok: true });
    const mcpUrl = await fresh.host.whenOnline();
    const { ticket, enrolment: left } = await fresh.store.loadAdmission();
    expect(ticket).toMatch(/^va1\.0\./);
    expect(left).toBeUndefined();

    // The tab serves its tools like any other.
    const { token } = await fresh.host.mintToken({ name: 'client', scopes: ['llm'] });
    const client = await connectClient(mcpUrl, token);
    const diagnostics = await client.callTool({ name: 'system_diagnostics', arguments: {} });
    expect(diagnostics.isError).toBeFalsy();
    // This code did not grant LLM access: the client is told so, not that the tab is offline.
    const chat = await client.callTool({ name: 'llm_chat', arguments: { prompt: 'hi', model: 'openai:gpt-4o-mini' } });
    expect(chat.isError).toBe(true);
    expect((chat.content as Array<{ text: string }>)[0]!.text).toContain(
      'LLM tools are not available on this relay for this host',
    );
    await client.close();

    // A second tab cannot reuse the code.
    const second = await tabOn(relay);
    await second.host.enrol(code);
    await until(() => second.host.status.state === 'not-admitted');
    expect(second.host.status).toMatchObject({ reason: expect.stringContaining('already used') });

    // A new relay with the same secret: the tab comes back on the ticket alone, as the same host.
    fresh.host.stop();
    await relay.close();
    const restarted = await realRelay();
    const back = await tabOn(restarted, fresh.store);
    expect(await back.host.whenOnline()).toBe(`${restarted.url}/mcp/${fresh.host.hostId}`);
  });

  it('a code minted with --llm gives the tab an llmKey', async () => {
    const relay = await realRelay();
    const store = new MemoryHostStore();
    await store.saveAdmission({ enrolment: mint(true) });
    const { host } = await tabOn(relay, store);
    await host.whenOnline();
    expect(host.status).toMatchObject({ state: 'online', llmKey: expect.any(String) });
    expect(await store.loadAdmission()).toEqual({ ticket: expect.stringMatching(/^va1\.1\./) });
  });

  it('after the secret is rotated, shows the relay’s whole reason (longer than a close frame holds), and a new code re-admits', async () => {
    const relay = await realRelay();
    const store = new MemoryHostStore();
    await store.saveAdmission({ enrolment: mint() });
    const first = await tabOn(relay, store);
    await first.host.whenOnline();
    first.host.stop();

    const rotatedSecret = 'a-new-operator-secret-of-32-chars-or-more';
    const rotated = await realRelay({ ...enrolment, VIAL_ADMISSION_SECRET: rotatedSecret });
    const tab = await tabOn(rotated, store);
    await until(() => tab.host.status.state === 'not-admitted');
    const reason = (tab.host.status as { reason: string }).reason;
    expect(Buffer.byteLength(reason)).toBeGreaterThan(123);
    expect(reason).toMatch(/not admitted here any more.*enter a new enrolment code from the operator$/);

    await tab.host.enrol(mintEnrolmentCode(rotatedSecret, { llm: false, ttlMs: 60_000 }));
    await tab.host.whenOnline();
  });
});
