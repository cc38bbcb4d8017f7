/**
 * `pnpm bench:capacity`: how many idle tabs and idle legacy (2025, initialize-based) client
 * sessions one relay process holds per GiB of memory.
 *
 * The relay runs in a process of its own (bench/serverProcess.ts, with the Node flags `pnpm start`
 * gives it, plus `--expose-gc`, which every bench server gets: a reading there is two full
 * collections, then `process.memoryUsage()`). This process plays the clients, so nothing of
 * theirs is in the relay's figures. Readings are taken 10 s apart, with no collection forced
 * between them, until three in a row agree within 1 MiB, after 25 s left alone: V8 and malloc
 * hand freed pages back lazily, for some 20 s after a burst of work (see QUIET_MS).
 *
 * 1. the relay alone, idle: the baseline (`relay_idle`);
 * 2. `concurrency` warm-up tabs, then `tabs` more, twice: each a bare WebSocket that registers a
 *    host of its own (a fresh secret, one token record, the `host-info` a real tab sends) and then
 *    only answers the relay's heartbeats. Read after each, once every tab has answered one
 *    heartbeat;
 * 3. one real Node host (HostRuntime serving bench/loadPack.ts, in a process of its own) mints a
 *    token, and `concurrency` warm-up sessions open on it; read;
 * 4. `sessions` more legacy sessions on that host: a raw HTTP `initialize` and
 *    `notifications/initialized` each, as an SDK client sends them, then nothing. Read;
 * 5. unless `--streams=0`, each of those sessions opens its standalone GET stream and leaves it
 *    open, as SDK clients do (each on a connection of its own). Read.
 *
 * Per tab is the larger of the two steps of (2) over `tabs` (pages the relay has held free since
 * it started, some 30 MiB, are handed back at a time of V8's and malloc's choosing, and only ever
 * make a step smaller), per session (4) over `sessions`, per stream (5) over `sessions`;
 * per GiB is 1 GiB over that. The warm-up tabs and sessions pay for what is set up once (code
 * compiled, caches filled), which is not a cost of the next one. Modern (2026-07-28) clients
 * hold no state between requests, so only legacy sessions are counted.
 *
 * Options, as `--name=value` or `BENCH_NAME` in the environment: tabs (5000), sessions (5000),
 * concurrency (64 tabs registering or sessions opening at once), streams (1). `VIAL_*`
 * variables configure the relay; the limits a relay open to strangers needs (hosts, sockets and
 * new hosts per address, sessions per host and per token, the token rate, failed
 * authentications, the tabs' shared bandwidth) are raised here to fit the counts, since every tab
 * comes from one address and every session from one token. Each tab and each stream is a file
 * descriptor in the relay and here: `ulimit -n` must be above twice `tabs` plus `sessions`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { get as httpGet, type ClientRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import {
  deriveHostId,
  randomSecret,
  relayFrameSchema,
  TAB_SOCKET_PATH,
  VIAL_VERSION,
  type TabFrame,
} from '@vial/shared';
import { SERVER_INSTRUCTIONS } from '../web/src/server/sessionServer.ts';
import { intOption } from './options.ts';
import { startServerProcess, type ServerMemory, type ServerProcess } from './serverProcess.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const BASELINE = 'relay_idle';
const GOAL_TABS_PER_GIB = 50_000;
const GOAL_SESSIONS_PER_GIB = 25_000;
/** What the relay does with a tab socket that has not registered, or has missed a heartbeat, after this. */
const DEFAULT_HEARTBEAT_MS = 10_000;
/** The legacy protocol version the sessions speak (the newest of the 2025 era). */
const LEGACY_PROTOCOL_VERSION = '2025-11-25';
/** Longest the bench waits for the relay to read a new host's token. */
const TOKEN_WAIT_MS = 60_000;

const settings = {
  tabs: intOption('tabs', 5000, 1),
  sessions: intOption('sessions', 5000, 1),
  concurrency: intOption('concurrency', 64, 1),
  /** Whether the sessions then open their GET streams (1) or stay without (0). */
  streams: intOption('streams', 1) > 0,
};

