/**
 * The audit log's entries and how their chains are checked. Pure and synchronous, so the same
 * code runs in the tab's audit Worker (`web/src/audit/`) and in-process in Node.
 *
 * Entries form one chain per *lane*: each client (token) has its own lane, and every entry about
 * a signing call the person decided on (approved, rejected, and how it ended) goes to the `sign`
 * lane. Each entry carries the hash of the one before it in its lane, and a global sequence
 * number that orders all lanes. Pruning drops the oldest entries of one lane and records their
 * newest as the lane's anchor (its checkpoint), so one client flooding the log only ever prunes
 * its own lane, and a pruned range is stated, not silently lost.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { canonicalJson } from './canonicalJson.ts';

const hashSchema = z.string().regex(/^[0-9a-f]{64}$/);

/** `started`: a signing call the person approved, written before it runs (and notes it adds on the way). */
export const auditOutcomeSchema = z.enum(['ok', 'error', 'cancelled', 'denied', 'rejected', 'started']);
export type AuditOutcome = z.infer<typeof auditOutcomeSchema>;

export const auditRecordSchema = z.strictObject({
  /** Epoch milliseconds when the call started. */
  at: z.number().int().nonnegative(),
  sessionId: z.string(),
  /** The token name the client connected with, and the token's id. */
  client: z.string(),
  clientId: z.string(),
  /** The MCP client's own name (its `clientInfo`), when it gave one. */
  app: z.string().max(200).optional(),
  tool: z.string(),
  /** SHA-256 of the arguments as canonical JSON (keys sorted); absent on a summary of repeated denied calls. */
  argsDigest: hashSchema.optional(),
  /** The arguments were nested too deep: the digest covers a marker in place of the deepest part. */
  argsCut: z.literal(true).optional(),
  outcome: auditOutcomeSchema,
  durationMs: z.number().nonnegative(),
  detail: z.string().optional(),
  /** What the tool does and the scopes it needs: a reader who lacks them sees no detail. */
  access: z.enum(['read', 'compute', 'sign']).optional(),
  scopes: z.array(z.string()).optional(),
  /** Ties a signing call's `started` entries to the entry that ends it. */
  callId: z.string().optional(),
  /** This entry stands for `count` denied calls of the tool by the client between `firstAt` and `lastAt`. */
  repeat: z
    .strictObject({
      count: z.number().int().positive(),
      firstAt: z.number().int().nonnegative(),
      lastAt: z.number().int().nonnegative(),
    })
    .optional(),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;

/** A call as the host reports it: the record, with the arguments still to be digested. */
export type AuditCall = Omit<AuditRecord, 'argsDigest' | 'argsCut' | 'repeat'> & { arguments: unknown };

export const auditEntrySchema = auditRecordSchema.extend({
  /** Orders entries across lanes; never reused. */
  seq: z.number().int().positive(),
  /** The lane, its own sequence number, and the global `seq` of the lane's entry before this one. */
  lane: z.string().optional(),
  laneSeq: z.number().int().positive().optional(),
  prevSeq: z.number().int().nonnegative().optional(),
  prevHash: hashSchema,
  hash: hashSchema,
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** Entries written before lanes existed form one chain of their own, keyed by `seq`. */
export const LEGACY_LANE = 'legacy';
export const SIGN_LANE = 'sign';
export const clientLane = (clientId: string) => `client:${clientId}`;

export const GENESIS_HASH = '0'.repeat(64);

/** Where a lane's chain stands: an entry's place in it, or the lane's newest entry. */
export const lanePointSchema = z.object({
  laneSeq: z.number().int().nonnegative(),
  /** The entry's global sequence number (0 before the first). */
  seq: z.number().int().nonnegative(),
  hash: hashSchema,
});
export type LanePoint = z.infer<typeof lanePointSchema>;

export const laneHeadSchema = lanePointSchema.extend({
  /** The token name of the client whose lane this is, for messages and the UI. */
  client: z.string().optional(),
  /**
   * The checkpoint: the newest pruned entry of the lane (laneSeq 0 when nothing was pruned). The
   * chain starts after it; `at` is when that entry's call started.
   */
  anchor: lanePointSchema.extend({ at: z.number().int().nonnegative().optional() }),
});
export type LaneHead = z.infer<typeof laneHeadSchema>;

export const EMPTY_POINT: LanePoint = { laneSeq: 0, seq: 0, hash: GENESIS_HASH };

/** The lane, place and predecessor of an entry; entries from before lanes follow each other by `seq`. */
export function chainOf(entry: AuditEntry): { lane: string; laneSeq: number; prevSeq: number } {
  return {
    lane: entry.lane ?? LEGACY_LANE,
    laneSeq: entry.laneSeq ?? entry.seq,
    prevSeq: entry.prevSeq ?? entry.seq - 1,
  };
}

/** Hex SHA-256, synchronously (WebCrypto's digest is async and costs a thread hop per call). */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

export function hashEntry(entry: Omit<AuditEntry, 'hash'>): string {
  return sha256Hex(canonicalJson(entry));
}

/** How far a check got: each lane's last checked entry, and the global `seq` it has read through. */
export interface ChainCursor {
  lanes: Record<string, LanePoint>;
  throughSeq: number;
}

export type CheckResult =
  { ok: true; cursor: ChainCursor; checked: number } | { ok: false; seq: number; problem: string; checked: number };

/**
 * Checks `raw` (entries read from the store, oldest first, all after `cursor.throughSeq`)
 * against the cursor: each entry must come next in its lane, point at the hash of the one
 * before it and hash to what it says. `anchors` are the lanes' checkpoints: a lane whose anchor
 * is past the cursor (its entries were pruned since) continues from the anchor. `names` label
 * lanes in problems (a client's token name).
 */
export function checkEntries(
  cursor: ChainCursor,
  anchors: Record<string, LanePoint>,
  raw: unknown[],
  names: Record<string, string> = {},
): CheckResult {
  const lanes = { ...cursor.lanes };
  let throughSeq = cursor.throughSeq;
  let checked = 0;
  const fail = (seq: number, problem: string): CheckResult => ({ ok: false, seq, problem, checked });
  for (const item of raw) {
    const parsed = auditEntrySchema.safeParse(item);
    const seqField = (item as { seq?: unknown } | null)?.seq;
    const at = typeof seqField === 'number' ? seqField : throughSeq + 1;
    if (!parsed.success) return fail(at, `entry ${at} is malformed`);
    const entry = parsed.data;
    if (entry.seq <= throughSeq) return fail(entry.seq, `entry ${entry.seq} is out of order (after ${throughSeq})`);
    const { lane, laneSeq, prevSeq } = chainOf(entry);
    const anchor = anchors[lane];
    if (!anchor) return fail(entry.seq, `entry ${entry.seq} belongs to a lane (${lane}) the log's head does not know`);
    const seen = lanes[lane];
    const previous = seen && seen.laneSeq >= anchor.laneSeq ? seen : anchor;
    if (laneSeq !== previous.laneSeq + 1) {
      const missing = laneSeq - previous.laneSeq - 1;
      if (missing <= 0) return fail(entry.seq, `entry ${entry.seq} is out of order in ${laneName(lane, names)}`);
      return fail(
        prevSeq,
        missing === 1
          ? `entry ${prevSeq} was removed`
          : `${missing} entries of ${laneName(lane, names)} were removed, the newest being entry ${prevSeq}`,
      );
    }
    if (entry.prevHash !== previous.hash || prevSeq !== previous.seq) {
      return fail(
        entry.seq,
        `entry ${entry.seq} does not follow entry ${previous.seq}: one of them was altered or replaced`,
      );
    }
    const { hash, ...rest } = entry;
    if (hashEntry(rest) !== hash) return fail(entry.seq, `entry ${entry.seq} was altered`);
    lanes[lane] = { laneSeq, seq: entry.seq, hash };
    throughSeq = entry.seq;
    checked++;
  }
  return { ok: true, cursor: { lanes, throughSeq }, checked };
}

export function laneName(lane: string, names: Record<string, string>): string {
  if (lane === SIGN_LANE) return 'the signing lane';
  if (lane === LEGACY_LANE) return 'the log from before lanes';
  const name = names[lane];
  return name === undefined ? `lane ${lane}` : `client '${name}'`;
}
