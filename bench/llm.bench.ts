/**
 * `pnpm bench:llm`: what the relay's LLM gateway adds to a streamed answer. The same
 * OpenAI-format stand-in (tests/support/llmStandIns) streams the same answer along two paths,
 * in one run:
 *
 *   relay:  fetch -> relay POST /llm/chat (auth, limits, router, adapter) -> stand-in
 *   direct: fetch -> stand-in POST /v1/chat/completions (the baseline)
 *
 * Each delta's text is the stand-in's `performance.now()` when it wrote it (one process, one
 * clock), so besides time to first token (TTFT) and total time, the benchmark measures how
 * late each delta arrives after it was sent: a gateway that buffered deltas would show it
 * there. Scenarios: one stream at a time, and 64 concurrent streams; rounds alternate which
 * path goes first, after a warm-up of both.
 *
 * Options, as `--name=value` or `BENCH_NAME`: streams per round at concurrency 1 (40),
 * concurrent (64), rounds (2), deltas per answer (20), delay-ms between deltas (10: 100 tokens
 * per second, about what hosted models stream). Everything shares one process and its event
 * loop, so the stand-in's pacing and the client's parsing compete with the relay for the CPU.
 */
import { availableParallelism, loadavg } from 'node:os';
import { PROVIDER_KEYS, startGateway } from '../tests/support/llmStandIns/gateway.ts';
import { readSse } from '../tests/support/sse.ts';
import { percentile } from './load.ts';

const BASELINE = 'direct-to-stand-in';

function option(name: string, fallback: number): number {
  const flag = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  const raw = flag?.slice(name.length + 3) ?? process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`--${name} must be a non-negative integer, got '${raw}' (e.g. --${name}=${fallback})`);
  }
  return value;
}

const settings = {
  streams: option('streams', 40),
  concurrent: option('concurrent', 64),
  rounds: option('rounds', 2),
  deltas: option('deltas', 20),
  delayMs: option('delay-ms', 10),
};

type PathName = 'direct' | 'relay';

interface StreamTiming {
  ttftMs: number;
  totalMs: number;
  /** Per delta: arrival time minus the time the stand-in wrote it. */
  lagsMs: number[];
  /** From the last delta to the end of the stream (the finish event, or [DONE] and the end of the body). */
  tailMs: number;
}

const gateway = await startGateway({
  env: { VIAL_LLM_HOST_REQUESTS_PER_MIN: '0', VIAL_LLM_HOST_DAILY_BUDGET_USD: '0', VIAL_LLM_IDLE_TIMEOUT_MS: '10000' },
});
const messages = [{ role: 'user' as const, content: 'Count for me' }];

/** The body the relay itself sends upstream, so both paths ask the stand-in for the same thing. */
const directBody = JSON.stringify({
  model: 'gpt-4o-mini',
  messages,
  stream: true,
  stream_options: { include_usage: true },
});

async function streamOnce(path: PathName): Promise<StreamTiming> {
  gateway.openai.script({
    kind: 'reply',
    deltas: () => performance.now().toFixed(4),
    deltaCount: settings.deltas,
    chunkDelayMs: settings.delayMs,
  });
  const started = performance.now();
  const response =
    path === 'relay'
      ? await gateway.chat({ model: 'openai:gpt-4o-mini', messages })
      : await fetch(`${gateway.openai.baseUrl}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${PROVIDER_KEYS.openai}` },
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
    lagsMs.push(now - Number(text));
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

async function runScenario(path: PathName, concurrency: number, streams: number): Promise<StreamTiming[]> {
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
  // The stand-in records every request; a benchmark has no use for the record.
  (gateway.openai.requests as unknown[]).length = 0;
  return timings;
}

interface Summary {
  streams: number;
  ttftP50: number;
  ttftP99: number;
  totalP50: number;
  lagP50: number;
  lagP99: number;
  tailP50: number;
}

function summarize(timings: StreamTiming[]): Summary {
  const sorted = (values: number[]) => values.sort((a, b) => a - b);
  const ttft = sorted(timings.map((t) => t.ttftMs));
  const total = sorted(timings.map((t) => t.totalMs));
  const lag = sorted(timings.flatMap((t) => t.lagsMs));
  return {
    streams: timings.length,
    ttftP50: percentile(ttft, 50),
    ttftP99: percentile(ttft, 99),
    totalP50: percentile(total, 50),
    lagP50: percentile(lag, 50),
    lagP99: percentile(lag, 99),
    tailP50: percentile(sorted(timings.map((t) => t.tailMs)), 50),
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
  const results: Record<string, Record<PathName, StreamTiming[]>> = {};
  for (let round = 0; round < settings.rounds; round++) {
    const order: PathName[] = round % 2 === 0 ? ['direct', 'relay'] : ['relay', 'direct'];
    for (const scenario of scenarios) {
      results[scenario.name] ??= { direct: [], relay: [] };
      for (const path of order) {
        results[scenario.name]![path].push(...(await runScenario(path, scenario.concurrency, scenario.streams)));
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
  await gateway.close();
}

function report(results: Record<string, Record<PathName, Summary>>): void {
  const fixed = (value: number) => value.toFixed(3);
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  console.log(
    `Node ${process.version}, ${availableParallelism()} cores, load average ${load}; ${settings.rounds} rounds; ` +
      `${settings.deltas} deltas per answer, ${settings.delayMs} ms apart; c1: ${settings.streams} streams one at a time per round; ` +
      `c${settings.concurrent}: ${settings.concurrent * 4} streams, ${settings.concurrent} at a time, per round\n`,
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
  console.log('');
  for (const [name, { direct, relay }] of Object.entries(results)) {
    const goal = name === 'c1' ? '<=1' : 'none';
    console.log(
      `BENCH llm_added_ttft_p50_${name} ${fixed(relay.ttftP50 - direct.ttftP50)} ms baseline=${BASELINE} goal=${goal}`,
    );
    console.log(
      `BENCH llm_added_total_p50_${name} ${fixed(relay.totalP50 - direct.totalP50)} ms baseline=${BASELINE} goal=${goal}`,
    );
    console.log(
      `BENCH llm_added_delta_lag_p50_${name} ${fixed(relay.lagP50 - direct.lagP50)} ms baseline=${BASELINE} goal=${goal}`,
    );
  }
}
