/**
 * The ML Worker's service: the model registry, ONNX and tfjs inference, tfjs training and
 * transformers.js pipelines. The tab calls it over comlink; the heavy libraries are imported
 * here on first use only. Errors a caller can fix are `MlError`s with the fix in the message.
 */
import { chooseBackend, type Backend, type RequestedBackend } from './backends.ts';
import { concatBytes, download, notAModel, tooLarge } from './download.ts';
import { messageOf, MlError } from './errors.ts';
import { onnxBackend, OnnxEngine } from './onnxEngine.ts';
import type { PipelineOptions, PipelineTask } from './pipelineSpec.ts';
import { Pipelines } from './pipelines.ts';
import type { ModelKind, ModelRecord, ModelSource, ModelStore } from './modelRecords.ts';
import { SampleCatalog } from './samples.ts';
import type { ModelSignature } from './signature.ts';
import { checkInputs, type TensorInput, type TensorOutput } from './tensors.ts';
import { downloadTfjs, filesTfjs, TfjsEngine, tfjsStorageUrl } from './tfjsEngine.ts';
import { fit, type EpochReport } from './training.ts';
import { readTrainingData } from './trainingData.ts';
import type { TrainingData, TrainingSettings } from './trainingSpec.ts';
import { loadTfjs, useBackend } from './tfjsRuntime.ts';

/** The tab's settings that apply to every call (the Models view edits them). */
export interface MlSettings {
  /** Largest model (all its files) model_load accepts. */
  maxModelBytes: number;
  /** Whether transformers.js may fetch models from the Hugging Face hub. */
  allowRemoteModels: boolean;
}

export type LoadSource =
  { url: string } | { sample: string } | { hub: string } | { files: Array<{ name: string; bytes: ArrayBuffer }> };

