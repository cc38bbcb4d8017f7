/**
 * What an anonymous visitor and a lying tab can make the relay do through its tab socket, each
 * row an attack that used to work: register hosts without end, keep a dead connection's LLM
 * key, make the relay remember every host id it saw, send without limit, leave another tab's
 * callers waiting, and host on a relay whose operator admits hosts by enrolment.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES, deriveHostId, LLM_PROVIDERS_PATH, randomSecret, type RelayFrame } from '@vial/shared';
import { mintEnrolmentCode } from '../../relay/src/hosts/admission.ts';
import { NotRegistered, openHostileTab, openSession } from '../support/hostileTab.ts';
import { startRelay, startStack, type StartedRelay } from '../support/relay.ts';
import { mcpHeaders, rawInitialize } from '../support/testPack.ts';
import { until } from '../support/until.ts';

let relay: StartedRelay | undefined;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

async function start(env: Record<string, string> = {}): Promise<StartedRelay> {
  relay = await startRelay(env);
  return relay;
}

/** How registering went: the tab, or the relay's close code and reason. */
async function tryRegister(url: string, options: Parameters<typeof openHostileTab>[1] = {}) {
  try {
    return { tab: await openHostileTab(url, options) };
  } catch (error) {
    if (error instanceof NotRegistered) return { refused: { code: error.code, reason: error.reason } };
    throw error;
  }
}

describe('the tab socket against an anonymous visitor', () => {
  it('registers one host per socket: a second register closes the socket and creates nothing', async () => {
    const { url, relay: server } = await start();
    const tab = await openHostileTab(url);
    const secret = randomSecret();
    tab.send({ type: 'register', hostId: await deriveHostId(secret), secret, tokens: [] });
    expect((await tab.closed).code).toBe(CLOSE_CODES.rejected);
    expect(tab.frames).toContainEqual({ type: 'error', message: 'a socket registers one host, once' });
    expect(server.registry.get(await deriveHostId(secret))).toBeUndefined();
    expect(server.registry.size).toBe(1);
    // Before, the first host stayed "online" on the closed socket, its LLM key alive, for good.
    expect(server.registry.get(tab.hostId)!.online).toBe(false);
  });

  it("kills a connection's LLM key when its socket closes", async () => {
    const { url } = await start();
    const tab = await openHostileTab(url);
    const registered = tab.frames.find((frame) => frame.type === 'registered') as Extract<
      RelayFrame,
      { type: 'registered' }
    >;
    const providers = () =>
      fetch(`${url}${LLM_PROVIDERS_PATH}`, { headers: { authorization: `Bearer ${registered.llmKey}` } });
    expect((await providers()).status).toBe(200);
    tab.socket.close();
    await tab.closed;
    expect((await providers()).status).toBe(401);
  });

  it('forgets a host whose tab stays away, with its sessions', async () => {
    const { url, relay: server } = await start({ VIAL_OFFLINE_HOST_TTL_MS: '200' });
    const tab = await openHostileTab(url);
    const session = await openSession(tab);
    tab.socket.close();
    await until(() => server.registry.size === 0, 3000);
    const res = await fetch(tab.mcpUrl, {
      method: 'POST',
      headers: mcpHeaders(tab.token, { 'mcp-session-id': session }),
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/Unknown Vial host/);
  });

  it('limits new hosts per address and in total, and a known host still comes back', async () => {
    const { url } = await start({ VIAL_NEW_HOSTS_PER_MIN: '2', VIAL_MAX_HOSTS: '3' });
    const first = await openHostileTab(url);
    await openHostileTab(url);
    const third = await tryRegister(url);
    expect(third.refused?.code).toBe(CLOSE_CODES.tryAgainLater);
    expect(third.refused?.reason).toMatch(/too many new hosts from this address \(VIAL_NEW_HOSTS_PER_MIN=2\)/);
    first.socket.close();
    await first.closed;
    expect((await tryRegister(url, { secret: first.secret })).tab).toBeDefined();
  });

  it('refuses a socket past the per-address cap before it can register', async () => {
    const { url } = await start({ VIAL_TAB_SOCKETS_PER_ADDRESS: '2' });
    await openHostileTab(url);
    await openHostileTab(url);
    await expect(openHostileTab(url)).rejects.toThrow(/tab socket refused: 429/);
  });
});

describe('the tab socket against a lying tab', () => {
  it('holds back, then drops, a tab that keeps sending more than its share; other hosts are served', async () => {
    const { url } = await start({
      VIAL_TAB_BYTES_PER_SEC: '65536',
      VIAL_TAB_BURST_BYTES: '262144',
      VIAL_TAB_THROTTLE_DROP_MS: '1500',
    });
    const bystander = await openHostileTab(url);
    const flooder = await openHostileTab(url);
    const junk = { type: 'ping', id: 1, padding: 'x'.repeat(64 * 1024) };
    for (let i = 0; i < 32; i++) flooder.send(junk);
    const { code, reason } = await flooder.closed;
    expect(code).toBe(1008);
    expect(reason).toBe('rate exceeded');
    expect(await openSession(bystander)).toMatch(/.+/);
  });

  it('fails the calls the old tab was running at once when another tab takes the host over', async () => {
    const { url } = await start();
    const old = await openHostileTab(url);
    const session = await openSession(old);
    const call = fetch(old.mcpUrl, {
      method: 'POST',
      headers: mcpHeaders(old.token, { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' }),
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'slow', arguments: {} } }),
    }).then((res) => res.text());
    await until(() => old.frames.some((frame) => frame.type === 'mcp' && frame.message.method === 'tools/call'));
    const started = Date.now();
    await openHostileTab(url, { secret: old.secret });
    const body = await call;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(body).toMatch(/The Vial tab went away \(another tab took over this host\) while handling 'tools\/call'/);
  });
});

