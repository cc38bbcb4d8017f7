/** Watching a host's approval queue from tests. */
import type { ApprovalRequest } from '../../web/src/server/approvals.ts';
import type { HostRuntime } from '../../web/src/server/runtime.ts';
import { until } from './until.ts';

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

/**
 * Waits until the tab is asked about `call` (the only pending approval), answers it as the person
 * would, and returns what they were shown and what the client got.
 */
export async function decideApproval<T>(
  host: HostRuntime,
  call: Promise<T>,
  decide: 'approve' | 'reject',
): Promise<{ request: ApprovalRequest; result: T }> {
  const { approvals } = host.gate;
  await until(() => approvals.pending().length === 1);
  const [request] = approvals.pending();
  if (decide === 'approve') approvals.approve(request!.id);
  else approvals.reject(request!.id);
  return { request: request!, result: await call };
}

/** The value of one labelled field of an approval's preview. */
export function previewField(request: ApprovalRequest, label: string): string | undefined {
  return request.preview.fields.find((candidate) => candidate.label === label)?.value;
}
