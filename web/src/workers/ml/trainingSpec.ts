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
