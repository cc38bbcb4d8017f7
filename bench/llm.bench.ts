/**
 * `pnpm bench:llm`: what the relay's LLM gateway adds to a streamed answer. The OpenAI-format
 * stand-in (tests/support/llmStandIns) streams the same answer along two paths:
 *
 *   relay:  fetch -> relay POST /llm/chat (auth, limits, router, adapter) -> stand-in
 *   direct: fetch -> stand-in POST /v1/chat/completions (the baseline)
 *
 * As in use, each runs in a process of its own (bench/serverProcess.ts): the stand-in in one,
 * the relay in another, and the clients (with the Node "tab" that holds the llmKey) in this one,
 * so the relay's CPU is its own. Each delta's text is the time the stand-in wrote it on a clock
 * the processes share, so besides time to first token (TTFT) and total time, the benchmark
 * measures how late each delta arrives after it was sent: a gateway that buffered deltas would
 * show it there. Scenarios: one stream at a time, and 64 concurrent streams; rounds alternate
 * which path goes first, after a warm-up of both. Each process's CPU time, event-loop busy time
 * and event-loop delay are recorded per path, to show what limits the concurrent case.
 *
 * Options, as `--name=value` or `BENCH_NAME`: streams per round at concurrency 1 (40),
 * concurrent (64), rounds (2), deltas per answer (20), delay-ms between deltas (10: 100 tokens
 * per second, about what hosted models stream).
 */
import { availableParallelism, loadavg } from 'node:os';
import { startNodeHost } from '../tests/support/relay.ts';
import { readSse } from '../tests/support/sse.ts';
import { percentile } from './load.ts';
import { sharedClockMs, startServerProcess, startUsageMeter, type ProcessUsage } from './serverProcess.ts';
import { intOption } from './options.ts';

const BASELINE = 'direct-to-stand-in';
/** The bench's stand-in takes any key; the relay sends this one, and so does the direct path. */
const PROVIDER_KEY = 'sk-bench-standin-key';

const settings = {
  streams: intOption('streams', 40),
  concurrent: intOption('concurrent', 64),
  rounds: intOption('rounds', 2),
  deltas: intOption('deltas', 20),
  delayMs: intOption('delay-ms', 10),
};

type PathName = 'direct' | 'relay';
type ProcessName = 'clients' | 'relay' | 'standIn';

interface StreamTiming {
  ttftMs: number;
  totalMs: number;
  /** Per delta: arrival time minus the time the stand-in wrote it. */
  lagsMs: number[];
  /** From the last delta to the end of the stream (the finish event, or [DONE] and the end of the body). */
  tailMs: number;
}

/** One run of a scenario on one path: its streams, and what each process spent meanwhile. */
interface Run {
  timings: StreamTiming[];
  usage: Record<ProcessName, ProcessUsage>;
}

const standIn = await startServerProcess('llm-stand-in', {
  llmReply: { deltas: settings.deltas, delayMs: settings.delayMs },
});
const relay = await startServerProcess('relay', {
  env: {
    OPENAI_API_KEY: PROVIDER_KEY,
    VIAL_LLM_OPENAI_BASE_URL: standIn.url,
    VIAL_LLM_HOST_REQUESTS_PER_MIN: '0',
    VIAL_LLM_HOST_DAILY_BUDGET_USD: '0',
    VIAL_LLM_IDLE_TIMEOUT_MS: '10000',
  },
});
const tab = await startNodeHost(relay.url, { packs: [] });
const llmKey = tab.status.state === 'online' ? tab.status.llmKey : undefined;
if (!llmKey) throw new Error('the relay gave the tab no llmKey in its registered frame');
const clientUsage = startUsageMeter();

const messages = [{ role: 'user' as const, content: 'Count for me' }];
const relayBody = JSON.stringify({ model: 'openai:gpt-4o-mini', messages });
/** The body the relay itself sends upstream, so both paths ask the stand-in for the same thing. */
const directBody = JSON.stringify({
  model: 'gpt-4o-mini',
  messages,
  stream: true,
  stream_options: { include_usage: true },
});

