/**
 * `pnpm bench:relay`: what the relay costs a tools/call, in both MCP eras. SDK 2.x clients call
 * the same `bench_echo` tool, served by the same `createSessionServer` from the same tool packs,
 * along five paths, in one run:
 *
 *   legacy relay:   Client (2025 session) -> relay HTTP -> WebSocket -> Node HostRuntime -> McpServer
 *   legacy direct:  Client (2025 session) -> SDK Streamable HTTP transport on node:http -> McpServer
 *   modern relay:   Client pinned to 2026-07-28 -> relay HTTP -> WebSocket -> HostRuntime's
 *                   ModernRequests (createMcpHandler, a server per request) -> McpServer
 *   modern direct:  Client pinned to 2026-07-28 -> SDK createMcpHandler on node:http -> McpServer
 *                   built per request by the tab's factory (bench/handlerServer.ts)
 *   oauth relay:    as legacy relay, with an OAuth access token from a real grant (DCR, consent
 *                   in the host's tab) instead of a static token: what the OAuth check costs
 *
 * The relay and host are the same for both eras. Each scenario (N concurrent clients; one client
 * calling in sequence) runs in rounds that rotate which path goes first, after a warm-up of all
 * five. Everything runs in this one process, so throughput compares the CPU each path spends
 * per call, the client's included. Last, two pairs of clients take turns call by call: a
 * static-token and an OAuth client (what the OAuth p50 lines compare), then a modern-direct and a
 * modern-relay client (what modern_added_p50 compares); and the static and OAuth paths' 8 clients
 * take turns in short bursts (what oauth_vs_static_throughput compares). The differences sought are tenths of a
 * millisecond or less, less than the load on a shared machine moves between one round's stretches.
 *
 * Options, as `--name=value` or `BENCH_NAME` in the environment: clients (8), calls per client
 * per round (200), seq-calls per round (600), warmup calls per client (200), rounds (4), pairs
 * (2000), bursts (40), tools (`tab`: bench_echo beside the tab's Node tool packs, so a modern request's server
 * is built by a factory that has every tool to pick from; `echo`: bench_echo alone).
 * `VIAL_*` variables in the environment configure the relay, e.g. `VIAL_EVENT_BUFFER=0`.
 */
import { availableParallelism, loadavg } from 'node:os';
import type { Client } from '@modelcontextprotocol/client';
import { connectClient, nodeToolPacks, startNodeHost, startRelay } from '../tests/support/relay.ts';
import { approvedCode, redeem } from '../tests/support/oauth.ts';
import { ToolRegistry, type ToolPack } from '../web/src/server/toolRegistry.ts';
import { startDirectServer } from './directServer.ts';
import { benchPack } from './echoPack.ts';
import { startHandlerServer } from './handlerServer.ts';
import {
  callEcho,
  liftAbortListenerLimit,
  percentile,
  runLoad,
  summarize,
  type LoadResult,
  type LoadRun,
} from './load.ts';
import { choiceOption, intOption } from './options.ts';

const LEGACY_BASELINE = 'sdk-direct-streamable-http';
const MODERN_BASELINE = 'sdk-createMcpHandler';
const MODERN_VERSION = '2026-07-28';

const settings = {
  clients: intOption('clients', 8, 1),
  calls: intOption('calls', 200, 1),
  seqCalls: intOption('seq-calls', 600, 1),
  warmup: intOption('warmup', 200, 1),
  rounds: intOption('rounds', 4, 1),
  pairs: intOption('pairs', 2000, 2),
  bursts: intOption('bursts', 40, 2),
  tools: choiceOption('tools', ['tab', 'echo'] as const, 'tab'),
};

/** Relay settings from the environment; the benchmark's own relay otherwise runs with defaults. */
const relayEnv = Object.fromEntries(
  Object.entries(process.env).filter((entry): entry is [string, string] => entry[0].startsWith('VIAL_') && !!entry[1]),
);

