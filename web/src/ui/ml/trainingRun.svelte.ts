/**
 * The Models view's training form and the run it starts: the form's fields, each finished
 * epoch's figures as they arrive (for the live chart), and how the run ended. Runs go through
 * `runTraining` and the `trainInput` schema, exactly as the `train_model` tool's do.
 */
import { z } from 'zod';
import { describeOutcome, runTraining, trainInput } from '../../ml/trainingRun.ts';
import type { MlPackDependencies } from '../../ml/dependencies.ts';
import type { RequestedBackend } from '../../ml/backends.ts';
import { messageOf } from '../../ml/errors.ts';
import type { TrainReply } from '../../ml/mlService.ts';
import type { LOSSES, METRICS } from '../../ml/trainingSpec.ts';

/** A small classifier for the bundled blobs.csv: two features in, three classes out. */
const EXAMPLE_LAYERS = `[
  { "type": "dense", "units": 16, "activation": "relu", "inputShape": [2] },
  { "type": "dense", "units": 3, "activation": "softmax" }
]`;

export class TrainingRun {
  layers = $state(EXAMPLE_LAYERS);
  csvUrl = $state('/models/data/blobs.csv');
  label = $state('label');
  epochs: number | undefined = $state(20);
  batchSize: number | undefined = $state(32);
  learningRate: number | undefined = $state(0.01);
  validationSplit: number | undefined = $state(0.2);
  loss: (typeof LOSSES)[number] = $state('sparseCategoricalCrossentropy');
  metrics: Array<(typeof METRICS)[number]> = $state(['accuracy']);
  backend: RequestedBackend = $state('auto');
  running = $state(false);
  /** Each finished epoch's loss and metrics, in order. */
  history: Array<Record<string, number>> = $state.raw([]);
  /** Epochs the current (or last) run was asked for: the chart's width. */
  plannedEpochs = $state(0);
  outcome: string | undefined = $state();
  error: string | undefined = $state();
  private controller: AbortController | undefined;

  constructor(private readonly deps: Pick<MlPackDependencies, 'ml'>) {}

  /** Trains on the form's settings; resolves with the reply, or undefined when the run failed. */
  async start(): Promise<TrainReply | undefined> {
    if (this.running) return undefined;
    this.error = undefined;
    this.outcome = undefined;
    let input: z.infer<typeof trainInput>;
    try {
      input = this.input();
    } catch (error) {
      this.error = messageOf(error);
      return undefined;
    }
    const controller = new AbortController();
    this.controller = controller;
    this.running = true;
    this.history = [];
    this.plannedEpochs = input.epochs;
    try {
      const reply = await runTraining(this.deps, input, {
        signal: controller.signal,
        onEpoch: (report) => (this.history = [...this.history, report.logs]),
      });
      this.outcome = describeOutcome(reply);
      return reply;
    } catch (error) {
      this.error = messageOf(error);
      return undefined;
    } finally {
      this.running = false;
      this.controller = undefined;
    }
  }

  /** Stops the run after its current batch; it then ends as cancelled, unsaved. */
  cancel(): void {
    this.controller?.abort();
  }

  /** The form as the tool's input, with the tool's defaults and its error messages. */
  private input(): z.infer<typeof trainInput> {
    let layers: unknown;
    try {
      layers = JSON.parse(this.layers);
    } catch (error) {
      throw new Error(`The layers are not JSON (${messageOf(error)}). Write a list like the example.`);
    }
    const parsed = trainInput.safeParse({
      layers,
      data: { csv_url: this.csvUrl, ...(this.label.trim() ? { label: this.label.trim() } : {}) },
      epochs: this.epochs,
      batch_size: this.batchSize,
      validation_split: this.validationSplit,
      learning_rate: this.learningRate,
      loss: this.loss,
      metrics: this.metrics,
      backend: this.backend,
    });
    if (!parsed.success) throw new Error(`The training settings need fixing:\n${z.prettifyError(parsed.error)}`);
    return parsed.data;
  }
}
