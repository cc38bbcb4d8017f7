/**
 * The relay's LLM gateway as the tab sees it: one request shape for every provider, one
 * normalised stream of events back, and the JSON bodies of refusals. The relay parses requests
 * with these schemas; the tab parses what comes back with them.
 *
 *   POST /llm/chat       Authorization: Bearer <llmKey from the `registered` frame>
 *   GET  /llm/providers  same header; which providers the relay has keys for (never the keys)
 */
import { z } from 'zod';

export const LLM_PATH_PREFIX = '/llm/';
export const LLM_CHAT_PATH = '/llm/chat';
export const LLM_PROVIDERS_PATH = '/llm/providers';

/** `provider:model`, e.g. `anthropic:claude-sonnet-4-5` or `ollama:llama3.2:3b` (the model may contain colons). */
export const llmModelRefSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}:[^\s]{1,200}$/, 'model must be "provider:model", e.g. "openai:gpt-4o-mini"');

export const llmMessageSchema = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.string().max(1_000_000),
});
export type LlmMessage = z.infer<typeof llmMessageSchema>;

export const llmChatRequestSchema = z.object({
  /** One model, or models tried in order: the next one only if the one before failed before its first token. */
  model: z.union([llmModelRefSchema, z.object({ fallbacks: z.array(llmModelRefSchema).min(1).max(5) })]),
  messages: z.array(llmMessageSchema).min(1).max(1000),
  system: z.string().max(1_000_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().positive().max(1_000_000).optional(),
  stop: z.array(z.string().min(1).max(200)).max(4).optional(),
  /** true (default): Server-Sent Events of `LlmStreamEvent`; false: one `LlmChatResult` JSON body. */
  stream: z.boolean().default(true),
});
export type LlmChatRequest = z.input<typeof llmChatRequestSchema>;
export type ParsedLlmChatRequest = z.output<typeof llmChatRequestSchema>;

/** Why generation stopped, the same words for every provider. */
export const llmFinishReasonSchema = z.enum(['stop', 'length', 'stop_sequence', 'content_filter', 'tool_use', 'other']);
export type LlmFinishReason = z.infer<typeof llmFinishReasonSchema>;

/**
 * Tokens as the provider counted them. `inputTokens` includes cached input; `outputTokens`
 * includes reasoning ("thinking") tokens, which are billed as output by every provider.
 */
export const llmUsageSchema = z.object({
  inputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
  reasoningTokens: z.number().int().min(0).optional(),
  cacheReadTokens: z.number().int().min(0).optional(),
  cacheWriteTokens: z.number().int().min(0).optional(),
});
export type LlmUsage = z.infer<typeof llmUsageSchema>;

/**
 * What went wrong, the same words for every provider. Retrying makes sense for
 * `rate_limited`, `overloaded`, `server_error`, `timeout`, `network` and `truncated`, but the
 * relay already did that where it could (never after the first token reached the tab).
 */
export const llmErrorClassSchema = z.enum([
  'rate_limited',
  /** The account is out of credit or over a spending limit: waiting does not help. */
  'quota_exceeded',
  'overloaded',
  'server_error',
  /** No response headers within the connect timeout, or no data within the idle timeout. */
  'timeout',
  'network',
  /** The stream ended without the provider's end-of-message marker: the text is incomplete. */
  'truncated',
  /** The provider sent an error inside the stream. */
  'stream_error',
  'bad_request',
  /** The relay's key for the provider was refused (the key itself is never shown). */
  'auth',
  'not_found',
  /** The provider's circuit breaker is open after repeated failures. */
  'circuit_open',
  /** No provider of that name is configured on the relay, or the model has no price there. */
  'not_configured',
  /** What the attempt could cost does not fit what is left of the host's or the relay's daily budget. */
  'budget_exceeded',
  /** The relays keep the budget in Redis (VIAL_REDIS_URL) and it cannot be reached: no spend until it is. */
  'budget_unavailable',
  'cancelled',
]);
export type LlmErrorClass = z.infer<typeof llmErrorClassSchema>;

/** One try at one model, as reported at the end: what was tried before the answer (or the failure). */
export const llmAttemptSchema = z.object({
  provider: z.string(),
  model: z.string(),
  attempt: z.number().int().positive(),
  /** Absent for the attempt that succeeded. */
  errorClass: llmErrorClassSchema.optional(),
  status: z.number().int().optional(),
  message: z.string().optional(),
});
export type LlmAttempt = z.infer<typeof llmAttemptSchema>;

const finishFields = {
  provider: z.string(),
  model: z.string(),
  reason: llmFinishReasonSchema,
  usage: llmUsageSchema,
  /** null when the relay's price table has no price for this model. */
  costUsd: z.number().min(0).nullable(),
  /** The provider reported no final usage: usage and cost are the relay's estimate from the text in and out. */
  costEstimated: z.boolean().optional(),
  latencyMs: z.number().min(0),
  ttftMs: z.number().min(0).nullable(),
  attempts: z.array(llmAttemptSchema),
};

const errorFields = {
  class: llmErrorClassSchema,
  message: z.string(),
  /** Whether sending the same request again later may succeed. */
  retryable: z.boolean(),
  provider: z.string().optional(),
  model: z.string().optional(),
  /** Set when text had already been streamed: what the tab shows is incomplete. */
  truncated: z.boolean().optional(),
  usage: llmUsageSchema.optional(),
  costUsd: z.number().min(0).nullable().optional(),
  costEstimated: z.boolean().optional(),
  attempts: z.array(llmAttemptSchema),
};

/**
 * The events of a streamed answer, each sent as `event: <type>` + `data: <json>`. Exactly one
 * `start` precedes the first `delta`; the stream then ends with exactly one `finish` or `error`.
 * A stream that ends without either was cut between the relay and the tab.
 */
export const llmStreamEventSchema = z.discriminatedUnion('type', [
  /** The model whose text follows; sent with its first token, after any retries and fallbacks. */
  z.object({ type: z.literal('start'), provider: z.string(), model: z.string(), attempt: z.number().int().positive() }),
  z.object({ type: z.literal('delta'), text: z.string() }),
  /** Usage so far, as the provider reports it (sent when it changes; the final numbers are in `finish`). */
  z.object({ type: z.literal('usage'), ...llmUsageSchema.shape }),
  z.object({ type: z.literal('finish'), ...finishFields }),
  z.object({ type: z.literal('error'), ...errorFields }),
]);
export type LlmStreamEvent = z.infer<typeof llmStreamEventSchema>;

/** The body of a `stream: false` answer: 200 with `ok: true`, or an error status with `ok: false`. */
export const llmChatResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), text: z.string(), ...finishFields }),
  z.object({ ok: z.literal(false), error: z.object(errorFields) }),
]);
export type LlmChatResult = z.infer<typeof llmChatResultSchema>;

