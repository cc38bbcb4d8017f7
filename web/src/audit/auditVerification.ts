/**
 * Verifying the audit log's chains, incrementally: a verification checks what was appended
 * since the last one that passed (the first run, and the tab's own Verify button, check
 * everything), re-checks that one's checkpoint entries and counts the store, so an altered new
 * entry, a removed entry anywhere and removed newest entries are all found. The hashing runs in
 * the checker (the audit Worker, in the tab) in batches, yielding between them, so verifying
 * never holds the tab's main thread for more than a few milliseconds.
 */
import {
  LEGACY_LANE,
  auditEntrySchema,
  hashEntry,
  laneHeadSchema,
  laneName,
  type ChainCursor,
  type LaneHead,
} from './auditChain.ts';
import type { AuditChecker } from './auditChecker.ts';
import { auditHeadSchema, legacyHeadSchema, legacyLaneHead, type AuditStore } from './auditStorage.ts';

export interface LaneCoverage {
  lane: string;
  /** The client's token name, for a client's lane. */
  client?: string;
  /** Entries kept, and the newest one's `seq`. */
  entries: number;
  lastSeq: number;
  /** The checkpoint of the entries pruned from this lane, if any were. */
  pruned?: { count: number; throughSeq: number; hash: string; newestAt?: number };
}

export type AuditVerification =
  | {
      ok: true;
      /** Entries in the store. */
      entries: number;
      lastSeq: number;
      /** `full`: every entry was checked; `incremental`: those appended since the last verification. */
      mode: 'full' | 'incremental';
      /** Entries hashed this time. */
      checked: number;
      lanes: LaneCoverage[];
    }
  | { ok: false; entries: number; seq: number; problem: string; mode: 'full' | 'incremental' };

/** Entries read (and hashed) per step of a verification: each step is a few ms of work. */
const VERIFY_BATCH = 250;

export class AuditVerifier {
  private verifying: Promise<AuditVerification> | undefined;
  /** Where the last successful verification got to; the next one goes on from there. */
  private verified: ChainCursor | undefined;

  constructor(
    private readonly store: AuditStore,
    private readonly checker: AuditChecker,
    /** Resolves once the entries reported so far are stored and no pruning is under way. */
    private readonly settled: () => Promise<void>,
  ) {}

  /** Whether a verification is reading the store now. */
  get running(): boolean {
    return this.verifying !== undefined;
  }

  /** Calls while one runs share its result, unless they ask for a `full` check. */
  verify(options: { full?: boolean } = {}): Promise<AuditVerification> {
    if (this.verifying && !options.full) return this.verifying;
    const run = (this.verifying ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.verifyNow(options.full ?? false));
    this.verifying = run;
    void run
      .finally(() => {
        if (this.verifying === run) this.verifying = undefined;
      })
      .catch(() => undefined);
    return run;
  }

  private async verifyNow(full: boolean): Promise<AuditVerification> {
    await this.settled();
    const mode = full || !this.verified ? 'full' : 'incremental';
    const result = await this.check(mode);
    if (!result.ok) this.verified = undefined;
    return result;
  }

