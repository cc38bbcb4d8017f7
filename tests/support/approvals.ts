/** Watching a host's approval queue from tests. */
import type { ApprovalRequest } from '../../web/src/host/approvals.ts';
import type { HostRuntime } from '../../web/src/host/runtime.ts';

/**
 * Every approval the tab is asked for from now on, in order, in a list the test may empty
 * (`asked.length = 0`) between cases.
 */
export function recordApprovals(host: HostRuntime): ApprovalRequest[] {
  const asked: ApprovalRequest[] = [];
  host.gate.approvals.on((pending) => {
    for (const request of pending) if (!asked.includes(request)) asked.push(request);
  });
  return asked;
}
