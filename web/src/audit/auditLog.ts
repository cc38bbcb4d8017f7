/**
 * The audit log: one entry per finished tool call (who, what, a digest of the arguments, how it
 * ended, how long it took), plus a `started` entry for each signing call the person approved,
 * written before it runs. The arguments themselves are not kept: they may hold private data, and
 * the digest is enough to match a call the client logged.
 *
 * Entries are hash-chained per lane (`auditChain.ts`): one lane per client, and the signing
 * lane. Retention is by lane: past `retention` entries, the largest client lane loses its oldest
 * entries and keeps a checkpoint of them, so a client that floods the log prunes only its own
 * entries; the signing lane is never pruned by volume. Repeated denied calls of one tool by one
 * client are logged one by one up to a few per window, then summarised in one entry.
 *
 * Verification is incremental: it checks what was appended since the last verified checkpoint
 * (the first run, and the tab's own Verify button, check everything), re-checks the checkpoint
 * entries and counts the store, so an altered new entry, a removed entry anywhere and removed
 * newest entries are all found. Its hashing runs in the `checker` (a Worker in the tab), in
 * batches, so verifying never holds the tab's main thread for more than a few milliseconds.
 *
 * The heads (each lane's newest entry and checkpoint) are stored beside the entries, so removing
 * the newest entries is caught too. Someone who can rewrite the whole store can rewrite the heads
 * as well: the chain proves the log was not edited piecemeal, not that the browser was not owned.
 */
import { z } from 'zod';
import {
  EMPTY_POINT,
  LEGACY_LANE,
  SIGN_LANE,
  auditEntrySchema,
  auditRecordSchema,
  chainOf,
  checkEntries,
  clientLane,
  hashEntry,
  laneHeadSchema,
  laneName,
  sha256Hex,
  type AuditEntry,
  type AuditOutcome,
  type AuditRecord,
  type ChainCursor,
  type CheckResult,
  type LaneHead,
  type LanePoint,
} from './auditChain.ts';
import { canonicalJsonOf } from './canonicalJson.ts';

export {
  auditEntrySchema,
  auditOutcomeSchema,
  auditRecordSchema,
  SIGN_LANE,
  clientLane,
  type AuditEntry,
  type AuditOutcome,
  type AuditRecord,
  type LaneHead,
} from './auditChain.ts';

/** A call as the host reports it: the record, with the arguments still to be digested. */
export type AuditCall = Omit<AuditRecord, 'argsDigest' | 'argsCut' | 'repeat'> & { arguments: unknown };

/** The global head: the newest `seq` handed out. Each lane's head is stored beside it. */
export const auditHeadSchema = z.object({ version: z.literal(2), seq: z.number().int().nonnegative() });
export type AuditHead = z.infer<typeof auditHeadSchema>;

/** The one head of the log before lanes: its anchor, and its newest entry. */
const legacyHeadSchema = z.object({
  anchor: z.object({ seq: z.number().int().nonnegative(), hash: z.string() }),
  seq: z.number().int().nonnegative(),
  hash: z.string(),
});

/** What the store holds beside the entries, unparsed. */
export interface StoredHeads {
  head: unknown;
  lanes: Record<string, unknown>;
}

/**
 * Storage for the log. Reads return what is stored, unparsed: verification must see tampered
 * or malformed entries as they are, not have them dropped on the way.
 */
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

const seqOf = (entry: unknown) => (entry as { seq?: number } | null)?.seq ?? NaN;
const laneOf = (entry: unknown) => (entry as { lane?: string } | null)?.lane ?? LEGACY_LANE;

/** Where an argument digest comes from, and whether the arguments had to be cut to take it. */
export interface ArgumentsDigest {
  digest: string;
  cut: boolean;
}

/**
 * Where the hashing runs: the entry checks of `verify()` and the argument digests. The tab hands
 * them to a Worker (`web/src/audit/`); Node hosts run them in-process.
 */
export interface AuditChecker {
  check(
    cursor: ChainCursor,
    anchors: Record<string, LanePoint>,
    raw: unknown[],
    names: Record<string, string>,
  ): Promise<CheckResult>;
  digest(args: unknown): Promise<ArgumentsDigest>;
}

export function digestArgumentsOf(args: unknown): ArgumentsDigest {
  const { text, cut } = canonicalJsonOf(args ?? {});
  return { digest: sha256Hex(text), cut };
}

export function digestArguments(args: unknown): string {
  return digestArgumentsOf(args).digest;
}

export const inProcessChecker: AuditChecker = {
  check: async (cursor, anchors, raw, names) => checkEntries(cursor, anchors, raw, names),
  digest: async (args) => digestArgumentsOf(args),
};

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

export interface AuditFilter {
  tool?: string;
  client?: string;
  outcome?: AuditOutcome;
  /** Only this token's entries. */
  clientId?: string;
}

