/**
 * The model registry's records: what each model is, where it came from, its signature, and
 * where its bytes are kept so a reload does not download it again.
 */
import { z } from 'zod';
import { MODEL_KINDS } from './modelKinds.ts';
import { modelSignatureSchema } from './signature.ts';

export { MODEL_KINDS, type ModelKind } from './modelKinds.ts';

export const modelSourceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('url'), url: z.string() }),
  z.object({ type: z.literal('file'), fileName: z.string() }),
  z.object({ type: z.literal('sample'), sample: z.string() }),
  z.object({ type: z.literal('trained'), layers: z.number().int(), epochs: z.number().int() }),
  z.object({ type: z.literal('hub'), model: z.string() }),
]);
export type ModelSource = z.infer<typeof modelSourceSchema>;

export const modelRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(MODEL_KINDS),
  source: modelSourceSchema,
  /** Bytes of the model as loaded (weights included); 0 when the library caches it (transformers.js). */
  sizeBytes: z.number().int().min(0),
  signature: modelSignatureSchema,
  /** transformers.js task, e.g. `feature-extraction`. */
  task: z.string().optional(),
  /** Where the bytes live: `vial-ml` (this app's store), `indexeddb://…` (tfjs), or `transformers-cache`. */
  storage: z.string(),
  createdAt: z.number(),
  lastUsedAt: z.number(),
  /** tfjs only: a Layers model or a converted graph model. */
  format: z.enum(['layers-model', 'graph-model']).optional(),
  /** transformers.js only: the id its pipelines load, e.g. `vial-samples/bert-embed` or `Xenova/…`. */
  pipelineModel: z.string().optional(),
  /** Final metrics of a model trained here. */
  metrics: z.record(z.string(), z.number()).optional(),
});
export type ModelRecord = z.infer<typeof modelRecordSchema>;

/** Where records and model bytes persist: IndexedDB in the browser. */
export interface ModelStore {
  list(): Promise<ModelRecord[]>;
  get(id: string): Promise<ModelRecord | undefined>;
  put(record: ModelRecord, bytes?: ArrayBuffer): Promise<void>;
  bytes(id: string): Promise<ArrayBuffer | undefined>;
  touch(id: string, at: number): Promise<void>;
  remove(id: string): Promise<void>;
}
