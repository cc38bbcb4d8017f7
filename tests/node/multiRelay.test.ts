/**
 * Several relays sharing one real redis-server (VIAL_REDIS_URL; tests/support/redis.ts starts a
 * private one for this file): a token's request rate, an address's failed authentications and
 * an LLM budget are one count across relays, exactly; Redis going away and coming back, or
 * absent at start, never takes a relay down, and /readyz says so; an anonymous visitor cannot
 * make a relay write keys that stay or grow without bound.
 *
 * The same host is connected to both relays by two Node hosts sharing one identity, which is
 * how a client's requests can reach it on either relay before forwarding between relays exists
 * (docs/multi-relay.md).
 */
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { llmProvidersResponseSchema, llmRefusalSchema, type LlmChatRequest } from '@vial/shared';
import { connectRedis } from '../../relay/src/cluster/redis.ts';
import { createSharedHostLimits } from '../../relay/src/cluster/hostLimits.ts';
import { DAY_MS, type SpendHold } from '../../relay/src/llm/budget.ts';
import { createLogger } from '../../relay/src/log.ts';
import type { HostRuntime } from '../../web/src/server/runtime.ts';
import { MemoryHostStore } from '../../web/src/server/identity.ts';
import { startAnthropicStandIn } from '../support/llmStandIns/anthropic.ts';
import { FAST_LLM_ENV, PROVIDER_KEYS } from '../support/llmStandIns/gateway.ts';
import type { StandIn } from '../support/llmStandIns/standIn.ts';
import { metricSum } from '../support/metrics.ts';
import { freePort, startRedis, type TestRedis } from '../support/redis.ts';
import { startNodeHost, startRelay, type StartedRelay } from '../support/relay.ts';
import { INITIALIZE_BODY, mcpHeaders } from '../support/testPack.ts';
import { until } from '../support/until.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Each test writes under its own prefix, so tests in this file never see each other's keys. */
let prefixes = 0;
const freshPrefix = () => `t${++prefixes}:`;

function logSink() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream: { write: (text: string) => stream.write(text) } };
}

async function relayOn(env: Record<string, string>, log?: ReturnType<typeof logSink>): Promise<StartedRelay> {
  const relay = await startRelay({ VIAL_LOG_LEVEL: log ? 'info' : 'silent', ...env }, log?.stream);
  cleanups.push(() => relay.close());
  return relay;
}

async function readiness(relay: StartedRelay): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${relay.url}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function untilReady(relay: StartedRelay, ready = true, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await readiness(relay)).status !== (ready ? 200 : 503)) {
    if (Date.now() > deadline) throw new Error(`${relay.url}/readyz did not turn ${ready ? 200 : 503} in time`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Two relays sharing Redis under a fresh prefix, both ready (connected). */
async function twoRelays(env: Record<string, string> = {}): Promise<{ prefix: string; relays: StartedRelay[] }> {
  const prefix = freshPrefix();
  const shared = { VIAL_REDIS_URL: redis.url, VIAL_REDIS_PREFIX: prefix, ...env };
  const relays = [await relayOn(shared), await relayOn(shared)];
  for (const relay of relays) await untilReady(relay);
  return { prefix, relays };
}

/** One host connected to every relay (one identity, one tab per relay), and a token for it. */
async function hostOnEvery(
  relays: Array<{ url: string }>,
): Promise<{ hosts: HostRuntime[]; token: string; tokenId: string }> {
  const store = new MemoryHostStore();
  const first = await startNodeHost(relays[0]!.url, { packs: [], store });
  cleanups.push(() => first.stop());
  const { token, record } = await first.mintToken({ name: 'shared', scopes: [] });
  const hosts = [first];
  for (const relay of relays.slice(1)) {
    const host = await startNodeHost(relay.url, { packs: [], store });
    cleanups.push(() => host.stop());
    hosts.push(host);
  }
  return { hosts, token, tokenId: record.id };
}

async function initialize(mcpUrl: string, token: string, extra: Record<string, string> = {}): Promise<Response> {
  return fetch(mcpUrl, { method: 'POST', headers: mcpHeaders(token, extra), body: JSON.stringify(INITIALIZE_BODY) });
}

const statusesOf = (responses: Response[]) => responses.map((response) => response.status).sort();

describe('request limits shared by relays', () => {
  it("takes a token's requests from one bucket whichever relay serves them", async () => {
    const { prefix, relays } = await twoRelays({ VIAL_TOKEN_RATE: '0.01', VIAL_TOKEN_BURST: '6' });
    const { hosts, token, tokenId } = await hostOnEvery(relays);
    // Twelve at once, six on each relay: the burst of six is taken once, not once per relay.
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, index) => initialize(hosts[index % 2]!.mcpUrl!, token)),
    );
    expect(statusesOf(responses)).toEqual([...Array(6).fill(200), ...Array(6).fill(429)]);
    const refused = responses.find((response) => response.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await refused.json()).error.data).toMatchObject({ limit: 'token-rate' });
    // The bucket's key lives only until it would be full again: 6 requests at 0.01/s, plus a second.
    const bucket = `${prefix}rate:${hosts[0]!.hostId}/${tokenId}`;
    expect(await redis.keys(`${prefix}rate:*`)).toEqual([bucket]);
    const ttl = Number(await redis.command('pttl', bucket));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(601_000);
  });

  it('counts failed authentications from one address on every relay', async () => {
    const { prefix, relays } = await twoRelays({ VIAL_AUTH_FAILURES_PER_MIN: '3' });
    const { hosts, token } = await hostOnEvery(relays);
    const [onA, onB] = hosts.map((host) => host.mcpUrl!) as [string, string];
    expect((await initialize(onA, 'vial_wrong1')).status).toBe(401);
    expect((await initialize(onB, 'vial_wrong2')).status).toBe(401);
    expect((await initialize(onA, 'vial_wrong3')).status).toBe(401);
    for (const url of [onA, onB]) {
      const refused = await initialize(url, token);
      expect(refused.status).toBe(429);
      expect((await refused.json()).error.data).toMatchObject({ limit: 'auth-failures' });
    }
    const [key] = await redis.keys(`${prefix}authfail:*`);
    expect(await redis.command('llen', key!)).toBe('3');
  });
});