/** Why the relay refused a request before calling any provider (401, 403, 400, 404, 405, 413, 429, 500, 503). */
export const llmRefusalSchema = z.object({
  error: z.object({
    class: z.enum([
      'unauthorized',
      'forbidden',
      'bad_request',
      'not_found',
      'method_not_allowed',
      'payload_too_large',
      'rate_limited',
      'budget_exceeded',
      /** The budget is kept in Redis, which the relay cannot reach now (503): retry after `retryAfterSeconds`. */
      'budget_unavailable',
      /** The relay is draining before it stops: retry after `retryAfterSeconds`, here or on another relay. */
      'shutting_down',
      'internal',
    ]),
    message: z.string(),
    /** The message's parts, as a `VialError` has them (vialError.ts); absent from relays before them. */
    name: z.string().optional(),
    shortMessage: z.string().optional(),
    details: z.string().optional(),
    hints: z.array(z.string()).optional(),
    /** The relay setting behind a 429, e.g. `VIAL_LLM_HOST_DAILY_BUDGET_USD`. */
    setting: z.string().optional(),
    limit: z.number().optional(),
    retryAfterSeconds: z.number().optional(),
  }),
});
export type LlmRefusal = z.infer<typeof llmRefusalSchema>;

export const llmProvidersResponseSchema = z.object({
  providers: z.array(
    z.object({
      name: z.string(),
      wire: z.enum(['anthropic', 'openai-compatible', 'gemini']),
      /** Models with a price in the relay's table (others work too, without a cost). */
      pricedModels: z.array(z.string()),
      /** Circuit breaker state: `open` means calls fail fast (or fall back) for now. */
      breaker: z.enum(['closed', 'open', 'half_open']),
    }),
  ),
  /** What this host may still spend today in USD; null when no daily budget is set. */
  budgetLeftUsd: z.number().nullable(),
});
export type LlmProvidersResponse = z.infer<typeof llmProvidersResponseSchema>;