export interface AuditLogOptions {
  /** Entries kept across the clients' lanes; the signing lane is not counted and never pruned by volume. */
  retention?: number;
  checker?: AuditChecker;
  /** Denied calls of one tool by one client in each window beyond `deniedLoggedPerWindow` are summarised. */
  deniedWindowMs?: number;
  deniedLoggedPerWindow?: number;
  now?: () => number;
}

export const DEFAULT_AUDIT_RETENTION = 50_000;
const DENIED_WINDOW_MS = 10_000;
const DENIED_LOGGED_PER_WINDOW = 3;
/** Entries read (and hashed) per step of a verification: each step is a few ms of work. */
const VERIFY_BATCH = 250;
/** Entries read per step of an export. */
const EXPORT_BATCH = 1000;
/** How many entries a tail looks at, at most, to find its matches. */
const TAIL_SCAN = 10_000;
const DETAIL_CHARS = 4000;

interface DeniedWindow {
  startedAt: number;
  logged: number;
  /** Calls counted but not logged yet: the first of them, and the span. */
  folded?: { first: AuditCall; count: number; lastAt: number };
}

interface Heads {
  seq: number;
  lanes: Map<string, LaneHead>;
  /** Lane heads read from the old single head, to be written on the next append. */
  unsaved: Set<string>;
}

export class AuditLog {
  private heads: Heads | undefined;
  /** Appends run one after another: each needs the head its lane had before it. */
  private appending: Promise<unknown> = Promise.resolve();
  private pruning: Promise<void> | undefined;
  private verifying: Promise<AuditVerification> | undefined;
  /** Where the last successful verification got to; the next one goes on from there. */
  private verified: ChainCursor | undefined;
  /** Signing calls with a `started` entry: the entries that end them go to the signing lane too. */
  private readonly signCalls = new Set<string>();
  private readonly denied = new Map<string, DeniedWindow>();
  private deniedTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<(entry: AuditEntry) => void>();
  private readonly retention: number;
  private readonly checker: AuditChecker;
  private readonly deniedWindowMs: number;
  private readonly deniedLoggedPerWindow: number;
  private readonly now: () => number;

  constructor(
    private readonly store: AuditStore,
    options: AuditLogOptions = {},
  ) {
    this.retention = options.retention ?? DEFAULT_AUDIT_RETENTION;
    this.checker = options.checker ?? inProcessChecker;
    this.deniedWindowMs = options.deniedWindowMs ?? DENIED_WINDOW_MS;
    this.deniedLoggedPerWindow = options.deniedLoggedPerWindow ?? DENIED_LOGGED_PER_WINDOW;
    this.now = options.now ?? Date.now;
  }

  /**
   * Appends a call. The digest is taken here, in append order and off the call's path: the
   * client has its answer before the log has its entry. Resolves to the entry, or to undefined
   * for a repeated denied call that will be part of a summary entry.
   */
  append(call: AuditCall): Promise<AuditEntry | undefined> {
    if (call.outcome === 'denied' && !this.logsDenied(call)) return Promise.resolve(undefined);
    return this.enqueue(() => this.appendNow(call));
  }

  /** Resolves once every call reported so far (summaries of denied calls included) is in the store. */
  flushed(): Promise<void> {
    this.summariseDenied(true);
    return this.appending.then(() => undefined);
  }

  /** The newest entries first (every call reported so far included), optionally only those matching `filter`. */
  async tail(limit: number, filter: AuditFilter = {}): Promise<AuditEntry[]> {
    await this.flushed();
    const accept = (raw: unknown) => {
      const parsed = auditEntrySchema.safeParse(raw);
      if (!parsed.success) return false;
      const entry = parsed.data;
      return (
        (filter.tool === undefined || entry.tool === filter.tool) &&
        (filter.client === undefined || entry.client === filter.client) &&
        (filter.outcome === undefined || entry.outcome === filter.outcome) &&
        (filter.clientId === undefined || entry.clientId === filter.clientId)
      );
    };
    const found = await this.store.readNewest(limit, accept, { clientId: filter.clientId, scan: TAIL_SCAN });
    return found.map((raw) => auditEntrySchema.parse(raw));
  }

  /**
   * Checks the chains: by default only what was appended since the last verification (plus the
   * checkpoint entries and the store's count); `full` checks every entry. Calls while one runs
   * share its result.
   */
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

  /** Every retained entry as JSON Lines, oldest first, exactly as stored. */
  async exportJsonl(): Promise<string> {
    await this.flushed();
    const through = (await this.loadHeads()).seq;
    const lines: string[] = [];
    for (let after = 0; ;) {
      const batch = await this.store.readRange(after, through, EXPORT_BATCH);
      for (const entry of batch) lines.push(JSON.stringify(entry));
      if (batch.length < EXPORT_BATCH) break;
      after = seqOf(batch[batch.length - 1]);
    }
    return lines.join('\n') + (lines.length > 0 ? '\n' : '');
  }