/** What one chat below is held at: every input byte a token, 16 per message and system, and its maxTokens, at $1/$5 per M. */
const CHAT: LlmChatRequest = {
  model: 'anthropic:claude-haiku-4-5',
  messages: [{ role: 'user', content: 'Hi' }],
  maxTokens: 1000,
  // One JSON answer, so that a hold refused after admission is a 429 too (a stream would have begun with 200).
  stream: false,
};
/** The gateway tests' quick retries, with an idle timeout that waits for the stand-in's slow replies below. */
const SLOW_REPLIES_ENV = { ...FAST_LLM_ENV, VIAL_LLM_IDLE_TIMEOUT_MS: '5000' };
const HOLD_USD = (2 + 16 * 2) * 1e-6 + 1000 * 5e-6;
/** What the stand-in's reply (12 tokens in, 4 out) costs. */
const REPLY_USD = 12 * 1e-6 + 4 * 5e-6;

async function llmRelays(env: Record<string, string>, relayCount = 2) {
  const anthropic: StandIn = await startAnthropicStandIn({ apiKey: PROVIDER_KEYS.anthropic });
  cleanups.push(() => anthropic.close());
  const prefix = freshPrefix();
  const shared = {
    ...SLOW_REPLIES_ENV,
    VIAL_LLM_ANTHROPIC_API_KEY: PROVIDER_KEYS.anthropic,
    VIAL_LLM_ANTHROPIC_BASE_URL: anthropic.baseUrl,
    VIAL_REDIS_URL: redis.url,
    VIAL_REDIS_PREFIX: prefix,
    ...env,
  };
  const relays: StartedRelay[] = [];
  for (let index = 0; index < relayCount; index++) relays.push(await relayOn(shared));
  for (const relay of relays) await untilReady(relay);
  const { hosts } = await hostOnEvery(relays);
  const chat = (index: number, body: LlmChatRequest = CHAT) => {
    const host = hosts[index % hosts.length]!;
    const key = host.status.state === 'online' ? host.status.llmKey : undefined;
    return fetch(`${relays[index % relays.length]!.url}/llm/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  };
  const budgetLeft = async (index: number) => {
    const host = hosts[index]!;
    const key = host.status.state === 'online' ? host.status.llmKey : '';
    const response = await fetch(`${relays[index]!.url}/llm/providers`, {
      headers: { authorization: `Bearer ${key}` },
    });
    return llmProvidersResponseSchema.parse(await response.json()).budgetLeftUsd;
  };
  const day = () => String(Math.floor(Date.now() / DAY_MS));
  return { anthropic, prefix, relays, hosts, chat, budgetLeft, day };
}

describe('LLM budgets shared by relays', () => {
  it('lets concurrent chats on two relays hold no more than the budget, and charges each once', async () => {
    // Room for three holds and a half: of twelve chats at once, exactly three may run.
    const budget = 3.5 * HOLD_USD;
    const { anthropic, prefix, chat, budgetLeft, day, hosts } = await llmRelays({
      VIAL_LLM_HOST_DAILY_BUDGET_USD: budget.toFixed(9),
    });
    // Slow replies, so that every chat asks for its hold while the first ones still run.
    anthropic.script(...Array.from({ length: 12 }, () => ({ kind: 'reply' as const, firstDelayMs: 1500 })));
    const responses = await Promise.all(Array.from({ length: 12 }, (_, index) => chat(index)));
    expect(statusesOf(responses)).toEqual([...Array(3).fill(200), ...Array(9).fill(429)]);
    expect(anthropic.requests).toHaveLength(3);
    for (const refused of responses.filter((response) => response.status === 429)) {
      const body = (await refused.json()) as { error: { class: string }; ok?: false };
      expect(body.error.class).toBe('budget_exceeded');
    }
    // Settled at what each reply cost, in whole nano-dollars, on both scopes; nothing left held.
    const charged = String(Math.round(3 * REPLY_USD * 1e9));
    expect(await redis.command('get', `${prefix}llm:spent:host:${hosts[0]!.hostId}:${day()}`)).toBe(charged);
    expect(await redis.command('get', `${prefix}llm:spent:all:${day()}`)).toBe(charged);
    expect(await redis.command('zcard', `${prefix}llm:held:all`)).toBe('0');
    // Both relays see the same budget left.
    expect(await budgetLeft(0)).toBeCloseTo(budget - 3 * REPLY_USD, 9);
    expect(await budgetLeft(1)).toBeCloseTo(budget - 3 * REPLY_USD, 9);
  });

  it('never lets holds racing on two connections pass the budget, and settles a hold once', async () => {
    const logger = createLogger({ logLevel: 'silent' });
    const prefix = freshPrefix();
    const connections = [0, 1].map(() => connectRedis({ url: redis.url, prefix, timeoutMs: 2000 }, logger));
    await Promise.all(connections.map((connection) => connection.ready()));
    const limits = connections.map((connection) =>
      createSharedHostLimits(connection, { requestsPerMinute: 0, dailyBudgetUsd: 0, totalDailyBudgetUsd: 0.01 }),
    );
    cleanups.push(async () => {
      for (const each of limits) await each.close();
      for (const connection of connections) await connection.close();
    });
    // 200 holds of $0.0007 on many hosts at once, half through each connection: 14 fit in $0.01.
    const holds = await Promise.all(
      Array.from({ length: 200 }, (_, index) => limits[index % 2]!.hold(`host${index % 7}`, 0.0007)),
    );
    const taken = holds.filter((hold): hold is SpendHold => 'settle' in hold);
    expect(taken).toHaveLength(14);
    const refused = holds.find((hold) => !('settle' in hold));
    expect(refused).toMatchObject({ reason: 'budget_exceeded', setting: 'VIAL_LLM_DAILY_BUDGET_USD' });
    expect(JSON.stringify(refused)).toMatch(
      /The cluster \(every relay sharing this Redis\) has spent or set aside \$0\.0098/,
    );
    // Settled twice: charged once.
    await taken[0]!.settle(0.0001);
    await taken[0]!.settle(0.0001);
    for (const hold of taken.slice(1)) await hold.settle(0);
    expect(await redis.command('get', `${prefix}llm:spent:all:${Math.floor(Date.now() / DAY_MS)}`)).toBe('100000');
    expect(await limits[1]!.budgetLeft('host0')).toBeCloseTo(0.0099, 9);
    expect(await redis.command('zcard', `${prefix}llm:held:all`)).toBe('0');
  });

  it('charges a settle once when its answer was lost and it is sent again', async () => {
    const logger = createLogger({ logLevel: 'silent' });
    const prefix = freshPrefix();
    const connection = connectRedis({ url: redis.url, prefix, timeoutMs: 200 }, logger);
    await connection.ready();
    const limits = createSharedHostLimits(connection, {
      requestsPerMinute: 0,
      dailyBudgetUsd: 1,
      totalDailyBudgetUsd: 0,
    });
    cleanups.push(() => connection.close());
    const [warmUp, hold] = [await limits.hold('host', 0.01), await limits.hold('host', 0.01)];
    if (!('settle' in hold) || !('settle' in warmUp)) throw new Error('a hold was refused');
    // Redis knows the settle script from here on (EVALSHA of an unknown one would wait for the pause, then fail).
    await warmUp.settle(0);
    // Redis holds writes for 600 ms: the settle times out here (Redis is marked stalled) but runs
    // there once the pause ends.
    await redis.command('client', 'pause', '600', 'WRITE');
    await hold.settle(0.002);
    expect(connection.health()).toMatchObject({
      up: false,
      error: expect.stringMatching(/did not answer within 200 ms/),
    });
    // Answering again, Redis is sent the settle the relay still holds as unsettled; and once more on close.
    await until(() => connection.health().up, 5000);
    await limits.close();
    const spentKey = `${prefix}llm:spent:host:host:${Math.floor(Date.now() / DAY_MS)}`;
    expect(await redis.command('get', spentKey)).toBe('2000000');
    expect(await redis.command('zcard', `${prefix}llm:held:host:host`)).toBe('0');
  });
});

describe('Redis going away', () => {
  it('keeps serving MCP on local limits, refuses LLM spend, reports not ready, and recovers when Redis is back', async () => {
    const logs = [logSink(), logSink()];
    const prefix = freshPrefix();
    const anthropic = await startAnthropicStandIn({ apiKey: PROVIDER_KEYS.anthropic });
    cleanups.push(() => anthropic.close());
    const env = {
      ...SLOW_REPLIES_ENV,
      VIAL_LLM_ANTHROPIC_API_KEY: PROVIDER_KEYS.anthropic,
      VIAL_LLM_ANTHROPIC_BASE_URL: anthropic.baseUrl,
      VIAL_LLM_DAILY_BUDGET_USD: '1',
      VIAL_REDIS_URL: redis.url,
      VIAL_REDIS_PREFIX: prefix,
      VIAL_REDIS_TIMEOUT_MS: '300',
    };
    const relays = [await relayOn(env, logs[0]), await relayOn(env, logs[1])];
    for (const relay of relays) await untilReady(relay);
    const { hosts, token } = await hostOnEvery(relays);
    const keyOf = (host: HostRuntime) => (host.status.state === 'online' ? host.status.llmKey : '');
    const chat = (index: number) =>
      fetch(`${relays[index]!.url}/llm/chat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keyOf(hosts[index]!)}`, 'content-type': 'application/json' },
        body: JSON.stringify(CHAT),
      });
    expect((await chat(0)).status).toBe(200);

    // A chat is running (its hold taken) when Redis dies; its answer still reaches the tab.
    anthropic.script({ kind: 'reply', firstDelayMs: 600 });
    const running = chat(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await redis.kill();
    for (const relay of relays) await untilReady(relay, false);
    const down = await readiness(relays[0]!);
    expect(down.body).toMatchObject({ ready: false, state: 'ready', redis: { up: false } });
    expect(String((down.body.redis as { error: string }).error)).not.toBe('');
    expect((await fetch(`${relays[0]!.url}/healthz`)).status).toBe(200);
    expect((await running).status).toBe(200);

    // Meanwhile: MCP requests are served (limits fall back to each relay's own), LLM spend is refused.
    for (const host of hosts) expect((await initialize(host.mcpUrl!, token)).status).toBe(200);
    const refused = await chat(0);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    const { error } = llmRefusalSchema.parse(await refused.json());
    expect(error).toMatchObject({ class: 'budget_unavailable', setting: 'VIAL_REDIS_URL' });
    expect(error.message).toMatch(/kept in Redis, which this relay cannot reach now/);
    expect(await metricSum(relays[0]!, 'vial_redis_up')).toBe(0);
    expect(await metricSum(relays[0]!, 'vial_redis_fallbacks_total')).toBeGreaterThan(0);
    expect(await metricSum(relays[0]!, 'vial_llm_refusals_total', { reason: 'budget_unavailable' })).toBe(1);

    await redis.start();
    for (const relay of relays) await untilReady(relay);
    // Redis came back empty (no persistence): the running chat's settle, kept while it was away, is charged now.
    const day = String(Math.floor(Date.now() / DAY_MS));
    const spentKey = `${prefix}llm:spent:all:${day}`;
    const deadline = Date.now() + 5000;
    while ((await redis.command('get', spentKey)) === '' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(await redis.command('get', spentKey)).toBe(String(Math.round(REPLY_USD * 1e9)));
    expect((await chat(0)).status).toBe(200);
    expect((await chat(1)).status).toBe(200);
    expect(await metricSum(relays[1]!, 'vial_redis_up')).toBe(1);
    expect(await redis.command('get', spentKey)).toBe(String(Math.round(3 * REPLY_USD * 1e9)));

    // Each relay logged the outage once (not once per retry) and the recovery.
    for (const log of logs) {
      const messages = log.lines.map((line) => line.msg);
      expect(messages.filter((msg) => String(msg).startsWith('Redis is unreachable'))).toHaveLength(1);
      expect(messages).toContain('Redis is reachable again');
    }
  }, 30_000);

  it('starts without Redis, says why it is not ready without showing the password, and is ready once Redis is up', async () => {
    const port = await freePort();
    const password = 'a-redis-password-not-to-show';
    const log = logSink();
    const relay = await relayOn(
      {
        VIAL_REDIS_URL: `redis://:${password}@127.0.0.1:${port}/0`,
        VIAL_REDIS_PREFIX: freshPrefix(),
        VIAL_LLM_HOST_DAILY_BUDGET_USD: '1',
        VIAL_LLM_ANTHROPIC_API_KEY: PROVIDER_KEYS.anthropic,
      },
      log,
    );
    const { hosts, token } = await hostOnEvery([relay]);
    const notReady = await readiness(relay);
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatchObject({ ready: false, redis: { up: false } });
    expect(JSON.stringify(notReady.body)).not.toContain(password);
    // The tab registered and its clients are served.
    expect((await initialize(hosts[0]!.mcpUrl!, token)).status).toBe(200);

    const late = await startRedis({ port, password });
    cleanups.push(() => late.stop());
    await untilReady(relay);
    expect((await readiness(relay)).body).toMatchObject({ ready: true, redis: { up: true } });
    expect(JSON.stringify(log.lines)).not.toContain(password);
    expect(log.lines.map((line) => line.msg)).toContain('Redis is reachable again');
  }, 20_000);

  it('does not make every request wait while Redis is connected but not answering', async () => {
    const relay = await relayOn({
      VIAL_REDIS_URL: redis.url,
      VIAL_REDIS_PREFIX: freshPrefix(),
      VIAL_REDIS_TIMEOUT_MS: '300',
      VIAL_AUTH_FAILURES_PER_MIN: '20',
    });
    await untilReady(relay);
    const { hosts, token } = await hostOnEvery([relay]);
    const mcpUrl = hosts[0]!.mcpUrl!;
    // A hung Redis: the connection stays open, no command is answered for 2.5 s.
    await redis.command('client', 'pause', '2500', 'ALL');
    const timed = async () => {
      const started = performance.now();
      const response = await initialize(mcpUrl, token);
      return { status: response.status, ms: performance.now() - started };
    };
    const first = await timed();
    expect(first.status).toBe(200);
    expect(first.ms).toBeGreaterThanOrEqual(290);
    // The first timeout marks Redis stalled: the next requests fall back at once instead of each waiting.
    const next = [await timed(), await timed(), await timed()];
    expect(next.every(({ status }) => status === 200)).toBe(true);
    expect(Math.max(...next.map(({ ms }) => ms))).toBeLessThan(250);
    const stalled = await readiness(relay);
    expect(stalled.status).toBe(503);
    expect(JSON.stringify(stalled.body)).toMatch(/did not answer within 300 ms \(VIAL_REDIS_TIMEOUT_MS\)/);
    // Once Redis answers again, a probe (one a second) finds out and the relay is ready.
    await untilReady(relay, true, 6000);
    expect((await timed()).status).toBe(200);
  }, 15_000);
});

