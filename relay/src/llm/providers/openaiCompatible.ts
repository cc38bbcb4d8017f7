/**
 * OpenAI Chat Completions and the servers that speak it: OpenAI, xAI, Mistral, Groq, and any
 * base URL (Ollama, vLLM, LM Studio, Together, OpenRouter). Per-provider differences are data
 * (`OpenAiQuirks`), not code. The stream's end marker is `data: [DONE]`; usage comes in a last
 * chunk with empty `choices` when asked for with `stream_options.include_usage`.
 */
import { z } from 'zod';
import type { LlmFinishReason, LlmUsage } from '@vial/shared';
import type { LlmProviderConfig } from '../../config.ts';
import { classOfStatus, httpFailure, upstreamMessage, type LlmFailure } from '../failure.ts';
import { parseJson } from '../parseJson.ts';
import type { ProviderAdapter, StreamPart } from './types.ts';

export interface OpenAiQuirks {
  /** OpenAI deprecated `max_tokens` for `max_completion_tokens` (its reasoning models refuse the old name). */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Whether the server understands `stream_options.include_usage` (Mistral sends usage unasked and rejects unknown fields). */
  includeUsage: boolean;
}

const QUIRKS: Record<string, OpenAiQuirks> = {
  openai: { maxTokensField: 'max_completion_tokens', includeUsage: true },
  xai: { maxTokensField: 'max_tokens', includeUsage: true },
  mistral: { maxTokensField: 'max_tokens', includeUsage: false },
  groq: { maxTokensField: 'max_completion_tokens', includeUsage: true },
};
const GENERIC: OpenAiQuirks = { maxTokensField: 'max_tokens', includeUsage: true };

const errorBodySchema = z.looseObject({
  error: z.looseObject({
    message: z.string().optional(),
    type: z.string().nullish(),
    code: z.union([z.string(), z.number()]).nullish(),
  }),
});

const usageSchema = z.looseObject({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().optional() }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().optional() }).nullish(),
});

const chunkSchema = z.looseObject({
  choices: z
    .array(
      z.looseObject({
        delta: z.looseObject({ content: z.string().nullish() }).nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .optional(),
  usage: usageSchema.nullish(),
  /** Groq puts usage here on the last chunk. */
  x_groq: z.looseObject({ usage: usageSchema.optional() }).nullish(),
  error: errorBodySchema.shape.error.optional(),
});

const FINISH_REASONS: Record<string, LlmFinishReason> = {
  stop: 'stop',
  length: 'length',
  content_filter: 'content_filter',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
};

/** Error codes that mean the account cannot pay, however long one waits. */
const QUOTA_CODES = new Set(['insufficient_quota', 'billing_hard_limit_reached', 'billing_not_active']);

export function createOpenAiCompatibleAdapter(config: LlmProviderConfig): ProviderAdapter {
  const preset = QUIRKS[config.name] ?? GENERIC;
  const quirks: OpenAiQuirks = {
    maxTokensField: config.maxTokensField ?? preset.maxTokensField,
    includeUsage: config.includeUsage ?? preset.includeUsage,
  };
  const name = config.name;

  function failureOf(status: number | undefined, error: z.infer<typeof errorBodySchema>['error']): LlmFailure {
    const code = String(error.code ?? error.type ?? '');
    const errorClass = QUOTA_CODES.has(code)
      ? 'quota_exceeded'
      : status !== undefined
        ? classOfStatus(status)
        : error.type === 'server_error'
          ? 'server_error'
          : 'stream_error';
    return { class: errorClass, status, message: upstreamMessage(name, status, error.message ?? code) };
  }

  return {
    name,
    wire: 'openai-compatible',
    reportsUsage: quirks.includeUsage,
    request(model, chat) {
      const messages = chat.system ? [{ role: 'system', content: chat.system }, ...chat.messages] : chat.messages;
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
      if (config.apiKey) headers.authorization = `Bearer ${config.apiKey}`;
      return {
        url: `${config.baseUrl}/chat/completions`,
        headers,
        body: JSON.stringify({
          model,
          messages,
          stream: true,
          ...(quirks.includeUsage ? { stream_options: { include_usage: true } } : {}),
          ...(chat.temperature !== undefined ? { temperature: chat.temperature } : {}),
          ...(chat.maxTokens !== undefined ? { [quirks.maxTokensField]: chat.maxTokens } : {}),
          ...(chat.stop ? { stop: chat.stop } : {}),
        }),
      };
    },
    classify(status, headers, body) {
      return httpFailure(name, { status, headers, body }, errorBodySchema, (code, parsed) =>
        failureOf(code, parsed.error),
      );
    },
    decoder() {
      return {
        decode(event, emit: (part: StreamPart) => void) {
          if (event.data === '[DONE]') return emit({ type: 'done' });
          const parsed = chunkSchema.safeParse(parseJson(event.data));
          if (!parsed.success) {
            return emit({
              type: 'error',
              failure: { class: 'stream_error', message: `${name} sent a chunk that is not a completion chunk` },
            });
          }
          const chunk = parsed.data;
          if (chunk.error) return emit({ type: 'error', failure: failureOf(undefined, chunk.error) });
          const choice = chunk.choices?.[0];
          const text = choice?.delta?.content;
          if (text) emit({ type: 'delta', text });
          if (choice?.finish_reason) emit({ type: 'finish', reason: FINISH_REASONS[choice.finish_reason] ?? 'other' });
          const usage = chunk.usage ?? chunk.x_groq?.usage;
          if (usage) emit({ type: 'usage', usage: usageOf(usage) });
        },
      };
    },
  };
}

function usageOf(usage: z.infer<typeof usageSchema>): LlmUsage {
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  const cached = usage.prompt_tokens_details?.cached_tokens;
  return {
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    ...(reasoning ? { reasoningTokens: reasoning } : {}),
    ...(cached ? { cacheReadTokens: cached } : {}),
  };
}