const PATH_NAMES = ['direct', 'relay', 'modern-direct', 'modern-relay', 'oauth-relay'] as const;
type PathName = (typeof PATH_NAMES)[number];
interface Path {
  name: PathName;
  clients: Client[];
}

async function connectMany(
  url: string,
  token: string,
  count: number,
  name: string,
  modern: boolean,
): Promise<Client[]> {
  const options = modern ? { versionNegotiation: { pin: MODERN_VERSION } } : {};
  const clients = await Promise.all(
    Array.from({ length: count }, (_, i) => connectClient(url, token, `${name}-${i}`, options)),
  );
  const version = clients[0]!.getNegotiatedProtocolVersion();
  if (modern !== (version === MODERN_VERSION)) {
    throw new Error(
      `${name}: the client negotiated '${version}', not the ${modern ? MODERN_VERSION : '2025'} era this path measures`,
    );
  }
  clients.forEach(liftAbortListenerLimit);
  return clients;
}

async function main(): Promise<void> {
  const packs: ToolPack[] = settings.tools === 'tab' ? [benchPack, ...nodeToolPacks()] : [benchPack];
  const relay = await startRelay(relayEnv);
  const host = await startNodeHost(relay.url, { packs });
  const { token } = await host.mintToken({ name: 'bench', scopes: [] });
  const signedIn = await redeem(relay.url, await approvedCode({ url: relay.url, mcpUrl: host.mcpUrl!, host }));
  const oauthToken = signedIn.body.access_token;
  if (!oauthToken) throw new Error(`no OAuth access token (is VIAL_OAUTH off?): ${JSON.stringify(signedIn.body)}`);
  const direct = await startDirectServer(new ToolRegistry(packs));
  const handler = await startHandlerServer(new ToolRegistry(packs));
  const paths: Path[] = [
    { name: 'direct', clients: await connectMany(direct.url, 'unused', settings.clients, 'bench-direct', false) },
    { name: 'relay', clients: await connectMany(host.mcpUrl!, token, settings.clients, 'bench-relay', false) },
    {
      name: 'modern-direct',
      clients: await connectMany(handler.url, 'unused', settings.clients, 'bench-modern-direct', true),
    },
    {
      name: 'modern-relay',
      clients: await connectMany(host.mcpUrl!, token, settings.clients, 'bench-modern-relay', true),
    },
    {
      name: 'oauth-relay',
      clients: await connectMany(host.mcpUrl!, oauthToken, settings.clients, 'bench-oauth', false),
    },
  ];

  try {
    for (const path of paths) await runLoad(path.clients, settings.warmup);
    for (const path of paths) await runLoad(path.clients.slice(0, 1), settings.warmup);

    const concurrent = runsByPath();
    const sequential = runsByPath();
    for (let round = 0; round < settings.rounds; round++) {
      // The paths take turns going first, so none always runs on a warmer or colder machine.
      const order = paths.map((_, i) => paths[(i + round) % paths.length]!);
      for (const path of order) concurrent[path.name].push(await measuredLoad(path.clients, settings.calls));
      for (const path of order) {
        sequential[path.name].push(await measuredLoad(path.clients.slice(0, 1), settings.seqCalls));
      }
    }
    const results = Object.fromEntries(
      PATH_NAMES.map((name) => [
        name,
        { concurrent: withCpu(settings.clients, concurrent[name]), sequential: withCpu(1, sequential[name]) },
      ]),
    ) as Results;
    const oauthPairs = await interleaved(paths[1]!.clients[0]!, paths[4]!.clients[0]!, settings.pairs);
    const oauthBursts = await interleavedBursts(paths[1]!.clients, paths[4]!.clients, settings.bursts);
    const modernPairs = await interleaved(paths[2]!.clients[0]!, paths[3]!.clients[0]!, settings.pairs);
    report(results, oauthPairs, modernPairs, oauthBursts);
  } finally {
    await Promise.all(paths.flatMap((path) => path.clients.map((client) => client.close())));
    host.stop();
    await relay.close();
    await direct.close();
    await handler.close();
  }
}

