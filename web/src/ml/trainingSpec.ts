/**
 * What `train_model` accepts: a tfjs `Sequential` as a list of layers, the data (inline, CSV
 * text or a CSV URL) and the fit settings. Layers are checked one by one so an unsupported or
 * misconfigured layer is named with its position and the layers that are supported.
 */
import { z } from 'zod';
import { MlError } from './errors.ts';

const ACTIVATIONS = [
  'relu',
  'sigmoid',
  'tanh',
  'softmax',
  'linear',
  'elu',
  'selu',
  'softplus',
  'relu6',
  'swish',
] as const;
const activation = z.enum(ACTIVATIONS);
const positive = z.number().int().min(1);
const size2 = z.union([positive, z.tuple([positive, positive])]);
const shape = z.array(positive).min(1).max(4);

/** Each supported layer's own settings; `inputShape` belongs on the first. */
export const LAYER_SCHEMAS = {
  dense: z.strictObject({
    type: z.literal('dense'),
    units: positive.max(65_536),
    activation: activation.optional(),
    useBias: z.boolean().optional(),
    inputShape: shape.optional(),
  }),
  conv2d: z.strictObject({
    type: z.literal('conv2d'),
    filters: positive.max(4096),
    kernelSize: size2,
    strides: size2.optional(),
    padding: z.enum(['valid', 'same']).optional(),
    activation: activation.optional(),
    inputShape: shape.optional(),
  }),
  maxPooling2d: z.strictObject({
    type: z.literal('maxPooling2d'),
    poolSize: size2.optional(),
    strides: size2.optional(),
    padding: z.enum(['valid', 'same']).optional(),
    inputShape: shape.optional(),
  }),
  flatten: z.strictObject({ type: z.literal('flatten'), inputShape: shape.optional() }),
  dropout: z.strictObject({
    type: z.literal('dropout'),
    rate: z.number().min(0).max(0.99),
    inputShape: shape.optional(),
  }),
  batchNormalization: z.strictObject({
    type: z.literal('batchNormalization'),
    momentum: z.number().min(0).max(1).optional(),
    epsilon: z.number().positive().optional(),
    inputShape: shape.optional(),
  }),
  activation: z.strictObject({ type: z.literal('activation'), activation, inputShape: shape.optional() }),
} as const;
export type LayerType = keyof typeof LAYER_SCHEMAS;
export type LayerSpec = z.infer<(typeof LAYER_SCHEMAS)[LayerType]>;

/** The wire form: any object with a `type`; `parseLayers` checks the rest with a clear message. */
export const layerInputSchema = z.looseObject({ type: z.string() });

export function parseLayers(layers: Array<z.infer<typeof layerInputSchema>>): LayerSpec[] {
  const supported = Object.keys(LAYER_SCHEMAS).join(', ');
  return layers.map((layer, index) => {
    const schema = LAYER_SCHEMAS[layer.type as LayerType] as z.ZodType<LayerSpec> | undefined;
    if (!schema) {
      throw new MlError(
        `Layer ${index + 1} has type '${layer.type}', which train_model does not support. Supported layers: ${supported}.`,
      );
    }
    const parsed = schema.safeParse(layer);
    if (!parsed.success)
      throw new MlError(`Layer ${index + 1} (${layer.type}) is misconfigured: ${z.prettifyError(parsed.error)}`);
    if (index === 0 && !parsed.data.inputShape) {
      throw new MlError(
        `Layer 1 (${layer.type}) needs inputShape, the shape of one example without the batch, e.g. [4].`,
      );
    }
    return parsed.data;
  });
}

/** Most weights a model train_model builds may have (with the optimizer's state, ~16 bytes each). */
export const MAX_TRAINING_PARAMETERS = 10_000_000;
/** Most values one batch's layer outputs may hold (kept for the backward pass; ~128 MiB as float32). */
export const MAX_BATCH_ACTIVATIONS = 32 * 1024 * 1024;
/** Most numbers a training set may hold, features and targets together. */
export const MAX_TRAINING_VALUES = 16 * 1024 * 1024;

/** What a `Sequential` of these layers will be, worked out from the spec before tfjs allocates anything. */
export interface ModelPlan {
  /** One example's shape, then each layer's output shape (the batch left out). */
  shapes: number[][];
  parameters: number;
  /** Values one example makes across the input and all layer outputs. */
  activationsPerExample: number;
}

const count = (value: number) => value.toLocaleString('en-US');
const product = (shape: readonly number[]) => shape.reduce((total, dim) => total * dim, 1);
const pair = (value: number | [number, number]): [number, number] =>
  typeof value === 'number' ? [value, value] : value;

function spatial(size: number, window: number, stride: number, padding: 'valid' | 'same' | undefined): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - window) / stride) + 1;
}

/**
 * Shapes and parameter count of the model `layers` describe (checked by `parseLayers`), refusing
 * one over `MAX_TRAINING_PARAMETERS` with the layer where it passes the limit.
 */
