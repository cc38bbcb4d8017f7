/**
 * `pnpm bench:llm`: what the relay's LLM gateway adds to a streamed answer. The OpenAI-format
 * stand-in (tests/support/llmStandIns) streams the same answer along three paths:
 *
 *   direct: client -> stand-in POST /v1/chat/completions (the baseline)
 *   pipe:   client -> bench/pipeProxy.ts (forwards bytes, reads nothing) -> stand-in
 *   relay:  client -> relay POST /llm/chat (auth, limits, router, adapter) -> stand-in
 *
 * The pipe is the floor for any proxy: what two more hops between processes cost on this
 * machine. Relay minus direct is the headline; relay minus pipe is the relay's own work.
 * `--pipe=sse` makes the pipe read each event and write it again as the relay does (SSE parsing,
 * JSON in and out), the floor for a gateway that normalises streams.
 *
 * As in use, each runs in a process of its own (bench/serverProcess.ts): the stand-in, the
 * relay, the pipe, and the clients (node:http, bench/sseClient.ts, with the Node "tab" that
 * holds the llmKey) in this one. Each delta's text is the time the
 * stand-in wrote it on a clock the processes share, so besides time to first token (TTFT) and
 * total time, the benchmark measures how late each delta arrives after it was sent: a gateway
 * that buffered deltas would show it there. Scenarios: one stream at a time; 64 concurrent
 * streams whose first requests are spread over one answer's length (as independent tabs ask);
 * and the same 64 all asking in the same millisecond (`_burst`). Rounds rotate which path goes
 * first, after a warm-up of each. Each process's CPU time (and its kernel share), event-loop
 * busy time and event-loop delay are recorded per path, to show what limits the concurrent case.
 * One at a time, the relay and the pipe also report their "handoff" (bench/handoffMeter.ts): the
 * time from a request arriving to the request upstream leaving, their own part of the TTFT.
 *
 * The warm-up is long (2000 streams per path) because V8 optimises code function by function as
 * it runs, and code that runs once per request (the relay's request handling, Node's own http
 * code) ran unoptimised for about the first thousand requests: the relay's handoff took about
 * 0.3 ms longer until then (bench/RESULTS.md, "Early and warm"). Those first requests are
 * measured too, as `c1_early`: one stream at a time after a short warm-up (84 streams per path),
 * as a relay that has just started sees them.
 *
 * Options, as `--name=value` or `BENCH_NAME`: pipe (bytes or sse), streams per round at
 * concurrency 1 (40), concurrent (64), rounds (3), deltas per answer (20), delay-ms between
 * deltas (10: 100 tokens per second, about what hosted models stream), warmup (2000 streams per
 * path, `concurrent` at a time).
 */
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { startNodeHost } from '../tests/support/relay.ts';
import { percentile } from './load.ts';
import { sharedClockMs, startServerProcess, startUsageMeter, type ProcessUsage } from './serverProcess.ts';
import { choiceOption, intOption } from './options.ts';
import { PIPE_MODES } from './pipeProxy.ts';
import { postSse } from './sseClient.ts';

const BASELINE = 'direct-to-stand-in';
/** The bench's stand-in takes any key; the relay sends this one, and so does the direct path. */
const PROVIDER_KEY = 'sk-bench-standin-key';

const settings = {
  pipe: choiceOption('pipe', PIPE_MODES, 'bytes'),
  streams: intOption('streams', 40),
  concurrent: intOption('concurrent', 64),
  // One round per path: each path goes first once, and none always runs right after the same one.
  rounds: intOption('rounds', 3),
  deltas: intOption('deltas', 20),
  delayMs: intOption('delay-ms', 10),
  warmup: intOption('warmup', 2000),
};

