import { describe, expect, it } from 'vitest';
import { backoffMs, parseRetryAfter, retryDelayMs } from './retry.ts';

const options = { maxRetries: 3, backoffBaseMs: 100, backoffMaxMs: 1000, retryAfterCapMs: 5000 };

describe('parseRetryAfter', () => {
  it('prefers retry-after-ms, then reads seconds or an HTTP date', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(parseRetryAfter(new Headers({ 'retry-after': '2' }))).toBe(2000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(3000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfter(new Headers())).toBeUndefined();
  });
});

describe('retry delays', () => {
  it('backs off exponentially with full jitter, capped', () => {
    expect(backoffMs(1, options, () => 1)).toBe(100);
    expect(backoffMs(3, options, () => 1)).toBe(400);
    expect(backoffMs(10, options, () => 1)).toBe(1000);
    expect(backoffMs(3, options, () => 0)).toBe(0);
  });

  it('waits what the provider asked up to the cap; past the cap or the retry count it does not retry', () => {
    expect(retryDelayMs(1, 1200, options)).toBe(1200);
    expect(retryDelayMs(1, 5001, options)).toBeUndefined();
    expect(retryDelayMs(4, undefined, options)).toBeUndefined();
    expect(retryDelayMs(2, undefined, options, () => 0.5)).toBe(100);
  });
});
