/**
 * One `train_model` run as the tool and the Models view both start it: the input schema, the
 * size checks made before the Worker allocates anything, and the words for its epochs and end.
 */
import { z } from 'zod';
import { requestedBackendSchema } from './backends.ts';
import type { TrainReply, TrainRequest } from './mlService.ts';
import type { EpochReport } from './training.ts';
import {
  checkTrainingSize,
  layerInputSchema,
  LOSSES,
  METRICS,
  OPTIMIZERS,
  parseLayers,
  planModel,
  trainingDataSchema,
} from './trainingSpec.ts';
import { cancellableRun } from '../platform/cancellableRun.ts';
import { explainingErrors } from '../server/toolError.ts';
import type { MlPackDependencies } from './dependencies.ts';

export const trainInput = z.strictObject({
  layers: z
    .array(layerInputSchema)
    .min(1)
    .max(64)
    .describe(
      "The Sequential's layers in order, e.g. [{type:'dense',units:16,activation:'relu',inputShape:[2]},{type:'dense',units:3,activation:'softmax'}]. Types: dense, conv2d, maxPooling2d, flatten, dropout, batchNormalization, activation",
    ),
  data: trainingDataSchema.describe(
    '{x, y} inline, {csv} text, or {csv_url}; CSV has a header row, the target column last unless label names it',
  ),
  epochs: z.number().int().min(1).max(10_000).default(10),
  batch_size: z.number().int().min(1).max(65_536).default(32),
  validation_split: z.number().min(0).max(0.9).default(0),
  optimizer: z.enum(OPTIMIZERS).default('adam'),
  learning_rate: z.number().positive().max(10).optional().describe('Default 0.01'),
  loss: z
    .enum(LOSSES)
    .default('meanSquaredError')
    .describe('With class indices as targets use sparseCategoricalCrossentropy'),
  metrics: z.array(z.enum(METRICS)).max(3).default([]),
  shuffle: z.boolean().default(true),
  backend: requestedBackendSchema,
  name: z.string().max(200).optional().describe('A name for the trained model in the registry'),
});

/**
 * One training run as the tool and the Models view both start it: cancellable through `signal`.
 * The model's size (and inline data's) is checked here, before the Worker allocates anything.
 */
export async function runTraining(
  { ml }: Pick<MlPackDependencies, 'ml'>,
  input: z.infer<typeof trainInput>,
  options: { signal?: AbortSignal; onEpoch?: (report: EpochReport) => void } = {},
): Promise<TrainReply> {
  const layers = await explainingErrors(async () => {
    const parsed = parseLayers(input.layers);
    const plan = planModel(parsed);
    if ('x' in input.data) {
      const { x, y } = input.data;
      checkTrainingSize(plan, {
        examples: x.length,
        values: countValues(x) + countValues(y),
        batchSize: input.batch_size,
      });
    }
    return parsed;
  });
  const request: TrainRequest = {
    layers,
    data: input.data,
    epochs: input.epochs,
    batchSize: input.batch_size,
    validationSplit: input.validation_split,
    optimizer: input.optimizer,
    learningRate: input.learning_rate,
    loss: input.loss,
    metrics: input.metrics,
    shuffle: input.shuffle,
    backend: input.backend,
    name: input.name,
  };
  return cancellableRun(
    options.signal,
    (runId) => ml.cancel(runId),
    (runId) => explainingErrors(() => ml.train(runId, request, options.onEpoch)),
  );
}

/** How many numbers inline data holds, nested arrays counted through (without flattening them). */
function countValues(rows: unknown[]): number {
  let total = 0;
  const pending: unknown[] = [...rows];
  while (pending.length > 0) {
    const item = pending.pop();
    if (!Array.isArray(item)) total++;
    else for (const value of item) pending.push(value);
  }
  return total;
}

export function describeEpoch({ epoch, epochs, logs }: EpochReport): string {
  const figures = Object.entries(logs).map(([name, value]) => `${name} ${value.toPrecision(4)}`);
  return `epoch ${epoch}/${epochs}: ${figures.join(', ')}`;
}

/** What a run that ended says in words. */
export function describeOutcome(reply: TrainReply): string {
  if (reply.cancelled) {
    return `Cancelled: stopped after batch ${reply.stoppedAfterBatch} of epoch ${reply.epochsCompleted + 1} (${reply.epochsCompleted} of ${reply.epochs} epochs complete); the model was not saved.`;
  }
  return `Trained ${reply.epochs} epochs on ${reply.examples} examples; saved as ${reply.model}.`;
}
