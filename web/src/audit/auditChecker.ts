/**
 * Where the audit log's hashing runs: the entry checks of a verification and the digests of
 * call arguments. The tab hands them to its audit Worker (`workerClient.ts`), which runs
 * `inProcessChecker`; Node hosts run `inProcessChecker` directly.
 */
import { checkEntries, sha256Hex, type ChainCursor, type CheckResult, type LanePoint } from './auditChain.ts';
import { canonicalJsonOf } from './canonicalJson.ts';

/** Where an argument digest comes from, and whether the arguments had to be cut to take it. */
export interface ArgumentsDigest {
  digest: string;
  cut: boolean;
}

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
