/**
 * The ML Worker's service: the model registry (models come into it through `modelLoader.ts`),
 * ONNX and tfjs inference, tfjs training and transformers.js pipelines. The tab calls it over
 * comlink; the heavy libraries are imported here on first use only. Errors a caller can fix are `MlError`s with the fix in the message.
 */
import { chooseBackend, type Backend, type RequestedBackend } from './backends.ts';
import { MlError } from './errors.ts';
import { ModelLoader, pipelineSettings, type LoadRequest } from './modelLoader.ts';
import { onnxBackend, OnnxEngine } from './onnxEngine.ts';
import type { PipelineOptions, PipelineTask } from './pipelineSpec.ts';
import { Pipelines } from './pipelines.ts';
import type { ModelRecord, ModelStore } from './modelRecords.ts';
import { SampleCatalog } from './samples.ts';
import type { MlSettings } from './settings.ts';
import { checkInputs, type TensorInput, type TensorOutput } from './tensors.ts';
import { TfjsEngine, tfjsStorageUrl } from './tfjsEngine.ts';
import { fit, type EpochReport } from './training.ts';
import { readTrainingData } from './trainingData.ts';
import type { TrainingData, TrainingSettings } from './trainingSpec.ts';
import { loadTfjs, useBackend } from './tfjsRuntime.ts';

export type { LoadRequest, LoadSource } from './modelLoader.ts';
export type { MlSettings } from './settings.ts';

export interface InferenceRequest {
  model: string;
  inputs: Record<string, TensorInput>;
  backend: RequestedBackend;
}

export interface InferenceReply {
  model: string;
  outputs: Record<string, TensorOutput>;
  backend: Backend;
  backendReason?: string;
  timings: { loadMs: number; runMs: number; totalMs: number };
}

export interface TrainRequest extends TrainingSettings {
  data: TrainingData;
  backend: RequestedBackend;
  name?: string;
}

export interface TrainReply {
  /** The registry id of the saved model; absent when training was cancelled (nothing saved). */
  model?: string;
  cancelled: boolean;
  epochsCompleted: number;
  epochs: number;
  stoppedAfterBatch?: number;
  finalMetrics: Record<string, number>;
  history: Array<Record<string, number>>;
  backend: Backend;
  backendReason?: string;
  examples: number;
  trainMs: number;
}

export interface PipelineRequest {
  task: PipelineTask;
  model: string;
  inputs: string[];
  options: PipelineOptions;
  backend: RequestedBackend;
  dtype: string;
}

export interface PipelineReply {
  model: string;
  task: PipelineTask;
  output: unknown;
  backend: 'webgpu' | 'wasm';
  backendReason?: string;
  timings: { loadMs: number; runMs: number; totalMs: number };
}

export interface MlEnvironment {
  gpu: GPU | undefined;
  /** Where the app is served, e.g. `http://localhost:8787/`; relative URLs resolve against it. */
  origin: string;
  threads: number;
  store: ModelStore;
  now?: () => number;
}

export class MlService {
  private readonly onnx: OnnxEngine;
  private readonly tfjs = new TfjsEngine();
  private readonly pipelines = new Pipelines();
  private readonly samples: SampleCatalog;
  private readonly stopRequests = new Set<string>();
  private readonly now: () => number;
  private readonly loader: ModelLoader;

  constructor(private readonly env: MlEnvironment) {
    this.onnx = new OnnxEngine(env.threads);
    this.samples = new SampleCatalog(new URL('/models/', env.origin).href);
    this.now = env.now ?? Date.now;
    this.loader = new ModelLoader({
      store: env.store,
      onnx: this.onnx,
      tfjs: this.tfjs,
      pipelines: this.pipelines,
      samples: this.samples,
      origin: env.origin,
      threads: env.threads,
      now: this.now,
    });
  }

  list(): Promise<ModelRecord[]> {
    return this.env.store.list();
  }

  async samplesList() {
    return this.samples.list();
  }

  async remove(id: string): Promise<void> {
    const record = await this.record(id);
    await this.env.store.remove(id);
    await this.onnx.forget(id);
    this.tfjs.forget(id);
    if (record.kind === 'tfjs') {
      const tf = await loadTfjs();
      await tf.io.removeModel(tfjsStorageUrl(id)).catch(() => undefined);
    }
  }

  /** Registers a model from a sample, a URL, files or the hub (`modelLoader.ts`). */
  load(request: LoadRequest, settings: MlSettings): Promise<ModelRecord> {
    return this.loader.load(request, settings);
  }

  async infer(kind: 'onnx' | 'tfjs', request: InferenceRequest, settings: MlSettings): Promise<InferenceReply> {
    const started = performance.now();
    const record = await this.record(request.model, settings);
    if (record.kind !== kind) throw wrongTool(record);
    const inputs = checkInputs(record.signature, request.inputs);
    const choice = await chooseBackend(request.backend, this.env.gpu, 'wasm');
    let result;
    let backend: Backend;
    if (kind === 'onnx') {
      const onnx = onnxBackend(choice.backend);
      backend = onnx;
      result = await this.onnx.run(record.id, onnx, () => this.bytesOf(record), inputs);
    } else {
      backend = choice.backend;
      result = await this.tfjs.run(record.id, record.format === 'graph-model', backend, inputs);
    }
    await this.env.store.touch(record.id, this.now());
    return {
      model: record.id,
      outputs: result.outputs,
      backend,
      backendReason: choice.reason,
      timings: { loadMs: result.loadMs, runMs: result.runMs, totalMs: performance.now() - started },
    };
  }

