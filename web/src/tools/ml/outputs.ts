/**
 * What the ML tools and the model registry resource return: each tool's `outputSchema`, checked
 * against every `structuredContent` it sends, and the types its tests and its MCP App read. Zod
 * and the registry's record schemas only, so an app imports these without tfjs or onnxruntime.
 */
import { z } from 'zod';
import { modelRecordSchema } from '../../ml/modelRecords.ts';
import { sampleSchema } from '../../ml/samples.ts';
import { PIPELINE_TASKS } from '../../ml/pipelineSpec.ts';

const REGISTRY_URI = 'vial://models/registry';

/**
 * A figure that JSON may not carry as a number: a loss that diverged is NaN, and JSON writes NaN
 * and ±Infinity as null, so the tools send null for them (see `finite.ts`).
 */
const figure = z.number().nullable();

const timings = z.strictObject({ loadMs: z.number(), runMs: z.number(), totalMs: z.number() });

/** `model_load`: the registry record of the model now loaded, and where the registry is. */
export const modelLoadOutput = modelRecordSchema.extend({ resource: z.literal(REGISTRY_URI) }).strict();
export type ModelLoadOutput = z.infer<typeof modelLoadOutput>;

/** A tensor as results carry it; int64 beyond 2^53 as strings, non-finite values as null. */
export const tensorOutput = z.strictObject({
  type: z.string(),
  dims: z.array(z.number().int().nonnegative()),
  data: z.array(z.union([z.number(), z.string(), z.null()])),
});
export type TensorOutput = z.infer<typeof tensorOutput>;

/** `onnx_inference` and `tfjs_inference`: each output tensor, the backend that ran and timings. */
export const inferenceOutput = z.strictObject({
  model: z.string(),
  outputs: z.record(z.string(), tensorOutput),
  backend: z.enum(['webgpu', 'wasm', 'cpu']),
  backendReason: z.string().optional().describe('Why this backend ran, when it is not the one asked for'),
  timings,
});
export type InferenceOutput = z.infer<typeof inferenceOutput>;

/** `train_model`: the saved model's id, the per-epoch history and the final metrics. */
export const trainModelOutput = z.strictObject({
  model: z.string().optional().describe('Registry id of the saved model; absent when the run was cancelled'),
  cancelled: z.boolean(),
  epochsCompleted: z.number().int().nonnegative(),
  epochs: z.number().int().positive(),
  stoppedAfterBatch: z.number().int().nonnegative().optional(),
  finalMetrics: z.record(z.string(), figure).describe('Loss and metrics after the last epoch; null where not finite'),
  history: z
    .array(z.record(z.string(), figure))
    .describe('One entry per completed epoch: loss, metrics and val_ ones with validation_split'),
  backend: z.enum(['webgpu', 'wasm', 'cpu']),
  backendReason: z.string().optional(),
  examples: z.number().int().nonnegative(),
  trainMs: z.number(),
  summary: z.string().describe('The outcome in words'),
});
export type TrainModelOutput = z.infer<typeof trainModelOutput>;

/**
 * What each transformers.js task gives, one result per input (feature-extraction: one tensor for
 * all). Results keep any further fields transformers.js adds (e.g. a token's `index`).
 */
export const pipelineTaskOutputs = {
  'feature-extraction': z.strictObject({
    dims: z.array(z.number().int().nonnegative()),
    embeddings: z
      .array(z.array(z.union([z.number(), z.array(z.number())])))
      .describe('One vector per input (per token with pooling none)'),
  }),
  'text-classification': z.array(z.array(z.looseObject({ label: z.string(), score: z.number() }))),
  'zero-shot-classification': z.array(
    z.looseObject({ labels: z.array(z.string()), scores: z.array(z.number()) }).describe('Labels best first'),
  ),
  'token-classification': z.array(z.array(z.looseObject({ entity: z.string(), word: z.string(), score: z.number() }))),
} as const;
export type PipelineTaskOutput<T extends keyof typeof pipelineTaskOutputs> = z.infer<(typeof pipelineTaskOutputs)[T]>;

/** `ml_pipeline`: the task's output (see `pipelineTaskOutputs`), the backend that ran and timings. */
export const pipelineOutput = z.strictObject({
  model: z.string(),
  task: z.enum(PIPELINE_TASKS),
  output: z
    .union([
      pipelineTaskOutputs['feature-extraction'],
      pipelineTaskOutputs['text-classification'],
      pipelineTaskOutputs['zero-shot-classification'],
      pipelineTaskOutputs['token-classification'],
    ])
    .describe("transformers.js's output for the task"),
  backend: z.enum(['webgpu', 'wasm']),
  backendReason: z.string().optional(),
  timings,
});
export type PipelineOutput = z.infer<typeof pipelineOutput>;

/** `vial://models/registry`: the models in this tab's registry and the bundled samples. */
export const modelRegistry = z.strictObject({
  models: z.array(modelRecordSchema),
  samples: z.array(sampleSchema),
});
export type ModelRegistry = z.infer<typeof modelRegistry>;
