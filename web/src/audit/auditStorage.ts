/**
 * What the audit log needs from its storage (`AuditStore`; the tab's is IndexedDB, in
 * `web/src/storage/auditStore.ts`), the heads stored beside the entries, and an in-memory store
 * for Node hosts and tests.
 *
 * Reads return what is stored, unparsed: verification must see tampered or malformed entries as
 * they are, not have them dropped on the way.
 */
import { z } from 'zod';
import { LEGACY_LANE, type AuditEntry, type LaneHead } from './auditChain.ts';

/** The global head: the newest `seq` handed out. Each lane's head is stored beside it. */
export const auditHeadSchema = z.object({ version: z.literal(2), seq: z.number().int().nonnegative() });
export type AuditHead = z.infer<typeof auditHeadSchema>;

/** The one head of the log before lanes: its anchor, and its newest entry. */
export const legacyHeadSchema = z.object({
  anchor: z.object({ seq: z.number().int().nonnegative(), hash: z.string() }),
  seq: z.number().int().nonnegative(),
  hash: z.string(),
});

/** The head of the log from before lanes, as the head of its own lane (`LEGACY_LANE`). */
export function legacyLaneHead(head: z.infer<typeof legacyHeadSchema>): LaneHead {
  return {
    anchor: { laneSeq: head.anchor.seq, seq: head.anchor.seq, hash: head.anchor.hash },
    laneSeq: head.seq,
    seq: head.seq,
    hash: head.hash,
  };
}

/** What the store holds beside the entries, unparsed. */
export interface StoredHeads {
  head: unknown;
  lanes: Record<string, unknown>;
}

/** Storage for the log; every read returns what is stored, unparsed. */
export interface AuditStore {
  readHeads(): Promise<StoredHeads>;
  /** The entry with this global sequence number, if stored. */
  read(seq: number): Promise<unknown>;
  /** The entry of `lane` (not the legacy one) at `laneSeq`, if stored. */
  readLane(lane: string, laneSeq: number): Promise<unknown>;
  /** Up to `limit` entries with `after < seq <= through`, oldest first. */
  readRange(after: number, through: number, limit: number): Promise<unknown[]>;
  /** How many entries with `seq <= through` are stored. */
  count(through: number): Promise<number>;
  /**
   * Up to `limit` entries, newest first, keeping only those `accept` takes, looking at no more
   * than `scan` entries; only one client's (by token id) or one lane's when asked.
   */
  readNewest(
    limit: number,
    accept: (entry: unknown) => boolean,
    where?: { clientId?: string; lane?: string; scan?: number },
  ): Promise<unknown[]>;
  /** Stores the entry, the global head and the lane heads given, together. */
  append(entry: AuditEntry, head: AuditHead, lanes: Record<string, LaneHead>): Promise<void>;
  /** Deletes the entries of `lane` up to and including `head.anchor.laneSeq` and stores its head. */
  prune(lane: string, head: LaneHead): Promise<void>;
}

export class MemoryAuditStore implements AuditStore {
  /** Public so tests can tamper with them the way someone with DevTools could. */
  entries: unknown[] = [];
  head: unknown = undefined;
  lanes = new Map<string, unknown>();

  async readHeads() {
    return { head: this.head, lanes: Object.fromEntries(this.lanes) };
  }
  async read(seq: number) {
    return this.entries.find((entry) => seqOf(entry) === seq);
  }
  async readLane(lane: string, laneSeq: number) {
    return this.entries.find((entry) => laneOf(entry) === lane && (entry as AuditEntry).laneSeq === laneSeq);
  }
  async readRange(after: number, through: number, limit: number) {
    return this.entries.filter((entry) => seqOf(entry) > after && seqOf(entry) <= through).slice(0, limit);
  }
  async count(through: number) {
    return this.entries.filter((entry) => !(seqOf(entry) > through)).length;
  }
  async readNewest(
    limit: number,
    accept: (entry: unknown) => boolean,
    where: { clientId?: string; lane?: string; scan?: number } = {},
  ) {
    const found: unknown[] = [];
    let scanned = 0;
    for (let i = this.entries.length - 1; i >= 0 && found.length < limit && scanned < (where.scan ?? Infinity); i--) {
      const entry = this.entries[i] as Partial<AuditEntry>;
      if (where.clientId !== undefined && entry?.clientId !== where.clientId) continue;
      if (where.lane !== undefined && laneOf(entry) !== where.lane) continue;
      scanned++;
      if (accept(entry)) found.push(entry);
    }
    return found;
  }
  async append(entry: AuditEntry, head: AuditHead, lanes: Record<string, LaneHead>) {
    this.entries.push(entry);
    this.head = head;
    for (const [lane, laneHead] of Object.entries(lanes)) this.lanes.set(lane, laneHead);
  }
  async prune(lane: string, head: LaneHead) {
    this.entries = this.entries.filter(
      (entry) => laneOf(entry) !== lane || ((entry as AuditEntry).laneSeq ?? seqOf(entry)) > head.anchor.laneSeq,
    );
    this.lanes.set(lane, head);
  }
}

/** The `seq` of a stored entry, read as stored (NaN when it has none). */
export const seqOf = (entry: unknown) => (entry as { seq?: number } | null)?.seq ?? NaN;
const laneOf = (entry: unknown) => (entry as { lane?: string } | null)?.lane ?? LEGACY_LANE;
