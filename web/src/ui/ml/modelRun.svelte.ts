/**
 * The Models view's run form for the selected model: one JSON text per input (onnx, tfjs) or the
 * texts and labels a transformers.js task takes, the backend asked for, and the last reply. Runs
 * go through the same `ml.infer` / `ml.pipeline` calls the inference tools make.
 */
import type { RequestedBackend } from '../../ml/backends.ts';
import type { MlEngine } from '../../ml/engine.ts';
import { messageOf } from '../../ml/errors.ts';
import type { PipelineOptions, PipelineTask } from '../../ml/pipelineSpec.ts';
import type { ModelRecord } from '../../ml/modelRecords.ts';
import type { InferenceReply, MlSettings, PipelineReply } from '../../ml/mlService.ts';
import { exampleText, parseTensorText } from './tensorText.ts';

export type RunReply = { kind: 'tensors'; reply: InferenceReply } | { kind: 'pipeline'; reply: PipelineReply };

export class ModelRun {
  /** The JSON text of each input, by input name. */
  inputs: Record<string, string> = $state({});
  backend: RequestedBackend = $state('auto');
  /** transformers.js: one text per line. */
  texts = $state('');
  /** zero-shot-classification: comma-separated. */
  labels = $state('positive, negative');
  running = $state(false);
  reply: RunReply | undefined = $state.raw();
  error: string | undefined = $state();
  /** The model the form was prepared for. */
  private modelId: string | undefined;

  constructor(private readonly deps: { ml: MlEngine; mlSettings: { read(): MlSettings } }) {}

  /** Fills the form for `model` (an example per input), unless it already holds that model's. */
  prepare(model: ModelRecord | undefined): void {
    if (model?.id === this.modelId) return;
    this.modelId = model?.id;
    this.inputs = Object.fromEntries(model?.signature.inputs.map((spec) => [spec.name, exampleText(spec)]) ?? []);
    this.texts = model?.kind === 'transformers' ? 'I love this, it is great.' : '';
    this.reply = undefined;
    this.error = undefined;
  }

  async run(model: ModelRecord): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.error = undefined;
    try {
      const kind = model.kind;
      this.reply = kind === 'transformers' ? await this.runPipeline(model) : await this.runTensors(model, kind);
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      this.running = false;
    }
  }

  private async runTensors(model: ModelRecord, kind: 'onnx' | 'tfjs'): Promise<RunReply> {
    const inputs = Object.fromEntries(
      model.signature.inputs.map((spec) => [spec.name, parseTensorText(spec, this.inputs[spec.name] ?? '')]),
    );
    const reply = await this.deps.ml.infer(
      kind,
      { model: model.id, inputs, backend: this.backend },
      this.deps.mlSettings.read(),
    );
    return { kind: 'tensors', reply };
  }

  private async runPipeline(model: ModelRecord): Promise<RunReply> {
    const task = model.task as PipelineTask;
    const inputs = this.texts.split('\n').filter((line) => line.trim() !== '');
    if (inputs.length === 0) throw new Error('Write a text to run the model on (one per line).');
    const options: PipelineOptions = {};
    if (task === 'zero-shot-classification') {
      const labels = this.labels
        .split(',')
        .map((label) => label.trim())
        .filter(Boolean);
      if (labels.length === 0) throw new Error('Give at least one candidate label, e.g. positive, negative.');
      options.candidate_labels = labels;
    }
    const reply = await this.deps.ml.pipeline(
      { task, model: model.id, inputs, options, backend: this.backend, dtype: 'fp32' },
      this.deps.mlSettings.read(),
    );
    return { kind: 'pipeline', reply };
  }
}
