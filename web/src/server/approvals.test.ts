import { describe, expect, it, vi } from 'vitest';
import { ApprovalQueue, ApprovalRejected, MAX_PENDING_PER_CLIENT } from './approvals.ts';
import { ToolError } from './toolError.ts';

const preview = { summary: 'Cursor wants to run quantum_simulate', fields: [] };
const ask = (queue: ApprovalQueue, signal?: AbortSignal) =>
  queue.request({ client: 'Cursor', tool: 'quantum_simulate', preview, signal });

describe('approval queue', () => {
  it('resolves on approve and lists the request while it waits', async () => {
    const queue = new ApprovalQueue();
    const seen: number[] = [];
    queue.on((pending) => seen.push(pending.length));
    const decision = ask(queue);
    const [request] = queue.pending();
    expect(request).toMatchObject({ client: 'Cursor', tool: 'quantum_simulate', preview });
    queue.approve(request!.id);
    await expect(decision).resolves.toBeUndefined();
    expect(queue.pending()).toEqual([]);
    expect(seen).toEqual([1, 0]);
  });

  it('rejects with "rejected by the user"', async () => {
    const queue = new ApprovalQueue();
    const decision = ask(queue);
    queue.reject(queue.pending()[0]!.id);
    await expect(decision).rejects.toThrow(new ApprovalRejected('quantum_simulate was rejected by the user'));
  });

  it('times out with a clear error', async () => {
    vi.useFakeTimers();
    try {
      const queue = new ApprovalQueue({ timeoutMs: 5_000 });
      const decision = ask(queue);
      vi.advanceTimersByTime(5_000);
      await expect(decision).rejects.toThrow(/was not approved within 5 s/);
      expect(queue.pending()).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reads a timeout given as a function for each request', async () => {
    vi.useFakeTimers();
    try {
      let seconds = 5;
      const queue = new ApprovalQueue({ timeoutMs: () => seconds * 1000 });
      const first = ask(queue);
      seconds = 60;
      const second = ask(queue);
      expect(queue.pending().map((request) => request.expiresAt - request.requestedAt)).toEqual([5_000, 60_000]);
      vi.advanceTimersByTime(60_000);
      await expect(first).rejects.toThrow(/within 5 s/);
      await expect(second).rejects.toThrow(/within 60 s/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('drops a request the client cancelled, and fails all on close', async () => {
    const queue = new ApprovalQueue();
    const cancel = new AbortController();
    const cancelled = ask(queue, cancel.signal);
    const open = ask(queue);
    cancel.abort();
    await expect(cancelled).rejects.toThrow(/cancelled by the client while waiting for approval/);
    expect(queue.pending()).toHaveLength(1);
    queue.closeAll('the tab was reloaded');
    await expect(open).rejects.toThrow('quantum_simulate was not approved: the tab was reloaded');
  });

  it('says so when a decision comes for a request that is gone', () => {
    const queue = new ApprovalQueue();
    expect(() => queue.approve('approval-404')).toThrow(/no longer pending/);
  });

  it(`lets one client have ${MAX_PENDING_PER_CLIENT} requests waiting and refuses the next at once, naming the limit`, async () => {
    const queue = new ApprovalQueue();
    const flood = (clientId: string) =>
      queue.request({ client: 'Hostile', clientId, tool: 'wallet_sign_message', preview });
    const waiting = Array.from({ length: MAX_PENDING_PER_CLIENT }, () => flood('token-hostile'));
    waiting.forEach((request) => request.catch(() => {}));

    const refused = flood('token-hostile');
    await expect(refused).rejects.toThrow(ToolError);
    await expect(refused).rejects.toThrow(
      `wallet_sign_message was refused: Hostile already has ${MAX_PENDING_PER_CLIENT} calls waiting for approval in the Vial tab, the most one client may have (${MAX_PENDING_PER_CLIENT})`,
    );
    expect(() => queue.requireRoom({ client: 'Hostile', clientId: 'token-hostile', tool: 'x' })).toThrow(
      /the most one/,
    );
    expect(queue.pending()).toHaveLength(MAX_PENDING_PER_CLIENT);

    // Counted per token id: another client (even under the same name) still gets through.
    const other = queue.request({ client: 'Hostile', clientId: 'token-other', tool: 'quantum_simulate', preview });
    const otherRequest = queue.pending().find((request) => request.clientId === 'token-other')!;
    queue.approve(otherRequest.id);
    await expect(other).resolves.toBeUndefined();

    // Once one is decided, the client has room again.
    queue.reject(queue.pending()[0]!.id);
    await expect(waiting[0]).rejects.toThrow(/rejected by the user/);
    expect(() => queue.requireRoom({ client: 'Hostile', clientId: 'token-hostile', tool: 'x' })).not.toThrow();
    queue.closeAll('test over');
  });
});