const PATHS = ['direct', 'pipe', 'relay'] as const;
type PathName = (typeof PATHS)[number];
const PROCESSES = ['clients', 'relay', 'pipe', 'standIn'] as const;
type ProcessName = (typeof PROCESSES)[number];
/** The processes a path's streams go through (the others idle meanwhile). */
const PROCESSES_ON: Record<PathName, ProcessName[]> = {
  direct: ['clients', 'standIn'],
  pipe: ['clients', 'pipe', 'standIn'],
  relay: ['clients', 'relay', 'standIn'],
};

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
  measureHandoff: true,
  env: {
    OPENAI_API_KEY: PROVIDER_KEY,
    VIAL_LLM_OPENAI_BASE_URL: standIn.url,
    VIAL_LLM_HOST_REQUESTS_PER_MIN: '0',
    VIAL_LLM_HOST_DAILY_BUDGET_USD: '0',
    VIAL_LLM_IDLE_TIMEOUT_MS: '10000',
  },
});
const pipe = await startServerProcess('pipe-proxy', {
  targetUrl: standIn.url,
  pipeMode: settings.pipe,
  measureHandoff: true,
});
/** How BENCH lines name the pipe they compare with. */
const PIPE_NAME = settings.pipe === 'bytes' ? 'pipe-proxy' : 'sse-pipe-proxy';
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
  let ttftMs = Number.NaN;
  const lagsMs: number[] = [];
  let ended = false;
  let lastDeltaAt = Number.NaN;
  const onEvent = (data: string) => {
    const now = performance.now();
    const text = path === 'relay' ? relayDelta(data) : directDelta(data);
    if (text === 'end') ended = true;
    if (typeof text !== 'string' || text === 'end') return;
    if (Number.isNaN(ttftMs)) ttftMs = now - started;
    lagsMs.push(sharedClockMs() - Number(text));
    lastDeltaAt = now;
  };
  if (path === 'relay') {
    await postSse(`${relay.url}/llm/chat`, { authorization: `Bearer ${llmKey}` }, relayBody, onEvent);
  } else {
    const base = path === 'pipe' ? pipe.url : standIn.url;
    await postSse(`${base}/chat/completions`, { authorization: `Bearer ${PROVIDER_KEY}` }, directBody, onEvent);
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

interface Scenario {
  name: string;
  concurrency: number;
  streams: number;
  /** Over how many ms the concurrent clients make their first requests (0: all at once). */
  spreadMs: number;
}

async function runScenario(path: PathName, { concurrency, streams, spreadMs }: Scenario): Promise<Run> {
  // Each process's usage counts from here (the readings before are discarded).
  await Promise.all([relay.usage(), pipe.usage(), standIn.usage()]);
  clientUsage();
  const timings: StreamTiming[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, client) => {
      if (spreadMs) await sleep((client * spreadMs) / concurrency);
      while (next < streams) {
        next++;
        timings.push(await streamOnce(path));
      }
    }),
  );
  const [relayUsage, pipeUsage, standInUsage] = await Promise.all([relay.usage(), pipe.usage(), standIn.usage()]);
  return { timings, usage: { clients: clientUsage(), relay: relayUsage, pipe: pipeUsage, standIn: standInUsage } };
}

interface Summary {
  streams: number;
  ttftP50: number;
  /** Each run's own TTFT p50, in the order the runs were made (one run per round). */
  ttftP50ByRun: number[];
  ttftP99: number;
  totalP50: number;
  lagP50: number;
  lagP99: number;
  tailP50: number;
  usage: Record<ProcessName, PooledUsage>;
}

interface PooledUsage {
  cpuMsPerStream: number;
  /** Share of that CPU time spent in the kernel. */
  kernelShare: number;
  /** Share of the runs' wall time the process's event loop was busy. */
  busyShare: number;
  /** The worst run's p99 and maximum event-loop delay. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** CPU time over wall time: how many of the machine's cores the process used. */
  cores: number;
  /** A proxy's time from a request arriving to its upstream request leaving: of how many requests, and p50. */
  handoffs: number;
  /** Undefined unless at least half the streams were measured (one request open at a time). */
  handoffP50Ms: number | undefined;
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
      kernelShare: sum((usage) => usage.systemCpuMs) / sum((usage) => usage.cpuMs),
      busyShare: sum((usage) => usage.busyMs) / wallMs,
      loopDelayP99Ms: Math.max(...usages.map((usage) => usage.loopDelayP99Ms)),
      loopDelayMaxMs: Math.max(...usages.map((usage) => usage.loopDelayMaxMs)),
      cores: sum((usage) => usage.cpuMs) / wallMs,
      ...handoffsOf(usages, timings.length),
    };
  };
  return {
    streams: timings.length,
    ttftP50: percentile(ttft, 50),
    ttftP50ByRun: runs.map((run) => percentile(sorted(run.timings.map((t) => t.ttftMs)), 50)),
    ttftP99: percentile(ttft, 99),
    totalP50: percentile(total, 50),
    lagP50: percentile(lag, 50),
    lagP99: percentile(lag, 99),
    tailP50: percentile(sorted(timings.map((t) => t.tailMs)), 50),
    usage: Object.fromEntries(PROCESSES.map((which) => [which, pool(which)])) as Record<ProcessName, PooledUsage>,
  };
}

