import { describe, expect, it } from 'vitest';
import { describeSummary } from './answers.ts';

describe('the multi_llm_query app', () => {
  it('sums the answers up: how many answered and failed, their cost, and who sent a first token first', () => {
    expect(
      describeSummary({ answered: 3, failed: 0, fastestFirstToken: 'openai:gpt-4o-mini', totalCostUsd: 4e-5 }),
    ).toBe('3 answered · $0.000040 · first token first: openai:gpt-4o-mini');
    expect(describeSummary({ answered: 0, failed: 2, fastestFirstToken: null, totalCostUsd: 0 })).toBe(
      '0 answered, 2 failed · $0.000000',
    );
  });
});
