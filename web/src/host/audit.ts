/**
 * The audit log: one entry per finished tool call (who, what, a digest of the arguments, how it
 * ended, how long it took), each carrying the hash of the one before it. Changing or removing
 * any entry breaks the chain, and `verify()` says where. The arguments themselves are not kept:
 * they may hold private data, and the digest is enough to match a call the client logged.
 *
 * The head (last sequence number and hash) is stored beside the entries so that removing the
 * newest entries is caught too. Someone who can rewrite the whole store can rewrite the head as
 * well: the chain proves the log was not edited piecemeal, not that the browser was not owned.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { canonicalJson } from './canonicalJson.ts';

const hashSchema = z.string().regex(/^[0-9a-f]{64}$/);

export const auditOutcomeSchema = z.enum(['ok', 'error', 'cancelled', 'denied', 'rejected']);
export type AuditOutcome = z.infer<typeof auditOutcomeSchema>;

export const auditRecordSchema = z.strictObject({
  /** Epoch milliseconds when the call started. */
  at: z.number().int().nonnegative(),
  sessionId: z.string(),
  /** The token name the client connected with, and the token's id. */
  client: z.string(),
  clientId: z.string(),
  tool: z.string(),
  /** SHA-256 of the arguments as canonical JSON (keys sorted). */
  argsDigest: hashSchema,
  outcome: auditOutcomeSchema,
  durationMs: z.number().nonnegative(),
  detail: z.string().optional(),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;

/** A finished call as the host reports it: the record, with the arguments still to be digested. */
export type AuditCall = Omit<AuditRecord, 'argsDigest'> & { arguments: unknown };

