/**
 * The tab's handle on the audit Worker (restarted if it dies, see `restartingWorker`).
 *
 * Arguments are cut to the digest's depth limit before they are posted (structured clone fails,
 * or worse, on values nested a few thousand deep), and a digest the Worker does not give within
 * a few seconds is taken in-process instead: a call must never lose its log entry, nor hold up
 * the entries after it, because of the Worker.
 */
import { digestArgumentsOf, type AuditChecker } from './auditChecker.ts';
import type { CheckResult } from './auditChain.ts';
import { limitDepth } from './canonicalJson.ts';
import { restartingWorker } from '../platform/restartingWorker.ts';

const DIGEST_TIMEOUT_MS = 5_000;
const CHECK_TIMEOUT_MS = 30_000;

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the audit worker did not ${what} within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export function createAuditWorker(): AuditChecker {
  const call = restartingWorker<AuditChecker>(
    () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'vial-audit' }),
    'audit worker',
  );
  return {
    check: (cursor, anchors, raw, names) =>
      within(
        call((remote) => remote.check(cursor, anchors, raw, names) as Promise<CheckResult>),
        CHECK_TIMEOUT_MS,
        'check a batch of entries',
      ),
    digest: async (args) => {
      const { value, cut } = limitDepth(args);
      try {
        const digested = await within(
          call((remote) => remote.digest(value)),
          DIGEST_TIMEOUT_MS,
          'digest the arguments',
        );
        return { digest: digested.digest, cut: cut || digested.cut };
      } catch {
        const digested = digestArgumentsOf(value);
        return { digest: digested.digest, cut: cut || digested.cut };
      }
    },
  };
}
