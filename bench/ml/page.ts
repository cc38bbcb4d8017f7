/**
 * The bench page of `bench:ml`: the bundled samples run by direct library calls in the page, the
 * baseline for the same models called as MCP tools. It reuses the ML Worker's own engines
 * (`OnnxEngine`, `Pipelines`), so onnxruntime-web and transformers.js are loaded with exactly
 * the Worker's wasm paths and thread count; after one engine call has configured each library,
 * the page takes the same module and times the library's own call on a session or pipeline of
 * its own. The bench drives it with `page.evaluate(() => window.benchMl…)`.
 */
import type * as Ort from 'onnxruntime-web';
import { wasmThreads } from '../../web/src/ml/backends.ts';
import { OnnxEngine, type OnnxBackend } from '../../web/src/ml/onnxEngine.ts';
import { Pipelines, type PipelineDevice } from '../../web/src/ml/pipelines.ts';

/** As the ML Worker decides it. */
const threads = wasmThreads();
const settings = { allowRemoteModels: false, localModelPath: '/models/', threads };

export interface Timed {
  /** Milliseconds per timed call, in call order (warm-up calls excluded). */
  samples: number[];
  /** The last call's result, to check that both paths computed the same. */
  result: number[];
}

export interface MlBenchPage {
  threads: number;
  crossOriginIsolated: boolean;
  webGpu: boolean;
  /** `session.run` of onnxruntime-web on the MLP (`input` float32 [rows, 4]), outputs read back. */
  onnxDirect(backend: OnnxBackend, rows: number[][], warmup: number, calls: number): Promise<Timed>;
  /** `pipe(texts, { pooling: 'mean', normalize: true })` of a transformers.js feature-extraction pipeline. */
  bertDirect(device: PipelineDevice, texts: string[], warmup: number, calls: number): Promise<Timed>;
}

const engine = new OnnxEngine(threads);
const pipelines = new Pipelines();
let mlpBytes: Promise<ArrayBuffer> | undefined;

async function mlpModel(): Promise<ArrayBuffer> {
  mlpBytes ??= fetch('/models/mlp/model.onnx').then((response) => {
    if (!response.ok) throw new Error(`/models/mlp/model.onnx: HTTP ${response.status}`);
    return response.arrayBuffer();
  });
  return mlpBytes;
}

async function timed<T>(
  warmup: number,
  calls: number,
  call: () => Promise<T>,
): Promise<{ samples: number[]; last: T }> {
  let last = await call();
  for (let i = 1; i < warmup; i++) last = await call();
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    last = await call();
    samples.push(performance.now() - start);
  }
  return { samples, last };
}

const sessions = new Map<OnnxBackend, Promise<Ort.InferenceSession>>();

async function onnxDirect(backend: OnnxBackend, rows: number[][], warmup: number, calls: number): Promise<Timed> {
  const data = Float32Array.from(rows.flat());
  const dims = [rows.length, 4];
  // One call through the Worker's engine sets onnxruntime-web up (wasm paths, threads) as the Worker does.
  await engine.run('bench:mlp', backend, mlpModel, [{ name: 'input', type: 'float32', dims, data }]);
  // The web package's onnxruntime-web, the module the engine imported (see bench/ml/build.ts).
  const ort = await import('onnxruntime-web');
  let session = sessions.get(backend);
  if (!session) {
    session = mlpModel().then((bytes) =>
      ort.InferenceSession.create(new Uint8Array(bytes), { executionProviders: [backend] }),
    );
    sessions.set(backend, session);
  }
  const ready = await session;
  const { samples, last } = await timed(warmup, calls, async () => {
    const results = await ready.run({ input: new ort.Tensor('float32', data, dims) });
    const logits = results.logits!;
    const values = (await logits.getData()) as Float32Array;
    for (const tensor of Object.values(results)) tensor.dispose();
    return values;
  });
  return { samples, result: Array.from(last) };
}

type Embedder = (texts: string[], options: { pooling: 'mean'; normalize: boolean }) => Promise<{ data: Float32Array }>;
const embedders = new Map<PipelineDevice, Promise<Embedder>>();

async function bertDirect(device: PipelineDevice, texts: string[], warmup: number, calls: number): Promise<Timed> {
  // As for ONNX: the Worker's own code loads transformers.js and sets its wasm paths first.
  await pipelines.run(settings, {
    task: 'feature-extraction',
    model: 'vial-samples/bert-embed',
    local: true,
    device,
    dtype: 'fp32',
    inputs: texts,
    options: {},
  });
  const transformers = await import('@huggingface/transformers');
  let embedder = embedders.get(device);
  if (!embedder) {
    embedder = transformers.pipeline('feature-extraction', 'vial-samples/bert-embed', {
      device,
      dtype: 'fp32',
    }) as unknown as Promise<Embedder>;
    embedders.set(device, embedder);
  }
  const pipe = await embedder;
  const { samples, last } = await timed(warmup, calls, () => pipe(texts, { pooling: 'mean', normalize: true }));
  return { samples, result: Array.from(last.data) };
}

const page: MlBenchPage = {
  threads,
  crossOriginIsolated: self.crossOriginIsolated,
  webGpu: Boolean(await (navigator as Navigator & { gpu?: GPU }).gpu?.requestAdapter().catch(() => null)),
  onnxDirect,
  bertDirect,
};
(window as unknown as { benchMl: MlBenchPage }).benchMl = page;