const heartbeatMs = Number(process.env.VIAL_HEARTBEAT_MS ?? DEFAULT_HEARTBEAT_MS);
const relayEnv = {
  VIAL_MAX_HOSTS: String(2 * settings.tabs + settings.concurrency + 16),
  VIAL_TAB_SOCKETS_PER_ADDRESS: String(2 * settings.tabs + settings.concurrency + 16),
  VIAL_NEW_HOSTS_PER_MIN: String(2 * settings.tabs + settings.concurrency + 16),
  VIAL_MAX_SESSIONS_PER_HOST: String(settings.sessions + settings.concurrency),
  VIAL_MAX_SESSIONS_PER_TOKEN: String(settings.sessions + settings.concurrency),
  VIAL_TOKEN_RATE: '0',
  // The tabs sending share VIAL_TABS_BYTES_PER_SEC, and every frame counts as at least 4 KiB:
  // 10,000 tabs registering 64 at a time would wait some 10 s for it at the default 4 MiB/s (idle
  // tabs take none of it since issue 23's fix). Two frames a second each: this measures memory,
  // not the throttle.
  VIAL_TABS_BYTES_PER_SEC: String((2 * settings.tabs + settings.concurrency + 16) * 8 * KiB),
  // The bench tries the host's token until the relay has read it: those 401s are not an attack.
  VIAL_AUTH_FAILURES_PER_MIN: '0',
  ...Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[0].startsWith('VIAL_') && !!entry[1],
    ),
  ),
};

/** What a tab sends once registered: what the Node host runtime sends (web/src/server/runtime.ts). */
const HOST_INFO: TabFrame = {
  type: 'host-info',
  serverInfo: { name: 'vial', version: VIAL_VERSION },
  capabilities: {
    logging: {},
    tools: { listChanged: true },
    resources: { listChanged: true, subscribe: true },
    prompts: { listChanged: true },
    completions: {},
  },
  instructions: SERVER_INSTRUCTIONS,
};

interface Tab {
  socket: WebSocket;
  /** Why the relay closed it, if it did after registering. */
  closed: string | undefined;
}

/** A tab that registers a host of its own and then only answers heartbeats. */
async function connectTab(relayUrl: string): Promise<Tab> {
  const secret = randomSecret(32);
  const hostId = await deriveHostId(secret);
  const token = {
    id: randomBytes(8).toString('hex'),
    name: 'bench',
    hash: createHash('sha256').update(randomSecret(32)).digest('hex'),
    scopes: [],
    expiresAt: null,
  };
  const url = new URL(TAB_SOCKET_PATH, relayUrl);
  url.protocol = 'ws:';
  const socket = new WebSocket(url, { perMessageDeflate: false });
  const tab: Tab = { socket, closed: undefined };
  const send = (frame: TabFrame) => socket.send(JSON.stringify(frame));
  return new Promise<Tab>((resolve, reject) => {
    let registered = false;
    socket.once('open', () => send({ type: 'register', hostId, secret, tokens: [token] }));
    socket.on('message', (data) => {
      const parsed = relayFrameSchema.safeParse(JSON.parse(String(data)));
      if (!parsed.success) return reject(new Error(`the relay sent a frame the tab protocol does not know: ${data}`));
      const frame = parsed.data;
      if (frame.type === 'ping') return send({ type: 'pong', id: frame.id });
      if (frame.type === 'registered') {
        registered = true;
        send(HOST_INFO);
        return resolve(tab);
      }
      if (frame.type === 'error') return reject(new Error(`the relay refused a tab: ${frame.message}`));
    });
    socket.once('close', (code, reason) => {
      tab.closed = `${code} ${reason.toString()}`;
      if (!registered) reject(new Error(`the relay closed a tab before it registered: ${tab.closed}`));
    });
    socket.once('error', reject);
  });
}