  on(listener: (entry: AuditEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const appended = this.appending.then(work);
    this.appending = appended.catch(() => undefined);
    return appended;
  }

  /** Whether this denied call gets its own entry; if not, it is counted for its window's summary. */
  private logsDenied(call: AuditCall): boolean {
    const key = `${call.clientId}\u0000${call.tool}`;
    const now = this.now();
    let window = this.denied.get(key);
    if (window && now - window.startedAt >= this.deniedWindowMs) {
      this.writeSummary(window);
      window = undefined;
    }
    if (!window) {
      this.denied.set(key, { startedAt: now, logged: 1 });
      return true;
    }
    if (window.logged < this.deniedLoggedPerWindow) {
      window.logged++;
      return true;
    }
    if (window.folded) {
      window.folded.count++;
      window.folded.lastAt = call.at;
    } else window.folded = { first: call, count: 1, lastAt: call.at };
    this.deniedTimer ??= unrefTimer(
      setTimeout(() => {
        this.deniedTimer = undefined;
        this.summariseDenied(false);
      }, this.deniedWindowMs),
    );
    return false;
  }

  /** Writes the summaries of windows that ended (or of every window, when someone reads the log now). */
  private summariseDenied(all: boolean): void {
    const now = this.now();
    for (const [key, window] of this.denied) {
      const ended = now - window.startedAt >= this.deniedWindowMs;
      if (ended || all) this.writeSummary(window);
      if (ended) this.denied.delete(key);
    }
    if (this.denied.size > 0 && !this.deniedTimer) {
      this.deniedTimer = unrefTimer(
        setTimeout(() => {
          this.deniedTimer = undefined;
          this.summariseDenied(false);
        }, this.deniedWindowMs),
      );
    }
  }

  private writeSummary(window: DeniedWindow): void {
    const folded = window.folded;
    if (!folded) return;
    window.folded = undefined;
    const { first, count, lastAt } = folded;
    const { arguments: _arguments, ...call } = first;
    const span = `between ${new Date(first.at).toISOString()} and ${new Date(lastAt).toISOString()}`;
    const record: AuditRecord = {
      ...call,
      durationMs: 0,
      detail: `${count} more denied call${count === 1 ? '' : 's'} of ${first.tool} by '${first.client}' ${span}, summarised in this entry. The first was refused with: ${first.detail ?? 'no reason given'}`,
      repeat: { count, firstAt: first.at, lastAt },
    };
    this.enqueue(() => this.appendNow(record)).catch((error: unknown) => {
      console.error(`Vial: could not append a summary of denied calls to the audit log: ${(error as Error).message}`);
    });
  }

  private async appendNow(call: AuditCall | AuditRecord): Promise<AuditEntry> {
    const heads = await this.loadHeads();
    const record = auditRecordSchema.parse(await this.recordOf(call));
    const lane = this.laneFor(record);
    const laneHead = heads.lanes.get(lane) ?? (await this.recoverLane(lane));
    const seq = heads.seq + 1;
    const unsigned = {
      ...record,
      seq,
      lane,
      laneSeq: laneHead.laneSeq + 1,
      prevSeq: laneHead.seq,
      prevHash: laneHead.hash,
    };
    const entry: AuditEntry = { ...unsigned, hash: hashEntry(unsigned) };
    const next: LaneHead = {
      ...laneHead,
      ...(lane === clientLane(record.clientId) ? { client: record.client } : {}),
      laneSeq: entry.laneSeq!,
      seq,
      hash: entry.hash,
    };
    const changed: Record<string, LaneHead> = { [lane]: next };
    for (const name of heads.unsaved) changed[name] ??= heads.lanes.get(name)!;
    await this.store.append(entry, { version: 2, seq }, changed);
    heads.seq = seq;
    heads.lanes.set(lane, next);
    heads.unsaved.clear();
    await this.pruneIfOver();
    for (const listener of this.listeners) listener(entry);
    return entry;
  }

  /** The record to store: the arguments digested, the detail capped. */
  private async recordOf(call: AuditCall | AuditRecord): Promise<AuditRecord> {
    const capped =
      call.detail !== undefined && call.detail.length > DETAIL_CHARS
        ? `${call.detail.slice(0, DETAIL_CHARS)}… (${call.detail.length} characters in all)`
        : call.detail;
    if (!('arguments' in call)) return { ...call, ...(capped === undefined ? {} : { detail: capped }) };
    const { arguments: args, ...fields } = call;
    const { digest, cut } = await this.checker.digest(args);
    return {
      ...fields,
      ...(capped === undefined ? {} : { detail: capped }),
      argsDigest: digest,
      ...(cut ? { argsCut: true as const } : {}),
    };
  }

  private laneFor(record: AuditRecord): string {
    const { callId, outcome, access } = record;
    if (callId !== undefined && this.signCalls.has(callId)) {
      if (outcome !== 'started') this.signCalls.delete(callId);
      return SIGN_LANE;
    }
    if (access === 'sign' && outcome === 'started' && callId !== undefined) {
      this.signCalls.add(callId);
      return SIGN_LANE;
    }
    // The person said no, or did not answer in time: evidence of a request to sign.
    if (access === 'sign' && outcome === 'rejected') return SIGN_LANE;
    return clientLane(record.clientId);
  }

  /** Past retention, the largest client lanes lose their oldest entries, each lane keeping a checkpoint. */
  private async pruneIfOver(): Promise<void> {
    // A verification reads entries while it runs: prune on a later append instead.
    if (this.verifying || this.pruning) return;
    const heads = this.heads!;
    const sizes = () =>
      [...heads.lanes]
        .filter(([lane]) => lane !== SIGN_LANE)
        .map(([lane, head]) => ({ lane, head, size: head.laneSeq - head.anchor.laneSeq }));
    let total = sizes().reduce((sum, { size }) => sum + size, 0);
    if (total <= this.retention) return;
    let finish!: () => void;
    this.pruning = new Promise((resolve) => (finish = resolve));
    try {
      while (total > this.retention) {
        const largest = sizes().sort((a, b) => b.size - a.size)[0]!;
        const drop = Math.min(largest.size, total - this.retention + Math.ceil(this.retention / 20));
        const through = largest.head.anchor.laneSeq + drop;
        const raw =
          largest.lane === LEGACY_LANE
            ? await this.store.read(through)
            : await this.store.readLane(largest.lane, through);
        const parsed = auditEntrySchema.safeParse(raw);
        // Without a readable checkpoint entry, keep everything rather than cut the chain somewhere unknown.
        if (!parsed.success) return;
        const { seq, hash, at } = parsed.data;
        const pruned: LaneHead = { ...largest.head, anchor: { laneSeq: through, seq, hash, at } };
        await this.store.prune(largest.lane, pruned);
        heads.lanes.set(largest.lane, pruned);
        total -= drop;
      }
    } finally {
      this.pruning = undefined;
      finish();
    }
  }

  private async loadHeads(): Promise<Heads> {
    if (this.heads) return this.heads;
    const stored = await this.store.readHeads();
    const lanes = new Map<string, LaneHead>();
    for (const [lane, raw] of Object.entries(stored.lanes)) {
      const parsed = laneHeadSchema.safeParse(raw);
      // A broken lane head is recovered from the lane's newest entry when next needed; verify() reports it.
      if (parsed.success) lanes.set(lane, parsed.data);
    }
    const unsaved = new Set<string>();
    const legacy = legacyHeadSchema.safeParse(stored.head);
    if (legacy.success && legacy.data.seq > 0 && !lanes.has(LEGACY_LANE)) {
      lanes.set(LEGACY_LANE, legacyLaneHead(legacy.data));
      unsaved.add(LEGACY_LANE);
    }
    const head = auditHeadSchema.safeParse(stored.head);
    let seq = head.success ? head.data.seq : legacy.success ? legacy.data.seq : 0;
    for (const laneHead of lanes.values()) seq = Math.max(seq, laneHead.seq);
    // No head, or a broken one: go on after the newest stored entry so nothing is overwritten.
    const [newest] = await this.store.readNewest(1, (raw) => auditEntrySchema.safeParse(raw).success);
    if (newest !== undefined) seq = Math.max(seq, auditEntrySchema.parse(newest).seq);
    this.heads ??= { seq, lanes, unsaved };
    return this.heads;
  }

  /** A lane without a readable head: it goes on after its newest stored entry (verify() reports the loss). */
  private async recoverLane(lane: string): Promise<LaneHead> {
    const [newest] = await this.store.readNewest(1, (raw) => auditEntrySchema.safeParse(raw).success, { lane });
    if (newest === undefined) return { ...EMPTY_POINT, anchor: EMPTY_POINT };
    const entry = auditEntrySchema.parse(newest);
    return { laneSeq: chainOf(entry).laneSeq, seq: entry.seq, hash: entry.hash, anchor: EMPTY_POINT };
  }

  private async verifyNow(full: boolean): Promise<AuditVerification> {
    await this.flushed();
    await this.pruning;
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

function legacyLaneHead(head: z.infer<typeof legacyHeadSchema>): LaneHead {
  return {
    anchor: { laneSeq: head.anchor.seq, seq: head.anchor.seq, hash: head.anchor.hash },
    laneSeq: head.seq,
    seq: head.seq,
    hash: head.hash,
  };
}

function unrefTimer(timer: ReturnType<typeof setTimeout>): ReturnType<typeof setTimeout> {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