export function planModel(layers: LayerSpec[]): ModelPlan {
  let shape = [...layers[0]!.inputShape!];
  const shapes = [shape];
  let parameters = 0;
  let activationsPerExample = product(shape);
  layers.forEach((layer, index) => {
    const where = `Layer ${index + 1} (${layer.type})`;
    const image = () => {
      if (shape.length !== 3) {
        throw new MlError(`${where} needs a 3-D input [height, width, channels] but gets [${shape.join(', ')}].`);
      }
      return shape as [number, number, number];
    };
    switch (layer.type) {
      case 'dense': {
        const inputs = shape.at(-1)!;
        parameters += inputs * layer.units + (layer.useBias === false ? 0 : layer.units);
        shape = [...shape.slice(0, -1), layer.units];
        break;
      }
      case 'conv2d':
      case 'maxPooling2d': {
        const [height, width, channels] = image();
        const [windowH, windowW] = pair(layer.type === 'conv2d' ? layer.kernelSize : (layer.poolSize ?? 2));
        const [strideH, strideW] = pair(layer.strides ?? (layer.type === 'conv2d' ? 1 : [windowH, windowW]));
        const outH = spatial(height, windowH, strideH, layer.padding);
        const outW = spatial(width, windowW, strideW, layer.padding);
        if (outH < 1 || outW < 1) {
          throw new MlError(
            `${where} does not fit: its ${windowH}×${windowW} window is larger than its ${height}×${width} input; use padding 'same' or a smaller window.`,
          );
        }
        if (layer.type === 'conv2d') {
          parameters += windowH * windowW * channels * layer.filters + layer.filters;
          shape = [outH, outW, layer.filters];
        } else shape = [outH, outW, channels];
        break;
      }
      case 'flatten':
        shape = [product(shape)];
        break;
      case 'batchNormalization':
        // gamma, beta, and the moving mean and variance, per channel.
        parameters += 4 * shape.at(-1)!;
        break;
      default:
        break;
    }
    shapes.push(shape);
    activationsPerExample += product(shape);
    if (parameters > MAX_TRAINING_PARAMETERS) {
      throw new MlError(
        `The model has ${count(parameters)} parameters by layer ${index + 1} (${layer.type}), over train_model's limit of ${count(MAX_TRAINING_PARAMETERS)}. Use fewer units or filters, or a smaller inputShape.`,
      );
    }
    if (activationsPerExample > MAX_BATCH_ACTIVATIONS) {
      throw new MlError(
        `One example makes ${count(activationsPerExample)} layer outputs by layer ${index + 1} (${layer.type}), over train_model's limit of ${count(MAX_BATCH_ACTIVATIONS)} per batch. Use a smaller inputShape or smaller layers.`,
      );
    }
  });
  return { shapes, parameters, activationsPerExample };
}

/**
 * Refuses a training set or batch too large for the tab before any tensor is made: `values` is the
 * numbers in the training set (features and targets), `examples` how many examples it has.
 */
export function checkTrainingSize(
  plan: ModelPlan,
  { examples, values, batchSize }: { examples: number; values: number; batchSize: number },
): void {
  if (values > MAX_TRAINING_VALUES) {
    throw new MlError(
      `The training data has ${count(values)} numbers, over train_model's limit of ${count(MAX_TRAINING_VALUES)}. Train on fewer examples.`,
    );
  }
  const batch = Math.min(batchSize, examples);
  const activations = batch * plan.activationsPerExample;
  if (activations > MAX_BATCH_ACTIVATIONS) {
    throw new MlError(
      `A batch of ${count(batch)} examples makes ${count(activations)} layer outputs (${count(plan.activationsPerExample)} per example), over train_model's limit of ${count(MAX_BATCH_ACTIVATIONS)}. Use a smaller batch_size or smaller layers.`,
    );
  }
}

export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop', 'adagrad', 'adadelta', 'adamax'] as const;
export const LOSSES = [
  'meanSquaredError',
  'meanAbsoluteError',
  'categoricalCrossentropy',
  'sparseCategoricalCrossentropy',
  'binaryCrossentropy',
  'hinge',
] as const;
export const METRICS = ['accuracy', 'mse', 'mae'] as const;

/** Training data: inline tensors, CSV text, or a CSV file at a URL (relative URLs are the tab's). */
export const trainingDataSchema = z.union([
  z.strictObject({
    x: z.array(z.unknown()).min(1).describe('Examples: one nested array per example (shape = first layer inputShape)'),
    y: z.array(z.unknown()).min(1).describe('Targets, one per example: a number (class index / value) or an array'),
  }),
  z.strictObject({
    csv: z.string().max(50_000_000).describe('CSV text with a header row'),
    label: z.string().optional().describe('The target column (default: the last)'),
  }),
  z.strictObject({
    csv_url: z.string().max(4096).describe('URL of a CSV file with a header row'),
    label: z.string().optional().describe('The target column (default: the last)'),
  }),
]);
export type TrainingData = z.infer<typeof trainingDataSchema>;

export interface TrainingSettings {
  layers: LayerSpec[];
  epochs: number;
  batchSize: number;
  validationSplit: number;
  optimizer: (typeof OPTIMIZERS)[number];
  learningRate?: number;
  loss: (typeof LOSSES)[number];
  metrics: Array<(typeof METRICS)[number]>;
  shuffle: boolean;
}