function handoffsOf(usages: ProcessUsage[], streams: number): Pick<PooledUsage, 'handoffs' | 'handoffP50Ms'> {
  const handoffs = usages.flatMap((usage) => usage.handoffMs ?? []).sort((a, b) => a - b);
  const measured = handoffs.length >= streams / 2;
  return { handoffs: handoffs.length, handoffP50Ms: measured ? percentile(handoffs, 50) : undefined };
}

/** Before `c1_early`, each path serves this many streams one at a time, then `concurrent` at once. */
const SHORT_WARMUP_C1_STREAMS = 20;
/** How long one answer takes to stream: spreading the first requests over it keeps them spread. */
const answerMs = settings.deltas * settings.delayMs;
const concurrent = settings.concurrent;
const scenarios: Scenario[] = [
  { name: 'c1', concurrency: 1, streams: settings.streams, spreadMs: 0 },
  // Tabs ask independently: at any moment some of the 64 streams are starting, most are streaming.
  { name: `c${concurrent}`, concurrency: concurrent, streams: concurrent * 4, spreadMs: answerMs },
  // The worst case: all 64 ask in the same millisecond, and stay in step (each answer takes as long).
  { name: `c${concurrent}_burst`, concurrency: concurrent, streams: concurrent * 4, spreadMs: 0 },
];

try {
  for (const path of PATHS) {
    await runScenario(path, { name: 'warm-up', concurrency: 1, streams: SHORT_WARMUP_C1_STREAMS, spreadMs: 0 });
    await runScenario(path, { name: 'warm-up', concurrency: concurrent, streams: concurrent, spreadMs: 0 });
  }
  // A relay that has just started: its per-request code is not optimised yet.
  const early: Record<PathName, Run[]> = { direct: [], pipe: [], relay: [] };
  for (const path of PATHS) {
    early[path].push(
      await runScenario(path, { name: 'c1_early', concurrency: 1, streams: settings.streams, spreadMs: 0 }),
    );
  }
  for (const path of PATHS) {
    await runScenario(path, { name: 'warm-up', concurrency: concurrent, streams: settings.warmup, spreadMs: answerMs });
  }
  const results: Record<string, Record<PathName, Run[]>> = { c1_early: early };
  for (let round = 0; round < settings.rounds; round++) {
    // Each path goes first in turn, so a drift in the machine's speed does not favour one.
    const order = PATHS.map((_, index) => PATHS[(index + round) % PATHS.length]!);
    for (const scenario of scenarios) {
      results[scenario.name] ??= { direct: [], pipe: [], relay: [] };
      for (const path of order) {
        results[scenario.name]![path].push(await runScenario(path, scenario));
      }
    }
  }
  report(
    Object.fromEntries(
      Object.entries(results).map(([name, paths]) => [
        name,
        Object.fromEntries(PATHS.map((path) => [path, summarize(paths[path])])) as Record<PathName, Summary>,
      ]),
    ),
  );
} finally {
  tab.stop();
  await Promise.all([relay.close(), pipe.close(), standIn.close()]);
}

