/**
 * `pnpm bench:load`: many SDK client sessions calling through a real relay at once, with every
 * answer checked. 64 clients make 500 calls each, one after another per client; every fourth is
 * `bench_slow` (three 2 ms waits, a progress notification after each, the client listening with
 * `onprogress`), the rest `bench_echo`. Each call carries an id of its own, and a call counts as
 *
 *   lost        if it fails or never answers,
 *   mismatched  if its result is not exactly its id,
 *   progress    if it is a `bench_slow` that got other than `steps` progress notifications,
 *   duplicated  if the client is handed a response or progress notification for a request it is
 *               no longer waiting on (the SDK reports those through `onerror`).
 *
 * Any of these makes the run exit non-zero. The same load runs against the SDK's own server
 * (bench/directServer.ts), the latency baseline, in rounds that alternate with the relay's. The
 * servers run in child processes (bench/serverProcess.ts): the direct server in one; the relay
 * and the Node host (the "tab") in one each, as they would be in use. So the relay's memory
 * figures are the relay's alone, and this process runs only the clients on both paths.
 *
 * Options, as `--name=value` or `BENCH_NAME` in the environment: clients (64), calls per client
 * (500, split over `rounds` rounds, 4, that alternate which path goes first), warmup calls per
 * client (20), slow-every (4), slow-steps (3), slow-step-ms (2).
 * `VIAL_*` variables configure the relay; its token rate limit is off unless `VIAL_TOKEN_RATE` is
 * set, because this measures forwarding, and the default 5000 calls/s could be reached on a fast
 * machine; its sessions per token and per host are raised to the client count, because every
 * client here shares one token (the defaults, 32 and 64, are for hosts open to strangers).
 */
import { availableParallelism, loadavg } from 'node:os';
import type { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { connectClient } from '../tests/support/relay.ts';
import { liftAbortListenerLimit, percentile } from './load.ts';
import { startServerProcess, type ServerMemory } from './serverProcess.ts';
import { intOption } from './options.ts';

const BASELINE = 'sdk-direct-streamable-http';
const MiB = 1024 * 1024;

const settings = {
  clients: intOption('clients', 64),
  calls: intOption('calls', 500),
  warmup: intOption('warmup', 20),
  rounds: intOption('rounds', 4, 1),
  slowEvery: intOption('slow-every', 4, 1),
  slowSteps: intOption('slow-steps', 3, 1),
  slowStepMs: intOption('slow-step-ms', 2),
};

const relayEnv = {
  VIAL_TOKEN_RATE: '0',
  VIAL_MAX_SESSIONS_PER_TOKEN: String(Math.max(settings.clients, 32)),
  VIAL_MAX_SESSIONS_PER_HOST: String(Math.max(settings.clients, 64)),
  ...Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[0].startsWith('VIAL_') && !!entry[1],
    ),
  ),
};

type ToolName = 'bench_echo' | 'bench_slow';

/** What went wrong, counted, with the first few examples kept for the report. */
class Faults {
  lost = 0;
  mismatched = 0;
  progress = 0;
  duplicated = 0;
  /** Progress notifications the slow calls got, and should have got. */
  progressSeen = 0;
  progressExpected = 0;
  readonly examples: string[] = [];

  note(kind: 'lost' | 'mismatched' | 'progress' | 'duplicated', detail: string): void {
    this[kind]++;
    if (this.examples.length < 10) this.examples.push(`${kind}: ${detail}`);
  }

  get total(): number {
    return this.lost + this.mismatched + this.progress + this.duplicated;
  }
}

interface PathRun {
  seconds: number;
  latencies: Record<ToolName, number[]>;
}

/** One call with its own id, checked: the result must be exactly the id, with every progress step. */
async function checkedCall(client: Client, id: string, tool: ToolName, faults: Faults): Promise<void> {
  let progressSeen = 0;
  try {
    const result =
      tool === 'bench_slow'
        ? await client.callTool(
            { name: tool, arguments: { id, steps: settings.slowSteps, stepMs: settings.slowStepMs } },
            { onprogress: () => progressSeen++ },
          )
        : await client.callTool({ name: tool, arguments: { text: id } });
    const content = result.content as { type: string; text?: string }[];
    if (result.isError || content.length !== 1 || content[0]?.text !== id) {
      faults.note('mismatched', `${id} answered ${JSON.stringify(result).slice(0, 200)}`);
    }
    if (tool === 'bench_slow') {
      faults.progressSeen += progressSeen;
      faults.progressExpected += settings.slowSteps;
      if (progressSeen !== settings.slowSteps) {
        faults.note('progress', `${id} got ${progressSeen} progress notifications, not ${settings.slowSteps}`);
      }
    }
  } catch (error) {
    faults.note('lost', `${id}: ${String(error).slice(0, 200)}`);
  }
}

