import { describe, expect, it } from 'vitest';
import defaultPrices from './prices.json' with { type: 'json' };
import { createPricing, priceTableSchema } from './pricing.ts';

describe('pricing', () => {
  it('ships a valid default table', () => {
    expect(priceTableSchema.safeParse(defaultPrices).success).toBe(true);
  });

  it('prefers an exact key, then the longest matching prefix', () => {
    const pricing = createPricing({
      'openai:gpt-4o*': { input: 2.5, output: 10 },
      'openai:gpt-4o-mini*': { input: 0.15, output: 0.6 },
      'openai:gpt-4o-mini-special': { input: 1, output: 1 },
    });
    expect(pricing.priceOf('openai', 'gpt-4o-2024-11-20')?.input).toBe(2.5);
    expect(pricing.priceOf('openai', 'gpt-4o-mini-2024-07-18')?.input).toBe(0.15);
    expect(pricing.priceOf('openai', 'gpt-4o-mini-special')?.input).toBe(1);
    expect(pricing.priceOf('xai', 'gpt-4o')).toBeUndefined();
  });

  it('prices fresh input, cache reads and writes, and output separately; null without a price', () => {
    const pricing = createPricing({ 'anthropic:claude*': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } });
    const usage = {
      inputTokens: 1_000_000,
      outputTokens: 100_000,
      cacheReadTokens: 500_000,
      cacheWriteTokens: 100_000,
    };
    expect(pricing.costOf('anthropic', 'claude-x', usage)).toBeCloseTo(0.4 * 3 + 0.5 * 0.3 + 0.1 * 3.75 + 0.1 * 15, 10);
    expect(pricing.costOf('anthropic', 'other', usage)).toBeNull();
  });
});
