import { describe, expect, it } from 'vitest';
import { createRateLimits } from './rateLimits.ts';

function clock() {
  let time = 1_000_000;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

describe('token rate limit', () => {
  it('allows a burst, then the rate, and says when to retry', () => {
    const c = clock();
    const limits = createRateLimits({ tokenRate: 2, tokenBurst: 3, authFailuresPerMinute: 0 }, c.now);
    for (let i = 0; i < 3; i++) expect(limits.takeTokenRequest('a')).toBeUndefined();
    const limited = limits.takeTokenRequest('a');
    expect(limited).toMatchObject({ limit: 'token-rate', retryAfterSeconds: 1 });
    expect(limited!.message).toMatch(/2 requests per second \(burst 3\)/);
    expect(limits.takeTokenRequest('b')).toBeUndefined();
    c.advance(500);
    expect(limits.takeTokenRequest('a')).toBeUndefined();
    expect(limits.takeTokenRequest('a')).toBeDefined();
  });

  it('is off at rate 0', () => {
    const limits = createRateLimits({ tokenRate: 0, tokenBurst: 1, authFailuresPerMinute: 0 });
    for (let i = 0; i < 100; i++) expect(limits.takeTokenRequest('a')).toBeUndefined();
  });
});

describe('failed-auth limit', () => {
  it('refuses an address after too many failures in a minute, until they age out', () => {
    const c = clock();
    const limits = createRateLimits({ tokenRate: 0, tokenBurst: 1, authFailuresPerMinute: 3 }, c.now);
    for (let i = 0; i < 3; i++) {
      expect(limits.checkAuthFailures('1.2.3.4')).toBeUndefined();
      limits.authFailed('1.2.3.4');
      c.advance(10_000);
    }
    expect(limits.checkAuthFailures('1.2.3.4')).toMatchObject({ limit: 'auth-failures', retryAfterSeconds: 30 });
    expect(limits.checkAuthFailures('5.6.7.8')).toBeUndefined();
    c.advance(30_000);
    expect(limits.checkAuthFailures('1.2.3.4')).toBeUndefined();
  });
});