describe('a relay that admits hosts by enrolment', () => {
  const secret = 'an-operator-secret-of-32-characters!';
  const enrolment = { VIAL_HOST_ADMISSION: 'enrolment', VIAL_ADMISSION_SECRET: secret };

  it('refuses a tab with no code, a forged code or a forged ticket, saying what to do', async () => {
    const { url, relay: server } = await start(enrolment);
    const none = await tryRegister(url);
    expect(none.refused).toEqual({
      code: CLOSE_CODES.notAdmitted,
      reason: expect.stringMatching(/^this relay admits hosts by enrolment: enter the enrolment code/),
    });
    const forgedCode = mintEnrolmentCode('another-secret-another-secret-12', { llm: true, ttlMs: 60_000 });
    expect((await tryRegister(url, { enrolment: forgedCode })).refused?.reason).toMatch(/not one this relay issued/);
    expect((await tryRegister(url, { admission: 'va1.1.forged' })).refused?.code).toBe(CLOSE_CODES.notAdmitted);
    expect(server.registry.size).toBe(0);
  });

  it('admits a host once per code, which then comes back on its ticket, after a restart too', async () => {
    const { url } = await start(enrolment);
    const code = mintEnrolmentCode(secret, { llm: false, ttlMs: 60_000 });
    const first = await openHostileTab(url, { enrolment: code });
    const registered = first.frames.find((frame) => frame.type === 'registered') as Extract<
      RelayFrame,
      { type: 'registered' }
    >;
    expect(registered.admission).toMatch(/^va1\.0\./);
    expect(registered.llmKey).toBeUndefined();
    const again = await tryRegister(url, { enrolment: code });
    expect(again.refused?.reason).toMatch(/already used/);
    // The ticket is bound to the host it was issued to.
    expect((await tryRegister(url, { admission: registered.admission })).refused?.code).toBe(CLOSE_CODES.notAdmitted);

    await relay!.close();
    const restarted = await start(enrolment);
    const back = await openHostileTab(restarted.url, { secret: first.secret, admission: registered.admission });
    expect(back.hostId).toBe(first.hostId);
  });

  it('grants LLM keys only to hosts whose code carried the grant', async () => {
    const { url } = await start(enrolment);
    const withLlm = await openHostileTab(url, { enrolment: mintEnrolmentCode(secret, { llm: true, ttlMs: 60_000 }) });
    const frame = withLlm.frames.find((f) => f.type === 'registered') as Extract<RelayFrame, { type: 'registered' }>;
    expect(frame.llmKey).toEqual(expect.any(String));
    expect(frame.admission).toMatch(/^va1\.1\./);
    const expired = mintEnrolmentCode(secret, { llm: true, ttlMs: 1 }, Date.now() - 10);
    expect((await tryRegister(url, { enrolment: expired })).refused?.reason).toMatch(/expired/);
  });

  it('lets an admitted host gain LLM access with an --llm code beside its ticket', async () => {
    const { url } = await start(enrolment);
    const plain = await openHostileTab(url, { enrolment: mintEnrolmentCode(secret, { llm: false, ttlMs: 60_000 }) });
    const ticket = (plain.frames.find((f) => f.type === 'registered') as Extract<RelayFrame, { type: 'registered' }>)
      .admission;
    plain.socket.close();
    await plain.closed;
    const upgraded = await openHostileTab(url, {
      secret: plain.secret,
      admission: ticket,
      enrolment: mintEnrolmentCode(secret, { llm: true, ttlMs: 60_000 }),
    });
    const frame = upgraded.frames.find((f) => f.type === 'registered') as Extract<RelayFrame, { type: 'registered' }>;
    expect(frame.llmKey).toEqual(expect.any(String));
    expect(frame.admission).toMatch(/^va1\.1\./);
  });
});