function report(results: Record<string, Record<PathName, Summary>>): void {
  const fixed = (value: number) => value.toFixed(3);
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  console.log(
    `Node ${process.version}, ${availableParallelism()} cores, load average ${load}; ${settings.rounds} rounds; ` +
      `${settings.deltas} deltas per answer, ${settings.delayMs} ms apart; ` +
      `c1_early: ${settings.streams} streams one at a time after ${SHORT_WARMUP_C1_STREAMS + concurrent} per path, then ${settings.warmup} per path to warm up; ` +
      `c1: ${settings.streams} streams one at a time per round; ` +
      `c${concurrent}: ${concurrent * 4} streams, ${concurrent} at a time, first requests spread over ${answerMs} ms, per round; ` +
      `c${concurrent}_burst: the same, first requests all at once; ` +
      `the pipe: ${settings.pipe === 'bytes' ? 'forwards bytes' : 'reads and rewrites each SSE event'}; ` +
      'clients, relay (or pipe proxy) and stand-in in processes of their own\n',
  );
  console.log(
    '| scenario | path | streams | TTFT p50 ms | TTFT p99 ms | total p50 ms | delta lag p50 ms | delta lag p99 ms | last delta to end p50 ms |',
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, paths] of Object.entries(results)) {
    for (const path of PATHS) {
      const r = paths[path];
      console.log(
        `| ${name} | ${path} | ${r.streams} | ${fixed(r.ttftP50)} | ${fixed(r.ttftP99)} | ${fixed(r.totalP50)} | ${fixed(r.lagP50)} | ${fixed(r.lagP99)} | ${fixed(r.tailP50)} |`,
      );
    }
  }
  console.log(
    "\nEach proxy's own time from a request arriving to its upstream request leaving (measured while one request is open at a time):\n",
  );
  console.log('| scenario | path | requests | p50 ms |');
  console.log('| --- | --- | ---: | ---: |');
  for (const [name, paths] of Object.entries(results)) {
    for (const path of ['pipe', 'relay'] as const) {
      const { handoffs, handoffP50Ms } = paths[path].usage[path];
      if (handoffP50Ms !== undefined) console.log(`| ${name} | ${path} | ${handoffs} | ${fixed(handoffP50Ms)} |`);
    }
  }
  console.log('\nAdded TTFT p50 round by round (each round has its own order of paths), relay and pipe:\n');
  console.log('| scenario | relay, ms | pipe, ms |');
  console.log('| --- | --- | --- |');
  for (const [name, { direct, pipe, relay }] of Object.entries(results)) {
    const added = (path: Summary) =>
      path.ttftP50ByRun.map((p50, run) => fixed(p50 - direct.ttftP50ByRun[run]!)).join(' ');
    console.log(`| ${name} | ${added(relay)} | ${added(pipe)} |`);
  }
  console.log('\nWhere the CPU went, per process, during the measured runs:\n');
  console.log(
    '| scenario | path | process | CPU ms per stream | kernel % | cores used | event loop busy % | loop delay p99 ms | loop delay max ms |',
  );
  console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, paths] of Object.entries(results)) {
    for (const path of PATHS) {
      for (const which of PROCESSES_ON[path]) {
        const u = paths[path].usage[which];
        console.log(
          `| ${name} | ${path} | ${which} | ${fixed(u.cpuMsPerStream)} | ${(u.kernelShare * 100).toFixed(0)} | ${u.cores.toFixed(2)} | ${(u.busyShare * 100).toFixed(1)} | ${fixed(u.loopDelayP99Ms)} | ${fixed(u.loopDelayMaxMs)} |`,
        );
      }
    }
  }
  console.log('');
  for (const [name, { direct, pipe, relay }] of Object.entries(results)) {
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
      `BENCH llm_pipe_added_ttft_p50_${name} ${fixed(pipe.ttftP50 - direct.ttftP50)} ms baseline=${BASELINE} goal=record`,
    );
    console.log(
      `BENCH llm_relay_cpu_per_stream_${name} ${fixed(relay.usage.relay.cpuMsPerStream)} ms baseline=${PIPE_NAME}-${fixed(pipe.usage.pipe.cpuMsPerStream)}ms goal=record`,
    );
    const relayHandoff = relay.usage.relay.handoffP50Ms;
    const pipeHandoff = pipe.usage.pipe.handoffP50Ms;
    if (relayHandoff !== undefined && pipeHandoff !== undefined) {
      console.log(
        `BENCH llm_relay_handoff_p50_${name} ${fixed(relayHandoff)} ms baseline=${PIPE_NAME}-${fixed(pipeHandoff)}ms goal=record`,
      );
    }
  }
}
