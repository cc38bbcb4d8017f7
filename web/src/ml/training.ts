/**
 * Builds a tfjs `Sequential` from checked layer specs and fits it, reporting once per epoch and
 * stopping after the current batch when asked to (tfjs checks `stopTraining` between batches).
 */
import type { LayersModel, Logs, Sequential } from '@tensorflow/tfjs';
import { messageOf, MlError } from './errors.ts';
import type { Examples } from './trainingData.ts';
import { checkTrainingSize, planModel, type LayerSpec, type TrainingSettings } from './trainingSpec.ts';
import type { Tf } from './tfjsRuntime.ts';

export interface EpochReport {
  epoch: number;
  epochs: number;
  logs: Record<string, number>;
}

export interface TrainingOutcome {
  model: LayersModel;
  epochsCompleted: number;
  /** Set when training stopped early because it was cancelled: the batch it stopped after. */
  stoppedAfterBatch?: number;
  history: Array<Record<string, number>>;
}

export function buildModel(tf: Tf, layers: LayerSpec[]): Sequential {
  const model = tf.sequential();
  layers.forEach((spec, index) => {
    try {
      model.add(makeLayer(tf, spec));
    } catch (error) {
      throw new MlError(
        `Layer ${index + 1} (${spec.type}) does not fit after the layers before it: ${messageOf(error)}`,
      );
    }
  });
  return model;
}

function makeLayer(tf: Tf, spec: LayerSpec) {
  const { type, ...config } = spec;
  switch (type) {
    case 'dense':
      return tf.layers.dense(config as Parameters<Tf['layers']['dense']>[0]);
    case 'conv2d':
      return tf.layers.conv2d(config as Parameters<Tf['layers']['conv2d']>[0]);
    case 'maxPooling2d':
      return tf.layers.maxPooling2d(config as Parameters<Tf['layers']['maxPooling2d']>[0]);
    case 'flatten':
      return tf.layers.flatten(config);
    case 'dropout':
      return tf.layers.dropout(config as Parameters<Tf['layers']['dropout']>[0]);
    case 'batchNormalization':
      return tf.layers.batchNormalization(config);
    case 'activation':
      return tf.layers.activation(config as Parameters<Tf['layers']['activation']>[0]);
  }
}

/** Targets as the loss needs them: class indices become one-hot rows for the cross-entropies. */
function targets(tf: Tf, settings: TrainingSettings, examples: Examples, classes: number) {
  const categorical = settings.loss === 'categoricalCrossentropy' || settings.loss === 'sparseCategoricalCrossentropy';
  if (!categorical || examples.y[0]!.length !== 1 || classes === 1) {
    return tf.tensor2d(examples.y);
  }
  const indices = examples.y.map(([value], row) => {
    if (!Number.isInteger(value) || value! < 0 || value! >= classes) {
      throw new MlError(
        `Target ${row} is ${value}; with ${classes} output units a class index must be 0…${classes - 1}.`,
      );
    }
    return value!;
  });
  return tf.oneHot(tf.tensor1d(indices, 'int32'), classes);
}

export async function fit(
  tf: Tf,
  settings: TrainingSettings,
  examples: Examples,
  onEpoch: (report: EpochReport) => void,
  stopRequested: () => boolean,
): Promise<TrainingOutcome> {
  // Sizes are checked from the spec and the data before tfjs builds or allocates anything.
  const plan = planModel(settings.layers);
  const inputShape = plan.shapes[0]!;
  const perExample = inputShape.reduce((product, dim) => product * dim, 1);
  examples.x.forEach((row, index) => {
    if (row.length !== perExample) {
      throw new MlError(
        `Example ${index} has ${row.length} values but inputShape [${inputShape.join(',')}] takes ${perExample}.`,
      );
    }
  });
  const values = examples.x.length * perExample + examples.y.reduce((total, row) => total + row.length, 0);
  checkTrainingSize(plan, { examples: examples.x.length, values, batchSize: settings.batchSize });
  const model = buildModel(tf, settings.layers);
  const outputUnits = model.outputs[0]!.shape.at(-1) ?? 1;
  const optimizer = tf.train[settings.optimizer](settings.learningRate ?? 0.01);
  // sparseCategoricalCrossentropy is categoricalCrossentropy on one-hot targets: same value, and
  // tfjs's accuracy metric then reads the targets right.
  const loss = settings.loss === 'sparseCategoricalCrossentropy' ? 'categoricalCrossentropy' : settings.loss;
  model.compile({ optimizer, loss, metrics: settings.metrics });
  const xs = tf.tensor(examples.x.flat(), [examples.x.length, ...inputShape]);
  const ys = targets(tf, settings, examples, outputUnits);
  const history: Array<Record<string, number>> = [];
  let epochsCompleted = 0;
  let stoppedAfterBatch: number | undefined;
  try {
    await model.fit(xs, ys, {
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      validationSplit: settings.validationSplit,
      shuffle: settings.shuffle,
      callbacks: {
        onBatchEnd: async (batch: number) => {
          if (stopRequested() && stoppedAfterBatch === undefined) {
            stoppedAfterBatch = batch + 1;
            model.stopTraining = true;
          }
        },
        onEpochEnd: async (epoch: number, logs?: Logs) => {
          if (stoppedAfterBatch !== undefined) return;
          epochsCompleted = epoch + 1;
          const values = Object.fromEntries(Object.entries(logs ?? {}).map(([name, value]) => [name, Number(value)]));
          history.push(values);
          onEpoch({ epoch: epoch + 1, epochs: settings.epochs, logs: values });
        },
      },
    });
  } catch (error) {
    model.dispose();
    throw new MlError(`Training failed: ${messageOf(error)}`);
  } finally {
    tf.dispose([xs, ys]);
  }
  return { model, epochsCompleted, stoppedAfterBatch, history };
}
