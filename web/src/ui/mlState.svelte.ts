/**
 * The Models view's state as Svelte runes: the model registry and bundled samples, loading models
 * (sample, URL, files), the ML settings, and the run and training forms. It uses the same ML Worker
 * and settings store as the ML tools (built once in main.ts), so a model loaded or trained here
 * answers tool calls and a setting changed here applies to the next tool call.
 */
import type { MlSettingsStore } from '../ml/settings.ts';
import type { MlEngine } from '../ml/engine.ts';
import { messageOf } from '../ml/errors.ts';
import type { ModelKind, ModelRecord } from '../ml/modelRecords.ts';
import type { Sample } from '../ml/samples.ts';
import type { LoadRequest } from '../ml/mlService.ts';
import { ModelRun } from './ml/modelRun.svelte.ts';
import { TrainingRun } from './ml/trainingRun.svelte.ts';

const MIB = 1024 * 1024;

export interface MlViewDependencies {
  ml: MlEngine;
  mlSettings: MlSettingsStore;
}

export class MlState {
  models: ModelRecord[] = $state.raw([]);
  samples: Sample[] = $state.raw([]);
  registryError: string | undefined = $state();
  /** What is being loaded, e.g. `sample:mlp` or a file name; undefined when nothing is. */
  loading: string | undefined = $state();
  loadError: string | undefined = $state();
  selectedId: string | undefined = $state();
  readonly selected: ModelRecord | undefined = $derived(this.models.find((model) => model.id === this.selectedId));
  /** The size limit as the settings field shows it; undefined while the field is empty. */
  maxModelMib: number | undefined = $state();
  allowRemoteModels = $state(true);
  readonly run: ModelRun;
  readonly training: TrainingRun;

  constructor(private readonly deps: MlViewDependencies) {
    const settings = deps.mlSettings.read();
    this.maxModelMib = settings.maxModelBytes / MIB;
    this.allowRemoteModels = settings.allowRemoteModels;
    this.run = new ModelRun(deps);
    this.training = new TrainingRun(deps);
  }

  /** At least one byte; the Worker refuses anything larger when it loads. */
  get maxModelValid(): boolean {
    return this.maxModelMib !== undefined && Math.round(this.maxModelMib * MIB) >= 1;
  }

  /** Stores the settings for the tools' next call; an invalid size leaves the stored one as it was. */
  saveSettings(): void {
    if (!this.maxModelValid) return;
    this.deps.mlSettings.write({
      maxModelBytes: Math.round(this.maxModelMib! * MIB),
      allowRemoteModels: this.allowRemoteModels,
    });
  }

  /** Reads the registry (clients may have loaded models meanwhile) and, once, the samples. */
  async refresh(): Promise<void> {
    try {
      const [models, samples] = await Promise.all([
        this.deps.ml.list(),
        this.samples.length ? this.samples : this.deps.ml.samples(),
      ]);
      // Newest first, as the registry lists them.
      this.models = models;
      this.samples = samples;
      this.registryError = undefined;
      if (!this.selected) this.select(this.models[0]?.id);
    } catch (error) {
      this.registryError = `The model registry could not be read: ${messageOf(error)}`;
    }
  }

  select(id: string | undefined): void {
    this.selectedId = id;
    this.run.prepare(this.selected);
  }

  loadSample(id: string): Promise<void> {
    return this.load(id, { source: { sample: id } });
  }

  /** `kind` undefined: from the URL (`.onnx`, `model.json`). */
  loadUrl(url: string, kind: ModelKind | undefined): Promise<void> {
    return this.load(url, { source: { url }, kind });
  }

  /** One .onnx file, or a tfjs model.json with its weight files. */
  async loadFiles(files: File[]): Promise<void> {
    if (files.length === 0) return;
    const named = await Promise.all(files.map(async (file) => ({ name: file.name, bytes: await file.arrayBuffer() })));
    await this.load(files.map((file) => file.name).join(', '), { source: { files: named } });
  }

  async remove(id: string): Promise<void> {
    try {
      await this.deps.ml.remove(id);
    } catch (error) {
      this.registryError = `'${id}' could not be removed: ${messageOf(error)}`;
    }
    await this.refresh();
  }

  async runSelected(): Promise<void> {
    if (!this.selected) return;
    await this.run.run(this.selected);
    await this.refresh();
  }

  /** Trains, then shows the trained model in the registry, selected for a run. */
  async train(): Promise<void> {
    const reply = await this.training.start();
    await this.refresh();
    if (reply?.model) this.select(reply.model);
  }

  private async load(what: string, request: LoadRequest): Promise<void> {
    if (this.loading) return;
    this.loading = what;
    this.loadError = undefined;
    try {
      const record = await this.deps.ml.load(request, this.deps.mlSettings.read());
      await this.refresh();
      this.select(record.id);
    } catch (error) {
      this.loadError = messageOf(error);
    } finally {
      this.loading = undefined;
    }
  }
}
