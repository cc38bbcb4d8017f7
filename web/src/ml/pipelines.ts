/**
 * Hugging Face models on transformers.js, by model id: embeddings, text classification,
 * zero-shot classification and token classification. Models come from the tab's own
 * `/models/` folder first (the bundled samples, or models a person put there) and, when remote
 * models are allowed, from the Hugging Face hub, which transformers.js caches in the browser.
 */
// transformers.js brings its own onnxruntime-web build; its wasm must be that build's, and
// must come from this origin, not the CDN transformers.js defaults to (offline it fails).
import ortGlueUrl from 'transformers-ort/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasmUrl from 'transformers-ort/ort-wasm-simd-threaded.asyncify.wasm?url';
import type * as TransformersJs from '@huggingface/transformers';
import { messageOf, MlError } from './errors.ts';
import { HUB_MODEL_ID_RULE, isHubModelId, type PipelineOptions, type PipelineTask } from './pipelineSpec.ts';
import { SerialQueue } from './serialQueue.ts';

type Transformers = typeof TransformersJs;

export type PipelineDevice = 'webgpu' | 'wasm';

export interface PipelineSettings {
  /** Whether models may come from the Hugging Face hub (off: only this origin's /models/). */
  allowRemoteModels: boolean;
  /**
   * Where local models live, as a path on this origin (`/models/`): transformers.js looks for
   * local files only when this is not a full URL.
   */
  localModelPath: string;
  threads: number;
}

let library: Promise<Transformers> | undefined;

function loadLibrary(settings: PipelineSettings): Promise<Transformers> {
  library ??= import('@huggingface/transformers').then((transformers) => {
    const onnx = transformers.env.backends.onnx as { wasm?: { wasmPaths?: unknown; numThreads?: number } };
    if (onnx.wasm) {
      onnx.wasm.wasmPaths = { mjs: ortGlueUrl, wasm: ortWasmUrl };
      onnx.wasm.numThreads = settings.threads;
    }
    transformers.env.allowLocalModels = true;
    return transformers;
  });
  return library;
}

type Pipeline = (input: string | string[], ...settings: unknown[]) => Promise<unknown>;

export class Pipelines {
  private readonly loaded = new Map<string, Promise<Pipeline>>();
  /** transformers.js reads its settings from one global `env`: loads go one at a time. */
  private readonly loads = new SerialQueue();

  async run(
    settings: PipelineSettings,
    request: {
      task: PipelineTask;
      model: string;
      /** A bundled sample: found under /models/ or nowhere (never looked up on the hub). */
      local: boolean;
      device: PipelineDevice;
      dtype: string;
      inputs: string[];
      options: PipelineOptions;
    },
  ): Promise<{ output: unknown; loadMs: number; runMs: number }> {
    // transformers.js takes anything else for a path or URL to fetch (`//host/x` is another host).
    if (!isHubModelId(request.model)) {
      throw new MlError(
        `'${request.model}' is not a model in this tab's registry, a bundled sample or a Hugging Face model id; ${HUB_MODEL_ID_RULE}.`,
      );
    }
    const transformers = await loadLibrary(settings);
    const key = `${request.task}|${request.model}|${request.device}|${request.dtype}`;
    const loadStart = performance.now();
    let loading = this.loaded.get(key);
    if (!loading) {
      loading = this.loads.run(() => {
        transformers.env.localModelPath = settings.localModelPath;
        transformers.env.allowRemoteModels = settings.allowRemoteModels && !request.local;
        return transformers.pipeline(request.task, request.model, {
          device: request.device,
          dtype: request.dtype as 'fp32',
        });
      }) as unknown as Promise<Pipeline>;
      this.loaded.set(key, loading);
      loading.catch(() => this.loaded.delete(key));
    }
    const pipe = await loading.catch((error: unknown) => {
      throw new MlError(
        explainLoadFailure(
          request.model,
          request.local ? { ...settings, allowRemoteModels: false } : settings,
          messageOf(error),
        ),
      );
    });
    const loadMs = performance.now() - loadStart;
    const runStart = performance.now();
    try {
      const output = await runTask(pipe, request.task, request.inputs, request.options);
      return { output, loadMs, runMs: performance.now() - runStart };
    } catch (error) {
      if (error instanceof MlError) throw error;
      throw new MlError(`The ${request.task} pipeline on '${request.model}' failed: ${messageOf(error)}`);
    }
  }
}

function explainLoadFailure(model: string, settings: PipelineSettings, reason: string): string {
  const where = settings.allowRemoteModels
    ? `in ${settings.localModelPath} or on the Hugging Face hub`
    : `in ${settings.localModelPath} (remote models are off in the Models view)`;
  return `Could not load '${model}' ${where}: ${reason}. Check the model id (e.g. 'Xenova/all-MiniLM-L6-v2') and that it has ONNX weights.`;
}

async function runTask(
  pipe: Pipeline,
  task: PipelineTask,
  inputs: string[],
  options: PipelineOptions,
): Promise<unknown> {
  switch (task) {
    case 'feature-extraction': {
      const tensor = (await pipe(inputs, {
        pooling: options.pooling ?? 'mean',
        normalize: options.normalize ?? true,
      })) as { dims: number[]; data: Float32Array; tolist(): unknown };
      return { dims: tensor.dims, embeddings: tensor.tolist() };
    }
    case 'text-classification':
      return eachInput(inputs, async (text) => asList(await pipe(text, { top_k: options.top_k ?? 1 })));
    case 'zero-shot-classification': {
      if (!options.candidate_labels) {
        throw new MlError("zero-shot-classification needs options.candidate_labels, e.g. ['sports', 'politics'].");
      }
      const labels = options.candidate_labels;
      // The candidate labels are the pipeline's second argument, not an option.
      const settings = { hypothesis_template: options.hypothesis_template, multi_label: options.multi_label ?? false };
      return eachInput(inputs, (text) => pipe(text, labels, settings));
    }
    case 'token-classification':
      return eachInput(inputs, async (text) =>
        asList(await pipe(text, { ignore_labels: options.ignore_labels ?? ['O'] })),
      );
  }
}

/**
 * One text at a time: transformers.js shapes batched classification results differently from
 * single ones, and results here are always one entry per input.
 */
async function eachInput(inputs: string[], run: (text: string) => Promise<unknown>): Promise<unknown[]> {
  const results: unknown[] = [];
  for (const text of inputs) results.push(await run(text));
  return results;
}

function asList(output: unknown): unknown[] {
  return Array.isArray(output) ? output : [output];
}
