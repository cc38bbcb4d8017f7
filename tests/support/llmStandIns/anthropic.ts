/**
 * Anthropic Messages API stand-in (`POST /v1/messages`, `x-api-key`, `anthropic-version`):
 * named SSE events `message_start` → `content_block_start` → `ping` → `content_block_delta`… →
 * `content_block_stop` → `message_delta` (stop_reason, cumulative usage) → `message_stop`;
 * errors as `{"type":"error","error":{"type":…,"message":…},"request_id":…}`, 529 for overload,
 * and `event: error` inside a stream.
 */
import { randomUUID } from 'node:crypto';
import type { ProviderError } from './scenario.ts';
import { startStandIn, type StandIn, type StandInOptions, type WireFormat } from './standIn.ts';

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

const ERRORS: Record<ProviderError, { status: number; type: string; message: string }> = {
  rate_limited: {
    status: 429,
    type: 'rate_limit_error',
    message:
      'This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.',
  },
  overloaded: { status: 529, type: 'overloaded_error', message: 'Overloaded' },
  server_error: { status: 500, type: 'api_error', message: 'Internal server error' },
  quota: {
    status: 400,
    type: 'invalid_request_error',
    message:
      'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
  },
  auth: { status: 401, type: 'authentication_error', message: 'invalid x-api-key' },
  bad_request: { status: 400, type: 'invalid_request_error', message: 'messages: at least one message is required' },
};

const STOP_REASONS = { stop: 'end_turn', length: 'max_tokens' } as const;

export const anthropicFormat: WireFormat = {
  matches: (method, url) => method === 'POST' && url.pathname === '/v1/messages',
  keyOf: (req) => req.headers['x-api-key'] as string | undefined,
  error(kind, options) {
    const { status, type, message } = ERRORS[kind];
    const requestId = `req_${randomUUID().replaceAll('-', '')}`;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'request-id': requestId };
    if (options.retryAfter !== undefined) headers['retry-after'] = options.retryAfter;
    if (kind === 'rate_limited') headers['anthropic-ratelimit-requests-remaining'] = '0';
    return {
      status,
      headers,
      body: JSON.stringify({ type: 'error', error: { type, message }, request_id: requestId }),
    };
  },
  streamHeaders: { 'request-id': 'req_stand_in_stream' },
  stream(body, usage) {
    const message = {
      id: `msg_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
      type: 'message',
      role: 'assistant',
      content: [],
      model: body.model,
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: usage.input - (usage.cached ?? 0),
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: usage.cached ?? 0,
        output_tokens: 1,
      },
    };
    return {
      open: [
        frame('message_start', { type: 'message_start', message }),
        frame('content_block_start', {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'text', text: '' },
        }),
        frame('ping', { type: 'ping' }),
      ],
      delta: (text) =>
        frame('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),
      close: (finish) => [
        frame('content_block_stop', { type: 'content_block_stop', index: 0 }),
        frame('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: STOP_REASONS[finish], stop_sequence: null },
          usage: { output_tokens: usage.output },
        }),
        frame('message_stop', { type: 'message_stop' }),
      ],
    };
  },
  streamError(kind) {
    const { type, message } = ERRORS[kind];
    return frame('error', { type: 'error', error: { type, message } });
  },
  /** Anthropic says new event types may appear at any time and must be ignored. */
  noise: frame('content_block_annotation', { type: 'content_block_annotation', index: 0, note: 'future event type' }),
};

export function startAnthropicStandIn(options?: StandInOptions): Promise<StandIn> {
  return startStandIn(anthropicFormat, '', options);
}