function runsByPath(): Record<PathName, MeasuredRun[]> {
  return Object.fromEntries(PATH_NAMES.map((name) => [name, []])) as unknown as Record<PathName, MeasuredRun[]>;
}

function p50(latenciesMs: Float64Array): number {
  return percentile(
    [...latenciesMs].sort((a, b) => a - b),
    50,
  );
}

/** Sequential calls, one of each path's to a pair, each pair's latencies side by side. */
interface Pairs {
  firstMs: Float64Array;
  secondMs: Float64Array;
}

/**
 * Two paths call by call: one client of each takes turns (which goes first alternates pair by
 * pair), so both meet the machine in the same state. The rounds run each path for a second or
 * more at a time, and on a shared machine the load moves more between those stretches than the
 * differences sought here (the OAuth check; the relay's hop) amount to.
 */
async function interleaved(first: Client, second: Client, pairs: number): Promise<Pairs> {
  const firstMs = new Float64Array(pairs);
  const secondMs = new Float64Array(pairs);
  const timed = async (client: Client, into: Float64Array, i: number) => {
    const t0 = performance.now();
    await callEcho(client, `pair ${i}`);
    into[i] = performance.now() - t0;
  };
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) {
      await timed(first, firstMs, i);
      await timed(second, secondMs, i);
    } else {
      await timed(second, secondMs, i);
      await timed(first, firstMs, i);
    }
  }
  return { firstMs, secondMs };
}

/** Calls per second of each burst of two sets of clients, taken in turns. */
interface Bursts {
  firstPerSecond: number[];
  secondPerSecond: number[];
}

/** Calls each client makes per burst: a burst is then a few hundred ms, short beside the load's swings. */
const BURST_CALLS_PER_CLIENT = 25;

/**
 * Throughput the way the pairs compare latency: all clients of one set call at once for a short
 * burst, then all of the other's (which goes first alternating), `bursts` times. A rotating round
 * gives each path a stretch of seconds, and the load moves between stretches by more than a
 * token check costs (0.72-1.17x across runs of one tree).
 */
async function interleavedBursts(first: readonly Client[], second: readonly Client[], bursts: number): Promise<Bursts> {
  const firstPerSecond: number[] = [];
  const secondPerSecond: number[] = [];
  const burst = async (clients: readonly Client[], into: number[]) => {
    const run = await runLoad(clients, BURST_CALLS_PER_CLIENT);
    into.push(run.latenciesMs.length / run.seconds);
  };
  for (let i = 0; i < bursts; i++) {
    if (i % 2 === 0) {
      await burst(first, firstPerSecond);
      await burst(second, secondPerSecond);
    } else {
      await burst(second, secondPerSecond);
      await burst(first, firstPerSecond);
    }
  }
  return { firstPerSecond, secondPerSecond };
}

/** A run with the CPU this process spent on it: clients, relay, host and servers all run here. */
interface MeasuredRun extends LoadRun {
  cpuMs: number;
}

async function measuredLoad(clients: readonly Client[], callsPerClient: number): Promise<MeasuredRun> {
  const before = process.cpuUsage();
  const run = await runLoad(clients, callsPerClient);
  const used = process.cpuUsage(before);
  return { ...run, cpuMs: (used.user + used.system) / 1000 };
}

/**
 * `summarize`, plus CPU microseconds per call: unlike calls/s, that figure barely moves when other
 * work on the machine takes cores away, so it compares the paths' cost on a busy machine too.
 */
function withCpu(clients: number, runs: readonly MeasuredRun[]): Measured {
  const result = summarize(clients, runs);
  const cpuMs = runs.reduce((sum, run) => sum + run.cpuMs, 0);
  return { ...result, cpuUsPerCall: (cpuMs * 1000) / result.calls };
}

