/**
 * How fast tabs may send: each at most `tabBytesPerSecond`, and all together at most
 * `tabsBytesPerSecond`, shared evenly among the tabs sending now (those that sent anything counted
 * in the last `ACTIVE_WITHIN_MS`; an idle tab, whose owed pongs are not counted, takes no part),
 * after a burst of `burstBytes` scaled down with the share. What a tab sends is read and parsed on
 * the relay's one thread, so a share is what keeps a flood of lying tabs from starving everyone
 * else's calls; a frame costs at least `FRAME_COST_BYTES` of it.
 *
 * Everything counted is also taken from one bucket all tabs share, at `tabsBytesPerSecond` after
 * the bursts of a full share (`burstBytes` scaled to the total): a crowd of lying tabs that take
 * turns going quiet and coming back, each finding few others sending and so a large share, still
 * gets no more than the total between them.
 *
 * A tab over its share, or sending while the shared bucket is empty, is paused (its socket is not
 * read, so TCP pushes back on the tab) until both have refilled, at most `maxPauseMs` at a time. A
 * tab that has more waiting every time it is resumed while over its own share, for `dropAfterMs`
 * straight, is flooding and is dropped; so is one that sends another burst while already over
 * its share. Waiting for the shared bucket alone never drops a tab: a crowd emptied it, not it.
 */

export interface TabThrottleOptions {
  tabBytesPerSecond: number;
  tabsBytesPerSecond: number;
  burstBytes: number;
  /** Longest single pause: below the heartbeat interval, so a paused tab still answers pings in time. */
  maxPauseMs: number;
  dropAfterMs: number;
}

/** What to do with a tab after counting what it sent: go on, pause reading it for a while, or drop it. */
export type ThrottleVerdict = { action: 'read' } | { action: 'pause'; ms: number } | { action: 'drop' };

export interface TabThrottle {
  take(bytes: number, now?: number): ThrottleVerdict;
  /** The socket is read again after a pause. */
  resumed(now?: number): void;
  /** Bytes per second this tab may send now, with the tabs sending now (itself among them). */
  readonly rate: number;
  close(): void;
}

export interface TabThrottles {
  open(now?: number): TabThrottle;
  /** How many tabs sent something counted in the last `ACTIVE_WITHIN_MS`. */
  active(now?: number): number;
}

/**
 * What a frame costs at least, in bytes of share: each frame is parsed, validated and routed
 * whatever its size, so a flood of tiny frames must pay for that work too.
 */
export const FRAME_COST_BYTES = 4096;

/** A tab that sent nothing counted for this long no longer takes part in the share. */
export const ACTIVE_WITHIN_MS = 2000;

/** A frame this soon after a resume was already waiting: the tab is sending faster than its share. */
const WAITING_WITHIN_MS = 20;

export function createTabThrottles(options: TabThrottleOptions): TabThrottles {
  const shared = new SharedShare(options);
  return {
    open: (start = performance.now()) => new OneTabThrottle(shared, start),
    active: (now = performance.now()) => shared.sendingNow(now),
  };
}

/** What every tab's throttle shares: which tabs sent lately, and the bucket of the total. */
class SharedShare {
  /** The tabs that sent something counted lately, with when they last did, oldest first. */
  private readonly lastSent = new Map<OneTabThrottle, number>();
  /** The shared bucket: what all tabs together may still send now, and when it was last filled. */
  private allowance: number;
  private at: number | undefined;
  private readonly burst: number;

  constructor(readonly options: TabThrottleOptions) {
    // What every tab's burst at a full share adds up to: as much as one tab's, scaled to the total.
    this.burst = (options.burstBytes * options.tabsBytesPerSecond) / options.tabBytesPerSecond;
    this.allowance = this.burst;
  }

  /** How many tabs sent something counted in the last ACTIVE_WITHIN_MS. */
  sendingNow(now: number): number {
    const since = now - ACTIVE_WITHIN_MS;
    // Oldest first (a send moves its tab to the end): the sweep stops at the first still recent.
    for (const [tab, at] of this.lastSent) {
      if (at >= since) break;
      this.lastSent.delete(tab);
    }
    return this.lastSent.size;
  }

