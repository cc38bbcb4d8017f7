import { describe, expect, it } from 'vitest';
import { createHostLimits, type SpendHold } from './budget.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

function isHold(value: unknown): value is SpendHold {
  return typeof value === 'object' && value !== null && 'settle' in value;
}

describe('createHostLimits', () => {
  it('counts held spend as spent until it is settled at what the attempt cost', () => {
    const limits = createHostLimits({ requestsPerMinute: 0, dailyBudgetUsd: 1, totalDailyBudgetUsd: 0 }, () => 0);
    const first = limits.hold('a', 0.6);
    expect(isHold(first)).toBe(true);
    expect(limits.budgetLeft('a')).toBeCloseTo(0.4);
    expect(limits.hold('a', 0.6)).toMatchObject({
      reason: 'budget_exceeded',
      setting: 'VIAL_LLM_HOST_DAILY_BUDGET_USD',
    });
    if (isHold(first)) {
      first.settle(0.1);
      first.settle(0.5);
    }
    expect(limits.budgetLeft('a')).toBeCloseTo(0.9);
    expect(isHold(limits.hold('a', 0.6))).toBe(true);
  });

  it("holds every host against the relay's total as well as its own", () => {
    const limits = createHostLimits({ requestsPerMinute: 0, dailyBudgetUsd: 1, totalDailyBudgetUsd: 1.5 }, () => 0);
    expect(isHold(limits.hold('a', 0.9))).toBe(true);
    expect(limits.hold('b', 0.9)).toMatchObject({ setting: 'VIAL_LLM_DAILY_BUDGET_USD' });
    expect(limits.budgetLeft('b')).toBeCloseTo(0.6);
    expect(limits.admit('b', 0.7)).toMatchObject({ reason: 'budget_exceeded' });
    expect(limits.admit('b', 0.5)).toBeUndefined();
  });

  it('starts each UTC day afresh, keeping the holds of attempts still running', () => {
    let now = DAY_MS - 1000;
    const limits = createHostLimits({ requestsPerMinute: 0, dailyBudgetUsd: 1, totalDailyBudgetUsd: 0 }, () => now);
    const running = limits.hold('a', 0.5);
    const done = limits.hold('a', 0.4);
    if (isHold(done)) done.settle(0.4);
    now = DAY_MS + 1000;
    expect(limits.budgetLeft('a')).toBeCloseTo(0.5);
    if (isHold(running)) running.settle(0.5);
    expect(limits.budgetLeft('a')).toBeCloseTo(0.5);
  });
});
