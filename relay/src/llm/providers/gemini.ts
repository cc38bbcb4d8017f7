/**
 * Google Gemini's `streamGenerateContent?alt=sse`. Every SSE event is a whole
 * GenerateContentResponse (frames end in `\r\n\r\n`); there is no `[DONE]`: the chunk whose
 * candidate carries a `finishReason` is the end marker. `usageMetadata` counts thinking
 * separately (`thoughtsTokenCount`), though it is billed as output.
 */
import { z } from 'zod';
import type { LlmErrorClass, LlmFinishReason } from '@vial/shared';
import type { LlmProviderConfig } from '../../config.ts';
import { classOfStatus, upstreamMessage, type LlmFailure } from '../failure.ts';
import { parseRetryAfter } from '../retry.ts';
import { parseJson } from '../parseJson.ts';
import type { ProviderAdapter, StreamPart } from './types.ts';

const errorSchema = z.looseObject({
  code: z.number().optional(),
  message: z.string().optional(),
  status: z.string().optional(),
  details: z
    .array(
      z.looseObject({
        '@type': z.string().optional(),
        retryDelay: z.string().optional(),
        reason: z.string().optional(),
        violations: z.array(z.looseObject({ quotaId: z.string().optional() })).optional(),
      }),
    )
    .optional(),
});
const errorBodySchema = z.looseObject({ error: errorSchema });

const usageSchema = z.looseObject({
  promptTokenCount: z.number().optional(),
  candidatesTokenCount: z.number().optional(),
  thoughtsTokenCount: z.number().optional(),
  cachedContentTokenCount: z.number().optional(),
});

const chunkSchema = z.looseObject({
  candidates: z
    .array(
      z.looseObject({
        content: z
          .looseObject({
            parts: z.array(z.looseObject({ text: z.string().optional(), thought: z.boolean().optional() })).optional(),
          })
          .optional(),
        finishReason: z.string().optional(),
      }),
    )
    .optional(),
  promptFeedback: z.looseObject({ blockReason: z.string().optional() }).optional(),
  usageMetadata: usageSchema.optional(),
  error: errorSchema.optional(),
});

const STATUSES: Record<string, LlmErrorClass> = {
  RESOURCE_EXHAUSTED: 'rate_limited',
  UNAVAILABLE: 'overloaded',
  INTERNAL: 'server_error',
  DEADLINE_EXCEEDED: 'timeout',
  UNAUTHENTICATED: 'auth',
  PERMISSION_DENIED: 'auth',
  NOT_FOUND: 'not_found',
  INVALID_ARGUMENT: 'bad_request',
  FAILED_PRECONDITION: 'bad_request',
};

const FINISH_REASONS: Record<string, LlmFinishReason> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
};

type GeminiError = z.infer<typeof errorSchema>;

function classOf(status: number | undefined, error: GeminiError): LlmErrorClass {
  const details = error.details ?? [];
  if (details.some((detail) => detail.reason === 'API_KEY_INVALID')) return 'auth';
  // A per-day quota will not come back within any retry; per-minute ones will.
  const quotaIds = details.flatMap((detail) => detail.violations ?? []).map((violation) => violation.quotaId ?? '');
  if (quotaIds.some((id) => /PerDay/i.test(id))) return 'quota_exceeded';
  return STATUSES[error.status ?? ''] ?? (status !== undefined ? classOfStatus(status) : 'stream_error');
}

/** google.rpc.RetryInfo's `retryDelay`, a protobuf Duration such as `"43s"` or `"1.5s"`. */
function retryInfoMs(error: GeminiError): number | undefined {
  const delay = error.details?.find((detail) => detail.retryDelay)?.retryDelay;
  const seconds = delay?.endsWith('s') ? Number(delay.slice(0, -1)) : NaN;
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

export function createGeminiAdapter(config: LlmProviderConfig): ProviderAdapter {
  const name = config.name;

  function failureOf(status: number | undefined, error: GeminiError): LlmFailure {
    return {
      class: classOf(status, error),
      status,
      message: upstreamMessage(name, status, `${error.status ?? ''} ${error.message ?? ''}`),
    };
  }

  return {
    name,
    wire: 'gemini',
    reportsUsage: true,
    request(model, chat) {
      const generationConfig = {
        ...(chat.temperature !== undefined ? { temperature: chat.temperature } : {}),
        ...(chat.maxTokens !== undefined ? { maxOutputTokens: chat.maxTokens } : {}),
        ...(chat.stop ? { stopSequences: chat.stop } : {}),
      };
      return {
        url: `${config.baseUrl}/models/${encodeURIComponent(model)}:streamGenerateContent?alt=sse`,
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          'x-goog-api-key': config.apiKey ?? '',
        },
        body: JSON.stringify({
          contents: chat.messages.map((message) => ({
            role: message.role === 'assistant' ? 'model' : 'user',
            parts: [{ text: message.content }],
          })),
          ...(chat.system ? { systemInstruction: { parts: [{ text: chat.system }] } } : {}),
          ...(Object.keys(generationConfig).length > 0 ? { generationConfig } : {}),
        }),
      };
    },
    classify(status, headers, body) {
      const parsed = errorBodySchema.safeParse(parseJson(body));
      if (!parsed.success) {
        return {
          class: classOfStatus(status),
          status,
          message: upstreamMessage(name, status, body),
          retryAfterMs: parseRetryAfter(headers),
        };
      }
      return {
        ...failureOf(status, parsed.data.error),
        retryAfterMs: retryInfoMs(parsed.data.error) ?? parseRetryAfter(headers),
      };
    },
    decoder() {
      return {
        decode(event, emit: (part: StreamPart) => void) {
          const parsed = chunkSchema.safeParse(parseJson(event.data));
          if (!parsed.success) {
            return emit({
              type: 'error',
              failure: { class: 'stream_error', message: `${name} sent a chunk that is not a GenerateContentResponse` },
            });
          }
          const chunk = parsed.data;
          if (chunk.error) return emit({ type: 'error', failure: failureOf(undefined, chunk.error) });
          const candidate = chunk.candidates?.[0];
          for (const part of candidate?.content?.parts ?? []) {
            if (part.text && !part.thought) emit({ type: 'delta', text: part.text });
          }
          const counts = chunk.usageMetadata;
          if (counts) {
            const thoughts = counts.thoughtsTokenCount ?? 0;
            emit({
              type: 'usage',
              usage: {
                inputTokens: counts.promptTokenCount ?? 0,
                outputTokens: (counts.candidatesTokenCount ?? 0) + thoughts,
                ...(thoughts ? { reasoningTokens: thoughts } : {}),
                ...(counts.cachedContentTokenCount ? { cacheReadTokens: counts.cachedContentTokenCount } : {}),
              },
            });
          }
          const blocked = !candidate && chunk.promptFeedback?.blockReason;
          if (candidate?.finishReason || blocked) {
            emit({
              type: 'finish',
              reason: blocked ? 'content_filter' : (FINISH_REASONS[candidate!.finishReason!] ?? 'other'),
            });
            emit({ type: 'done' });
          }
        },
      };
    },
  };
}
