/**
 * How fast tabs may send: each at most `tabBytesPerSecond`, and all together at most
 * `tabsBytesPerSecond`, shared evenly among the tabs connected, after a burst of `burstBytes`
 * scaled down with the share (a lone tab gets all of it; many tabs cannot add their bursts up
 * into a flood).
 * What a tab sends is read and parsed on the relay's one thread, so a share is what keeps a
 * flood of lying tabs from starving everyone else's calls; a frame costs at least
 * `FRAME_COST_BYTES` of it.
 *
 * A tab over its share is paused (its socket is not read, so TCP pushes back on the tab) until
 * its allowance has refilled, at most `maxPauseMs` at a time. A tab that has more waiting every
 * time it is resumed, for `dropAfterMs` straight, is flooding and is dropped; so is one that sends
 * another `burstBytes` while already over its share. One large answer in a crowd only pauses its
 * tab, and the few small frames it sends while it recovers (pongs) are fine.
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
  /** Bytes per second this tab may send now, with the tabs connected now. */
  readonly rate: number;
  close(): void;
}

export interface TabThrottles {
  open(now?: number): TabThrottle;
}

/**
 * What a frame costs at least, in bytes of share: each frame is parsed, validated and routed
 * whatever its size, so a flood of tiny frames must pay for that work too.
 */
export const FRAME_COST_BYTES = 4096;

/** A frame this soon after a resume was already waiting: the tab is sending faster than its share. */
const WAITING_WITHIN_MS = 20;

export function createTabThrottles(options: TabThrottleOptions): TabThrottles {
  const open = new Set<TabThrottle>();
  const shared: SharedShare = {
    options,
    share: () => Math.min(options.tabBytesPerSecond, options.tabsBytesPerSecond / Math.max(1, open.size)),
    closed: (throttle) => open.delete(throttle),
  };
  return {
    open(start = performance.now()) {
      const throttle = new OneTabThrottle(shared, start);
      open.add(throttle);
      return throttle;
    },
  };
}

/** What every tab's throttle reads from the set they share. */
interface SharedShare {
  options: TabThrottleOptions;
  /** Bytes per second one tab may send now, with the tabs connected now. */
  share(): number;
  closed(throttle: TabThrottle): void;
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
    this.allowance = this.burst(shared.share());
    this.at = start;
  }

  get rate(): number {
    return this.shared.share();
  }

  take(bytes: number, now = performance.now()): ThrottleVerdict {
    const { options } = this.shared;
    const rate = this.shared.share();
    this.allowance = Math.min(this.burst(rate), this.allowance + ((now - this.at) / 1000) * rate);
    this.at = now;
    const alreadyOver = this.allowance < 0;
    this.allowance -= Math.max(bytes, FRAME_COST_BYTES);
    if (this.allowance >= 0) {
      this.sentWhileOver = 0;
      this.saturatedSince = undefined;
      return { action: 'read' };
    }
    if (alreadyOver) this.sentWhileOver += bytes;
    const waiting = this.lastResumed !== undefined && now - this.lastResumed <= WAITING_WITHIN_MS;
    this.saturatedSince = waiting ? (this.saturatedSince ?? this.lastResumed) : undefined;
    this.lastResumed = undefined;
    const saturatedMs = this.saturatedSince === undefined ? 0 : now - this.saturatedSince;
    if (this.sentWhileOver > options.burstBytes || saturatedMs >= options.dropAfterMs) return { action: 'drop' };
    return { action: 'pause', ms: Math.min(options.maxPauseMs, Math.ceil((-this.allowance / rate) * 1000)) };
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
