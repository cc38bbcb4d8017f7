import { describe, expect, it } from 'vitest';
import { ACTIVE_WITHIN_MS, createTabThrottles, FRAME_COST_BYTES, type TabThrottle } from './tabThrottle.ts';

/** In units of a frame's least cost, so that sizes read as multiples of it. */
const unit = FRAME_COST_BYTES;
const options = {
  tabBytesPerSecond: 1000 * unit,
  tabsBytesPerSecond: 1500 * unit,
  burstBytes: 2000 * unit,
  maxPauseMs: 5000,
  dropAfterMs: 3000,
};

describe('createTabThrottles', () => {
  it('lets a tab send its burst, then pauses it until its allowance refills', () => {
    const tab = createTabThrottles(options).open(0);
    expect(tab.take(2000 * unit, 0)).toEqual({ action: 'read' });
    expect(tab.take(500 * unit, 0)).toEqual({ action: 'pause', ms: 500 });
    expect(tab.take(0, 600)).toEqual({ action: 'read' });
  });

  it('pauses at most maxPauseMs at a time, so a paused tab still answers heartbeats', () => {
    const tab = createTabThrottles(options).open(0);
    expect(tab.take(3900 * unit, 0)).toEqual({ action: 'pause', ms: 1900 });
    expect(
      createTabThrottles({ ...options, maxPauseMs: 300 })
        .open(0)
        .take(3900 * unit, 0),
    ).toEqual({
      action: 'pause',
      ms: 300,
    });
  });

  it('shares the total among the tabs sending, each never above its own rate; a quiet tab leaves the share', () => {
    const throttles = createTabThrottles(options);
    const start = performance.now();
    const first = throttles.open(start);
    expect(first.rate).toBe(1000 * unit);
    const second = throttles.open(start);
    const third = throttles.open(start);
    expect(first.rate).toBe(1000 * unit);
    for (const tab of [first, second, third]) tab.take(0, start);
    expect(throttles.active(start)).toBe(3);
    expect(first.rate).toBe(500 * unit);
    third.close();
    expect(first.rate).toBe(750 * unit);
    expect(throttles.active(start + ACTIVE_WITHIN_MS + 1)).toBe(0);
    second.close();
    expect(first.rate).toBe(1000 * unit);
  });

  it('drops a tab that sends another burst while already over its share; small frames while it recovers are fine', () => {
    const tab = createTabThrottles(options).open(0);
    expect(tab.take(3000 * unit, 0).action).toBe('pause');
    for (let t = 100; t < 900; t += 100) expect(tab.take(10 * unit, t).action).toBe('pause');
    expect(tab.take(0, 2000)).toEqual({ action: 'read' });
    expect(tab.take(2500 * unit, 2000).action).toBe('pause');
    expect(tab.take(1600 * unit, 2100).action).toBe('pause');
    expect(tab.take(500 * unit, 2200)).toEqual({ action: 'drop' });
  });

  it('drops a tab that has more waiting at every resume for dropAfterMs, not one that paces itself', () => {
    const flooder = createTabThrottles(options).open(0);
    flooder.take(2500 * unit, 0);
    let now = 0;
    let verdict = flooder.take(0, now);
    while (verdict.action === 'pause' && now < 10_000) {
      now += verdict.ms;
      flooder.resumed(now);
      verdict = flooder.take(600 * unit, now + 1);
    }
    expect(verdict).toEqual({ action: 'drop' });
    expect(now).toBeGreaterThanOrEqual(3000);

    const paced = createTabThrottles(options).open(0);
    paced.take(2500 * unit, 0);
    for (let t = 500; t < 10_000; t += 700) {
      paced.resumed(t);
      expect(paced.take(600 * unit, t + 200).action).not.toBe('drop');
    }
  });

  it('charges every frame at least FRAME_COST_BYTES, so a flood of tiny frames is held back too', () => {
    const tab = createTabThrottles({ ...options, burstBytes: 10 * unit, tabBytesPerSecond: 10 * unit }).open(0);
    for (let i = 0; i < 10; i++) expect(tab.take(1, 0)).toEqual({ action: 'read' });
    expect(tab.take(1, 0).action).toBe('pause');
  });

  it('gives a working tab the whole total while 5,000 idle tabs are connected: its frames are not held back', () => {
    const throttles = createTabThrottles(DEFAULTS);
    for (let i = 0; i < 5000; i++) throttles.open(0);
    const working = throttles.open(1000);
    // register, host-info and tokens of a fresh host, then a burst of answers and notifications.
    for (const bytes of [600, 300, 400]) expect(working.take(bytes, 1000)).toEqual({ action: 'read' });
    for (let i = 0; i < 500; i++) expect(working.take(2000, 1000 + i)).toEqual({ action: 'read' });
    expect(throttles.active(1500)).toBe(1);
    expect(working.rate).toBe(DEFAULTS.tabsBytesPerSecond);
  });

  it('holds a crowd of lying tabs that take turns going quiet and coming back to the total between them', () => {
    const throttles = createTabThrottles(DEFAULTS);
    const frame = 64 * 1024;
    const seconds = 20;
    const liars = Array.from({ length: 50 }, (_, i) => ({
      throttle: throttles.open(0),
      // Each joins 20 ms after the one before, floods for 300 ms, then stays quiet long enough to leave the share.
      sends: (t: number) => (t - i * 20) % (300 + ACTIVE_WITHIN_MS + 200) < 300 && t >= i * 20,
    }));
    const total = sum(simulate(liars, frame, seconds * 1000).map((run) => run.read));
    const sharedBurst = DEFAULTS.burstBytes; // tabsBytesPerSecond === tabBytesPerSecond
    // Every frame read is handled, the one that earns a pause too: each tab may be one frame ahead.
    expect(total).toBeLessThanOrEqual(DEFAULTS.tabsBytesPerSecond * seconds + sharedBurst + liars.length * frame);
    expect(total).toBeGreaterThan(DEFAULTS.tabsBytesPerSecond * seconds * 0.5);
  });

  it('holds N lying tabs flooding at once to the total between them', () => {
    const throttles = createTabThrottles(DEFAULTS);
    const frame = 64 * 1024;
    const liars = Array.from({ length: 200 }, () => ({ throttle: throttles.open(0), sends: () => true }));
    const total = sum(simulate(liars, frame, 10_000).map((run) => run.read));
    expect(total).toBeLessThanOrEqual(DEFAULTS.tabsBytesPerSecond * 10 + DEFAULTS.burstBytes + liars.length * frame);
  });

  it('gives one lying tab no more than its fair share of what is in use, and never drops the honest tab beside it', () => {
    const throttles = createTabThrottles(DEFAULTS);
    const frame = 64 * 1024;
    const liar = { throttle: throttles.open(0), sends: () => true };
    // An honest tab sending 1 MiB a second, a quarter of the total, in 64 KiB frames.
    const honest = { throttle: throttles.open(0), sends: (t: number) => t % 62 === 0 };
    const [liarRun, honestRun] = simulate([liar, honest], frame, 10_000);
    expect(honestRun?.dropped).toBe(false);
    expect(honestRun?.read).toBeGreaterThan(0.9 * 10 * MiB);
    // While both send, the liar's share is half the total; alone at the start, the burst.
    expect(liarRun?.read).toBeLessThanOrEqual((DEFAULTS.tabsBytesPerSecond / 2) * 10 + DEFAULTS.burstBytes + frame);
  });

  it('never drops a tab within its own share that only waits for the shared bucket a crowd emptied', () => {
    const throttles = createTabThrottles({ ...DEFAULTS, dropAfterMs: 500 });
    const crowd = Array.from({ length: 20 }, () => ({ throttle: throttles.open(0), sends: () => true }));
    // Joins once the crowd has emptied the bucket, sending a frame every 25 ms (160 KiB/s), within a
    // twenty-first of the total, and so has one waiting at every resume while the bucket is empty.
    const steady = { throttle: throttles.open(0), sends: (t: number) => t > 300 && t % 25 === 0, frameBytes: 4096 };
    const steadyRun = simulate([...crowd, steady], 64 * 1024, 8000).at(-1);
    expect(steadyRun?.pauses).toBeGreaterThan(0);
    expect(steadyRun?.dropped).toBe(false);
    expect(steadyRun?.read).toBeGreaterThan(0);
  });
});