type Measured = LoadResult & { cpuUsPerCall: number };
type Results = Record<PathName, { concurrent: Measured; sequential: Measured }>;

function report(results: Results, oauthPairs: Pairs, modernPairs: Pairs, oauthBursts: Bursts): void {
  const fixed = (value: number, digits = 3) => value.toFixed(digits);
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  console.log(
    `Node ${process.version}, ${availableParallelism()} cores, load average ${load}; ${settings.clients} clients x ${settings.calls} calls x ${settings.rounds} rounds; ` +
      `sequential 1 client x ${settings.seqCalls} calls x ${settings.rounds} rounds; warm-up ${settings.warmup}; tools: ${settings.tools}` +
      `; relay env: ${JSON.stringify(relayEnv)}\n`,
  );
  console.log('| path | scenario | calls | calls/s | p50 ms | p99 ms | mean ms | CPU µs/call |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const name of PATH_NAMES) {
    for (const scenario of ['concurrent', 'sequential'] as const) {
      const r = results[name][scenario];
      const label = scenario === 'concurrent' ? `${r.clients} clients` : '1 client, sequential';
      console.log(
        `| ${name} | ${label} | ${r.calls} | ${fixed(r.callsPerSecond, 0)} | ${fixed(r.p50Ms)} | ${fixed(r.p99Ms)} | ${fixed(r.meanMs)} | ${fixed(r.cpuUsPerCall, 0)} |`,
      );
    }
  }

  const { direct, relay } = results;
  const modern = results['modern-relay'];
  const handler = results['modern-direct'];
  const ratio = relay.concurrent.callsPerSecond / direct.concurrent.callsPerSecond;
  const addedP50 = relay.sequential.p50Ms - direct.sequential.p50Ms;
  const addedP50Concurrent = relay.concurrent.p50Ms - direct.concurrent.p50Ms;
  const modernRatio = modern.concurrent.callsPerSecond / handler.concurrent.callsPerSecond;
  // Taken from the interleaved pairs: the rounds' sequential p50s differ by the load as much as by the hop.
  const modernAddedP50 = p50(modernPairs.secondMs) - p50(modernPairs.firstMs);
  const modernAddedP50Rounds = modern.sequential.p50Ms - handler.sequential.p50Ms;
  const modernAddedP50Concurrent = modern.concurrent.p50Ms - handler.concurrent.p50Ms;
  const modernVsLegacy = modern.concurrent.callsPerSecond / relay.concurrent.callsPerSecond;
  console.log(
    `\nlegacy: throughput relay/direct ${fixed(ratio, 2)}x; added p50 ${fixed(addedP50)} ms sequential, ` +
      `${fixed(addedP50Concurrent)} ms with ${settings.clients} clients` +
      `\nmodern: throughput relay/direct ${fixed(modernRatio, 2)}x; added p50 ${fixed(modernAddedP50)} ms in ${modernPairs.firstMs.length} interleaved pairs ` +
      `(${fixed(p50(modernPairs.secondMs))} against ${fixed(p50(modernPairs.firstMs))} ms), ${fixed(modernAddedP50Rounds)} ms sequential in rounds, ` +
      `${fixed(modernAddedP50Concurrent)} ms with ${settings.clients} clients; through the relay ${fixed(modernVsLegacy, 2)}x legacy's throughput ` +
      `at ${fixed(modern.concurrent.cpuUsPerCall / relay.concurrent.cpuUsPerCall, 2)}x its CPU per call\n`,
  );
  console.log(`BENCH relay_throughput_ratio ${fixed(ratio, 2)} x baseline=${LEGACY_BASELINE} goal=>=0.5`);
  console.log(`BENCH relay_added_p50 ${fixed(addedP50)} ms baseline=${LEGACY_BASELINE} goal=<=1`);
  console.log(
    `BENCH relay_throughput ${fixed(relay.concurrent.callsPerSecond, 0)} calls/s baseline=${LEGACY_BASELINE} goal=>=${fixed(direct.concurrent.callsPerSecond / 2, 0)}`,
  );
  console.log(
    `BENCH direct_throughput ${fixed(direct.concurrent.callsPerSecond, 0)} calls/s baseline=${LEGACY_BASELINE} goal=none`,
  );
  console.log(`BENCH modern_added_p50 ${fixed(modernAddedP50)} ms baseline=${MODERN_BASELINE} goal=<=0.3`);
  console.log(`BENCH modern_vs_legacy_throughput ${fixed(modernVsLegacy, 2)} x baseline=relay-legacy goal=>=1`);
  console.log(
    `BENCH modern_throughput ${fixed(modern.concurrent.callsPerSecond, 0)} calls/s baseline=relay-legacy goal=>=${fixed(relay.concurrent.callsPerSecond, 0)}`,
  );
  console.log(`BENCH modern_throughput_ratio ${fixed(modernRatio, 2)} x baseline=${MODERN_BASELINE} goal=none`);
  console.log(
    `BENCH modern_direct_throughput ${fixed(handler.concurrent.callsPerSecond, 0)} calls/s baseline=${MODERN_BASELINE} goal=none`,
  );
  // A ratio, not added ms: a relayed call's p50 moves with the machine and its load (1.5-3 ms here),
  // so only a share of it means the same everywhere. The added ms (the median of each pair's
  // difference) and the ratio in each quarter of the pairs (how far the two land apart by chance)
  // are printed beside it.
  const oauth = results['oauth-relay'];
  const { firstMs: staticMs, secondMs: oauthMs } = oauthPairs;
  const staticP50 = p50(staticMs);
  const oauthP50 = p50(oauthMs);
  const addedMs = p50(oauthMs.map((ms, i) => ms - staticMs[i]!));
  const quarter = Math.max(1, Math.floor(staticMs.length / 4));
  const quarters = [0, 1, 2, 3]
    .map((q) => [q * quarter, Math.min(staticMs.length, (q + 1) * quarter)] as const)
    .filter(([from, to]) => to > from)
    .map(([from, to]) => p50(oauthMs.subarray(from, to)) / p50(staticMs.subarray(from, to)));
  console.log(
    `\noauth, ${staticMs.length} interleaved pairs: p50 ${fixed(oauthP50)} ms against the static token's ${fixed(staticP50)} ms ` +
      `(pair by pair ${fixed(addedMs)} ms added; by quarter ${quarters.map((r) => fixed(r, 2)).join(' ')}x)` +
      `\noauth, rounds: sequential p50 ${fixed(oauth.sequential.p50Ms)} against ${fixed(relay.sequential.p50Ms)} ms; ` +
      `${fixed(oauth.concurrent.callsPerSecond, 0)} against ${fixed(relay.concurrent.callsPerSecond, 0)} calls/s with ${settings.clients} clients ` +
      `at ${fixed(oauth.concurrent.cpuUsPerCall / relay.concurrent.cpuUsPerCall, 2)}x its CPU per call`,
  );
  console.log(`BENCH oauth_vs_static_p50 ${fixed(oauthP50 / staticP50, 2)} x baseline=static-token goal=<=1.05`);
  console.log(`BENCH oauth_added_p50 ${fixed(addedMs)} ms baseline=static-token goal=none`);
  const median = (values: readonly number[]) => p50(Float64Array.from(values));
  const burstRatio = median(oauthBursts.secondPerSecond) / median(oauthBursts.firstPerSecond);
  console.log(
    `oauth, ${oauthBursts.firstPerSecond.length} interleaved bursts of ${settings.clients} clients x ${BURST_CALLS_PER_CLIENT} calls: ` +
      `median ${fixed(median(oauthBursts.secondPerSecond), 0)} against ${fixed(median(oauthBursts.firstPerSecond), 0)} calls/s`,
  );
  console.log(`BENCH oauth_vs_static_throughput ${fixed(burstRatio, 2)} x baseline=static-token goal=>=0.95`);
}

await main();
