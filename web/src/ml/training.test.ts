/**
 * The size checks train_model makes before tfjs builds a model, against tfjs itself (pure JS, CPU
 * backend, in Node): the planned parameter count and shapes match what tfjs builds, and a model
 * over the limits is refused without a tensor being made.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, fit } from './training.ts';
import {
  MAX_BATCH_ACTIVATIONS,
  MAX_TRAINING_PARAMETERS,
  MAX_TRAINING_VALUES,
  parseLayers,
  planModel,
  type TrainingSettings,
} from './trainingSpec.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const settings = (layers: TrainingSettings['layers'], batchSize = 32): TrainingSettings => ({
  layers,
  epochs: 1,
  batchSize,
  validationSplit: 0,
  optimizer: 'adam',
  loss: 'meanSquaredError',
  metrics: [],
  shuffle: false,
});

const MODELS: Array<Array<{ type: string } & Record<string, unknown>>> = [
  [
    { type: 'dense', units: 16, activation: 'relu', inputShape: [2] },
    { type: 'dense', units: 3, activation: 'softmax' },
  ],
  [
    { type: 'dense', units: 5, useBias: false, inputShape: [4, 3] },
    { type: 'flatten' },
    { type: 'batchNormalization' },
    { type: 'dropout', rate: 0.2 },
    { type: 'dense', units: 1 },
  ],
  [
    { type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu', inputShape: [9, 9, 2] },
    { type: 'maxPooling2d', poolSize: 2 },
    { type: 'conv2d', filters: 6, kernelSize: [2, 3], strides: [1, 2], padding: 'same' },
    { type: 'maxPooling2d', poolSize: [2, 1], strides: 1, padding: 'same' },
    { type: 'batchNormalization' },
    { type: 'flatten' },
    { type: 'activation', activation: 'tanh' },
    { type: 'dense', units: 2 },
  ],
  [
    { type: 'conv2d', filters: 3, kernelSize: 5, strides: 2, inputShape: [28, 28, 1] },
    { type: 'maxPooling2d', strides: [3, 2] },
    { type: 'flatten' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
];

describe('planModel', () => {
  it.each(MODELS.map((layers, index) => [index + 1, layers] as const))(
    'model %i: the parameters and shapes tfjs builds',
    (_, input) => {
      const layers = parseLayers(input);
      const plan = planModel(layers);
      const model = buildModel(tf, layers);
      try {
        expect(plan.parameters).toBe(model.countParams());
        expect(plan.shapes.slice(1)).toEqual(model.layers.map((layer) => (layer.outputShape as number[]).slice(1)));
      } finally {
        model.dispose();
      }
    },
  );

  it.each([
    [
      [
        { type: 'dense', units: 65_536, inputShape: [65_536] },
        { type: 'dense', units: 1 },
      ],
      "The model has 4,295,032,832 parameters by layer 1 (dense), over train_model's limit of 10,000,000.",
    ],
    [
      [{ type: 'conv2d', filters: 4096, kernelSize: 64, inputShape: [64, 64, 3] }, { type: 'flatten' }],
      "The model has 50,335,744 parameters by layer 1 (conv2d), over train_model's limit of 10,000,000.",
    ],
    [
      [{ type: 'flatten', inputShape: [1e9, 1e9] }],
      "One example makes 2,000,000,000,000,000,000 layer outputs by layer 1 (flatten), over train_model's limit of 33,554,432 per batch.",
    ],
    [
      [{ type: 'conv2d', filters: 2, kernelSize: 5, inputShape: [3, 3, 1] }],
      "Layer 1 (conv2d) does not fit: its 5×5 window is larger than its 3×3 input; use padding 'same' or a smaller window.",
    ],
    [
      [{ type: 'maxPooling2d', inputShape: [4] }],
      'Layer 1 (maxPooling2d) needs a 3-D input [height, width, channels] but gets [4].',
    ],
  ])('refuses %j', (input, message) => {
    expect(() => planModel(parseLayers(input))).toThrow(message);
  });
});

describe('fit', () => {
  const examples = { x: [[1, 2]], y: [[1]] };

  it(`refuses a model over ${MAX_TRAINING_PARAMETERS} parameters before tfjs makes a tensor`, async () => {
    const before = tf.memory().numTensors;
    const huge = parseLayers([
      { type: 'dense', units: 65_536, inputShape: [2] },
      { type: 'dense', units: 65_536 },
    ]);
    await expect(
      fit(
        tf,
        settings(huge),
        examples,
        () => undefined,
        () => false,
      ),
    ).rejects.toThrow("parameters by layer 2 (dense), over train_model's limit of 10,000,000");
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a batch whose layer outputs pass the limit, naming batch_size', async () => {
    const wide = parseLayers([{ type: 'dense', units: 65_536, inputShape: [2] }]);
    const many = { x: Array.from({ length: 1024 }, () => [1, 2]), y: Array.from({ length: 1024 }, () => [1]) };
    const before = tf.memory().numTensors;
    await expect(
      fit(
        tf,
        settings(wide, 1024),
        many,
        () => undefined,
        () => false,
      ),
    ).rejects.toThrow(
      `over train_model's limit of ${MAX_BATCH_ACTIVATIONS.toLocaleString('en-US')}. Use a smaller batch_size`,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a training set over the limit before making its tensors', async () => {
    const small = parseLayers([{ type: 'dense', units: 1, inputShape: [1024] }]);
    const rows = Math.ceil(MAX_TRAINING_VALUES / 1024) + 1;
    const row = Array<number>(1024).fill(0);
    const big = { x: Array.from({ length: rows }, () => row), y: Array.from({ length: rows }, () => [0]) };
    const before = tf.memory().numTensors;
    await expect(
      fit(
        tf,
        settings(small, 8),
        big,
        () => undefined,
        () => false,
      ),
    ).rejects.toThrow(/The training data has [\d,]+ numbers, over train_model's limit of 16,777,216/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains a model inside the limits', async () => {
    const layers = parseLayers([{ type: 'dense', units: 1, inputShape: [2] }]);
    const outcome = await fit(
      tf,
      settings(layers),
      examples,
      () => undefined,
      () => false,
    );
    expect(outcome.epochsCompleted).toBe(1);
    outcome.model.dispose();
  });
});
