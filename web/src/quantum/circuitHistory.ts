/**
 * The circuits this tab has simulated, newest first, keyed by circuit hash: what the
 * `vial://quantum/circuits` resources list. The tab keeps them in IndexedDB
 * (`storage/circuitHistoryStore.ts`); Node hosts keep them in memory.
 */
import { z } from 'zod';

export const circuitRecordSchema = z.object({
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  qasm: z.string(),
  qubits: z.number().int().nonnegative(),
  clbits: z.number().int().nonnegative(),
  gates: z.number().int().nonnegative(),
  firstRunAt: z.number(),
  lastRunAt: z.number(),
  runs: z.number().int().positive(),
  lastRun: z.object({
    backend: z.enum(['cpu', 'webgpu']),
    shots: z.number().int().nonnegative(),
    simulateMs: z.number().nonnegative(),
    /** The most frequent outcomes of the last run, at most 16. */
    topCounts: z.record(z.string(), z.number().int().nonnegative()),
  }),
});
export type CircuitRecord = z.infer<typeof circuitRecordSchema>;

/** What a run adds to the history; counters and timestamps are kept by the history itself. */
export type CircuitRun = Pick<CircuitRecord, 'hash' | 'qasm' | 'qubits' | 'clbits' | 'gates' | 'lastRun'>;

export interface CircuitHistory {
  record(run: CircuitRun): Promise<CircuitRecord>;
  list(limit?: number): Promise<CircuitRecord[]>;
  get(hash: string): Promise<CircuitRecord | undefined>;
  /** Calls `listener` with each record stored from now on, whoever ran it; returns how to stop. */
  onRecorded(listener: (record: CircuitRecord) => void): () => void;
}

/** The listeners of a history's `onRecorded`, told of each record it stores. */
export class RecordedListeners {
  private readonly listeners = new Set<(record: CircuitRecord) => void>();

  add(listener: (record: CircuitRecord) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  notify(record: CircuitRecord): void {
    for (const listener of this.listeners) listener(record);
  }
}

/** The most frequent `limit` outcomes, so the history stays small whatever the shot count. */
export function topCounts(counts: Record<string, number> | undefined, limit = 16): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts ?? {})
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit),
  );
}

export function mergeRun(previous: CircuitRecord | undefined, run: CircuitRun, now = Date.now()): CircuitRecord {
  return {
    ...run,
    firstRunAt: previous?.firstRunAt ?? now,
    lastRunAt: now,
    runs: (previous?.runs ?? 0) + 1,
  };
}

export class MemoryCircuitHistory implements CircuitHistory {
  private readonly records = new Map<string, CircuitRecord>();
  private readonly recorded = new RecordedListeners();

  constructor(private readonly capacity = 200) {}

  async record(run: CircuitRun): Promise<CircuitRecord> {
    const record = mergeRun(this.records.get(run.hash), run);
    this.records.delete(run.hash);
    this.records.set(run.hash, record);
    if (this.records.size > this.capacity) this.records.delete(this.records.keys().next().value!);
    this.recorded.notify(record);
    return record;
  }

  onRecorded(listener: (record: CircuitRecord) => void): () => void {
    return this.recorded.add(listener);
  }

  async list(limit = 50): Promise<CircuitRecord[]> {
    return [...this.records.values()].reverse().slice(0, limit);
  }

  async get(hash: string): Promise<CircuitRecord | undefined> {
    return this.records.get(hash);
  }
}