/** Every client makes `calls` calls in sequence, the clients all at once. */
/** Every client makes its calls `from` to `to - 1` one after another; the clients all at once. */
async function runLoad(
  clients: readonly Client[],
  label: string,
  from: number,
  to: number,
  faults: Faults,
): Promise<PathRun> {
  const latencies: Record<ToolName, number[]> = { bench_echo: [], bench_slow: [] };
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, c) => {
      for (let i = from; i < to; i++) {
        const tool: ToolName = i % settings.slowEvery === settings.slowEvery - 1 ? 'bench_slow' : 'bench_echo';
        const t0 = performance.now();
        await checkedCall(client, `${label}/${c}/${i}`, tool, faults);
        latencies[tool].push(performance.now() - t0);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latencies };
}

async function connectMany(url: string, token: string, name: string, faults: Faults): Promise<Client[]> {
  const clients = await Promise.all(
    Array.from({ length: settings.clients }, (_, i) => connectClient(url, token, `${name}-${i}`)),
  );
  for (const client of clients) {
    liftAbortListenerLimit(client);
    client.onerror = (error) => {
      if (/unknown (message ID|token)/.test(error.message)) faults.note('duplicated', error.message.slice(0, 200));
    };
  }
  return clients;
}

/** Ends each session with DELETE (as a well-behaved client does), then closes the client. */
async function closeAll(clients: readonly Client[]): Promise<void> {
  await Promise.all(
    clients.map(async (client) => {
      await (client.transport as StreamableHTTPClientTransport | undefined)?.terminateSession().catch(() => undefined);
      await client.close();
    }),
  );
}

interface PathResult {
  calls: number;
  callsPerSecond: number;
  p50: Record<ToolName | 'all', number>;
  p99: Record<ToolName | 'all', number>;
}

/** Pools a path's rounds: throughput over their summed time, latency over all their calls. */
function summarize(runs: readonly PathRun[]): PathResult {
  const seconds = runs.reduce((sum, run) => sum + run.seconds, 0);
  const of = (tool: ToolName) => runs.flatMap((run) => run.latencies[tool]);
  const sorted = {
    bench_echo: of('bench_echo').sort((a, b) => a - b),
    bench_slow: of('bench_slow').sort((a, b) => a - b),
    all: [...of('bench_echo'), ...of('bench_slow')].sort((a, b) => a - b),
  };
  const at = (p: number) => ({
    all: percentile(sorted.all, p),
    bench_echo: percentile(sorted.bench_echo, p),
    bench_slow: percentile(sorted.bench_slow, p),
  });
  return { calls: sorted.all.length, callsPerSecond: sorted.all.length / seconds, p50: at(50), p99: at(99) };
}

async function main(): Promise<number> {
  const faults = new Faults();
  const direct = await startServerProcess('direct');
  const relay = await startServerProcess('relay', { env: relayEnv });
  const host = await startServerProcess('host', { relayUrl: relay.url });
  const idle = await relay.memory();
  const paths = [
    { name: 'direct', clients: await connectMany(direct.url, 'unused', 'load-direct', faults), runs: [] as PathRun[] },
    { name: 'relay', clients: await connectMany(host.url, host.token!, 'load-relay', faults), runs: [] as PathRun[] },
  ];

  for (const path of paths) await runLoad(path.clients, `${path.name}-warmup`, 0, settings.warmup, faults);
  // Rounds alternate which path goes first, so that other work on the machine weighs on both alike.
  for (let round = 0; round < settings.rounds; round++) {
    const from = Math.floor((settings.calls * round) / settings.rounds);
    const to = Math.floor((settings.calls * (round + 1)) / settings.rounds);
    for (const path of round % 2 === 0 ? paths : [...paths].reverse()) {
      path.runs.push(await runLoad(path.clients, path.name, from, to, faults));
    }
  }
  const loaded = await relay.memory();
  for (const path of paths) await closeAll(path.clients);
  const closed = await relay.memory();
  await Promise.all([direct.close(), host.close()]);
  await relay.close();

  report(summarize(paths[0]!.runs), summarize(paths[1]!.runs), { idle, loaded, closed }, faults);
  return faults.total === 0 ? 0 : 1;
}