  /** Bytes per second `tab` may send now: the total split among the tabs sending, it among them. */
  share(tab: OneTabThrottle, now: number): number {
    const sending = this.sendingNow(now) + (this.lastSent.has(tab) ? 0 : 1);
    return Math.min(this.options.tabBytesPerSecond, this.options.tabsBytesPerSecond / sending);
  }

  /** `tab` sends now: it takes part in the share from here on. */
  sent(tab: OneTabThrottle, now: number): void {
    this.lastSent.delete(tab);
    this.lastSent.set(tab, now);
  }

  /** Takes `cost` from the shared bucket; answers how long until it is no longer overdrawn, in ms (0: it is not). */
  take(cost: number, now: number): number {
    const { tabsBytesPerSecond } = this.options;
    const elapsed = this.at === undefined ? 0 : Math.max(0, now - this.at);
    this.allowance = Math.min(this.burst, this.allowance + (elapsed / 1000) * tabsBytesPerSecond) - cost;
    this.at = now;
    return this.allowance >= 0 ? 0 : Math.ceil((-this.allowance / tabsBytesPerSecond) * 1000);
  }

  closed(tab: OneTabThrottle): void {
    this.lastSent.delete(tab);
  }
}

/**
 * One tab's allowance. A class, not an object of closures: the relay keeps one per connected tab,
 * and methods on a prototype cost it nothing per tab (an object literal with a getter was a
 * dictionary of its own, some 600 bytes a tab with its closures).
 */
class OneTabThrottle implements TabThrottle {
  private allowance: number;
  private at: number;
  /** Bytes received while already over the share, since the tab last got back under it. */
  private sentWhileOver = 0;
  private lastResumed: number | undefined;
  /** Since when the tab has had more waiting at every resume. */
  private saturatedSince: number | undefined;

  constructor(
    private readonly shared: SharedShare,
    start: number,
  ) {
    this.allowance = this.burst(shared.share(this, start));
    this.at = start;
  }

  get rate(): number {
    return this.shared.share(this, performance.now());
  }

  take(bytes: number, now = performance.now()): ThrottleVerdict {
    const { options } = this.shared;
    const cost = Math.max(bytes, FRAME_COST_BYTES);
    this.shared.sent(this, now);
    const rate = this.shared.share(this, now);
    this.allowance = Math.min(this.burst(rate), this.allowance + (Math.max(0, now - this.at) / 1000) * rate);
    this.at = now;
    const alreadyOver = this.allowance < 0;
    this.allowance -= cost;
    const sharedWaitMs = this.shared.take(cost, now);
    if (this.allowance >= 0) {
      this.sentWhileOver = 0;
      this.saturatedSince = undefined;
      // Within its own share: only a crowd's emptying of the shared bucket holds it back.
      return sharedWaitMs === 0
        ? { action: 'read' }
        : { action: 'pause', ms: Math.min(options.maxPauseMs, sharedWaitMs) };
    }
    if (alreadyOver) this.sentWhileOver += bytes;
    const waiting = this.lastResumed !== undefined && now - this.lastResumed <= WAITING_WITHIN_MS;
    this.saturatedSince = waiting ? (this.saturatedSince ?? this.lastResumed) : undefined;
    this.lastResumed = undefined;
    const saturatedMs = this.saturatedSince === undefined ? 0 : now - this.saturatedSince;
    if (this.sentWhileOver > options.burstBytes || saturatedMs >= options.dropAfterMs) return { action: 'drop' };
    const ownWaitMs = Math.ceil((-this.allowance / rate) * 1000);
    return { action: 'pause', ms: Math.min(options.maxPauseMs, Math.max(ownWaitMs, sharedWaitMs)) };
  }

  resumed(now = performance.now()): void {
    this.lastResumed = now;
  }

  close(): void {
    this.shared.closed(this);
  }

  /** The burst at `rate`: scaled down with the share, so many tabs cannot add theirs up into a flood. */
  private burst(rate: number): number {
    const { burstBytes, tabBytesPerSecond } = this.shared.options;
    return (burstBytes * rate) / tabBytesPerSecond;
  }
}