/** A legacy session: `initialize` and `notifications/initialized`, as an SDK client sends them; returns its id. */
async function openSession(mcpUrl: string, token: string, index: number): Promise<string> {
  const headers = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  const initialize = await fetch(mcpUrl, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: LEGACY_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: `bench-capacity-${index}`, version: '1.0.0' },
      },
    }),
  });
  const answer = await initialize.text();
  const sessionId = initialize.headers.get('mcp-session-id');
  if (initialize.status !== 200 || !sessionId || !answer.includes('"result"')) {
    throw new Error(`initialize failed: HTTP ${initialize.status}, session '${sessionId}': ${answer.slice(0, 300)}`);
  }
  const initialized = await fetch(mcpUrl, {
    method: 'POST',
    headers: { ...headers, 'mcp-session-id': sessionId, 'mcp-protocol-version': LEGACY_PROTOCOL_VERSION },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await initialized.text();
  if (initialized.status !== 202) throw new Error(`notifications/initialized got HTTP ${initialized.status}`);
  return sessionId;
}

/**
 * Retries `open` while the relay does not know the token yet, and says how long that took. Among
 * many tabs a new tab's share of the tabs' bandwidth is small, and every frame counts as at least
 * 4 KiB of it (relay/src/hosts/tabThrottle.ts): the relay pauses reading the host's socket after
 * its `register` and `host-info`, so the `tokens` frame that follows is read seconds later.
 */
async function untilOpens(open: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      await open();
      return performance.now() - started;
    } catch (error) {
      if (!String(error).includes('HTTP 401') || performance.now() - started > TOKEN_WAIT_MS) throw error;
      await sleep(250);
    }
  }
}

/**
 * The session's standalone GET stream, as SDK clients open it after `initialize` to hear the
 * server's own messages; it stays open, quiet but for the relay's SSE keep-alives. A socket of
 * its own each (no agent), as each client has its own connection.
 */
function openStream(mcpUrl: string, token: string, sessionId: string): Promise<ClientRequest> {
  return new Promise((resolve, reject) => {
    const request = httpGet(
      mcpUrl,
      {
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'text/event-stream',
          'mcp-session-id': sessionId,
          'mcp-protocol-version': LEGACY_PROTOCOL_VERSION,
        },
      },
      (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          return reject(new Error(`GET stream refused: HTTP ${response.statusCode}`));
        }
        response.on('data', () => undefined);
        resolve(request);
      },
    );
    request.on('error', reject);
  });
}

/** Whether the session still answers: a `ping` through the relay to the tab and back. */
async function pings(mcpUrl: string, token: string, sessionId: string): Promise<boolean> {
  const response = await fetch(mcpUrl, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': sessionId,
      'mcp-protocol-version': LEGACY_PROTOCOL_VERSION,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });
  return response.status === 200 && (await response.text()).includes('"result"');
}

/** Runs `count` jobs, `concurrency` at a time, in order of index; fails on the first failure. */
async function inBatches<T>(count: number, concurrency: number, job: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await job(index);
      }
    }),
  );
  return results;
}

/** Readings closer than this are the same: memory has stopped moving. */
const STEADY_BYTES = 1 * MiB;
/**
 * How long the relay is left alone before the first reading. V8 (its memory reducer, its
 * unmapper) and malloc hand freed pages back lazily, in steps of 15 MiB or so, for some 20 s
 * after a burst of work: readings taken sooner moved by more than 1,000 tabs cost.
 */
const QUIET_MS = 25_000;
/** Readings are this far apart, with no collection forced between them. */
const READING_EVERY_MS = 10_000;
/** Readings in a row that must agree. */
const STEADY_READINGS = 3;
const MAX_SETTLE_MS = 180_000;

/**
 * The relay's memory once it has been left alone for QUIET_MS (or `waitMs`, if longer: a
 * heartbeat round when tabs are new) and has stopped moving: STEADY_READINGS in a row within
 * STEADY_BYTES of RSS.
 */
