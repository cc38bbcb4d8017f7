/**
 * `pnpm bench:ml`: what calling an ML model as an MCP tool costs over calling its library in
 * the page, for the two bundled samples, on WASM and on WebGPU (SwiftShader here: a CPU).
 *
 * - **mcp**: a real MCP SDK client in this process calls `onnx_inference` (sample:mlp) or
 *   `ml_pipeline` feature-extraction (sample:bert-embed) through the relay (its own process) to
 *   the Vial tab in Chromium, whose ML Worker runs the model; timed per `tools/call` in Node.
 * - **direct** (the baseline): on the same origin, a bench page (bench/ml/page.ts) runs the same
 *   model with the same input, backend, wasm files and thread count by a direct library call —
 *   onnxruntime-web `session.run` (outputs read back), transformers.js `pipe(texts, …)` — timed
 *   in the page with `performance.now()` and read with `page.evaluate`.
 *
 * Both paths' results are checked against each other (1e-4). Warm-up calls (which also create
 * the sessions) are not timed; blocks alternate which path goes first.
 *
 * Options (`--name=value` or `BENCH_NAME`): `--calls=200` timed calls per path on wasm,
 * `--gpu-calls=100` on webgpu, `--warmup=10`, `--rounds=2`, `--backends=wasm,webgpu`,
 * `--rows=8` (MLP batch).
 */
import type { CallToolResult, Client } from '@modelcontextprotocol/client';
import { rmSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { connectClient, createToken, openVial } from '../tests/e2e/support/vial.ts';
import type { MlBenchPage, Timed } from './ml/page.ts';
import { BENCH_PAGE_PATH, buildBenchSite } from './ml/build.ts';
import { percentile } from './load.ts';
import { intOption, textOption } from './options.ts';
import { startServerProcess } from './serverProcess.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/support/chromium.ts';

type Backend = 'wasm' | 'webgpu';
type Model = 'onnx' | 'bert';

const BACKENDS = ['wasm', 'webgpu'] as const;
const calls = intOption('calls', 200, 1);
const gpuCalls = intOption('gpu-calls', 100, 1);
const warmup = intOption('warmup', 10, 1);
const rounds = intOption('rounds', 2, 1);
const rows = intOption('rows', 8, 1);
const backends = textOption('backends', BACKENDS.join(','))
  .split(',')
  .map((name) => {
    if (!(BACKENDS as readonly string[]).includes(name)) {
      throw new Error(`--backends takes a list of ${BACKENDS.join(', ')}, got '${name}' (e.g. --backends=wasm)`);
    }
    return name as Backend;
  });

/** Same input on both paths: the MLP's batch (as in tests/e2e/ml.spec.ts) and one text. */
const MLP_ROWS = Array.from({ length: rows }, (_, row) =>
  Array.from({ length: 4 }, (_, column) => Math.fround(Math.sin(1 + row * 7.1 + column * 3.3) * 2)),
);
const TEXTS = ['alice loves paris and the movie was great'];
const TOLERANCE = 1e-4;

/** The Worker's own timings of a call: the library call, and all of `MlService` (with its registry). */
interface WorkerTimings {
  runMs: number;
  totalMs: number;
}

interface McpTimed extends Timed {
  worker: WorkerTimings[];
}

async function callTool(client: Client, name: string, args: Record<string, unknown>) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (result.isError) {
    const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
    throw new Error(`${name} failed: ${text}`);
  }
  return result.structuredContent as Record<string, unknown>;
}

/** One `tools/call` of the model; returns its result (flat) and the Worker's timings. */
async function mcpCall(
  client: Client,
  model: Model,
  backend: Backend,
): Promise<{ result: number[]; timings: WorkerTimings }> {
  if (model === 'onnx') {
    const reply = (await callTool(client, 'onnx_inference', {
      model: 'sample:mlp',
      backend,
      inputs: { input: { type: 'float32', dims: [MLP_ROWS.length, 4], data: MLP_ROWS.flat() } },
    })) as { backend: string; outputs: { logits: { data: number[] } }; timings: WorkerTimings };
    if (reply.backend !== backend) throw new Error(`onnx_inference ran on ${reply.backend}, not ${backend}`);
    return { result: reply.outputs.logits.data, timings: reply.timings };
  }
  const reply = (await callTool(client, 'ml_pipeline', {
    task: 'feature-extraction',
    model: 'sample:bert-embed',
    inputs: TEXTS,
    options: { pooling: 'mean', normalize: true },
    backend,
  })) as { backend: string; output: { embeddings: number[][] }; timings: WorkerTimings };
  if (reply.backend !== backend) throw new Error(`ml_pipeline ran on ${reply.backend}, not ${backend}`);
  return { result: reply.output.embeddings.flat(), timings: reply.timings };
}