function report(
  direct: PathResult,
  relay: PathResult,
  memory: Record<'idle' | 'loaded' | 'closed', ServerMemory>,
  faults: Faults,
): void {
  const ms = (value: number) => value.toFixed(2);
  const mib = (bytes: number) => (bytes / MiB).toFixed(1);
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  console.log(
    `Node ${process.version}, ${availableParallelism()} cores, load average ${load}; ${settings.clients} clients x ${settings.calls} calls` +
      ` in ${settings.rounds} rounds (+${settings.warmup} warm-up), every ${settings.slowEvery}th bench_slow (${settings.slowSteps} x ${settings.slowStepMs} ms, progress after each)` +
      `; relay env: ${JSON.stringify(relayEnv)}\n`,
  );
  console.log('| path | calls | calls/s | p50 ms | p99 ms | echo p50 | echo p99 | slow p50 | slow p99 |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, r] of [
    ['direct', direct],
    ['relay', relay],
  ] as const) {
    console.log(
      `| ${name} | ${r.calls} | ${r.callsPerSecond.toFixed(0)} | ${ms(r.p50.all)} | ${ms(r.p99.all)} | ` +
        `${ms(r.p50.bench_echo)} | ${ms(r.p99.bench_echo)} | ${ms(r.p50.bench_slow)} | ${ms(r.p99.bench_slow)} |`,
    );
  }
  console.log('\nRelay process memory (after two full GCs):\n');
  console.log('| when | RSS MiB | heap used MiB |');
  console.log('| --- | ---: | ---: |');
  console.log(`| idle, host connected | ${mib(memory.idle.rss)} | ${mib(memory.idle.heapUsed)} |`);
  console.log(
    `| after the load, ${settings.clients} sessions open | ${mib(memory.loaded.rss)} | ${mib(memory.loaded.heapUsed)} |`,
  );
  console.log(`| sessions ended (DELETE) | ${mib(memory.closed.rss)} | ${mib(memory.closed.heapUsed)} |`);
  console.log(
    `\nfaults (both paths, warm-up included): lost ${faults.lost}, mismatched ${faults.mismatched}, ` +
      `progress ${faults.progress} (${faults.progressSeen} of ${faults.progressExpected} notifications received), ` +
      `duplicated ${faults.duplicated}`,
  );
  for (const example of faults.examples) console.log(`  ${example}`);

  // RSS keeps the allocator's high-water mark after the sessions end; the heap is the leak check.
  const openGrowth = (memory.loaded.rss - memory.idle.rss) / MiB;
  const rssGrowth = (memory.closed.rss - memory.idle.rss) / MiB;
  const heapGrowth = (memory.closed.heapUsed - memory.idle.heapUsed) / MiB;
  console.log('');
  console.log(`BENCH load_lost ${faults.lost} calls baseline=none goal=0`);
  console.log(`BENCH load_mismatched ${faults.mismatched} calls baseline=none goal=0`);
  console.log(`BENCH load_progress_mismatched ${faults.progress} calls baseline=none goal=0`);
  console.log(`BENCH load_duplicated ${faults.duplicated} responses baseline=none goal=0`);
  console.log(
    `BENCH load_throughput ${relay.callsPerSecond.toFixed(0)} calls/s baseline=${BASELINE} goal=>=${(direct.callsPerSecond / 2).toFixed(0)}`,
  );
  console.log(`BENCH load_p50 ${ms(relay.p50.all)} ms baseline=${BASELINE} goal=<=${ms(direct.p50.all * 2)}`);
  console.log(`BENCH load_p99 ${ms(relay.p99.all)} ms baseline=${BASELINE} goal=<=${ms(direct.p99.all * 2)}`);
  console.log(`BENCH load_p99_ratio ${(relay.p99.all / direct.p99.all).toFixed(2)} x baseline=${BASELINE} goal=<=2`);
  console.log(`BENCH load_direct_p99 ${ms(direct.p99.all)} ms baseline=${BASELINE} goal=none`);
  console.log(`BENCH load_rss_open_sessions ${openGrowth.toFixed(1)} MiB baseline=relay_idle goal=record`);
  console.log(`BENCH load_rss_growth ${rssGrowth.toFixed(1)} MiB baseline=relay_idle goal=<=64`);
  console.log(`BENCH load_heap_growth ${heapGrowth.toFixed(1)} MiB baseline=relay_idle goal=<=8`);
}

process.exitCode = await main();
