/**
 * The in-tab approval queue: a call whose policy is `prompt` (and every signing call) waits here
 * until the person at the tab approves or rejects it. Each request carries what they need to
 * decide: the client, the tool and a preview the tool itself writes (the wallet tools decode
 * transactions into one). One client may have at most `MAX_PENDING_PER_CLIENT` requests waiting,
 * so no client can bury the person (or another client's request) under approvals.
 */
import { ToolError } from './toolError.ts';

/** What the person sees before deciding: a one-line summary and labelled fields. */
export interface ApprovalPreview {
  summary: string;
  fields: Array<{ label: string; value: string }>;
  /** Structured detail shown as a tree, e.g. EIP-712 typed data. */
  detail?: unknown;
}

export interface ApprovalRequest {
  id: string;
  /** The token name the client connected with. */
  client: string;
  /** What the per-client cap counts by: the token's id (the name when none is given). */
  clientId: string;
  tool: string;
  preview: ApprovalPreview;
  requestedAt: number;
  expiresAt: number;
}

export const DEFAULT_APPROVAL_TIMEOUT_MS = 120_000;

/** How many approvals one client may have waiting at once; the next is refused at once. */
export const MAX_PENDING_PER_CLIENT = 8;

export class ApprovalRejected extends ToolError {
  override name = 'ApprovalRejected';
}

interface Waiting {
  request: ApprovalRequest;
  settle(error?: ApprovalRejected): void;
}

let approvalSequence = 0;

export class ApprovalQueue {
  private readonly waiting = new Map<string, Waiting>();
  private readonly listeners = new Set<(pending: ApprovalRequest[]) => void>();

  /**
   * `timeoutMs` may be a function: the tab reads the person's setting for each request, so a
   * change in Settings applies to the next request without rebuilding the queue.
   */
  constructor(private readonly options: { timeoutMs?: number | (() => number) } = {}) {}

  get timeoutMs(): number {
    const { timeoutMs = DEFAULT_APPROVAL_TIMEOUT_MS } = this.options;
    return typeof timeoutMs === 'function' ? timeoutMs() : timeoutMs;
  }

  /**
   * Throws a ToolError naming the limit when `clientId` already has `MAX_PENDING_PER_CLIENT`
   * requests waiting. The gate calls it before building a preview, so a client over the limit
   * costs the tab nothing; `request` checks again.
   */
  requireRoom(input: { client: string; clientId?: string; tool: string }): void {
    const clientId = input.clientId ?? input.client;
    const waiting = [...this.waiting.values()].filter(({ request }) => request.clientId === clientId).length;
    if (waiting < MAX_PENDING_PER_CLIENT) return;
    throw new ToolError(
      `${input.tool} was refused: ${input.client} already has ${waiting} calls waiting for approval in the Vial tab, the most one client may have (${MAX_PENDING_PER_CLIENT})`,
      { hints: ['Wait until the person has decided on those (or cancel some), then call again.'] },
    );
  }

  /**
   * Waits for the person's decision. Resolves when approved; rejects with `ApprovalRejected` when
   * they reject, when the timeout passes, when the client cancels (`signal`) or when the queue
   * is closed (tab reload or stop); rejects at once with a ToolError when the client already has
   * `MAX_PENDING_PER_CLIENT` requests waiting. `clientId` (the token's id) is what that limit
   * counts by; without it, the client's name.
   */
  request(input: {
    client: string;
    clientId?: string;
    tool: string;
    preview: ApprovalPreview;
    signal?: AbortSignal;
  }): Promise<void> {
    try {
      this.requireRoom(input);
    } catch (error) {
      return Promise.reject(error);
    }
    const requestedAt = Date.now();
    const timeoutMs = this.timeoutMs;
    const request: ApprovalRequest = {
      id: `approval-${++approvalSequence}`,
      client: input.client,
      clientId: input.clientId ?? input.client,
      tool: input.tool,
      preview: input.preview,
      requestedAt,
      expiresAt: requestedAt + timeoutMs,
    };
    return new Promise<void>((resolve, reject) => {
      const onAbort = () =>
        settle(new ApprovalRejected(`${input.tool} was cancelled by the client while waiting for approval`));
      const timer = setTimeout(
        () =>
          settle(
            new ApprovalRejected(`${input.tool} was not approved within ${Math.round(timeoutMs / 1000)} s`, {
              hints: ['Ask the person at the Vial tab to watch for the approval and call again.'],
            }),
          ),
        timeoutMs,
      );
      const settle = (error?: ApprovalRejected) => {
        if (!this.waiting.delete(request.id)) return;
        clearTimeout(timer);
        input.signal?.removeEventListener('abort', onAbort);
        this.emit();
        if (error) reject(error);
        else resolve();
      };
      if (input.signal?.aborted) return onAbort();
      input.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(request.id, { request, settle });
      this.emit();
    });
  }

  pending(): ApprovalRequest[] {
    return [...this.waiting.values()].map(({ request }) => request);
  }

  approve(id: string): void {
    this.find(id).settle();
  }

  reject(id: string): void {
    const { request, settle } = this.find(id);
    settle(new ApprovalRejected(`${request.tool} was rejected by the user`));
  }

  /** Fails every pending request, e.g. when the tab stops serving; nothing is left waiting. */
  closeAll(reason: string): void {
    for (const { request, settle } of [...this.waiting.values()]) {
      settle(new ApprovalRejected(`${request.tool} was not approved: ${reason}`));
    }
  }

  on(listener: (pending: ApprovalRequest[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private find(id: string): Waiting {
    const waiting = this.waiting.get(id);
    if (!waiting) throw new Error(`approval ${id} is no longer pending (it was decided, timed out or cancelled)`);
    return waiting;
  }

  private emit(): void {
    const pending = this.pending();
    for (const listener of this.listeners) listener(pending);
  }
}
