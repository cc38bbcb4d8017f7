/**
 * Cost per call from a price table in USD per million tokens, keyed `provider:model`. A key
 * ending in `*` prices every model that starts with it (`anthropic:claude-sonnet-4-5*` covers
 * the dated snapshots); the longest matching key wins. The default table ships in
 * `prices.json`; `VIAL_LLM_PRICES` adds to it or overrides it, and `VIAL_LLM_DEFAULT_PRICE`
 * prices every model the table does not know. A model with no price is refused: its cost could
 * not be bounded.
 */
import { z } from 'zod';
import type { LlmUsage } from '@vial/shared';

const perMillion = z.number().min(0);

export const modelPriceSchema = z.object({
  input: perMillion,
  output: perMillion,
  /** Input read from the provider's prompt cache; `input` when absent. */
  cacheRead: perMillion.optional(),
  /** Input written to the prompt cache (Anthropic); `input` when absent. */
  cacheWrite: perMillion.optional(),
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;

export const priceTableSchema = z.record(
  z.string().regex(/^[a-z0-9][a-z0-9_-]*:.+$/, 'price keys are "provider:model" or "provider:model-prefix*"'),
  modelPriceSchema,
);
export type PriceTable = z.infer<typeof priceTableSchema>;

export interface Pricing {
  /** The table's price, else the default price, else undefined. */
  priceOf(provider: string, model: string): ModelPrice | undefined;
  /** USD for this usage, or null when the model has no price. */
  costOf(provider: string, model: string, usage: LlmUsage): number | null;
  /** The models the table prices for one provider (without the `*` of prefix entries), for `GET /llm/providers`. */
  modelsOf(provider: string): string[];
}

/** USD for `usage` at `price`. */
export function costAt(price: ModelPrice, usage: LlmUsage): number {
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  const freshInput = Math.max(0, usage.inputTokens - cacheRead - cacheWrite);
  const micro =
    freshInput * price.input +
    cacheRead * (price.cacheRead ?? price.input) +
    cacheWrite * (price.cacheWrite ?? price.input) +
    usage.outputTokens * price.output;
  return micro / 1_000_000;
}

export function createPricing(table: PriceTable, defaultPrice?: ModelPrice): Pricing {
  const exact = new Map<string, ModelPrice>();
  const prefixes: Array<[string, ModelPrice]> = [];
  for (const [key, price] of Object.entries(table)) {
    if (key.endsWith('*')) prefixes.push([key.slice(0, -1), price]);
    else exact.set(key, price);
  }
  prefixes.sort((a, b) => b[0].length - a[0].length);

  function priceOf(provider: string, model: string): ModelPrice | undefined {
    const ref = `${provider}:${model}`;
    return exact.get(ref) ?? prefixes.find(([prefix]) => ref.startsWith(prefix))?.[1] ?? defaultPrice;
  }

  return {
    priceOf,
    costOf(provider, model, usage) {
      const price = priceOf(provider, model);
      return price ? costAt(price, usage) : null;
    },
    modelsOf(provider) {
      return (
        Object.keys(table)
          .filter((key) => key.startsWith(`${provider}:`))
          // A price for `claude-haiku-4-5*` covers its dated versions; the bare prefix is itself a model id.
          .map((key) => key.slice(provider.length + 1).replace(/\*$/, ''))
      );
    },
  };
}