async function streamOnce(path: PathName): Promise<StreamTiming> {
  const started = performance.now();
  const response =
    path === 'relay'
      ? await fetch(`${relay.url}/llm/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${llmKey}` },
          body: relayBody,
        })
      : await fetch(`${standIn.url}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${PROVIDER_KEY}` },
          body: directBody,
        });
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  let ttftMs = Number.NaN;
  const lagsMs: number[] = [];
  let ended = false;
  let lastDeltaAt = Number.NaN;
  for await (const event of readSse(response)) {
    const now = performance.now();
    const text = path === 'relay' ? relayDelta(event.data) : directDelta(event.data);
    if (text === 'end') ended = true;
    if (typeof text !== 'string' || text === 'end') continue;
    if (Number.isNaN(ttftMs)) ttftMs = now - started;
    lagsMs.push(sharedClockMs() - Number(text));
    lastDeltaAt = now;
  }
  if (!ended || lagsMs.length !== settings.deltas) {
    throw new Error(`${path}: the stream ended early (${lagsMs.length} of ${settings.deltas} deltas)`);
  }
  const endedAt = performance.now();
  return { ttftMs, totalMs: endedAt - started, lagsMs, tailMs: endedAt - lastDeltaAt };
}

function relayDelta(data: string): string | undefined {
  const event = JSON.parse(data) as { type: string; text?: string };
  if (event.type === 'finish') return 'end';
  if (event.type === 'error') throw new Error(`relay stream failed: ${data}`);
  return event.type === 'delta' ? event.text : undefined;
}

function directDelta(data: string): string | undefined {
  if (data === '[DONE]') return 'end';
  const chunk = JSON.parse(data) as { choices?: Array<{ delta?: { content?: string } }> };
  return chunk.choices?.[0]?.delta?.content || undefined;
}

async function runScenario(path: PathName, concurrency: number, streams: number): Promise<Run> {
  // Each process's usage counts from here (the readings before are discarded).
  await Promise.all([relay.usage(), standIn.usage()]);
  clientUsage();
  const timings: StreamTiming[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < streams) {
        next++;
        timings.push(await streamOnce(path));
      }
    }),
  );
  const [relayUsage, standInUsage] = await Promise.all([relay.usage(), standIn.usage()]);
  return { timings, usage: { clients: clientUsage(), relay: relayUsage, standIn: standInUsage } };
}

interface Summary {
  streams: number;
  ttftP50: number;
  ttftP99: number;
  totalP50: number;
  lagP50: number;
  lagP99: number;
  tailP50: number;
  usage: Record<ProcessName, PooledUsage>;
}

interface PooledUsage {
  cpuMsPerStream: number;
  /** Share of the runs' wall time the process's event loop was busy. */
  busyShare: number;
  /** The worst run's p99 and maximum event-loop delay. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** CPU time over wall time: how many of the machine's cores the process used. */
  cores: number;
}

function summarize(runs: Run[]): Summary {
  const timings = runs.flatMap((run) => run.timings);
  const sorted = (values: number[]) => values.sort((a, b) => a - b);
  const ttft = sorted(timings.map((t) => t.ttftMs));
  const total = sorted(timings.map((t) => t.totalMs));
  const lag = sorted(timings.flatMap((t) => t.lagsMs));
  const pool = (which: ProcessName): PooledUsage => {
    const usages = runs.map((run) => run.usage[which]);
    const sum = (pick: (usage: ProcessUsage) => number) => usages.reduce((total, usage) => total + pick(usage), 0);
    const wallMs = sum((usage) => usage.wallMs);
    return {
      cpuMsPerStream: sum((usage) => usage.cpuMs) / timings.length,
      busyShare: sum((usage) => usage.busyMs) / wallMs,
      loopDelayP99Ms: Math.max(...usages.map((usage) => usage.loopDelayP99Ms)),
      loopDelayMaxMs: Math.max(...usages.map((usage) => usage.loopDelayMaxMs)),
      cores: sum((usage) => usage.cpuMs) / wallMs,
    };
  };
  return {
    streams: timings.length,
    ttftP50: percentile(ttft, 50),
    ttftP99: percentile(ttft, 99),
    totalP50: percentile(total, 50),
    lagP50: percentile(lag, 50),
    lagP99: percentile(lag, 99),
    tailP50: percentile(sorted(timings.map((t) => t.tailMs)), 50),
    usage: { clients: pool('clients'), relay: pool('relay'), standIn: pool('standIn') },
  };
}

