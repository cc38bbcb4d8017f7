/**
 * TensorFlow models on tfjs: Layers models (Keras, `model.save`) and graph models (the
 * TensorFlow converter). Loaded models are saved to tfjs's own `indexeddb://` store, so the
 * registry reloads them without the network; inference validates against the signature.
 */
import type { GraphModel, io, LayersModel, Tensor } from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Backend } from './backends.ts';
import { concatBytes, download, notAModel, tooLarge } from './download.ts';
import { messageOf, MlError } from './errors.ts';
import { SerialQueue } from './serialQueue.ts';
import type { ModelSignature, TensorSpec } from './signature.ts';
import { toOutput, type CheckedTensor, type TensorOutput } from './tensors.ts';
import { loadTfjs, useBackend, type Tf } from './tfjsRuntime.ts';

export type TfjsModel = LayersModel | GraphModel;

/** Where tfjs keeps a registry model. */
export function tfjsStorageUrl(modelId: string): string {
  return `indexeddb://vial-ml/${modelId}`;
}

/** The parts of `model.json` loading needs; the rest goes to tfjs as is. */
const modelJsonSchema = z.looseObject({
  format: z.string().optional(),
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z.array(
    z.object({ paths: z.array(z.string()), weights: z.array(z.looseObject({ name: z.string() })) }),
  ),
});

/** Model artifacts as files: `model.json` and the weight files its manifest names. */
export type ModelFiles = (name: string) => Promise<ArrayBuffer>;

export async function readModelArtifacts(
  description: string,
  modelJson: ArrayBuffer,
  contentType: string,
  weightFile: ModelFiles,
): Promise<{ artifacts: io.ModelArtifacts; size: number }> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(modelJson));
  } catch {
    // JSON.parse's message quotes the text, which may be anything a server sent: say less.
    throw notAModel('a tfjs model.json', description, contentType, 'its text is not JSON');
  }
  const checked = modelJsonSchema.safeParse(json);
  if (!checked.success) {
    // zod names paths and expected types, never the values.
    throw notAModel('a tfjs model.json', description, contentType, z.prettifyError(checked.error));
  }
  const parsed = checked.data;
  const weights: ArrayBuffer[] = [];
  for (const group of parsed.weightsManifest) for (const path of group.paths) weights.push(await weightFile(path));
  const weightData = concatBytes(weights);
  return {
    artifacts: {
      modelTopology: parsed.modelTopology,
      format: parsed.format,
      weightSpecs: parsed.weightsManifest.flatMap((group) => group.weights) as never,
      weightData,
    },
    size: modelJson.byteLength + weightData.byteLength,
  };
}

/**
 * Fetches `model.json` and its weights from a URL, within the size limit for all of them. The
 * weight files must be on model.json's origin: only that origin was checked before the load.
 */
export async function downloadTfjs(url: URL, maxBytes: number) {
  const budget = { used: 0 };
  const json = await download(url, maxBytes, budget);
  return readModelArtifacts(url.href, json.bytes, json.contentType, async (path) => {
    const weightsUrl = sameOriginUrl(path, url);
    if (!weightsUrl) {
      throw new MlError(
        `${url.href} names a weight file outside ${url.origin}; weight files must be on the same origin as model.json (paths relative to it).`,
      );
    }
    const weights = await download(weightsUrl, maxBytes, budget);
    return weights.bytes;
  });
}

