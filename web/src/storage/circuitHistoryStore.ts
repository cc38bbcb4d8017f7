/**
 * Circuit history in IndexedDB, newest first, capped. Records are parsed with zod on the way
 * out: anything unreadable is skipped with a warning rather than trusted.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { keepNewest, parseOrSkip, readNewest, type Database } from './recency.ts';
import {
  circuitRecordSchema,
  mergeRun,
  RecordedListeners,
  type CircuitHistory,
  type CircuitRecord,
  type CircuitRun,
} from '../quantum/circuitHistory.ts';

const DB_NAME = 'vial-quantum';
const STORE = 'circuits';

interface QuantumDb extends DBSchema {
  circuits: { key: string; value: unknown; indexes: { lastRunAt: number } };
}

const parse = parseOrSkip(circuitRecordSchema, 'circuit');

export class IndexedDbCircuitHistory implements CircuitHistory {
  private db: Promise<IDBPDatabase<QuantumDb>> | undefined;
  private readonly recorded = new RecordedListeners();

  constructor(private readonly capacity = 500) {}

  async record(run: CircuitRun): Promise<CircuitRecord> {
    const db = await this.open();
    const record = mergeRun(parse(await db.get(STORE, run.hash)), run);
    await db.put(STORE, circuitRecordSchema.parse(record), run.hash);
    // Drop the least recently run circuits beyond the cap.
    await keepNewest(db as Database, STORE, 'lastRunAt', this.capacity);
    this.recorded.notify(record);
    return record;
  }

  onRecorded(listener: (record: CircuitRecord) => void): () => void {
    return this.recorded.add(listener);
  }

  async list(limit = 50): Promise<CircuitRecord[]> {
    return readNewest((await this.open()) as Database, STORE, 'lastRunAt', limit, parse);
  }

  async get(hash: string): Promise<CircuitRecord | undefined> {
    const raw = await (await this.open()).get(STORE, hash);
    return raw === undefined ? undefined : parse(raw);
  }

  private open(): Promise<IDBPDatabase<QuantumDb>> {
    this.db ??= openDB<QuantumDb>(DB_NAME, 1, {
      upgrade(db) {
        db.createObjectStore(STORE).createIndex('lastRunAt', 'lastRunAt');
      },
    });
    return this.db;
  }
}
