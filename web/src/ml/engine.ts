import type {
  MlService,
  MlSettings,
  InferenceReply,
  InferenceRequest,
  LoadRequest,
  PipelineReply,
  PipelineRequest,
  TrainReply,
  TrainRequest,
} from './mlService.ts';
import type { ModelRecord } from './modelRecords.ts';
import type { Sample } from './samples.ts';
import type { EpochReport } from './training.ts';

/** What the ML tools and the Models view call: the ML Worker in the tab. */
export interface MlEngine {
  list(): Promise<ModelRecord[]>;
  samples(): Promise<Sample[]>;
  remove(id: string): Promise<void>;
  load(request: LoadRequest, settings: MlSettings): Promise<ModelRecord>;
  infer(
    kind: Parameters<MlService['infer']>[0],
    request: InferenceRequest,
    settings: MlSettings,
  ): Promise<InferenceReply>;
  pipeline(request: PipelineRequest, settings: MlSettings): Promise<PipelineReply>;
  train(runId: string, request: TrainRequest, onEpoch?: (report: EpochReport) => void): Promise<TrainReply>;
  /** Asks a training run to stop after its current batch. */
  cancel(runId: string): Promise<void>;
  /**
   * Calls `listener` whenever the registry changes (a model loaded, trained, registered for a
   * pipeline or removed), from the tools or the Models view alike; returns how to stop.
   */
  onChange?(listener: () => void): () => void;
}
