/**
 * The audit log's lanes as its appends see them: each lane's head (read from the store once,
 * recovered from the lane's newest entry when its head is unreadable), which lane a record goes
 * to, the chained entry it becomes, and pruning by lane.
 *
 * One lane per client, and the signing lane: a signing call's `started` entry and the entries
 * that end it go there, and so does a request to sign that the person rejected. Past `retention`
 * entries across the client lanes, the largest lane loses its oldest entries and keeps a
 * checkpoint of them (its anchor); the signing lane is never pruned by volume.
 *
 * Appends must run one after another (the log queues them): each needs the head its lane had
 * before it.
 */
import {
  EMPTY_POINT,
  LEGACY_LANE,
  SIGN_LANE,
  auditEntrySchema,
  chainOf,
  clientLane,
  hashEntry,
  laneHeadSchema,
  type AuditEntry,
  type AuditRecord,
  type LaneHead,
} from './auditChain.ts';
import { auditHeadSchema, legacyHeadSchema, legacyLaneHead, type AuditStore } from './auditStorage.ts';

interface Heads {
  seq: number;
  lanes: Map<string, LaneHead>;
  /** Lane heads read from the old single head, to be written on the next append. */
  unsaved: Set<string>;
}

export class AuditLanes {
  private heads: Heads | undefined;
  private pruning: Promise<void> | undefined;
  /** Signing calls with a `started` entry: the entries that end them go to the signing lane too. */
  private readonly signCalls = new Set<string>();

  constructor(
    private readonly store: AuditStore,
    /** Entries kept across the clients' lanes. */
    private readonly retention: number,
  ) {}

  /** The newest `seq` handed out. */
  async lastSeq(): Promise<number> {
    return (await this.loadHeads()).seq;
  }

  /** Resolves once the pruning under way, if any, is done. */
  async pruned(): Promise<void> {
    await this.pruning;
  }

  /** Chains the record onto its lane and stores the entry with the heads it changes. */
  async append(record: AuditRecord): Promise<AuditEntry> {
    const heads = await this.loadHeads();
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
    return entry;
  }

  /**
   * Past retention, the largest client lanes lose their oldest entries, each lane keeping a
   * checkpoint. Called after an append; not while a verification reads the entries (the log
   * leaves it to a later append then).
   */
  async pruneIfOver(): Promise<void> {
    const heads = this.heads;
    if (this.pruning || !heads) return;
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
}