async function mcpTimed(client: Client, model: Model, backend: Backend, count: number): Promise<McpTimed> {
  let last = await mcpCall(client, model, backend);
  for (let i = 1; i < warmup; i++) last = await mcpCall(client, model, backend);
  const samples: number[] = [];
  const worker: WorkerTimings[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    last = await mcpCall(client, model, backend);
    samples.push(performance.now() - start);
    worker.push(last.timings);
  }
  return { samples, result: last.result, worker };
}

function directTimed(page: Page, model: Model, backend: Backend, count: number): Promise<Timed> {
  return page.evaluate(
    ({ model, backend, rows, texts, warmup, count }) => {
      const bench = (window as unknown as { benchMl: MlBenchPage }).benchMl;
      return model === 'onnx'
        ? bench.onnxDirect(backend, rows, warmup, count)
        : bench.bertDirect(backend, texts, warmup, count);
    },
    { model, backend, rows: MLP_ROWS, texts: TEXTS, warmup, count },
  );
}

function maxDifference(a: number[], b: number[]): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  return Math.max(...a.map((value, i) => Math.abs(value - b[i]!)));
}

interface Row {
  model: Model;
  backend: Backend;
  mcp: number[];
  direct: number[];
  worker: WorkerTimings[];
}

/** MCP `ping`s: the relay forwards them to the tab's McpServer, so this is the round trip with no tool. */
async function pingTimed(client: Client, count: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await client.ping();
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await client.ping();
    samples.push(performance.now() - start);
  }
  return samples;
}

async function measure(client: Client, page: Page, model: Model, backend: Backend): Promise<Row> {
  const row: Row = { model, backend, mcp: [], direct: [], worker: [] };
  const total = backend === 'webgpu' ? gpuCalls : calls;
  for (let round = 0; round < rounds; round++) {
    const count = Math.ceil(total / rounds);
    const blocks = [
      async () => {
        const timed = await mcpTimed(client, model, backend, count);
        row.mcp.push(...timed.samples);
        row.worker.push(...timed.worker);
        return timed.result;
      },
      async () => {
        const timed = await directTimed(page, model, backend, count);
        row.direct.push(...timed.samples);
        return timed.result;
      },
    ];
    if (round % 2) blocks.reverse();
    const results = [];
    for (const block of blocks) results.push(await block());
    const difference = maxDifference(results[0]!, results[1]!);
    if (!(difference < TOLERANCE)) {
      throw new Error(`${model} on ${backend}: MCP and direct results differ by ${difference} (over ${TOLERANCE})`);
    }
  }
  return row;
}

const fixed = (ms: number) => (ms >= 100 ? ms.toFixed(1) : ms.toFixed(3));
const stats = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    mean: samples.reduce((sum, value) => sum + value, 0) / samples.length,
  };
};

const BASELINES: Record<Model, string> = {
  onnx: 'onnxruntime-web-session.run-in-the-page',
  bert: 'transformers.js-pipeline-call-in-the-page',
};
const TOOLS: Record<Model, string> = { onnx: 'onnx_inference sample:mlp', bert: 'ml_pipeline sample:bert-embed' };

