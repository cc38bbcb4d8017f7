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
  const share = () => Math.min(options.tabBytesPerSecond, options.tabsBytesPerSecond / Math.max(1, open.size));
  const burst = (rate: number) => (options.burstBytes * rate) / options.tabBytesPerSecond;

  return {
    open(start = performance.now()) {
      let allowance = burst(share());
      let at = start;
      /** Bytes received while already over the share, since the tab last got back under it. */
      let sentWhileOver = 0;
      let lastResumed: number | undefined;
      /** Since when the tab has had more waiting at every resume. */
      let saturatedSince: number | undefined;
      const throttle: TabThrottle = {
        get rate() {
          return share();
        },
        take(bytes, now = performance.now()) {
          const rate = share();
          allowance = Math.min(burst(rate), allowance + ((now - at) / 1000) * rate);
          at = now;
          const alreadyOver = allowance < 0;
          allowance -= Math.max(bytes, FRAME_COST_BYTES);
          if (allowance >= 0) {
            sentWhileOver = 0;
            saturatedSince = undefined;
            return { action: 'read' };
          }
          if (alreadyOver) sentWhileOver += bytes;
          const waiting = lastResumed !== undefined && now - lastResumed <= WAITING_WITHIN_MS;
          saturatedSince = waiting ? (saturatedSince ?? lastResumed) : undefined;
          lastResumed = undefined;
          const saturatedMs = saturatedSince === undefined ? 0 : now - saturatedSince;
          if (sentWhileOver > options.burstBytes || saturatedMs >= options.dropAfterMs) return { action: 'drop' };
          return { action: 'pause', ms: Math.min(options.maxPauseMs, Math.ceil((-allowance / rate) * 1000)) };
        },
        resumed(now = performance.now()) {
          lastResumed = now;
        },
        close() {
          open.delete(throttle);
        },
      };
      open.add(throttle);
      return throttle;
    },
  };
}
