import { describe, expect, it } from 'vitest';
import { createTabThrottles } from './tabThrottle.ts';

const options = {
  tabBytesPerSecond: 1000,
  tabsBytesPerSecond: 1500,
  burstBytes: 2000,
  maxPauseMs: 5000,
  dropAfterMs: 3000,
};

describe('createTabThrottles', () => {
  it('lets a tab send its burst, then pauses it until its allowance refills', () => {
    const tab = createTabThrottles(options).open(0);
    expect(tab.take(2000, 0)).toEqual({ action: 'read' });
    expect(tab.take(500, 0)).toEqual({ action: 'pause', ms: 500 });
    expect(tab.take(0, 600)).toEqual({ action: 'read' });
  });

  it('pauses at most maxPauseMs at a time, so a paused tab still answers heartbeats', () => {
    const tab = createTabThrottles(options).open(0);
    expect(tab.take(3900, 0)).toEqual({ action: 'pause', ms: 1900 });
    expect(
      createTabThrottles({ ...options, maxPauseMs: 300 })
        .open(0)
        .take(3900, 0),
    ).toEqual({
      action: 'pause',
      ms: 300,
    });
  });

  it('shares the total among the tabs connected, each never above its own rate', () => {
    const throttles = createTabThrottles(options);
    const first = throttles.open(0);
    expect(first.rate).toBe(1000);
    const second = throttles.open(0);
    const third = throttles.open(0);
    expect(first.rate).toBe(500);
    third.close();
    second.close();
    expect(first.rate).toBe(1000);
  });

  it('drops a tab that sends another burst while already over its share; small frames while it recovers are fine', () => {
    const tab = createTabThrottles(options).open(0);
    expect(tab.take(3000, 0).action).toBe('pause');
    for (let t = 100; t < 900; t += 100) expect(tab.take(10, t).action).toBe('pause');
    expect(tab.take(0, 2000)).toEqual({ action: 'read' });
    expect(tab.take(2500, 2000).action).toBe('pause');
    expect(tab.take(1600, 2100).action).toBe('pause');
    expect(tab.take(500, 2200)).toEqual({ action: 'drop' });
  });

  it('drops a tab that has more waiting at every resume for dropAfterMs, not one that paces itself', () => {
    const flooder = createTabThrottles(options).open(0);
    flooder.take(2500, 0);
    let now = 0;
    let verdict = flooder.take(0, now);
    while (verdict.action === 'pause' && now < 10_000) {
      now += verdict.ms;
      flooder.resumed(now);
      verdict = flooder.take(600, now + 1);
    }
    expect(verdict).toEqual({ action: 'drop' });
    expect(now).toBeGreaterThanOrEqual(3000);

    const paced = createTabThrottles(options).open(0);
    paced.take(2500, 0);
    for (let t = 500; t < 10_000; t += 700) {
      paced.resumed(t);
      expect(paced.take(600, t + 200).action).not.toBe('drop');
    }
  });
});
