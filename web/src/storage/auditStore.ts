/**
 * The audit log's store in IndexedDB: entries keyed by global sequence number, indexed by lane
 * (for pruning one lane) and by client (for a client's own entries), and the heads beside them
 * in `meta` (`head`, and `lane:<name>` for each lane), written in the same transaction as each
 * entry. Entries come back as stored, unparsed, so that verification sees exactly what is there.
 *
 * Version 1 had one chain and one head; its entries stay as they are and form the legacy lane
 * (they have no `lane` field, so the lane index skips them and they are pruned by key range).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { AuditEntry, AuditHead, AuditStore, LaneHead, StoredHeads } from '../audit/auditLog.ts';
import { LEGACY_LANE } from '../audit/auditChain.ts';

export const AUDIT_DB_NAME = 'vial-audit';
const DB_VERSION = 2;
const LANE_PREFIX = 'lane:';

interface AuditDb extends DBSchema {
  entries: { key: number; value: unknown; indexes: { lane: [string, number]; client: string } };
  meta: { key: string; value: unknown };
}

export class IndexedDbAuditStore implements AuditStore {
  private db: Promise<IDBPDatabase<AuditDb>> | undefined;

  constructor(private readonly dbName = AUDIT_DB_NAME) {}

  async readHeads(): Promise<StoredHeads> {
    const tx = (await this.open()).transaction('meta');
    const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll()]);
    const lanes: Record<string, unknown> = {};
    let head: unknown;
    keys.forEach((key, index) => {
      if (key === 'head') head = values[index];
      else if (key.startsWith(LANE_PREFIX)) lanes[key.slice(LANE_PREFIX.length)] = values[index];
    });
    return { head, lanes };
  }

  async read(seq: number): Promise<unknown> {
    return (await this.open()).get('entries', seq);
  }

  async readLane(lane: string, laneSeq: number): Promise<unknown> {
    return (await this.open()).getFromIndex('entries', 'lane', [lane, laneSeq]);
  }

  async readRange(after: number, through: number, limit: number): Promise<unknown[]> {
    if (after >= through) return [];
    return (await this.open()).getAll('entries', IDBKeyRange.bound(after, through, true, false), limit);
  }

  async count(through: number): Promise<number> {
    return (await this.open()).count('entries', IDBKeyRange.upperBound(through));
  }

  async readNewest(
    limit: number,
    accept: (entry: unknown) => boolean,
    where: { clientId?: string; lane?: string; scan?: number } = {},
  ): Promise<unknown[]> {
    const store = (await this.open()).transaction('entries').store;
    let cursor =
      where.clientId !== undefined
        ? await store.index('client').openCursor(IDBKeyRange.only(where.clientId), 'prev')
        : where.lane !== undefined && where.lane !== LEGACY_LANE
          ? await store.index('lane').openCursor(IDBKeyRange.bound([where.lane, 0], [where.lane, Infinity]), 'prev')
          : await store.openCursor(null, 'prev');
    const found: unknown[] = [];
    for (let scanned = 0; cursor && found.length < limit && scanned < (where.scan ?? Infinity); scanned++) {
      const legacyWanted = where.lane === LEGACY_LANE;
      const isLegacy = (cursor.value as { lane?: unknown } | null)?.lane === undefined;
      if ((!legacyWanted || isLegacy) && accept(cursor.value)) found.push(cursor.value);
      cursor = await cursor.continue();
    }
    return found;
  }

  async append(entry: AuditEntry, head: AuditHead, lanes: Record<string, LaneHead>): Promise<void> {
    const tx = (await this.open()).transaction(['entries', 'meta'], 'readwrite');
    const meta = tx.objectStore('meta');
    await Promise.all([
      tx.objectStore('entries').put(entry, entry.seq),
      meta.put(head, 'head'),
      ...Object.entries(lanes).map(([lane, laneHead]) => meta.put(laneHead, `${LANE_PREFIX}${lane}`)),
      tx.done,
    ]);
  }

  async prune(lane: string, head: LaneHead): Promise<void> {
    const tx = (await this.open()).transaction(['entries', 'meta'], 'readwrite');
    const entries = tx.objectStore('entries');
    if (lane === LEGACY_LANE) {
      // Legacy entries are the oldest keys, all below the first entry with a lane.
      await entries.delete(IDBKeyRange.upperBound(head.anchor.laneSeq));
    } else {
      const range = IDBKeyRange.bound([lane, 0], [lane, head.anchor.laneSeq]);
      for (let cursor = await entries.index('lane').openCursor(range); cursor; cursor = await cursor.continue()) {
        await cursor.delete();
      }
    }
    await Promise.all([tx.objectStore('meta').put(head, `${LANE_PREFIX}${lane}`), tx.done]);
  }

  private open(): Promise<IDBPDatabase<AuditDb>> {
    this.db ??= openDB<AuditDb>(this.dbName, DB_VERSION, {
      upgrade(db, oldVersion, _newVersion, tx) {
        if (oldVersion < 1) {
          db.createObjectStore('entries');
          db.createObjectStore('meta');
        }
        if (oldVersion < 2) {
          const entries = tx.objectStore('entries');
          entries.createIndex('lane', ['lane', 'laneSeq']);
          entries.createIndex('client', 'clientId');
        }
      },
    });
    return this.db;
  }
}
