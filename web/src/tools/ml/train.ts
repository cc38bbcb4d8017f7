/**
 * `train_model`: trains a tfjs `Sequential` in the ML Worker on the user's device, one progress
 * notification per epoch with its loss and metrics, stopping after the current batch when the
 * client cancels. The trained model is saved to the registry (tfjs `indexeddb://`) and answers
 * `tfjs_inference` by its id, across reloads.
 */
import { defineTool, jsonResult } from '../../server/toolRegistry.ts';
import type { MlPackDependencies } from '../../ml/dependencies.ts';
import { MAX_TRAINING_PARAMETERS } from '../../ml/trainingSpec.ts';
import { describeEpoch, describeOutcome, runTraining, trainInput } from '../../ml/trainingRun.ts';
import { finiteOrNull } from './finite.ts';

export type { TrainModelOutput } from './outputs.ts';

export function createTrainModelTool(deps: MlPackDependencies) {
  return defineTool({
    name: 'train_model',
    title: 'Train a model',
    description: `Trains a TensorFlow.js Sequential model in the user's browser (WebGPU, WASM or CPU) on inline data, CSV text or a CSV URL. Sends one progress notification per epoch with loss and metrics; cancelling stops after the current batch. Saves the trained model in the tab's registry and returns its id (use it with tfjs_inference) and the final metrics. Models over ${MAX_TRAINING_PARAMETERS.toLocaleString('en-US')} parameters are refused. A csv_url on a new origin waits for the person at the tab to approve it; local-network addresses are refused unless they allowed them in Settings; redirects are not followed.`,
    scopes: ['ml'],
    access: 'compute',
    input: trainInput,
    annotations: { readOnlyHint: false, openWorldHint: true },
    run: async (input, { client, signal, progress }) => {
      if ('csv_url' in input.data) {
        const call = { client, tool: 'train_model', what: 'a CSV file', signal };
        const url = await deps.fetchGuard.admitUrl(input.data.csv_url, call);
        input = { ...input, data: { ...input.data, csv_url: url.href } };
      }
      const reply = await runTraining(deps, input, {
        signal,
        onEpoch: (report) => void progress(report.epoch, report.epochs, describeEpoch(report)),
      });
      return jsonResult({
        ...reply,
        finalMetrics: finiteFigures(reply.finalMetrics),
        history: reply.history.map(finiteFigures),
        summary: describeOutcome(reply),
      });
    },
  });
}

/** Loss and metrics as JSON carries them: a figure that diverged (NaN, ±Infinity) as null. */
function finiteFigures(figures: Record<string, number>): Record<string, number | null> {
  return Object.fromEntries(Object.entries(figures).map(([name, value]) => [name, finiteOrNull(value)]));
}
