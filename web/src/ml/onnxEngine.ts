/**
 * ONNX models (what `torch.onnx.export` writes) on onnxruntime-web: the WebGPU execution
 * provider, or the WASM one (threaded when the page is cross-origin isolated). The runtime is
 * imported on first use, so neither the app nor the Worker pays for it until a model runs.
 */
import type * as Ort from 'onnxruntime-web';
// The glue and the wasm are handed over as URLs: bundled inline, threads break in a build.
import ortGlueUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import type { Backend } from './backends.ts';
import { messageOf, MlError } from './errors.ts';
import { SerialQueue } from './serialQueue.ts';
import type { ModelSignature, TensorSpec } from './signature.ts';
import { toOutput, type CheckedTensor, type TensorOutput } from './tensors.ts';

type OrtModule = typeof Ort;
/** onnxruntime-web calls its CPU path `wasm`; `cpu` asks for the same. */
export type OnnxBackend = 'webgpu' | 'wasm';

let runtime: Promise<OrtModule> | undefined;

function loadRuntime(threads: number): Promise<OrtModule> {
  runtime ??= import('onnxruntime-web').then((ort) => {
    ort.env.wasm.wasmPaths = { mjs: ortGlueUrl, wasm: ortWasmUrl };
    ort.env.wasm.numThreads = threads;
    return ort;
  });
  return runtime;
}

export function onnxBackend(backend: Backend): OnnxBackend {
  return backend === 'webgpu' ? 'webgpu' : 'wasm';
}

interface LoadedSession {
  session: Ort.InferenceSession;
  queue: SerialQueue;
}

export class OnnxEngine {
  private readonly sessions = new Map<string, Promise<LoadedSession>>();

  constructor(private readonly threads: number) {}

  /** Parses the model to read its signature (on WASM: cheap, and needs no GPU). */
  async signature(bytes: ArrayBuffer): Promise<ModelSignature> {
    const ort = await loadRuntime(this.threads);
    const session = await ort.InferenceSession.create(new Uint8Array(bytes), { executionProviders: ['wasm'] });
    try {
      return {
        inputs: session.inputMetadata.map(describeValue),
        outputs: session.outputMetadata.map(describeValue),
      };
    } finally {
      await session.release();
    }
  }

  /** Runs one call on the model's session for `backend`, created on first use from `bytes()`. */
  async run(
    modelId: string,
    backend: OnnxBackend,
    bytes: () => Promise<ArrayBuffer>,
    inputs: CheckedTensor[],
  ): Promise<{ outputs: Record<string, TensorOutput>; loadMs: number; runMs: number }> {
    const ort = await loadRuntime(this.threads);
    const key = `${modelId}:${backend}`;
    const loadStart = performance.now();
    let loading = this.sessions.get(key);
    if (!loading) {
      loading = bytes().then(async (model) => ({
        session: await ort.InferenceSession.create(new Uint8Array(model), { executionProviders: [backend] }),
        queue: new SerialQueue(),
      }));
      this.sessions.set(key, loading);
      loading.catch(() => this.sessions.delete(key));
    }
    const { session, queue } = await loading.catch((error: unknown) => {
      throw new MlError(`onnxruntime-web could not start '${modelId}' on ${backend}: ${messageOf(error)}`);
    });
    const loadMs = performance.now() - loadStart;
    return queue.run(async () => {
      const feeds = Object.fromEntries(
        inputs.map((input) => [input.name, new ort.Tensor(input.type, input.data, input.dims)]),
      );
      const runStart = performance.now();
      let results: Ort.InferenceSession.ReturnType;
      try {
        results = await session.run(feeds);
      } catch (error) {
        throw new MlError(`'${modelId}' failed on ${backend}: ${messageOf(error)}`);
      }
      const outputs: Record<string, TensorOutput> = {};
      for (const [name, tensor] of Object.entries(results)) {
        outputs[name] = toOutput(tensor.type, tensor.dims, (await tensor.getData()) as ArrayLike<number | bigint>);
        tensor.dispose();
      }
      return { outputs, loadMs, runMs: performance.now() - runStart };
    });
  }

  /** Drops a model's sessions (it was removed from the registry). */
  async forget(modelId: string): Promise<void> {
    for (const [key, loading] of this.sessions) {
      if (!key.startsWith(`${modelId}:`)) continue;
      this.sessions.delete(key);
      await loading.then(({ session }) => session.release()).catch(() => undefined);
    }
  }
}

function describeValue(value: Ort.InferenceSession.ValueMetadata): TensorSpec {
  return value.isTensor
    ? { name: value.name, type: value.type, dims: [...value.shape] }
    : { name: value.name, type: 'non-tensor', dims: [] };
}
