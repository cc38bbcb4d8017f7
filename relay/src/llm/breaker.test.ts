import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './breaker.ts';

function breakerAt(start = 0) {
  const clock = { now: start };
  const breaker = new CircuitBreaker({ failures: 3, windowMs: 1000, openMs: 500 }, () => clock.now);
  return { breaker, clock };
}

describe('CircuitBreaker', () => {
  it('opens after N failures within the window, not when they are spread wider', () => {
    const { breaker, clock } = breakerAt();
    breaker.failure();
    clock.now = 600;
    breaker.failure();
    clock.now = 1100; // the first failure has left the window
    breaker.failure();
    expect(breaker.state).toBe('closed');
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    expect(breaker.retryInMs).toBe(500);
  });

  it('lets exactly one probe through when half-open; its success closes, its failure reopens', () => {
    const { breaker, clock } = breakerAt();
    for (let i = 0; i < 3; i++) breaker.failure();
    clock.now = 500;
    expect(breaker.state).toBe('half_open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.failure();
    expect(breaker.state).toBe('open');
    clock.now = 1000;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('a probe that ends without a verdict lets the next caller probe', () => {
    const { breaker, clock } = breakerAt();
    for (let i = 0; i < 3; i++) breaker.failure();
    clock.now = 500;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.release();
    expect(breaker.tryAcquire()).toBe(true);
  });
});