export interface LoadRequest {
  source: LoadSource;
  kind?: ModelKind;
  /** transformers.js task, for hub models. */
  task?: PipelineTask;
  name?: string;
}

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

  constructor(private readonly env: MlEnvironment) {
    this.onnx = new OnnxEngine(env.threads);
    this.samples = new SampleCatalog(new URL('/models/', env.origin).href);
    this.now = env.now ?? Date.now;
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

  async load(request: LoadRequest, settings: MlSettings): Promise<ModelRecord> {
    const { source } = request;
    if ('sample' in source) {
      const sample = await this.samples.find(source.sample);
      const existing = await this.env.store.get(sample.id);
      if (existing) return this.used(existing);
      if (sample.kind === 'transformers') {
        return this.registerPipelineModel(
          sample.id,
          sample.title,
          sample.path,
          { type: 'sample', sample: sample.id },
          sample.task,
        );
      }
      return this.loadBytes(
        sample.kind,
        this.samples.url(sample),
        settings,
        { type: 'sample', sample: sample.id },
        sample.id,
        sample.title,
      );
    }
    if ('hub' in source) {
      if (!request.task)
        throw new MlError(`Say which task to load '${source.hub}' for (task: 'feature-extraction', …).`);
      const id = `hf:${source.hub}`;
      await this.pipelines.run(this.pipelineSettings(settings), {
        task: request.task,
        model: source.hub,
        local: false,
        device: 'wasm',
        dtype: 'fp32',
        inputs: ['warm up'],
        options: request.task === 'zero-shot-classification' ? { candidate_labels: ['a', 'b'] } : {},
      });
      return this.registerPipelineModel(
        id,
        request.name ?? source.hub,
        source.hub,
        { type: 'hub', model: source.hub },
        request.task,
      );
    }
    if ('files' in source) return this.loadFiles(source.files, request, settings);
    let url: URL;
    try {
      url = new URL(source.url, this.env.origin);
    } catch {
      throw new MlError(`'${source.url}' is not a URL.`);
    }
    const kind = request.kind ?? kindFromUrl(url);
    if (kind === 'transformers')
      throw new MlError("transformers.js models load by id: source { hub: 'owner/model' } with a task.");
    return this.loadBytes(kind, url, settings, { type: 'url', url: url.href }, undefined, request.name);
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
    const result = await this.pipelines.run(this.pipelineSettings(settings), {
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
      await this.registerPipelineModel(
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

  private pipelineSettings(settings: MlSettings) {
    return {
      allowRemoteModels: settings.allowRemoteModels,
      localModelPath: '/models/',
      threads: this.env.threads,
    };
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

  private async used(record: ModelRecord): Promise<ModelRecord> {
    const at = this.now();
    await this.env.store.touch(record.id, at);
    return { ...record, lastUsedAt: at };
  }

  private async loadBytes(
    kind: 'onnx' | 'tfjs',
    url: URL,
    settings: MlSettings,
    source: ModelSource,
    fixedId: string | undefined,
    name: string | undefined,
  ): Promise<ModelRecord> {
    if (kind === 'tfjs') {
      const { artifacts, size } = await downloadTfjs(url, settings.maxModelBytes);
      return this.registerTfjs(artifacts, size, url.href, source, fixedId, name ?? lastSegment(url, 1));
    }
    const { bytes, contentType } = await download(url, settings.maxModelBytes);
    return this.registerOnnx(bytes, url.href, contentType, source, fixedId, name ?? lastSegment(url, 0));
  }

  private async loadFiles(
    files: Array<{ name: string; bytes: ArrayBuffer }>,
    request: LoadRequest,
    settings: MlSettings,
  ) {
    const onnx = files.find((file) => file.name.endsWith('.onnx'));
    if (onnx && files.length === 1) {
      if (onnx.bytes.byteLength > settings.maxModelBytes)
        throw tooLarge(onnx.name, onnx.bytes.byteLength, settings.maxModelBytes);
      return this.registerOnnx(
        onnx.bytes,
        onnx.name,
        '',
        { type: 'file', fileName: onnx.name },
        undefined,
        request.name ?? onnx.name,
      );
    }
    const { artifacts, size } = await filesTfjs(files, settings.maxModelBytes);
    const json = files.find((file) => file.name.endsWith('.json'))!;
    return this.registerTfjs(
      artifacts,
      size,
      json.name,
      { type: 'file', fileName: json.name },
      undefined,
      request.name ?? json.name,
    );
  }

  private async registerOnnx(
    bytes: ArrayBuffer,
    description: string,
    contentType: string,
    source: ModelSource,
    fixedId: string | undefined,
    name: string,
  ): Promise<ModelRecord> {
    const id = fixedId ?? `onnx:${await digest([bytes])}`;
    const existing = await this.env.store.get(id);
    if (existing) return this.used(existing);
    let signature: ModelSignature;
    try {
      signature = await this.onnx.signature(bytes);
    } catch (error) {
      throw notAModel('an ONNX model', description, contentType, messageOf(error));
    }
    return this.save(
      { id, name, kind: 'onnx', source, sizeBytes: bytes.byteLength, signature, storage: 'vial-ml' },
      bytes,
    );
  }

  private async registerTfjs(
    artifacts: Awaited<ReturnType<typeof downloadTfjs>>['artifacts'],
    size: number,
    description: string,
    source: ModelSource,
    fixedId: string | undefined,
    name: string,
  ): Promise<ModelRecord> {
    const id =
      fixedId ??
      `tfjs:${await digest([new TextEncoder().encode(JSON.stringify(artifacts.modelTopology)).buffer, artifacts.weightData as ArrayBuffer])}`;
    const existing = await this.env.store.get(id);
    if (existing) return this.used(existing);
    const signature = await this.tfjs.store(id, description, artifacts);
    const format = artifacts.format === 'graph-model' ? 'graph-model' : 'layers-model';
    return this.save({
      id,
      name,
      kind: 'tfjs',
      format,
      source,
      sizeBytes: size,
      signature,
      storage: tfjsStorageUrl(id),
    });
  }

  private async registerPipelineModel(
    id: string,
    name: string,
    pipelineModel: string,
    source: ModelSource,
    task: string | undefined,
  ) {
    const existing = await this.env.store.get(id);
    if (existing) return this.used(existing);
    return this.save({
      id,
      name,
      kind: 'transformers',
      source,
      sizeBytes: 0,
      signature: { inputs: [{ name: 'text', type: 'string', dims: ['n'] }], outputs: [] },
      task,
      pipelineModel,
      storage: 'transformers-cache',
    });
  }

  private async save(record: Omit<ModelRecord, 'createdAt' | 'lastUsedAt'>, bytes?: ArrayBuffer): Promise<ModelRecord> {
    const at = this.now();
    const full: ModelRecord = { ...record, createdAt: at, lastUsedAt: at };
    await this.env.store.put(full, bytes);
    return full;
  }
}

/** A model called through another runtime's tool: name the tool that runs it. */
function wrongTool(record: ModelRecord): MlError {
  const tool = record.kind === 'transformers' ? 'ml_pipeline' : `${record.kind}_inference`;
  return new MlError(`'${record.id}' is a ${record.kind} model; call ${tool} for it.`);
}

function kindFromUrl(url: URL): 'onnx' | 'tfjs' {
  if (url.pathname.endsWith('.onnx')) return 'onnx';
  if (url.pathname.endsWith('.json')) return 'tfjs';
  throw new MlError(`Cannot tell what kind of model ${url.href} is; pass kind 'onnx' or 'tfjs'.`);
}

/** `model.onnx` → `model.onnx`; for tfjs the folder names the model better than `model.json`. */
function lastSegment(url: URL, up: number): string {
  const parts = url.pathname.split('/').filter(Boolean);
  return parts[parts.length - 1 - up] ?? url.host;
}

async function digest(parts: ArrayBuffer[]): Promise<string> {
  const hash = await crypto.subtle.digest('SHA-256', concatBytes(parts));
  return Array.from(new Uint8Array(hash).slice(0, 6), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