const scenarios = [
  { name: 'c1', concurrency: 1, streams: settings.streams },
  { name: `c${settings.concurrent}`, concurrency: settings.concurrent, streams: settings.concurrent * 4 },
];

try {
  for (const path of ['direct', 'relay'] as const) {
    await runScenario(path, 1, 20);
    await runScenario(path, settings.concurrent, settings.concurrent);
  }
  const results: Record<string, Record<PathName, Run[]>> = {};
  for (let round = 0; round < settings.rounds; round++) {
    const order: PathName[] = round % 2 === 0 ? ['direct', 'relay'] : ['relay', 'direct'];
    for (const scenario of scenarios) {
      results[scenario.name] ??= { direct: [], relay: [] };
      for (const path of order) {
        results[scenario.name]![path].push(await runScenario(path, scenario.concurrency, scenario.streams));
      }
    }
  }
  report(
    Object.fromEntries(
      Object.entries(results).map(([name, paths]) => [
        name,
        { direct: summarize(paths.direct), relay: summarize(paths.relay) },
      ]),
    ),
  );
} finally {
  tab.stop();
  await Promise.all([relay.close(), standIn.close()]);
}

function report(results: Record<string, Record<PathName, Summary>>): void {
  const fixed = (value: number) => value.toFixed(3);
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  console.log(
    `Node ${process.version}, ${availableParallelism()} cores, load average ${load}; ${settings.rounds} rounds; ` +
      `${settings.deltas} deltas per answer, ${settings.delayMs} ms apart; c1: ${settings.streams} streams one at a time per round; ` +
      `c${settings.concurrent}: ${settings.concurrent * 4} streams, ${settings.concurrent} at a time, per round; ` +
      'clients, relay and stand-in in three processes\n',
  );
  console.log(
    '| scenario | path | streams | TTFT p50 ms | TTFT p99 ms | total p50 ms | delta lag p50 ms | delta lag p99 ms | last delta to end p50 ms |',
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, paths] of Object.entries(results)) {
    for (const path of ['direct', 'relay'] as const) {
      const r = paths[path];
      console.log(
        `| ${name} | ${path} | ${r.streams} | ${fixed(r.ttftP50)} | ${fixed(r.ttftP99)} | ${fixed(r.totalP50)} | ${fixed(r.lagP50)} | ${fixed(r.lagP99)} | ${fixed(r.tailP50)} |`,
      );
    }
  }
  console.log('\nWhere the CPU went, per process, during the measured runs:\n');
  console.log(
    '| scenario | path | process | CPU ms per stream | cores used | event loop busy % | loop delay p99 ms | loop delay max ms |',
  );
  console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, paths] of Object.entries(results)) {
    for (const path of ['direct', 'relay'] as const) {
      for (const [which, u] of Object.entries(paths[path].usage)) {
        console.log(
          `| ${name} | ${path} | ${which} | ${fixed(u.cpuMsPerStream)} | ${u.cores.toFixed(2)} | ${(u.busyShare * 100).toFixed(1)} | ${fixed(u.loopDelayP99Ms)} | ${fixed(u.loopDelayMaxMs)} |`,
        );
      }
    }
  }
  console.log('');
  for (const [name, { direct, relay }] of Object.entries(results)) {
    console.log(
      `BENCH llm_added_ttft_p50_${name} ${fixed(relay.ttftP50 - direct.ttftP50)} ms baseline=${BASELINE} goal=<=1`,
    );
    console.log(
      `BENCH llm_added_total_p50_${name} ${fixed(relay.totalP50 - direct.totalP50)} ms baseline=${BASELINE} goal=<=1`,
    );
    console.log(
      `BENCH llm_added_delta_lag_p50_${name} ${fixed(relay.lagP50 - direct.lagP50)} ms baseline=${BASELINE} goal=<=1`,
    );
    console.log(
      `BENCH llm_relay_cpu_per_stream_${name} ${fixed(relay.usage.relay.cpuMsPerStream)} ms baseline=none goal=record`,
    );
  }
}
