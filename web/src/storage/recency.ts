/**
 * Reading and capping an IndexedDB store by a recency index (e.g. `updatedAt`): the newest
 * records first, parsed on the way out, and the oldest deleted past a cap.
 */
import type { IDBPDatabase } from 'idb';
import { z } from 'zod';

/** Any database: the helpers only need a store name and an index name. */
export type Database = IDBPDatabase<unknown>;

/**
 * A parser for stored records: anything unreadable (an older build, another tab, someone in
 * DevTools) is skipped with a warning naming `what` it was, rather than trusted.
 */
export function parseOrSkip<T>(schema: z.ZodType<T>, what: string): (raw: unknown) => T | undefined {
  return (raw) => {
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    console.warn(`Vial: skipped an unreadable saved ${what}: ${z.prettifyError(parsed.error)}`);
    return undefined;
  };
}

/** Up to `limit` records, newest first; records `parse` rejects (returns undefined for) are skipped. */
export async function readNewest<T>(
  db: Database,
  store: string,
  index: string,
  limit: number,
  parse: (raw: unknown) => T | undefined,
): Promise<T[]> {
  const found: T[] = [];
  let cursor = await db.transaction(store).store.index(index).openCursor(null, 'prev');
  while (cursor && found.length < limit) {
    const record = parse(cursor.value);
    if (record !== undefined) found.push(record);
    cursor = await cursor.continue();
  }
  return found;
}

/** Deletes the oldest records beyond `capacity`. */
export async function keepNewest(db: Database, store: string, index: string, capacity: number): Promise<void> {
  const count = await db.count(store);
  let cursor = await db.transaction(store, 'readwrite').store.index(index).openCursor();
  for (let excess = count - capacity; cursor && excess > 0; excess--) {
    await cursor.delete();
    cursor = await cursor.continue();
  }
}
