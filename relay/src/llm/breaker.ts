/**
 * A circuit breaker per provider. Closed: calls go through, failures are counted over a
 * sliding window. N failures within the window open it: calls fail fast (the router falls
 * back at once) for `openMs`. Then it is half-open: one probe call goes through; its success
 * closes the breaker, its failure opens it for another `openMs`.
 */

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  failures: number;
  windowMs: number;
  openMs: number;
}

export class CircuitBreaker {
  private failureTimes: number[] = [];
  private openedAt: number | undefined;
  private probing = false;

  constructor(
    private readonly options: BreakerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt >= this.options.openMs ? 'half_open' : 'open';
  }

  /** Whether a call may go through now; in half-open, only the first caller gets to probe. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  /** Milliseconds until an open breaker lets a probe through (0 when not open). */
  get retryInMs(): number {
    if (this.openedAt === undefined) return 0;
    return Math.max(0, this.openedAt + this.options.openMs - this.now());
  }

  success(): void {
    this.failureTimes = [];
    this.openedAt = undefined;
    this.probing = false;
  }

  failure(): void {
    const time = this.now();
    if (this.openedAt !== undefined) {
      // A failed probe (or a call admitted before the breaker opened) keeps it open for another period.
      this.openedAt = time;
      this.probing = false;
      return;
    }
    this.failureTimes = [...this.failureTimes.filter((at) => at > time - this.options.windowMs), time];
    if (this.failureTimes.length >= this.options.failures) {
      this.openedAt = time;
      this.failureTimes = [];
    }
  }

  /** A probe that ended without a verdict on the provider (cancelled, or a bad request): let another probe try. */
  release(): void {
    this.probing = false;
  }
}