async function settledMemory(relay: ServerProcess, waitMs: number): Promise<ServerMemory> {
  await sleep(Math.max(waitMs, QUIET_MS));
  const deadline = performance.now() + MAX_SETTLE_MS;
  let readings = [await relay.memory()];
  while (performance.now() < deadline) {
    await sleep(READING_EVERY_MS);
    readings = [...readings.slice(1 - STEADY_READINGS), await relay.memory()];
    if (process.env.BENCH_TRACE) describe('    reading', readings.at(-1)!);
    const rss = readings.map((reading) => reading.rss);
    if (readings.length === STEADY_READINGS && Math.max(...rss) - Math.min(...rss) < STEADY_BYTES) break;
  }
  return readings.at(-1)!;
}

function openFileLimit(): number {
  return Number(execFileSync('sh', ['-c', 'ulimit -n']).toString().trim());
}

const kib = (bytes: number) => (bytes / KiB).toFixed(1);
const mib = (bytes: number) => (bytes / MiB).toFixed(1);

function describe(label: string, memory: ServerMemory): void {
  console.log(
    `  ${label.padEnd(40)} rss ${mib(memory.rss).padStart(6)} MiB, heap ${mib(memory.heapUsed).padStart(6)} MiB`,
  );
}

/** What each of `count` things added between two readings cost: RSS, and the V8 heap part of it. */
function costEach(before: ServerMemory, after: ServerMemory, count: number): { rss: number; heap: number } {
  return { rss: (after.rss - before.rss) / count, heap: (after.heapUsed - before.heapUsed) / count };
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

async function main(): Promise<void> {
  const { tabs: tabCount, sessions: sessionCount, concurrency } = settings;
  const limit = openFileLimit();
  const sockets = 2 * tabCount + (settings.streams ? sessionCount : 0) + concurrency;
  if (sockets + 256 > limit) {
    throw new Error(
      `${sockets} sockets need a file descriptor each in the relay and here, and ulimit -n is ${limit}: raise it (ulimit -n ${sockets + 1024}) or ask for fewer tabs or sessions`,
    );
  }
  console.log(
    `bench:capacity: twice ${tabCount} idle tabs, then ${sessionCount} idle legacy sessions on one host${settings.streams ? ', then their GET streams' : ''}; heartbeat ${heartbeatMs} ms`,
  );
  const relay = await startServerProcess('relay', { env: relayEnv });
  const tabs: Tab[] = [];
  const streams: ClientRequest[] = [];
  let host: ServerProcess | undefined;
  try {
    const idle = await settledMemory(relay, 0);
    describe('relay idle', idle);

    // The first tabs and sessions are not counted: they pay for what the relay sets up once
    // (code compiled, pools and caches filled), which more of them would not cost again.
    tabs.push(...(await inBatches(concurrency, concurrency, () => connectTab(relay.url))));
    const beforeTabs = await settledMemory(relay, heartbeatMs + 1000);
    describe(`with ${concurrency} warm-up tabs`, beforeTabs);
    // Two rounds of tabs, each read: a step can only come out too small (pages the relay held
    // free since it started, handed back during the round), so the larger one is counted.
    const tabSteps: ServerMemory[] = [beforeTabs];
    let started = performance.now();
    for (const round of [1, 2]) {
      started = performance.now();
      tabs.push(...(await inBatches(tabCount, concurrency, () => connectTab(relay.url))));
      console.log(`  ${tabCount} tabs registered in ${seconds(started)} s`);
      tabSteps.push(await settledMemory(relay, heartbeatMs + 1000));
      describe(`with ${round * tabCount} more tabs`, tabSteps.at(-1)!);
    }

    host = await startServerProcess('host', { relayUrl: relay.url });
    const { url: mcpUrl, token } = host;
    const open = (index: number) => openSession(mcpUrl, token!, index);
    const tokenWaitMs = await untilOpens(() => open(-1));
    console.log(`  the host's token worked ${(tokenWaitMs / 1000).toFixed(1)} s after the host was online`);
    await inBatches(concurrency, concurrency, open);
    const beforeSessions = await settledMemory(relay, 0);
    describe(`with the host and ${concurrency} warm-up sessions`, beforeSessions);
    started = performance.now();
    const sessionIds = await inBatches(sessionCount, concurrency, (index) => open(concurrency + index));
    console.log(`  ${sessionCount} sessions opened in ${seconds(started)} s`);
    const withSessions = await settledMemory(relay, 0);
    describe(`with ${sessionCount} more sessions`, withSessions);
    let withStreams = withSessions;
    if (settings.streams) {
      started = performance.now();
      streams.push(
        ...(await inBatches(sessionCount, concurrency, (index) => openStream(mcpUrl, token!, sessionIds[index]!))),
      );
      console.log(`  ${sessionCount} GET streams opened in ${seconds(started)} s`);
      withStreams = await settledMemory(relay, 0);
      describe('and their GET streams', withStreams);
    }

    // Still there: no tab was dropped, and a sample of sessions answers.
    const dropped = tabs.filter((tab) => tab.closed !== undefined);
    if (dropped.length > 0)
      throw new Error(`${dropped.length} idle tabs were closed by the relay: ${dropped[0]!.closed}`);
    const sample = sessionIds.filter((_, index) => index % Math.max(1, Math.floor(sessionIds.length / 16)) === 0);
    const answered = await Promise.all(sample.map((id) => pings(mcpUrl, token!, id)));
    if (answered.includes(false)) throw new Error('an idle session no longer answers a ping');
    console.log(`  all ${sample.length} sampled sessions answered a ping; no tab was dropped`);

    const [first, second] = [
      costEach(tabSteps[0]!, tabSteps[1]!, tabCount),
      costEach(tabSteps[1]!, tabSteps[2]!, tabCount),
    ];
    const perTab = first.rss >= second.rss ? first : second;
    console.log(`  per idle tab, first round: ${kib(first.rss)} KiB; second round: ${kib(second.rss)} KiB`);
    const perSession = costEach(beforeSessions, withSessions, sessionCount);
    const perStream = costEach(withSessions, withStreams, sessionCount);
    const perClient = costEach(beforeSessions, withStreams, sessionCount);
    const show = (cost: { rss: number; heap: number }) => `${kib(cost.rss)} KiB (${kib(cost.heap)} KiB of it V8 heap)`;
    console.log(`  per idle tab:                      ${show(perTab)}`);
    console.log(`  per idle session, no GET stream:   ${show(perSession)}`);
    if (settings.streams) {
      console.log(`  per GET stream on top:             ${show(perStream)}`);
      console.log(`  per idle session with its stream:  ${show(perClient)}`);
    }
    const baseline = `${BASELINE}(${mib(idle.rss)}MiB)`;
    const bench = (name: string, value: string, unit: string, goal: string) =>
      console.log(`BENCH ${name} ${value} ${unit} baseline=${baseline} goal=${goal}`);
    bench('capacity_idle_tab_kib', kib(perTab.rss), 'KiB', `<=${kib(GiB / GOAL_TABS_PER_GIB)}`);
    bench('capacity_idle_session_kib', kib(perSession.rss), 'KiB', `<=${kib(GiB / GOAL_SESSIONS_PER_GIB)}`);
    if (settings.streams) bench('capacity_idle_stream_kib', kib(perStream.rss), 'KiB', 'record');
    bench('capacity_idle_tabs_per_gib', String(Math.floor(GiB / perTab.rss)), 'tabs', `>=${GOAL_TABS_PER_GIB}`);
    bench(
      'capacity_idle_sessions_per_gib',
      String(Math.floor(GiB / perSession.rss)),
      'sessions',
      `>=${GOAL_SESSIONS_PER_GIB}`,
    );
    if (settings.streams) {
      bench(
        'capacity_idle_streaming_sessions_per_gib',
        String(Math.floor(GiB / perClient.rss)),
        'sessions',
        `>=${GOAL_SESSIONS_PER_GIB}`,
      );
    }
  } finally {
    for (const stream of streams) stream.destroy();
    for (const tab of tabs) tab.socket.terminate();
    await host?.close();
    await relay.close();
  }
}

await main();