describe('an anonymous visitor', () => {
  it('cannot make a relay write keys that stay, or more than one per address', async () => {
    const store = new MemoryHostStore();
    const { loadOrCreateIdentity } = await import('../../web/src/server/identity.ts');
    const identity = await loadOrCreateIdentity(store);
    const prefix = freshPrefix();
    const relay = await relayOn({
      VIAL_REDIS_URL: redis.url,
      VIAL_REDIS_PREFIX: prefix,
      VIAL_AUTH_FAILURES_PER_MIN: '5',
      VIAL_TRUSTED_PROXIES: '127.0.0.1,::1',
      VIAL_HOST_ADMISSION: 'enrolment',
      VIAL_ADMISSION_SECRET: 'a-test-secret-of-at-least-32-chars',
      VIAL_ADMITTED_HOSTS: identity.hostId,
      VIAL_LLM_HOST_DAILY_BUDGET_USD: '1',
      VIAL_LLM_ANTHROPIC_API_KEY: PROVIDER_KEYS.anthropic,
    });
    await untilReady(relay);
    const host = await startNodeHost(relay.url, { packs: [], store });
    cleanups.push(() => host.stop());
    const mcpUrl = host.mcpUrl!;
    const from = (address: string) => ({ 'x-forwarded-for': address });

    // No token, unknown hosts, a bad LLM key: nothing is written at all.
    await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        fetch(mcpUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...from(`198.51.100.${index}`) },
          body: JSON.stringify(INITIALIZE_BODY),
        }),
      ),
    );
    await Promise.all(
      Array.from({ length: 40 }, (_, index) => initialize(`${relay.url}/mcp/${'x'.repeat(21)}${index % 10}`, 'vial_x')),
    );
    await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${relay.url}/llm/chat`, {
          method: 'POST',
          headers: { authorization: 'Bearer guessed', 'content-type': 'application/json' },
          body: JSON.stringify(CHAT),
        }),
      ),
    );
    expect(await redis.keys(`${prefix}*`)).toEqual([]);

    // Wrong tokens: one key per address (an IPv6 /64 is one address), each holding at most the
    // limit's five entries and gone a minute after its last failure.
    for (let round = 0; round < 50; round++) await initialize(mcpUrl, `vial_guess${round}`, from('203.0.113.7'));
    const addresses = [
      ...Array.from({ length: 20 }, (_, index) => `203.0.113.${100 + index}`),
      ...Array.from({ length: 20 }, (_, index) => `2001:db8:1:2::${index.toString(16)}`),
    ];
    await Promise.all(addresses.map((address) => initialize(mcpUrl, 'vial_guess', from(address))));
    const keys = await redis.keys(`${prefix}*`);
    expect(keys).toHaveLength(1 + 20 + 1);
    expect(keys.every((key) => key.startsWith(`${prefix}authfail:`))).toBe(true);
    expect(await redis.command('llen', `${prefix}authfail:203.0.113.7`)).toBe('5');
    expect(await redis.command('llen', `${prefix}authfail:2001:db8:1:2::/64`)).toBe('5');
    for (const key of keys) {
      const ttl = Number(await redis.command('pttl', key));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
  });
});

describe('budget left', () => {
  it('is the same on every relay', async () => {
    const { chat, budgetLeft } = await llmRelays({ VIAL_LLM_HOST_DAILY_BUDGET_USD: '0.5' }, 3);
    expect((await chat(0)).status).toBe(200);
    expect((await chat(2)).status).toBe(200);
    const left = [await budgetLeft(0), await budgetLeft(1), await budgetLeft(2)];
    expect(left.every((value) => value !== null && Math.abs(value - (0.5 - 2 * REPLY_USD)) < 1e-9)).toBe(true);
  });
});

describe('relays in processes of their own', () => {
  it('share one bucket per token, as relays in one process do', async () => {
    const prefix = freshPrefix();
    const relays: Array<{ url: string }> = [];
    for (let index = 0; index < 2; index++) {
      const port = await freePort();
      const child = spawn('node_modules/.bin/tsx', ['relay/src/main.ts'], {
        env: {
          ...process.env,
          VIAL_PORT: String(port),
          VIAL_WEB_DIR: '',
          VIAL_LOG_LEVEL: 'warn',
          VIAL_REDIS_URL: redis.url,
          VIAL_REDIS_PREFIX: prefix,
          VIAL_TOKEN_RATE: '0.01',
          VIAL_TOKEN_BURST: '5',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      cleanups.push(async () => {
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      });
      const relay = { url: `http://localhost:${port}` };
      const deadline = Date.now() + 30_000;
      while ((await fetch(`${relay.url}/readyz`).catch(() => undefined))?.status !== 200) {
        if (Date.now() > deadline) throw new Error(`the relay process on port ${port} was not ready in 30 s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      relays.push(relay);
    }
    const { hosts, token } = await hostOnEvery(relays);
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, index) => initialize(hosts[index % 2]!.mcpUrl!, token)),
    );
    expect(statusesOf(responses)).toEqual([...Array(5).fill(200), ...Array(5).fill(429)]);
    expect(await redis.keys(`${prefix}rate:*`)).toHaveLength(1);
  }, 60_000);
});

describe('tests/support/redis.ts', () => {
  it('says how to install redis-server when it is missing, instead of failing obscurely', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startRedis()).rejects.toThrow(/redis-server is not installed.*apt-get install -y redis-server/);
    } finally {
      process.env.PATH = path;
    }
  });
});
