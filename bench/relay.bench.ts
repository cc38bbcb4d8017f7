/**
 * `pnpm bench:relay`: what the relay costs a tools/call. The same SDK clients call the same
 * `bench_echo` tool (same `ToolRegistry.createServer`) along two paths, in one run:
 *
 *   relay:  Client -> relay HTTP -> WebSocket -> Node HostRuntime -> McpServer
 *   direct: Client -> SDK StreamableHTTPServerTransport on node:http -> McpServer
 *
 * Each scenario (N concurrent clients; one client calling in sequence) runs in rounds that
 * alternate which path goes first, after a warm-up of both. Everything runs in this one
 * process, so throughput compares the CPU each path spends per call.
 *
 * Options, as `--name=value` or `BENCH_NAME` in the environment: clients (8), calls per client
 * per round (200), seq-calls per round (600), warmup calls per client (200), rounds (4).
 * `VIAL_*` variables in the environment configure the relay, e.g. `VIAL_EVENT_BUFFER=0`.
 */
import { availableParallelism, loadavg } from 'node:os';
import type { Client } from '@modelcontextprotocol/client';
import { connectClient, startNodeHost, startRelay } from '../tests/support/relay.ts';
import { ToolRegistry } from '../web/src/server/toolRegistry.ts';
import { startDirectServer } from './directServer.ts';
import { benchPack } from './echoPack.ts';
import { liftAbortListenerLimit, runLoad, summarize, type LoadResult, type LoadRun } from './load.ts';
import { intOption } from './options.ts';

const BASELINE = 'sdk-direct-streamable-http';

const settings = {
  clients: intOption('clients', 8, 1),
  calls: intOption('calls', 200, 1),
  seqCalls: intOption('seq-calls', 600, 1),
  warmup: intOption('warmup', 200, 1),
  rounds: intOption('rounds', 4, 1),
};

/** Relay settings from the environment; the benchmark's own relay otherwise runs with defaults. */
const relayEnv = Object.fromEntries(
  Object.entries(process.env).filter((entry): entry is [string, string] => entry[0].startsWith('VIAL_') && !!entry[1]),
);

type PathName = 'direct' | 'relay';
interface Path {
  name: PathName;
  clients: Client[];
}

async function connectMany(url: string, token: string, count: number, name: string): Promise<Client[]> {
  const clients = await Promise.all(Array.from({ length: count }, (_, i) => connectClient(url, token, `${name}-${i}`)));
  clients.forEach(liftAbortListenerLimit);
  return clients;
}

async function main(): Promise<void> {
  const relay = await startRelay(relayEnv);
  const host = await startNodeHost(relay.url, { packs: [benchPack] });
  const { token } = await host.mintToken({ name: 'bench', scopes: [] });
  const direct = await startDirectServer(new ToolRegistry([benchPack]));
  const paths: Path[] = [
    { name: 'direct', clients: await connectMany(direct.url, 'unused', settings.clients, 'bench-direct') },
    { name: 'relay', clients: await connectMany(host.mcpUrl!, token, settings.clients, 'bench-relay') },
  ];

  try {
    for (const path of paths) await runLoad(path.clients, settings.warmup);
    for (const path of paths) await runLoad(path.clients.slice(0, 1), settings.warmup);

    const concurrent: Record<PathName, LoadRun[]> = { direct: [], relay: [] };
    const sequential: Record<PathName, LoadRun[]> = { direct: [], relay: [] };
    for (let round = 0; round < settings.rounds; round++) {
      const order = round % 2 === 0 ? paths : [...paths].reverse();
      for (const path of order) concurrent[path.name].push(await runLoad(path.clients, settings.calls));
      for (const path of order) sequential[path.name].push(await runLoad(path.clients.slice(0, 1), settings.seqCalls));
    }
    const summary = (name: PathName) => ({
      concurrent: summarize(settings.clients, concurrent[name]),
      sequential: summarize(1, sequential[name]),
    });
    report({ direct: summary('direct'), relay: summary('relay') });
  } finally {
    await Promise.all(paths.flatMap((path) => path.clients.map((client) => client.close())));
    host.stop();
    await relay.close();
    await direct.close();
  }
}

type Results = Record<PathName, { concurrent: LoadResult; sequential: LoadResult }>;

function report(results: Results): void {
  const fixed = (value: number, digits = 3) => value.toFixed(digits);
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  console.log(
    `Node ${process.version}, ${availableParallelism()} cores, load average ${load}; ${settings.clients} clients x ${settings.calls} calls x ${settings.rounds} rounds; ` +
      `sequential 1 client x ${settings.seqCalls} calls x ${settings.rounds} rounds; warm-up ${settings.warmup}` +
      `; relay env: ${JSON.stringify(relayEnv)}\n`,
  );
  console.log('| path | scenario | calls | calls/s | p50 ms | p99 ms | mean ms |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const name of ['direct', 'relay'] as const) {
    for (const scenario of ['concurrent', 'sequential'] as const) {
      const r = results[name][scenario];
      const label = scenario === 'concurrent' ? `${r.clients} clients` : '1 client, sequential';
      console.log(
        `| ${name} | ${label} | ${r.calls} | ${fixed(r.callsPerSecond, 0)} | ${fixed(r.p50Ms)} | ${fixed(r.p99Ms)} | ${fixed(r.meanMs)} |`,
      );
    }
  }

  const { direct, relay } = results;
  const ratio = relay.concurrent.callsPerSecond / direct.concurrent.callsPerSecond;
  const addedP50 = relay.sequential.p50Ms - direct.sequential.p50Ms;
  const addedP50Concurrent = relay.concurrent.p50Ms - direct.concurrent.p50Ms;
  console.log(
    `\nthroughput relay/direct: ${fixed(ratio, 2)}x; added p50: ${fixed(addedP50)} ms sequential, ` +
      `${fixed(addedP50Concurrent)} ms with ${settings.clients} clients\n`,
  );
  console.log(`BENCH relay_throughput_ratio ${fixed(ratio, 2)} x baseline=${BASELINE} goal=>=0.5`);
  console.log(`BENCH relay_added_p50 ${fixed(addedP50)} ms baseline=${BASELINE} goal=<=1`);
  console.log(
    `BENCH relay_throughput ${fixed(relay.concurrent.callsPerSecond, 0)} calls/s baseline=${BASELINE} goal=>=${fixed(direct.concurrent.callsPerSecond / 2, 0)}`,
  );
  console.log(
    `BENCH direct_throughput ${fixed(direct.concurrent.callsPerSecond, 0)} calls/s baseline=${BASELINE} goal=none`,
  );
}

await main();