  async train(runId: string, request: TrainRequest, onEpoch?: (report: EpochReport) => void): Promise<TrainReply> {
    const started = performance.now();
    const tf = await loadTfjs();
    const examples = await readTrainingData(request.data, this.env.origin);
    const choice = await chooseBackend(request.backend, this.env.gpu, 'wasm');
    await useBackend(tf, choice.backend);
    try {
      const outcome = await fit(
        tf,
        request,
        examples,
        (report) => onEpoch?.(report),
        () => this.stopRequests.has(runId),
      );
      const cancelled = outcome.stoppedAfterBatch !== undefined;
      const finalMetrics = outcome.history.at(-1) ?? {};
      let model: string | undefined;
      if (cancelled) outcome.model.dispose();
      else {
        model = `trained:${crypto.randomUUID().slice(0, 8)}`;
        const signature = await this.tfjs.storeTrained(model, outcome.model);
        const at = this.now();
        await this.env.store.put({
          id: model,
          name: request.name ?? `Trained ${request.layers.map((layer) => layer.type).join('→')}`,
          kind: 'tfjs',
          format: 'layers-model',
          source: { type: 'trained', layers: request.layers.length, epochs: outcome.epochsCompleted },
          sizeBytes: outcome.model.countParams() * 4,
          signature,
          storage: tfjsStorageUrl(model),
          createdAt: at,
          lastUsedAt: at,
          metrics: finalMetrics,
        });
      }
      return {
        model,
        cancelled,
        epochsCompleted: outcome.epochsCompleted,
        epochs: request.epochs,
        stoppedAfterBatch: outcome.stoppedAfterBatch,
        finalMetrics,
        history: outcome.history,
        backend: choice.backend,
        backendReason: choice.reason,
        examples: examples.x.length,
        trainMs: performance.now() - started,
      };
    } finally {
      this.stopRequests.delete(runId);
    }
  }

  /** Asks a training run to stop after its current batch. */
  cancel(runId: string): void {
    this.stopRequests.add(runId);
  }

  async pipeline(request: PipelineRequest, settings: MlSettings): Promise<PipelineReply> {
    const started = performance.now();
    const registered = await this.env.store.get(request.model);
    if (registered && registered.kind !== 'transformers') throw wrongTool(registered);
    const sample = registered?.source.type === 'sample' || request.model.startsWith('sample:');
    const pipelineModel = registered?.pipelineModel ?? (await this.sampleModel(request.model)) ?? request.model;
    const choice = await chooseBackend(request.backend, this.env.gpu, 'wasm');
    const device = choice.backend === 'webgpu' ? 'webgpu' : 'wasm';
    const result = await this.pipelines.run(pipelineSettings(settings, this.env.threads), {
      task: request.task,
      model: pipelineModel,
      local: sample,
      device,
      dtype: request.dtype,
      inputs: request.inputs,
      options: request.options,
    });
    const id = registered?.id ?? (pipelineModel === request.model ? `hf:${request.model}` : request.model);
    if (registered) await this.env.store.touch(registered.id, this.now());
    else
      await this.loader.registerPipelineModel(
        id,
        request.model,
        pipelineModel,
        { type: 'hub', model: pipelineModel },
        request.task,
      );
    return {
      model: id,
      task: request.task,
      output: result.output,
      backend: device,
      backendReason: choice.backend === 'cpu' ? "transformers.js runs on 'wasm' for cpu" : choice.reason,
      timings: { loadMs: result.loadMs, runMs: result.runMs, totalMs: performance.now() - started },
    };
  }

  private async sampleModel(name: string): Promise<string | undefined> {
    if (!name.startsWith('sample:')) return undefined;
    const sample = await this.samples.find(name);
    return sample.path;
  }

  /** The registered model; a bundled sample named by id is loaded on first use. */
  private async record(id: string, settings?: MlSettings): Promise<ModelRecord> {
    const record = await this.env.store.get(id);
    if (record) return record;
    if (id.startsWith('sample:') && settings) return this.load({ source: { sample: id } }, settings);
    const loaded = (await this.env.store.list()).map((model) => model.id);
    const samples = (await this.samples.list().catch(() => [])).map((sample) => sample.id);
    throw new MlError(
      `No model '${id}' in this tab's registry. Load it first with model_load: a URL, or a bundled sample (${samples.join(', ')})${loaded.length ? `. Loaded here: ${loaded.join(', ')}` : ''}.`,
    );
  }

  private async bytesOf(record: ModelRecord): Promise<ArrayBuffer> {
    const bytes = await this.env.store.bytes(record.id);
    if (!bytes)
      throw new MlError(
        `The bytes of '${record.id}' are no longer in this browser's storage; load it again with model_load.`,
      );
    return bytes;
  }
}

/** A model called through another runtime's tool: name the tool that runs it. */
function wrongTool(record: ModelRecord): MlError {
  const tool = record.kind === 'transformers' ? 'ml_pipeline' : `${record.kind}_inference`;
  return new MlError(`'${record.id}' is a ${record.kind} model; call ${tool} for it.`);
}
