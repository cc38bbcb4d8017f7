/**
 * The audit log: one entry per finished tool call (who, what, a digest of the arguments, how it
 * ended, how long it took), plus a `started` entry for each signing call the person approved,
 * written before it runs. The arguments themselves are not kept: they may hold private data, and
 * the digest is enough to match a call the client logged.
 *
 * Entries are hash-chained per lane (`auditChain.ts`): one lane per client, and the signing
 * lane. Retention is by lane: past `retention` entries, the largest client lane loses its oldest
 * entries and keeps a checkpoint of them, so a client that floods the log prunes only its own
 * entries; the signing lane is never pruned by volume (`auditLanes.ts`). Repeated denied calls of
 * one tool by one client are logged one by one up to a few per window, then summarised in one
 * entry (`deniedCalls.ts`). Verification is incremental, its hashing in the audit Worker
 * (`auditVerification.ts`, `auditChecker.ts`).
 *
 * The heads (each lane's newest entry and checkpoint) are stored beside the entries
 * (`auditStorage.ts`), so removing the newest entries is caught too. Someone who can rewrite the
 * whole store can rewrite the heads as well: the chain proves the log was not edited piecemeal,
 * not that the browser was not owned.
 *
 * This module is the log's public face: the `AuditLog` class, and the types its users need.
 */
import {
  auditEntrySchema,
  auditRecordSchema,
  type AuditCall,
  type AuditEntry,
  type AuditOutcome,
  type AuditRecord,
} from './auditChain.ts';
import { inProcessChecker, type AuditChecker } from './auditChecker.ts';
import { AuditLanes } from './auditLanes.ts';
import { seqOf, type AuditStore } from './auditStorage.ts';
import { AuditVerifier, type AuditVerification } from './auditVerification.ts';
import { DeniedCalls } from './deniedCalls.ts';

export {
  auditEntrySchema,
  auditOutcomeSchema,
  auditRecordSchema,
  SIGN_LANE,
  clientLane,
  type AuditCall,
  type AuditEntry,
  type AuditOutcome,
  type AuditRecord,
  type LaneHead,
} from './auditChain.ts';
export {
  digestArguments,
  digestArgumentsOf,
  inProcessChecker,
  type ArgumentsDigest,
  type AuditChecker,
} from './auditChecker.ts';
export {
  MemoryAuditStore,
  auditHeadSchema,
  type AuditHead,
  type AuditStore,
  type StoredHeads,
} from './auditStorage.ts';
export type { AuditVerification, LaneCoverage } from './auditVerification.ts';

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
/** Entries read per step of an export. */
const EXPORT_BATCH = 1000;
/** How many entries a tail looks at, at most, to find its matches. */
const TAIL_SCAN = 10_000;
const DETAIL_CHARS = 4000;

export class AuditLog {
  /** Appends run one after another: each needs the head its lane had before it. */
  private appending: Promise<unknown> = Promise.resolve();
  private readonly lanes: AuditLanes;
  private readonly verifier: AuditVerifier;
  private readonly denied: DeniedCalls;
  private readonly listeners = new Set<(entry: AuditEntry) => void>();
  private readonly checker: AuditChecker;

  constructor(
    private readonly store: AuditStore,
    options: AuditLogOptions = {},
  ) {
    this.checker = options.checker ?? inProcessChecker;
    this.lanes = new AuditLanes(store, options.retention ?? DEFAULT_AUDIT_RETENTION);
    this.verifier = new AuditVerifier(store, this.checker, async () => {
      await this.flushed();
      await this.lanes.pruned();
    });
    this.denied = new DeniedCalls({
      windowMs: options.deniedWindowMs ?? DENIED_WINDOW_MS,
      loggedPerWindow: options.deniedLoggedPerWindow ?? DENIED_LOGGED_PER_WINDOW,
      now: options.now ?? Date.now,
      write: (record) => {
        this.enqueue(() => this.appendNow(record)).catch((error: unknown) => {
          console.error(
            `Vial: could not append a summary of denied calls to the audit log: ${(error as Error).message}`,
          );
        });
      },
    });
  }

  /**
   * Appends a call. The digest is taken here, in append order and off the call's path: the
   * client has its answer before the log has its entry. Resolves to the entry, or to undefined
   * for a repeated denied call that will be part of a summary entry.
   */
  append(call: AuditCall): Promise<AuditEntry | undefined> {
    if (call.outcome === 'denied' && !this.denied.logs(call)) return Promise.resolve(undefined);
    return this.enqueue(() => this.appendNow(call));
  }

  /** Resolves once every call reported so far (summaries of denied calls included) is in the store. */
  flushed(): Promise<void> {
    this.denied.summarise(true);
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
    return this.verifier.verify(options);
  }

  /** Every retained entry as JSON Lines, oldest first, exactly as stored. */
  async exportJsonl(): Promise<string> {
    await this.flushed();
    const through = await this.lanes.lastSeq();
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

  private async appendNow(call: AuditCall | AuditRecord): Promise<AuditEntry> {
    const record = auditRecordSchema.parse(await this.recordOf(call));
    const entry = await this.lanes.append(record);
    // A verification reads entries while it runs: prune on a later append instead.
    if (!this.verifier.running) await this.lanes.pruneIfOver();
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
}