function report(
  results: Row[],
  ping: number[],
  pageInfo: { threads: number; crossOriginIsolated: boolean; vialVisibility: string },
): void {
  console.log(`\n# ML tools: MCP tools/call vs direct library call in the page\n`);
  console.log(
    `MLP input [${rows}, 4]; text '${TEXTS[0]}'. Warm-up ${warmup} calls per block, ${rounds} rounds; wasm threads ${pageInfo.threads} (cross-origin isolated: ${pageInfo.crossOriginIsolated}); Vial tab ${pageInfo.vialVisibility}.\n`,
  );
  console.log('| tool | backend | path | calls | p50 ms | p95 ms | mean ms |');
  console.log('| ---- | ------- | ---- | ----: | -----: | -----: | ------: |');
  const p = stats(ping);
  console.log(`| ping (no tool) | – | mcp | ${ping.length} | ${fixed(p.p50)} | ${fixed(p.p95)} | ${fixed(p.mean)} |`);
  for (const row of results) {
    const lines: Array<[string, number[]]> = [
      ['mcp (tools/call)', row.mcp],
      ['… in MlService (totalMs)', row.worker.map((timings) => timings.totalMs)],
      ['… in the library (runMs)', row.worker.map((timings) => timings.runMs)],
      ['direct (in the page)', row.direct],
    ];
    for (const [path, samples] of lines) {
      const s = stats(samples);
      console.log(
        `| ${TOOLS[row.model]} | ${row.backend} | ${path} | ${samples.length} | ${fixed(s.p50)} | ${fixed(s.p95)} | ${fixed(s.mean)} |`,
      );
    }
  }
  console.log('');
  const bench = (name: string, value: number, unit: string, baseline: string, goal: string) =>
    console.log(
      `BENCH ${name} ${unit === 'x' ? value.toFixed(2) : fixed(value)} ${unit} baseline=${baseline} goal=${goal}`,
    );
  for (const row of results) {
    const mcp = stats(row.mcp);
    const direct = stats(row.direct);
    const suffix = `${row.model}_${row.backend}`;
    bench(`ml_mcp_p50_${suffix}`, mcp.p50, 'ms', 'none', 'record');
    bench(`ml_mcp_p95_${suffix}`, mcp.p95, 'ms', 'none', 'record');
    bench(`ml_direct_p50_${suffix}`, direct.p50, 'ms', 'none', 'record');
    bench(`ml_direct_p95_${suffix}`, direct.p95, 'ms', 'none', 'record');
    // The samples are tiny (a direct call takes µs on wasm): the ratio is fixed cost over almost
    // nothing, so the goal is on the added milliseconds.
    bench(`ml_mcp_overhead_${suffix}`, mcp.p50 / direct.p50, 'x', BASELINES[row.model], 'none');
    bench(`ml_mcp_added_ms_${suffix}`, mcp.p50 - direct.p50, 'ms', BASELINES[row.model], '<=5');
  }
  for (const model of ['onnx', 'bert'] as const) {
    const wasm = results.find((row) => row.model === model && row.backend === 'wasm');
    const webgpu = results.find((row) => row.model === model && row.backend === 'webgpu');
    if (!wasm || !webgpu) continue;
    const direct = stats(webgpu.direct).p50 / stats(wasm.direct).p50;
    const mcp = stats(webgpu.mcp).p50 / stats(wasm.mcp).p50;
    // SwiftShader is a CPU: these say what the WebGPU path costs here, not what a GPU would do.
    bench(`ml_webgpu_vs_wasm_${model}`, direct, 'x', `${BASELINES[model]}-on-wasm`, 'none');
    bench(`ml_webgpu_vs_wasm_mcp_${model}`, mcp, 'x', 'the-same-tools/call-on-wasm', 'none');
  }
}

/** The tab allows 600 compute calls per client per minute by default; a run makes more. */
async function raiseComputeLimit(vial: Page): Promise<void> {
  await vial.goto('/#/settings');
  const limit = vial.getByTestId('compute-limit');
  await limit.fill('100000');
  await vial.locator('form', { has: limit }).getByRole('button', { name: 'Save' }).click();
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log('building the web app and the bench page…');
  const webDir = await buildBenchSite();
  const relay = await startServerProcess('relay', { env: { VIAL_WEB_DIR: webDir } });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ baseURL: relay.url });
    const vial = await context.newPage();
    const mcpUrl = await openVial(vial);
    await raiseComputeLimit(vial);
    const token = await createToken(vial, 'bench:ml', ['ml']);
    const { client } = await connectClient(mcpUrl, token, 'bench-ml');
    await callTool(client, 'model_load', { sample: 'sample:mlp' });
    await callTool(client, 'model_load', { sample: 'sample:bert-embed' });

    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`bench page: ${error.message}`));
    await page.goto(BENCH_PAGE_PATH);
    await page.waitForFunction(() => 'benchMl' in window, undefined, { timeout: 60_000 });
    const info = await page.evaluate(() => {
      const { threads, crossOriginIsolated, webGpu } = (window as unknown as { benchMl: MlBenchPage }).benchMl;
      return { threads, crossOriginIsolated, webGpu };
    });
    if (!info.crossOriginIsolated) throw new Error('the bench page is not cross-origin isolated: no wasm threads');
    if (backends.includes('webgpu') && !info.webGpu) {
      throw new Error('this Chromium has no WebGPU adapter; run with --backends=wasm');
    }

    const ping = await pingTimed(client, calls);
    const results: Row[] = [];
    for (const model of ['onnx', 'bert'] as const) {
      for (const backend of backends) {
        const blockStart = performance.now();
        results.push(await measure(client, page, model, backend));
        console.log(`${model} on ${backend}: ${((performance.now() - blockStart) / 1000).toFixed(1)} s`);
      }
    }
    const vialVisibility = await vial.evaluate(() => document.visibilityState);
    report(results, ping, { ...info, vialVisibility });
    await client.close();
  } finally {
    await browser.close();
    await relay.close();
    rmSync(webDir, { recursive: true, force: true });
  }
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
}

await main();