const MiB = 1024 * 1024;
/** The relay's defaults (relay/src/config/hosts.ts), with pauses at half the heartbeat. */
const DEFAULTS = {
  tabBytesPerSecond: 4 * MiB,
  tabsBytesPerSecond: 4 * MiB,
  burstBytes: 8 * MiB,
  maxPauseMs: 5000,
  dropAfterMs: 10_000,
};

/**
 * Runs tabs as the tab socket does, a millisecond at a time until `ms`: a tab that `sends(t)` and
 * is not paused sends one frame of its `frameBytes` (or `frameBytes`), one it had waiting as soon
 * as it is resumed; the frame is handled whatever the verdict (the one
 * that earns a pause was already read), and a paused tab is resumed after the pause. Answers, per
 * tab, the bytes handled, how many times it was paused and whether it was dropped.
 */
function simulate(
  tabs: { throttle: TabThrottle; sends: (t: number) => boolean; frameBytes?: number }[],
  frameBytes: number,
  ms: number,
): { read: number; pauses: number; dropped: boolean }[] {
  const runs = tabs.map((tab) => ({ ...tab, read: 0, pauses: 0, dropped: false, pausedUntil: -1, waiting: false }));
  for (let t = 0; t < ms; t++) {
    for (const run of runs) {
      if (run.dropped) continue;
      if (t < run.pausedUntil) {
        run.waiting ||= run.sends(t);
        continue;
      }
      // The socket is read again: a frame that was waiting is read at once.
      if (t === run.pausedUntil) run.throttle.resumed(t);
      if (!run.waiting && !run.sends(t)) continue;
      run.waiting = false;
      const bytes = run.frameBytes ?? frameBytes;
      const verdict = run.throttle.take(bytes, t);
      if (verdict.action === 'drop') run.dropped = true;
      else run.read += bytes;
      if (verdict.action === 'pause') {
        run.pauses += 1;
        run.pausedUntil = t + verdict.ms;
      }
    }
  }
  return runs.map(({ read, pauses, dropped }) => ({ read, pauses, dropped }));
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
