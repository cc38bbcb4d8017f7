/**
 * Loading a model into the tab's registry from where it is: a bundled sample, a URL, files the
 * person picked, or a model id on the Hugging Face hub (transformers.js, warmed up once to fetch
 * it). ONNX and tfjs models are read by their engine before they are registered, under an id
 * taken from their content, so one model loaded twice is registered once. Runs in the ML Worker,
 * for `MlService`.
 */
import { concatBytes, download, notAModel, tooLarge } from './download.ts';
import { messageOf, MlError } from './errors.ts';
import type { OnnxEngine } from './onnxEngine.ts';
import type { PipelineTask } from './pipelineSpec.ts';
import type { Pipelines, PipelineSettings } from './pipelines.ts';
import type { ModelKind, ModelRecord, ModelSource, ModelStore } from './modelRecords.ts';
import type { SampleCatalog } from './samples.ts';
import type { MlSettings } from './settings.ts';
import type { ModelSignature } from './signature.ts';
import { downloadTfjs, filesTfjs, tfjsStorageUrl, type TfjsEngine } from './tfjsEngine.ts';

export type LoadSource =
  { url: string } | { sample: string } | { hub: string } | { files: Array<{ name: string; bytes: ArrayBuffer }> };

export interface LoadRequest {
  source: LoadSource;
  kind?: ModelKind;
  /** transformers.js task, for hub models. */
  task?: PipelineTask;
  name?: string;
}

/** What the loader reads models with and registers them in; `MlService` shares its engines. */
export interface ModelLoaderParts {
  store: ModelStore;
  onnx: OnnxEngine;
  tfjs: TfjsEngine;
  pipelines: Pipelines;
  samples: SampleCatalog;
  /** Where the app is served; relative URLs resolve against it. */
  origin: string;
  threads: number;
  now: () => number;
}

/** The transformers.js settings for a call made with the tab's `settings`. */
export function pipelineSettings(settings: MlSettings, threads: number): PipelineSettings {
  return {
    allowRemoteModels: settings.allowRemoteModels,
    localModelPath: '/models/',
    threads,
  };
}

export class ModelLoader {
  constructor(private readonly parts: ModelLoaderParts) {}

  async load(request: LoadRequest, settings: MlSettings): Promise<ModelRecord> {
    const { source } = request;
    const { samples } = this.parts;
    if ('sample' in source) {
      const sample = await samples.find(source.sample);
      const existing = await this.parts.store.get(sample.id);
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
        samples.url(sample),
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
      await this.parts.pipelines.run(pipelineSettings(settings, this.parts.threads), {
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
      url = new URL(source.url, this.parts.origin);
    } catch {
      throw new MlError(`'${source.url}' is not a URL.`);
    }
    const kind = request.kind ?? kindFromUrl(url);
    if (kind === 'transformers')
      throw new MlError("transformers.js models load by id: source { hub: 'owner/model' } with a task.");
    return this.loadBytes(kind, url, settings, { type: 'url', url: url.href }, undefined, request.name);
  }

  /** Registers a transformers.js model by its id (nothing to store: transformers.js caches the files). */
  async registerPipelineModel(
    id: string,
    name: string,
    pipelineModel: string,
    source: ModelSource,
    task: string | undefined,
  ): Promise<ModelRecord> {
    const existing = await this.parts.store.get(id);
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

  private async used(record: ModelRecord): Promise<ModelRecord> {
    const at = this.parts.now();
    await this.parts.store.touch(record.id, at);
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
    const existing = await this.parts.store.get(id);
    if (existing) return this.used(existing);
    let signature: ModelSignature;
    try {
      signature = await this.parts.onnx.signature(bytes);
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
    const existing = await this.parts.store.get(id);
    if (existing) return this.used(existing);
    const signature = await this.parts.tfjs.store(id, description, artifacts);
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

  private async save(record: Omit<ModelRecord, 'createdAt' | 'lastUsedAt'>, bytes?: ArrayBuffer): Promise<ModelRecord> {
    const at = this.parts.now();
    const full: ModelRecord = { ...record, createdAt: at, lastUsedAt: at };
    await this.parts.store.put(full, bytes);
    return full;
  }
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
