/**
 * The bundled sample models run in Node by the libraries' Node builds (onnxruntime-node, pure
 * tfjs on the CPU, transformers.js on onnxruntime-node): the numbers the tab's Worker must match.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { env, pipeline } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';

export const MODELS_DIR = fileURLToPath(new URL('../../public/models/', import.meta.url));

export async function onnxReference(
  path: string,
  feeds: Record<string, { type: 'float32'; dims: number[]; data: number[] }>,
) {
  const session = await ort.InferenceSession.create(`${MODELS_DIR}${path}`);
  const tensors = Object.fromEntries(
    Object.entries(feeds).map(([name, feed]) => [
      name,
      new ort.Tensor(feed.type, Float32Array.from(feed.data), feed.dims),
    ]),
  );
  const results = await session.run(tensors);
  await session.release();
  return Object.fromEntries(
    Object.entries(results).map(([name, tensor]) => [
      name,
      { dims: [...tensor.dims], data: Array.from(tensor.data as Float32Array) },
    ]),
  );
}

/** A bundled tfjs Layers model (`model.json` and its weight files) on the CPU backend. */
export async function loadSampleTfjsModel(modelJsonPath: string): Promise<tf.LayersModel> {
  await tf.setBackend('cpu');
  const dir = modelJsonPath.slice(0, modelJsonPath.lastIndexOf('/') + 1);
  const json = JSON.parse(await readFile(`${MODELS_DIR}${modelJsonPath}`, 'utf8')) as {
    modelTopology: object;
    weightsManifest: tf.io.WeightsManifestConfig;
  };
  const buffers = await Promise.all(
    json.weightsManifest.flatMap((group) => group.paths).map((path) => readFile(`${MODELS_DIR}${dir}${path}`)),
  );
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
      weightData: new Uint8Array(Buffer.concat(buffers)).buffer,
    }),
  );
}

/** A bundled tfjs model's predictions for `rows`, flat. */
export async function tfjsReference(modelJsonPath: string, rows: number[][]): Promise<number[]> {
  const model = await loadSampleTfjsModel(modelJsonPath);
  const output = model.predict(tf.tensor2d(rows)) as tf.Tensor;
  const data = Array.from(await output.data());
  tf.dispose([output]);
  model.dispose();
  return data;
}

/** transformers.js reads the bundled samples from `public/models`, never from the hub. */
export function useOfflineSamples(): void {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = MODELS_DIR;
}

/** A transformers.js pipeline on a bundled sample, offline, as Node runs it. */
export async function pipelineReference(task: string, model: string, input: string, ...settings: unknown[]) {
  useOfflineSamples();
  const pipe = (await pipeline(task as 'feature-extraction', model, { dtype: 'fp32' })) as unknown as (
    input: string,
    ...settings: unknown[]
  ) => Promise<{ tolist?: () => unknown } & unknown>;
  const output = await pipe(input, ...settings);
  return typeof output.tolist === 'function' ? output.tolist() : output;
}

/** Largest absolute difference between two equally long lists of numbers. */
export function maxDifference(actual: readonly number[], expected: readonly number[]): number {
  if (actual.length !== expected.length) return Infinity;
  return actual.reduce((worst, value, index) => Math.max(worst, Math.abs(value - expected[index]!)), 0);
}
