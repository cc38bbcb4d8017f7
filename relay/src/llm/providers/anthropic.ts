/**
 * Anthropic's Messages API. A stream is `message_start` (input usage), content blocks of
 * `text_delta`s, `message_delta` (stop reason and the cumulative output token count) and
 * `message_stop`, the end marker; `ping` and event types added later are ignored. An `error`
 * event can arrive in the middle of a 200 stream (e.g. `overloaded_error`).
 */
import { z } from 'zod';
import type { LlmErrorClass, LlmFinishReason, LlmUsage } from '@vial/shared';
import type { LlmProviderConfig } from '../../config.ts';
import { classOfStatus, httpFailure, upstreamMessage, type LlmFailure } from '../failure.ts';
import { parseJson } from '../parseJson.ts';
import type { ProviderAdapter, StreamPart } from './types.ts';

const API_VERSION = '2023-06-01';
/** Anthropic requires `max_tokens`; this is used when the tab gives none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

const errorSchema = z.looseObject({
  type: z.string(),
  message: z.string().optional(),
  details: z.looseObject({ error_code: z.string().optional() }).nullish(),
});
const errorBodySchema = z.looseObject({ type: z.literal('error'), error: errorSchema });

const usageSchema = z.looseObject({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
});

const eventSchema = z.looseObject({
  type: z.string(),
  message: z.looseObject({ usage: usageSchema.optional() }).optional(),
  delta: z
    .looseObject({ type: z.string().optional(), text: z.string().optional(), stop_reason: z.string().nullish() })
    .optional(),
  usage: usageSchema.optional(),
  error: errorSchema.optional(),
});

const ERROR_TYPES: Record<string, LlmErrorClass> = {
  overloaded_error: 'overloaded',
  rate_limit_error: 'rate_limited',
  api_error: 'server_error',
  timeout_error: 'timeout',
  billing_error: 'quota_exceeded',
  authentication_error: 'auth',
  permission_error: 'auth',
  not_found_error: 'not_found',
  invalid_request_error: 'bad_request',
  request_too_large: 'bad_request',
};

const STOP_REASONS: Record<string, LlmFinishReason> = {
  end_turn: 'stop',
  max_tokens: 'length',
  stop_sequence: 'stop_sequence',
  tool_use: 'tool_use',
  refusal: 'content_filter',
};

/**
 * Spending that waiting will not fix: a monthly spend limit comes as a 429 `rate_limit_error`
 * with `details.error_code`, a low credit balance or workspace limit as a 400.
 */
function isSpendLimit(error: z.infer<typeof errorSchema>): boolean {
  return (
    error.details?.error_code === 'enforced_spend_limit_reached' ||
    (error.type === 'invalid_request_error' && /credit balance|spend limit|billing/i.test(error.message ?? ''))
  );
}

export function createAnthropicAdapter(config: LlmProviderConfig): ProviderAdapter {
  const name = config.name;

  function failureOf(status: number | undefined, error: z.infer<typeof errorSchema>): LlmFailure {
    const errorClass: LlmErrorClass = isSpendLimit(error)
      ? 'quota_exceeded'
      : (ERROR_TYPES[error.type] ?? (status !== undefined ? classOfStatus(status) : 'stream_error'));
    return {
      class: errorClass,
      status,
      message: upstreamMessage(name, status, `${error.type}: ${error.message ?? ''}`),
    };
  }

  return {
    name,
    wire: 'anthropic',
    reportsUsage: true,
    request(model, chat) {
      return {
        url: `${config.baseUrl}/v1/messages`,
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          'anthropic-version': API_VERSION,
          'x-api-key': config.apiKey ?? '',
        },
        body: JSON.stringify({
          model,
          max_tokens: chat.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
          messages: chat.messages,
          ...(chat.system ? { system: chat.system } : {}),
          ...(chat.temperature !== undefined ? { temperature: chat.temperature } : {}),
          ...(chat.stop ? { stop_sequences: chat.stop } : {}),
          stream: true,
        }),
      };
    },
    classify(status, headers, body) {
      return httpFailure(name, { status, headers, body }, errorBodySchema, (code, parsed) =>
        failureOf(code, parsed.error),
      );
    },
    decoder() {
      const usage: LlmUsage = { inputTokens: 0, outputTokens: 0 };
      /** Counts replace what came before: Anthropic's numbers are cumulative, not increments. */
      function fold(counts: z.infer<typeof usageSchema>): LlmUsage {
        const cacheRead = counts.cache_read_input_tokens ?? usage.cacheReadTokens ?? 0;
        const cacheWrite = counts.cache_creation_input_tokens ?? usage.cacheWriteTokens ?? 0;
        if (counts.input_tokens != null) usage.inputTokens = counts.input_tokens + cacheRead + cacheWrite;
        if (counts.output_tokens != null) usage.outputTokens = counts.output_tokens;
        if (cacheRead) usage.cacheReadTokens = cacheRead;
        if (cacheWrite) usage.cacheWriteTokens = cacheWrite;
        return { ...usage };
      }
      return {
        decode(event, emit: (part: StreamPart) => void) {
          const parsed = eventSchema.safeParse(parseJson(event.data));
          if (!parsed.success) {
            return emit({
              type: 'error',
              failure: {
                class: 'stream_error',
                message: `${name} sent an event that is not JSON: ${event.event ?? 'message'}`,
              },
            });
          }
          const data = parsed.data;
          switch (data.type) {
            case 'message_start':
              if (data.message?.usage) emit({ type: 'usage', usage: fold(data.message.usage) });
              return;
            case 'content_block_delta':
              if (data.delta?.type === 'text_delta' && data.delta.text) emit({ type: 'delta', text: data.delta.text });
              return;
            case 'message_delta':
              if (data.delta?.stop_reason) {
                emit({ type: 'finish', reason: STOP_REASONS[data.delta.stop_reason] ?? 'other' });
              }
              if (data.usage) emit({ type: 'usage', usage: fold(data.usage) });
              return;
            case 'message_stop':
              return emit({ type: 'done' });
            case 'error':
              return emit({
                type: 'error',
                failure: failureOf(
                  undefined,
                  data.error ?? { type: 'api_error', message: 'error event without details' },
                ),
              });
            default:
              // `ping`, `content_block_start`/`stop`, thinking blocks and event types Anthropic adds later.
              return;
          }
        },
      };
    },
  };
}
