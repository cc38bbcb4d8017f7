/**
 * The relay's settings for the LLM proxy: the providers it calls and who may use them, and how
 * it retries, times out and bounds the spend.
 */
import { z } from 'zod';
import { hostIdSchema } from '@vial/shared';
import shippedPrices from '../llm/prices.json' with { type: 'json' };
import { modelPriceSchema, priceTableSchema, type PriceTable } from '../llm/pricing.ts';
import { commaList, jsonText, jsonTextOrFile, nonNegative, nonNegativeInt, positiveInt } from './parsers.ts';
import { setting } from './setting.ts';

/** The providers the relay knows by name; each is configured by setting its key. */
export const BUILTIN_LLM_PROVIDERS = [
  { name: 'anthropic', wire: 'anthropic', envName: 'ANTHROPIC', baseUrl: 'https://api.anthropic.com' },
  { name: 'openai', wire: 'openai-compatible', envName: 'OPENAI', baseUrl: 'https://api.openai.com/v1' },
  { name: 'xai', wire: 'openai-compatible', envName: 'XAI', baseUrl: 'https://api.x.ai/v1' },
  {
    name: 'gemini',
    wire: 'gemini',
    envName: 'GEMINI',
    baseUrl: 'https://generativelanguage.googleapis.com/v1beta',
  },
  { name: 'mistral', wire: 'openai-compatible', envName: 'MISTRAL', baseUrl: 'https://api.mistral.ai/v1' },
  { name: 'groq', wire: 'openai-compatible', envName: 'GROQ', baseUrl: 'https://api.groq.com/openai/v1' },
] as const;

/** A per-provider variable's name for one provider: `VIAL_LLM_<P>_API_KEY` → `VIAL_LLM_OPENAI_API_KEY`. */
export function providerVariable(pattern: string, envName: string): string {
  return pattern.replace('<P>', envName);
}

const openAiCompatibleEntrySchema = z.object({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'name must be lower-case letters, digits, - or _ (e.g. "ollama")')
    .refine((name) => !BUILTIN_LLM_PROVIDERS.some((builtin) => builtin.name === name), {
      message: 'name is taken by a built-in provider',
    }),
  baseUrl: z.url(),
  /** The environment variable holding this provider's key; none for local servers (Ollama, vLLM). */
  apiKeyEnv: z.string().optional(),
  /** `max_tokens` (default; what most servers read) or `max_completion_tokens`. */
  maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
  /** Whether to ask for the usage chunk with `stream_options.include_usage` (default true). */
  includeUsage: z.boolean().optional(),
});

const builtinNames = BUILTIN_LLM_PROVIDERS.map(({ envName }) => `\`${envName}\``).join(', ');

export const LLM_PROVIDERS = {
  title: 'LLM providers and access',
  intro:
    'The providers the relay calls for tabs (see [llm.md](llm.md)), their prices, and which hosts may use its keys ([security.md](security.md)).',
  // Keys are plain strings, so no error message can ever quote one.
  perProvider: {
    'VIAL_LLM_<P>_API_KEY': setting({
      schema: z.string(),
      meaning: `Key for LLM provider \`<P>\`: ${builtinNames}. Setting it enables the provider`,
    }),
    '<P>_API_KEY': setting({
      schema: z.string(),
      meaning:
        'The conventional name for the same key (e.g. `ANTHROPIC_API_KEY`), read when the `VIAL_LLM_` one is unset',
    }),
    'VIAL_LLM_<P>_BASE_URL': setting({
      schema: z.url(),
      shownDefault: "the provider's API",
      meaning: 'Base URL for provider `<P>` (a proxy, a regional endpoint, a stand-in)',
    }),
  },
  settings: {
    VIAL_LLM_OPENAI_COMPATIBLE: setting({
      schema: jsonText(
        z.array(openAiCompatibleEntrySchema).max(32),
        '[{"name":"ollama","baseUrl":"http://localhost:11434/v1"}]',
      ),
      default: [],
      meaning:
        'JSON list of more OpenAI-compatible servers: `[{"name":"ollama","baseUrl":"http://localhost:11434/v1"},{"name":"openrouter","baseUrl":"https://openrouter.ai/api/v1","apiKeyEnv":"OPENROUTER_API_KEY"}]`; optional `maxTokensField`, `includeUsage`',
    }),
    VIAL_LLM_PRICES: setting({
      to: 'llm.prices',
      schema: jsonTextOrFile(priceTableSchema, '{"openai:gpt-4o*":{"input":2.5,"output":10}}').transform(
        (table): PriceTable => ({ ...(shippedPrices as PriceTable), ...table }),
      ),
      default: shippedPrices as PriceTable,
      shownDefault: 'the shipped table',
      meaning:
        'Prices (USD per million tokens) added over the shipped `relay/src/llm/prices.json`: inline JSON or a file path, e.g. `{"ollama:llama3*":{"input":0,"output":0}}`',
    }),
    VIAL_LLM_DEFAULT_PRICE: setting({
      to: 'llm.defaultPrice',
      schema: jsonText(modelPriceSchema, '{"input":3,"output":15}'),
      meaning:
        'Price (`{"input":3,"output":15}`, USD per million tokens) of models the table lacks; unset, such models are refused',
    }),
    VIAL_LLM_ACCESS: setting({
      schema: z.enum(['all', 'granted', 'none']),
      shownDefault: '`all` / `granted`',
      meaning:
        'Which hosts get an LLM key: `all` admitted (default on loopback), `granted` (enrolled with `--llm`, or in `VIAL_LLM_HOSTS`; default when admitting) or `none`',
    }),
    VIAL_LLM_HOSTS: setting({
      schema: commaList.pipe(z.array(hostIdSchema)),
      default: [],
      meaning: 'Comma list of host ids granted LLM access under `VIAL_LLM_ACCESS=granted`',
    }),
  },
} as const;

