/**
 * The audit log's store in IndexedDB: entries keyed by sequence number, and the head (anchor and
 * last entry) beside them, written in the same transaction as each entry. Entries come back as
 * stored, unparsed, so that verification sees exactly what is there.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { AuditEntry, AuditHead, AuditStore } from '../host/audit.ts';

export const AUDIT_DB_NAME = 'vial-audit';
const DB_VERSION = 1;

interface AuditDb extends DBSchema {
  entries: { key: number; value: unknown };
  meta: { key: 'head'; value: unknown };
}

export class IndexedDbAuditStore implements AuditStore {
  private db: Promise<IDBPDatabase<AuditDb>> | undefined;

  constructor(private readonly dbName = AUDIT_DB_NAME) {}

  async readHead(): Promise<unknown> {
    return (await this.open()).get('meta', 'head');
  }

  async read(seq: number): Promise<unknown> {
    return (await this.open()).get('entries', seq);
  }

  async readAll(): Promise<unknown[]> {
    return (await this.open()).getAll('entries');
  }

  async readNewest(limit: number, accept: (entry: unknown) => boolean): Promise<unknown[]> {
    const found: unknown[] = [];
    let cursor = await (await this.open()).transaction('entries').store.openCursor(null, 'prev');
    while (cursor && found.length < limit) {
      if (accept(cursor.value)) found.push(cursor.value);
      cursor = await cursor.continue();
    }
    return found;
  }

  async append(entry: AuditEntry, head: AuditHead): Promise<void> {
    const tx = (await this.open()).transaction(['entries', 'meta'], 'readwrite');
    await Promise.all([
      tx.objectStore('entries').put(entry, entry.seq),
      tx.objectStore('meta').put(head, 'head'),
      tx.done,
    ]);
  }

  async prune(head: AuditHead): Promise<void> {
    const tx = (await this.open()).transaction(['entries', 'meta'], 'readwrite');
    await Promise.all([
      tx.objectStore('entries').delete(IDBKeyRange.upperBound(head.anchor.seq)),
      tx.objectStore('meta').put(head, 'head'),
      tx.done,
    ]);
  }

  private open(): Promise<IDBPDatabase<AuditDb>> {
    this.db ??= openDB<AuditDb>(this.dbName, DB_VERSION, {
      upgrade(db) {
        db.createObjectStore('entries');
        db.createObjectStore('meta');
      },
    });
    return this.db;
  }
}