/** `path` resolved against `base`, when it stays on `base`'s origin. */
function sameOriginUrl(path: string, base: URL): URL | undefined {
  try {
    const url = new URL(path, base);
    return url.origin === base.origin ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Files from the person's disk (the Models view): `model.json` plus the weight files it names. */
export function filesTfjs(files: Array<{ name: string; bytes: ArrayBuffer }>, maxBytes: number) {
  const total = files.reduce((sum, file) => sum + file.bytes.byteLength, 0);
  if (total > maxBytes) throw tooLarge('The dropped model', total, maxBytes);
  const json = files.find((file) => file.name.endsWith('.json'));
  if (!json) throw new MlError('A tfjs model needs its model.json among the files.');
  return readModelArtifacts(json.name, json.bytes, 'application/json', async (path) => {
    const name = path.split('/').pop();
    const file = files.find((candidate) => candidate.name === name);
    if (!file) throw new MlError(`model.json names the weight file '${path}'; drop it together with model.json.`);
    return file.bytes;
  });
}

function isGraph(artifacts: io.ModelArtifacts): boolean {
  return artifacts.format === 'graph-model';
}

export class TfjsEngine {
  private readonly models = new Map<string, Promise<TfjsModel>>();
  private readonly queue = new SerialQueue();

  /** Builds the model from artifacts, saves it under `modelId` and returns its signature. */
  async store(modelId: string, description: string, artifacts: io.ModelArtifacts): Promise<ModelSignature> {
    const tf = await loadTfjs();
    await useBackend(tf, 'cpu');
    let model: TfjsModel;
    try {
      const handler = tf.io.fromMemory(artifacts);
      model = isGraph(artifacts) ? await tf.loadGraphModel(handler) : await tf.loadLayersModel(handler);
    } catch (error) {
      throw notAModel('a tfjs model tfjs can load', description, 'application/json', messageOf(error));
    }
    await model.save(tfjsStorageUrl(modelId));
    this.models.set(modelId, Promise.resolve(model));
    return tfjsSignature(model);
  }

  /** Saves a model built here (training) and keeps it loaded. */
  async storeTrained(modelId: string, model: LayersModel): Promise<ModelSignature> {
    await model.save(tfjsStorageUrl(modelId));
    this.models.set(modelId, Promise.resolve(model));
    return tfjsSignature(model);
  }

  async run(
    modelId: string,
    graph: boolean,
    backend: Backend,
    inputs: CheckedTensor[],
  ): Promise<{ outputs: Record<string, TensorOutput>; loadMs: number; runMs: number }> {
    const tf = await loadTfjs();
    return this.queue.run(async () => {
      await useBackend(tf, backend);
      const loadStart = performance.now();
      const model = await this.load(tf, modelId, graph);
      const loadMs = performance.now() - loadStart;
      const runStart = performance.now();
      const tensors = inputs.map((input) => tf.tensor(input.data as Float32Array, input.dims, tfDtype(input.type)));
      try {
        const produced = await predict(model, tensors, inputs);
        const names = outputNames(model);
        const outputs: Record<string, TensorOutput> = {};
        for (const [index, tensor] of produced.entries()) {
          outputs[names[index] ?? `output_${index}`] = toOutput(tensor.dtype, tensor.shape, await tensor.data());
        }
        tf.dispose(produced);
        return { outputs, loadMs, runMs: performance.now() - runStart };
      } catch (error) {
        throw new MlError(`'${modelId}' failed on tfjs ${backend}: ${messageOf(error)}`);
      } finally {
        tf.dispose(tensors);
      }
    });
  }

  forget(modelId: string): void {
    void this.models.get(modelId)?.then((model) => model.dispose?.());
    this.models.delete(modelId);
  }

  private load(tf: Tf, modelId: string, graph: boolean): Promise<TfjsModel> {
    let loading = this.models.get(modelId);
    if (!loading) {
      const url = tfjsStorageUrl(modelId);
      loading = graph ? tf.loadGraphModel(url) : tf.loadLayersModel(url);
      this.models.set(modelId, loading);
      loading.catch(() => this.models.delete(modelId));
    }
    return loading.catch((error: unknown) => {
      throw new MlError(
        `The saved tfjs model '${modelId}' could not be read from ${tfjsStorageUrl(modelId)} (${messageOf(error)}); load it again with model_load.`,
      );
    });
  }
}

async function predict(model: TfjsModel, tensors: Tensor[], inputs: CheckedTensor[]): Promise<Tensor[]> {
  if ('executeAsync' in model) {
    const named = Object.fromEntries(inputs.map((input, index) => [input.name, tensors[index]!]));
    const result = await model.executeAsync(named);
    return Array.isArray(result) ? result : [result as Tensor];
  }
  const result = model.predict(tensors.length === 1 ? tensors[0]! : tensors);
  return Array.isArray(result) ? result : [result];
}

function outputNames(model: TfjsModel): string[] {
  return 'executeAsync' in model ? model.outputs.map((output) => output.name) : model.outputNames;
}

function tfDtype(type: string): 'float32' | 'int32' | 'bool' {
  return type === 'int32' ? 'int32' : type === 'bool' ? 'bool' : 'float32';
}

export function tfjsSignature(model: TfjsModel): ModelSignature {
  if ('executeAsync' in model) {
    const describe = (info: { name: string; dtype: string; shape?: number[] }): TensorSpec => ({
      name: info.name,
      type: info.dtype,
      dims: (info.shape ?? []).map((dim, axis) => (dim < 0 ? dimName(axis) : dim)),
    });
    return { inputs: model.inputs.map(describe), outputs: model.outputs.map(describe) };
  }
  const describe = (name: string, tensor: { dtype: string; shape: Array<number | null> }): TensorSpec => ({
    name,
    type: tensor.dtype,
    dims: tensor.shape.map((dim, axis) => dim ?? dimName(axis)),
  });
  return {
    inputs: model.inputs.map((input, index) => describe(model.inputNames[index] ?? input.name, input)),
    outputs: model.outputs.map((output, index) => describe(model.outputNames[index] ?? output.name, output)),
  };
}

/** tfjs leaves free dims unnamed; the first is the batch. */
function dimName(axis: number): string {
  return axis === 0 ? 'batch' : `d${axis}`;
}