export const LLM_LIMITS = {
  title: 'LLM retries, timeouts and budgets',
  intro: 'How the LLM proxy retries and falls back, how long it waits for a provider, and what it lets hosts spend.',
  settings: {
    VIAL_LLM_MAX_RETRIES: setting({
      to: 'llm.maxRetries',
      schema: z.coerce.number().int().min(0).max(10),
      default: 2,
      meaning: 'Retries per model before its first token reaches the tab (never after)',
    }),
    VIAL_LLM_BACKOFF_BASE_MS: setting({
      to: 'llm.backoffBaseMs',
      schema: nonNegativeInt,
      default: 250,
      meaning: 'Backoff before retry n: random in [0, min(max, base·2ⁿ⁻¹)] (full jitter)',
    }),
    VIAL_LLM_BACKOFF_MAX_MS: setting({
      to: 'llm.backoffMaxMs',
      schema: nonNegativeInt,
      default: 4000,
      meaning: 'Longest backoff',
    }),
    VIAL_LLM_RETRY_AFTER_CAP_MS: setting({
      to: 'llm.retryAfterCapMs',
      schema: nonNegativeInt,
      default: 10_000,
      meaning: 'Longest `retry-after`/`retry-after-ms` honoured; a longer one goes to the next fallback instead',
    }),
    VIAL_LLM_BREAKER_FAILURES: setting({
      to: 'llm.breakerFailures',
      schema: positiveInt,
      default: 5,
      meaning: "Failures (overload, 5xx, 429, timeouts, cuts) within the window that open a provider's breaker",
    }),
    VIAL_LLM_BREAKER_WINDOW_MS: setting({
      to: 'llm.breakerWindowMs',
      schema: positiveInt,
      default: 60_000,
      meaning: "The breaker's window",
    }),
    VIAL_LLM_BREAKER_OPEN_MS: setting({
      to: 'llm.breakerOpenMs',
      schema: positiveInt,
      default: 30_000,
      meaning: 'How long an open breaker fails fast before one half-open probe',
    }),
    VIAL_LLM_CONNECT_TIMEOUT_MS: setting({
      to: 'llm.connectTimeoutMs',
      schema: positiveInt,
      default: 10_000,
      meaning: "Time for a provider's response headers",
    }),
    VIAL_LLM_IDLE_TIMEOUT_MS: setting({
      to: 'llm.idleTimeoutMs',
      schema: positiveInt,
      default: 90_000,
      meaning: "Time allowed between two chunks of a provider's stream",
    }),
    VIAL_LLM_HOST_REQUESTS_PER_MIN: setting({
      to: 'llm.hostRequestsPerMinute',
      schema: nonNegativeInt,
      default: 60,
      meaning: '`/llm/chat` requests per host per minute; past it 429 (0 disables)',
    }),
    VIAL_LLM_HOST_DAILY_BUDGET_USD: setting({
      to: 'llm.hostDailyBudgetUsd',
      schema: nonNegative,
      default: 5,
      meaning: 'USD one host may spend per UTC day; past it 429 until midnight UTC (0 disables)',
    }),
    VIAL_LLM_DAILY_BUDGET_USD: setting({
      to: 'llm.dailyBudgetUsd',
      schema: nonNegative,
      default: 50,
      meaning:
        'USD all hosts together may spend per UTC day (0 disables); each call is held at its most before it runs',
    }),
    VIAL_LLM_DEFAULT_MAX_TOKENS: setting({
      to: 'llm.defaultMaxTokens',
      schema: positiveInt,
      default: 4096,
      meaning: 'Output tokens asked for (and held for) when a request sets no `maxTokens`',
    }),
  },
} as const;