export const auditEntrySchema = auditRecordSchema.extend({
  seq: z.number().int().positive(),
  prevHash: hashSchema,
  hash: hashSchema,
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** Where the chain starts (after old entries were pruned) and where it ends. */
export const auditHeadSchema = z.object({
  anchor: z.object({ seq: z.number().int().nonnegative(), hash: hashSchema }),
  seq: z.number().int().nonnegative(),
  hash: hashSchema,
});
export type AuditHead = z.infer<typeof auditHeadSchema>;

const GENESIS_HASH = '0'.repeat(64);
const EMPTY_HEAD: AuditHead = { anchor: { seq: 0, hash: GENESIS_HASH }, seq: 0, hash: GENESIS_HASH };

/**
 * Storage for the log. Reads return what is stored, unparsed: verification must see tampered
 * or malformed entries as they are, not have them dropped on the way.
 */
export interface AuditStore {
  readHead(): Promise<unknown>;
  /** The entry with this sequence number, if stored. */
  read(seq: number): Promise<unknown>;
  /** Every stored entry, oldest first. */
  readAll(): Promise<unknown[]>;
  /** Up to `limit` entries, newest first, keeping only those `accept` takes. */
  readNewest(limit: number, accept: (entry: unknown) => boolean): Promise<unknown[]>;
  /** Stores the entry and the new head together (one transaction where the store has them). */
  append(entry: AuditEntry, head: AuditHead): Promise<void>;
  /** Deletes entries up to and including `head.anchor.seq` and stores the head. */
  prune(head: AuditHead): Promise<void>;
}

export class MemoryAuditStore implements AuditStore {
  /** Public so tests can tamper with it the way someone with DevTools could. */
  entries: unknown[] = [];
  head: unknown = undefined;

  async readHead() {
    return this.head;
  }
  async read(seq: number) {
    return this.entries.find((entry) => (entry as AuditEntry).seq === seq);
  }
  async readAll() {
    return [...this.entries];
  }
  async readNewest(limit: number, accept: (entry: unknown) => boolean) {
    const found: unknown[] = [];
    for (let i = this.entries.length - 1; i >= 0 && found.length < limit; i--) {
      if (accept(this.entries[i])) found.push(this.entries[i]);
    }
    return found;
  }
  async append(entry: AuditEntry, head: AuditHead) {
    this.entries.push(entry);
    this.head = head;
  }
  async prune(head: AuditHead) {
    this.entries = this.entries.filter((entry) => (entry as AuditEntry).seq > head.anchor.seq);
    this.head = head;
  }
}

export type AuditVerification =
  | { ok: true; entries: number; firstSeq: number; lastSeq: number }
  | { ok: false; entries: number; seq: number; problem: string };

export interface AuditFilter {
  tool?: string;
  client?: string;
  outcome?: AuditOutcome;
}

export const DEFAULT_AUDIT_RETENTION = 50_000;

/**
 * Hex SHA-256, synchronously: WebCrypto's digest is async and costs a thread hop (~40 µs in
 * Node) per call, twice per logged call, where this takes a few µs.
 */
function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

export function digestArguments(args: unknown): string {
  return sha256Hex(canonicalJson(args ?? {}));
}

function hashEntry(entry: Omit<AuditEntry, 'hash'>): string {
  return sha256Hex(canonicalJson(entry));
}

export class AuditLog {
  private head: AuditHead | undefined;
  /** Appends run one after another: each needs the hash of the one before. */
  private appending: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(entry: AuditEntry) => void>();

  constructor(
    private readonly store: AuditStore,
    /** How many entries to keep; older ones are pruned and the chain then starts at the newest pruned one. */
    private readonly retention = DEFAULT_AUDIT_RETENTION,
  ) {}

  /**
   * Appends a finished call. The digest is taken here, in append order and off the call's path:
   * the client has its answer before the log has its entry.
   */
  append(call: AuditCall): Promise<AuditEntry> {
    const appended = this.appending.then(() => this.appendNow(call));
    this.appending = appended.catch(() => undefined);
    return appended;
  }

  /** Resolves once every call reported so far is in the store: reads after it see them. */
  flushed(): Promise<void> {
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
        (filter.outcome === undefined || entry.outcome === filter.outcome)
      );
    };
    const found = await this.store.readNewest(limit, accept);
    return found.map((raw) => auditEntrySchema.parse(raw));
  }

  /** Walks the chain from its anchor to the stored head; reports the first entry that does not fit. */
  async verify(): Promise<AuditVerification> {
    await this.flushed();
    const headParse = auditHeadSchema.safeParse((await this.store.readHead()) ?? EMPTY_HEAD);
    const raw = await this.store.readAll();
    if (!headParse.success) return { ok: false, entries: raw.length, seq: 0, problem: 'the stored head is malformed' };
    const head = headParse.data;
    let previous = head.anchor;
    for (const item of raw) {
      const parsed = auditEntrySchema.safeParse(item);
      const seq = (item as { seq?: unknown })?.seq;
      const at = typeof seq === 'number' ? seq : previous.seq + 1;
      if (!parsed.success) return { ok: false, entries: raw.length, seq: at, problem: `entry ${at} is malformed` };
      const entry = parsed.data;
      if (entry.seq !== previous.seq + 1) {
        const missing = entry.seq - previous.seq - 1;
        const problem =
          missing > 0
            ? `entr${missing === 1 ? 'y' : 'ies'} ${previous.seq + 1}${missing > 1 ? `–${entry.seq - 1}` : ''} ${missing === 1 ? 'was' : 'were'} removed`
            : `entry ${entry.seq} is out of order (expected ${previous.seq + 1})`;
        return { ok: false, entries: raw.length, seq: previous.seq + 1, problem };
      }
      if (entry.prevHash !== previous.hash) {
        return {
          ok: false,
          entries: raw.length,
          seq: entry.seq,
          problem: `entry ${entry.seq} does not follow entry ${previous.seq}: one of them was altered or replaced`,
        };
      }
      const { hash, ...rest } = entry;
      if (hashEntry(rest) !== hash) {
        return { ok: false, entries: raw.length, seq: entry.seq, problem: `entry ${entry.seq} was altered` };
      }
      previous = entry;
    }
    if (previous.seq !== head.seq || previous.hash !== head.hash) {
      return {
        ok: false,
        entries: raw.length,
        seq: previous.seq + 1,
        problem: `the log ends at entry ${previous.seq} but its head says ${head.seq}: the newest entries were removed`,
      };
    }
    return { ok: true, entries: raw.length, firstSeq: head.anchor.seq + 1, lastSeq: head.seq };
  }

  /** Every retained entry as JSON Lines, oldest first, exactly as stored. */
  async exportJsonl(): Promise<string> {
    await this.flushed();
    const raw = await this.store.readAll();
    return raw.map((entry) => JSON.stringify(entry)).join('\n') + (raw.length > 0 ? '\n' : '');
  }

  on(listener: (entry: AuditEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async appendNow({ arguments: args, ...call }: AuditCall): Promise<AuditEntry> {
    const head = (this.head ??= await this.loadHead());
    const record = auditRecordSchema.parse({ ...call, argsDigest: digestArguments(args) });
    const unsigned = { ...record, seq: head.seq + 1, prevHash: head.hash };
    const entry: AuditEntry = { ...unsigned, hash: hashEntry(unsigned) };
    const next: AuditHead = { anchor: head.anchor, seq: entry.seq, hash: entry.hash };
    await this.store.append(entry, next);
    this.head = next;
    if (next.seq - next.anchor.seq > this.retention) await this.prune(next);
    for (const listener of this.listeners) listener(entry);
    return entry;
  }

  /** Drops the oldest tenth of the retained entries; the newest dropped one becomes the anchor. */
  private async prune(head: AuditHead): Promise<void> {
    const dropThrough = head.anchor.seq + Math.ceil(this.retention / 10);
    const parsed = auditEntrySchema.safeParse(await this.store.read(dropThrough));
    // Without a readable anchor entry, keep everything rather than cut the chain somewhere unknown.
    if (!parsed.success) return;
    const pruned: AuditHead = { ...head, anchor: { seq: parsed.data.seq, hash: parsed.data.hash } };
    await this.store.prune(pruned);
    this.head = pruned;
  }

  private async loadHead(): Promise<AuditHead> {
    const parsed = auditHeadSchema.safeParse(await this.store.readHead());
    if (parsed.success) return parsed.data;
    // No head, or a broken one: go on after the newest stored entry so nothing is overwritten.
    // A broken head must not stop calls from being logged; verify() reports the break.
    const [newest] = await this.store.readNewest(1, (raw) => auditEntrySchema.safeParse(raw).success);
    if (newest === undefined) return EMPTY_HEAD;
    const { seq, hash } = auditEntrySchema.parse(newest);
    return { anchor: EMPTY_HEAD.anchor, seq, hash };
  }
}
