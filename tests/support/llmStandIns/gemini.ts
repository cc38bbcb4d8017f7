/**
 * Google Gemini stand-in (`POST /v1beta/models/{model}:streamGenerateContent?alt=sse`,
 * `x-goog-api-key`): each SSE frame is a whole GenerateContentResponse, framed with `\r\n\r\n`;
 * no `[DONE]`: the last chunk carries `finishReason` and the full `usageMetadata` (with
 * `thoughtsTokenCount` for thinking models). Errors are google.rpc statuses
 * (`{"error":{"code","message","status","details"}}`), with QuotaFailure and RetryInfo on 429.
 */
import type { ProviderError } from './scenario.ts';
import { startStandIn, type StandIn, type StandInOptions, type WireFormat } from './standIn.ts';

const frame = (value: unknown) => `data: ${JSON.stringify(value)}\r\n\r\n`;

function quotaDetails(quotaId: string, retryDelay: string | undefined) {
  return [
    {
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [
        {
          quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
          quotaId,
          quotaDimensions: { location: 'global', model: 'gemini-2.5-flash' },
          quotaValue: '10',
        },
      ],
    },
    {
      '@type': 'type.googleapis.com/google.rpc.Help',
      links: [{ description: 'Learn more', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }],
    },
    ...(retryDelay ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay }] : []),
  ];
}

function errorOf(kind: ProviderError, retryAfter: string | undefined) {
  const exhausted = 'You exceeded your current quota, please check your plan and billing details.';
  switch (kind) {
    case 'rate_limited':
      return {
        code: 429,
        message: exhausted,
        status: 'RESOURCE_EXHAUSTED',
        details: quotaDetails('GenerateRequestsPerMinutePerProjectPerModel-FreeTier', retryAfter && `${retryAfter}s`),
      };
    case 'quota':
      return {
        code: 429,
        message: exhausted,
        status: 'RESOURCE_EXHAUSTED',
        details: quotaDetails('GenerateRequestsPerDayPerProjectPerModel-FreeTier', '43s'),
      };
    case 'overloaded':
      return { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' };
    case 'server_error':
      return {
        code: 500,
        message:
          'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
        status: 'INTERNAL',
      };
    case 'auth':
      return {
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        status: 'INVALID_ARGUMENT',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'API_KEY_INVALID',
            domain: 'googleapis.com',
            metadata: { service: 'generativelanguage.googleapis.com' },
          },
        ],
      };
    case 'bad_request':
      return { code: 400, message: 'Request contains an invalid argument.', status: 'INVALID_ARGUMENT' };
  }
}

const FINISH_REASONS = { stop: 'STOP', length: 'MAX_TOKENS' } as const;

export const geminiFormat: WireFormat = {
  matches: (method, url) =>
    method === 'POST' &&
    /^\/v1beta\/models\/[^/]+:streamGenerateContent$/.test(url.pathname) &&
    url.searchParams.get('alt') === 'sse',
  keyOf: (req) => req.headers['x-goog-api-key'] as string | undefined,
  error(kind, options) {
    const error = errorOf(kind, options.retryAfter);
    return {
      status: error.code,
      headers: { 'content-type': 'application/json; charset=UTF-8', vary: 'Origin, X-Origin, Referer' },
      body: JSON.stringify({ error }, null, 2),
    };
  },
  streamHeaders: { 'x-content-type-options': 'nosniff', 'server-timing': 'gfet4t7; dur=321' },
  stream(_body, usage) {
    const modelVersion = 'gemini-2.5-flash';
    const promptOnly = { promptTokenCount: usage.input, totalTokenCount: usage.input };
    return {
      open: [],
      delta: (text) =>
        frame({
          candidates: [{ content: { parts: [{ text }], role: 'model' }, index: 0 }],
          usageMetadata: promptOnly,
          modelVersion,
          responseId: 'standin-response',
        }),
      close: (finish) => [
        frame({
          candidates: [
            { content: { parts: [{ text: '' }], role: 'model' }, finishReason: FINISH_REASONS[finish], index: 0 },
          ],
          usageMetadata: {
            promptTokenCount: usage.input,
            candidatesTokenCount: usage.output - (usage.reasoning ?? 0),
            totalTokenCount: usage.input + usage.output,
            ...(usage.reasoning ? { thoughtsTokenCount: usage.reasoning } : {}),
            ...(usage.cached ? { cachedContentTokenCount: usage.cached } : {}),
            promptTokensDetails: [{ modality: 'TEXT', tokenCount: usage.input }],
          },
          modelVersion,
          responseId: 'standin-response',
        }),
      ],
    };
  },
  streamError: (kind) => frame({ error: errorOf(kind, undefined) }),
};

export function startGeminiStandIn(options?: StandInOptions): Promise<StandIn> {
  return startStandIn(geminiFormat, '/v1beta', options);
}