describe('the MCP endpoint against a hostile web page', () => {
  it('does not let requests without a credential lock the address out; wrong credentials still do', async () => {
    const stack = await startStack({ env: { VIAL_AUTH_FAILURES_PER_MIN: '3' } });
    try {
      const post = (authorization?: string) =>
        fetch(stack.mcpUrl, {
          method: 'POST',
          headers: { ...mcpHeaders(stack.token), ...(authorization ? { authorization } : {}) },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
        });
      const bare = () => fetch(stack.mcpUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
      // What a page on any origin can send: a simple request, no Authorization header.
      for (let i = 0; i < 10; i++) expect((await bare()).status).toBe(401);
      expect(await rawInitialize(stack.mcpUrl, stack.token)).toMatch(/.+/);
      for (let i = 0; i < 3; i++) expect((await post('Bearer vial_wrong')).status).toBe(401);
      expect((await post('Bearer vial_wrong')).status).toBe(429);
    } finally {
      await stack.close();
    }
  });
});

describe('client sessions against another client of the same host', () => {
  it("never ends another token's session: past the cap the newcomer is refused, naming the limit", async () => {
    const stack = await startStack({ env: { VIAL_MAX_SESSIONS_PER_HOST: '3' } });
    try {
      const victim = await stack.host.mintToken({ name: 'victim', scopes: [] });
      const intruder = await stack.host.mintToken({ name: 'intruder', scopes: [] });
      const victimSession = await rawInitialize(stack.mcpUrl, victim.token);
      await rawInitialize(stack.mcpUrl, intruder.token);
      await rawInitialize(stack.mcpUrl, intruder.token);
      // The intruder's own idle sessions make room for it...
      await rawInitialize(stack.mcpUrl, intruder.token);
      // ...but a token with none of its own to give up is refused.
      const third = await stack.host.mintToken({ name: 'third', scopes: [] });
      const refused = await fetch(stack.mcpUrl, {
        method: 'POST',
        headers: mcpHeaders(third.token),
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
        }),
      });
      expect(refused.status).toBe(429);
      expect(await refused.text()).toMatch(
        /VIAL_MAX_SESSIONS_PER_HOST=3 is reached.*never ends another client's session/,
      );
      const stillThere = await fetch(stack.mcpUrl, {
        method: 'POST',
        headers: mcpHeaders(victim.token, { 'mcp-session-id': victimSession, 'mcp-protocol-version': '2025-11-25' }),
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      });
      expect(stillThere.status).toBe(200);
      await stillThere.text();
    } finally {
      await stack.close();
    }
  });
});
