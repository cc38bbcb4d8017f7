/**
 * `tfjs-blobs/`: a tfjs Layers classifier trained here, in Node, on the blobs dataset.
 * Pure @tensorflow/tfjs on the cpu backend: with seeded initializers and no shuffling,
 * the trained weights come out bit-identical on every run.
 */
import * as tf from '@tensorflow/tfjs';
import type { BlobPoint } from './blobs.ts';

export const WEIGHTS_FILE = 'weights.bin';
const EPOCHS = 40;
const MIN_ACCURACY = 0.9;

export interface TfjsFiles {
  modelJson: string;
  weights: Uint8Array;
  accuracy: number;
}

/** Layer and model names are fixed: tfjs would otherwise number them from a process-wide counter. */
function buildModel(): tf.Sequential {
  const model = tf.sequential({ name: 'blobs_classifier' });
  model.add(
    tf.layers.dense({
      name: 'hidden',
      inputShape: [2],
      units: 16,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      biasInitializer: 'zeros',
    }),
  );
  model.add(
    tf.layers.dense({
      name: 'probs',
      units: 3,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
      biasInitializer: 'zeros',
    }),
  );
  model.compile({ optimizer: tf.train.adam(0.03), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

export async function trainBlobsModel(points: BlobPoint[]): Promise<TfjsFiles> {
  await tf.setBackend('cpu');
  const model = buildModel();
  const xs = tf.tensor2d(points.map((p) => [p.x1, p.x2]));
  const ys = tf.oneHot(
    tf.tensor1d(
      points.map((p) => p.label),
      'int32',
    ),
    3,
  );
  try {
    await model.fit(xs, ys, { epochs: EPOCHS, batchSize: 32, shuffle: false, verbose: 0 });
    const [, accuracyTensor] = model.evaluate(xs, ys) as tf.Scalar[];
    const accuracy = (await accuracyTensor!.data())[0]!;
    if (accuracy <= MIN_ACCURACY) throw new Error(`blobs model reached only ${accuracy} accuracy`);
    return { ...(await saveToMemory(model)), accuracy };
  } finally {
    tf.dispose([xs, ys]);
    model.dispose();
  }
}

/** model.json with a manifest pointing at one weights file next to it, as `tf.loadLayersModel(url)` expects. */
async function saveToMemory(model: tf.LayersModel): Promise<Omit<TfjsFiles, 'accuracy'>> {
  let files: Omit<TfjsFiles, 'accuracy'> | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      // The same fields tfjs's own file savers write (getModelJSONForModelArtifacts is not exported).
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        trainingConfig: artifacts.trainingConfig,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
      };
      files = { modelJson: JSON.stringify(json, null, 2) + '\n', weights: new Uint8Array(weightData) };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (!files) throw new Error('tfjs save handler was not called');
  return files;
}