  private async check(mode: 'full' | 'incremental'): Promise<AuditVerification> {
    const stored = await this.store.readHeads();
    const fail = async (seq: number, problem: string): Promise<AuditVerification> => ({
      ok: false,
      entries: await this.store.count(Infinity),
      seq,
      problem,
      mode,
    });
    const lanes = new Map<string, LaneHead>();
    for (const [lane, raw] of Object.entries(stored.lanes)) {
      const parsed = laneHeadSchema.safeParse(raw);
      if (!parsed.success) return fail(0, `the head of lane ${lane} is malformed`);
      lanes.set(lane, parsed.data);
    }
    const head = auditHeadSchema.safeParse(stored.head);
    const legacy = legacyHeadSchema.safeParse(stored.head);
    if (!head.success && !legacy.success && (stored.head !== undefined || lanes.size > 0)) {
      return fail(0, 'the stored head is malformed');
    }
    if (legacy.success && legacy.data.seq > 0 && !lanes.has(LEGACY_LANE)) {
      lanes.set(LEGACY_LANE, legacyLaneHead(legacy.data));
    }
    const through = head.success ? head.data.seq : legacy.success ? legacy.data.seq : 0;
    const names: Record<string, string> = {};
    for (const [lane, laneHead] of lanes) if (laneHead.client !== undefined) names[lane] = laneHead.client;
    const anchors = Object.fromEntries([...lanes].map(([lane, laneHead]) => [lane, laneHead.anchor]));

    let cursor: ChainCursor = mode === 'incremental' ? this.verified! : { lanes: {}, throughSeq: 0 };
    // The checkpoints of the last verification must still be there, unaltered.
    for (const [lane, point] of Object.entries(cursor.lanes)) {
      const anchor = anchors[lane];
      if (!anchor) return fail(point.seq, `the head of ${laneName(lane, names)} was removed`);
      if (point.laneSeq <= anchor.laneSeq) continue;
      const parsed = auditEntrySchema.safeParse(await this.store.read(point.seq));
      if (!parsed.success) return fail(point.seq, `entry ${point.seq} was removed or altered after it was verified`);
      const { hash, ...rest } = parsed.data;
      if (hash !== point.hash || hashEntry(rest) !== hash) {
        return fail(point.seq, `entry ${point.seq} was altered after it was verified`);
      }
    }
    let checked = 0;
    while (cursor.throughSeq < through) {
      const batch = await this.store.readRange(cursor.throughSeq, through, VERIFY_BATCH);
      if (batch.length === 0) break;
      const result = await this.checker.check(cursor, anchors, batch, names);
      checked += result.checked;
      if (!result.ok) return fail(result.seq, result.problem);
      cursor = result.cursor;
      // Let the calls and frames waiting on this thread run between batches.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    for (const [lane, laneHead] of lanes) {
      const seen = cursor.lanes[lane];
      const last = seen && seen.laneSeq >= laneHead.anchor.laneSeq ? seen : laneHead.anchor;
      if (last.laneSeq !== laneHead.laneSeq || last.hash !== laneHead.hash) {
        const name = laneName(lane, names);
        return fail(
          laneHead.seq,
          last.laneSeq > laneHead.anchor.laneSeq
            ? `the log of ${name} ends at entry ${last.seq} but its head says entry ${laneHead.seq}: the newest entries were removed`
            : `none of the entries of ${name} are left, but its head says it ends at entry ${laneHead.seq}: they were removed`,
        );
      }
    }
    const expected = [...lanes.values()].reduce((sum, laneHead) => sum + laneHead.laneSeq - laneHead.anchor.laneSeq, 0);
    const count = await this.store.count(through);
    if (count !== expected) {
      const problem =
        count < expected
          ? `${expected - count} entr${expected - count === 1 ? 'y was' : 'ies were'} removed from the log (its heads account for ${expected}, the store holds ${count})`
          : `the store holds ${count - expected} entr${count - expected === 1 ? 'y' : 'ies'} that no lane's head accounts for`;
      return fail(0, problem);
    }
    this.verified = { lanes: cursor.lanes, throughSeq: through };
    return {
      ok: true,
      entries: count,
      lastSeq: through,
      mode,
      checked,
      lanes: [...lanes].map(([lane, laneHead]) => coverage(lane, laneHead)),
    };
  }
}

function coverage(lane: string, head: LaneHead): LaneCoverage {
  const { anchor } = head;
  return {
    lane,
    ...(head.client === undefined ? {} : { client: head.client }),
    entries: head.laneSeq - anchor.laneSeq,
    lastSeq: head.seq,
    ...(anchor.laneSeq > 0
      ? {
          pruned: {
            count: anchor.laneSeq,
            throughSeq: anchor.seq,
            hash: anchor.hash,
            ...(anchor.at === undefined ? {} : { newestAt: anchor.at }),
          },
        }
      : {}),
  };
}
