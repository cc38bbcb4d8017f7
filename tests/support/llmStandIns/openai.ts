/**
 * OpenAI Chat Completions stand-in (`POST /v1/chat/completions`, `Authorization: Bearer`), also
 * standing in for xAI, Mistral, Groq and generic OpenAI-compatible servers: unnamed `data:`
 * chunks of `chat.completion.chunk`, a last chunk with empty `choices` and `usage` only when
 * the request asked with `stream_options.include_usage`, then `data: [DONE]`; errors as
 * `{"error":{"message","type","param","code"}}` (429 `insufficient_quota` for an empty account).
 * With `noise`, it interleaves SSE comment lines as OpenRouter does (`: OPENROUTER PROCESSING`).
 */
import type { ProviderError } from './scenario.ts';
import { startStandIn, type StandIn, type StandInOptions, type WireFormat } from './standIn.ts';

const data = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;

function errorBody(kind: ProviderError, key: string | undefined) {
  switch (kind) {
    case 'rate_limited':
      return {
        status: 429,
        error: {
          message:
            'Rate limit reached for gpt-4o-mini in organization org-standin on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.',
          type: 'requests',
          param: null,
          code: 'rate_limit_exceeded',
        },
      };
    case 'quota':
      return {
        status: 429,
        error: {
          message:
            'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
          type: 'insufficient_quota',
          param: null,
          code: 'insufficient_quota',
        },
      };
    case 'overloaded':
      return {
        status: 503,
        error: {
          message: 'The engine is currently overloaded, please try again later',
          type: 'server_error',
          param: null,
          code: null,
        },
      };
    case 'server_error':
      return {
        status: 500,
        error: {
          message: 'The server had an error while processing your request. Sorry about that!',
          type: 'server_error',
          param: null,
          code: null,
        },
      };
    case 'auth':
      // The real API masks the middle of the key; this stand-in quotes it whole, so the relay's scrubbing is tested.
      return {
        status: 401,
        error: {
          message: `Incorrect API key provided: ${key ?? ''}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      };
    case 'bad_request':
      return {
        status: 400,
        error: {
          message: "Invalid value for 'temperature'.",
          type: 'invalid_request_error',
          param: 'temperature',
          code: null,
        },
      };
  }
}

const chunkBase = (model: unknown) => ({
  id: 'chatcmpl-standin',
  object: 'chat.completion.chunk',
  created: 1_760_000_000,
  model,
  system_fingerprint: 'fp_standin',
});

export const openAiFormat: WireFormat = {
  matches: (method, url) => method === 'POST' && url.pathname === '/v1/chat/completions',
  keyOf: (req) => /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1],
  error(kind, options) {
    const { status, error } = errorBody(kind, options.key);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': 'req_standin' };
    if (options.retryAfter !== undefined) headers['retry-after'] = options.retryAfter;
    if (options.retryAfterMs !== undefined) headers['retry-after-ms'] = options.retryAfterMs;
    if (kind === 'rate_limited') headers['x-ratelimit-remaining-requests'] = '0';
    return { status, headers, body: JSON.stringify({ error }) };
  },
  streamHeaders: { 'x-request-id': 'req_standin_stream', 'openai-processing-ms': '12' },
  stream(body, usage) {
    const options = body.stream_options as { include_usage?: boolean } | undefined;
    const includeUsage = options?.include_usage === true;
    // With include_usage, every chunk carries `usage: null` until the last one.
    const chunk = (choices: unknown[]) =>
      data({ ...chunkBase(body.model), choices, ...(includeUsage ? { usage: null } : {}) });
    return {
      open: [
        chunk([
          { index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null },
        ]),
      ],
      delta: (text) => chunk([{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }]),
      close(finish) {
        const frames = [chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finish }])];
        if (includeUsage) {
          frames.push(
            data({
              ...chunkBase(body.model),
              choices: [],
              usage: {
                prompt_tokens: usage.input,
                completion_tokens: usage.output,
                total_tokens: usage.input + usage.output,
                prompt_tokens_details: { cached_tokens: usage.cached ?? 0, audio_tokens: 0 },
                completion_tokens_details: {
                  reasoning_tokens: usage.reasoning ?? 0,
                  audio_tokens: 0,
                  accepted_prediction_tokens: 0,
                  rejected_prediction_tokens: 0,
                },
              },
            }),
          );
        }
        frames.push('data: [DONE]\n\n');
        return frames;
      },
    };
  },
  streamError: (kind) => data({ error: errorBody(kind, undefined).error }),
  noise: ': OPENROUTER PROCESSING\n\n',
};

export function startOpenAiStandIn(options?: StandInOptions): Promise<StandIn> {
  return startStandIn(openAiFormat, '/v1', options);
}
