import { describe, expect, it } from 'vitest';
import { createTabThrottles, FRAME_COST_BYTES } from './tabThrottle.ts';

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

  it('shares the total among the tabs connected, each never above its own rate', () => {
    const throttles = createTabThrottles(options);
    const first = throttles.open(0);
    expect(first.rate).toBe(1000 * unit);
    const second = throttles.open(0);
    const third = throttles.open(0);
    expect(first.rate).toBe(500 * unit);
    third.close();
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
});
