/**
 * A failed try at a provider, in the gateway's own words (`LlmErrorClass`), with what the
 * router needs to decide: retry this provider, fall back to the next one, or give up.
 */
import type { LlmErrorClass } from '@vial/shared';
import type { z } from 'zod';
import { parseJson } from './parseJson.ts';
import { parseRetryAfter } from './retry.ts';

export interface LlmFailure {
  class: LlmErrorClass;
  message: string;
  /** The provider's HTTP status, when it answered with one. */
  status?: number;
  /** What the provider asked us to wait (`retry-after`, `retry-after-ms`, Gemini's RetryInfo). */
  retryAfterMs?: number;
}

/**
 * Failures that say the provider is unwell, not that this request or account is wrong. They are
 * the ones that may pass if the same request is sent again (before any of its text reached the
 * tab), and the ones that trip the provider's breaker.
 */
const PROVIDER_UNWELL = new Set<LlmErrorClass>([
  'rate_limited',
  'overloaded',
  'server_error',
  'timeout',
  'network',
  'truncated',
]);

export function isRetryable(errorClass: LlmErrorClass): boolean {
  return PROVIDER_UNWELL.has(errorClass);
}

export function countsAgainstBreaker(errorClass: LlmErrorClass): boolean {
  return PROVIDER_UNWELL.has(errorClass);
}

/**
 * An HTTP error answer as a failure: from the provider's error body when it has the provider's
 * shape (`fromBody`), else from the status alone, with any wait the provider asked for.
 */
export function httpFailure<Body>(
  provider: string,
  response: { status: number; headers: Headers; body: string },
  bodySchema: z.ZodType<Body>,
  fromBody: (status: number, body: Body) => LlmFailure,
): LlmFailure {
  const { status, headers, body } = response;
  const parsed = bodySchema.safeParse(parseJson(body));
  const failure = parsed.success
    ? fromBody(status, parsed.data)
    : { class: classOfStatus(status), status, message: upstreamMessage(provider, status, body) };
  return { ...failure, retryAfterMs: parseRetryAfter(headers) };
}

/** The class an HTTP status means when the body says nothing more specific. */
export function classOfStatus(status: number): LlmErrorClass {
  if (status === 401 || status === 403) return 'auth';
  if (status === 402) return 'quota_exceeded';
  if (status === 404) return 'not_found';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status === 503 || status === 529) return 'overloaded';
  if (status >= 500) return 'server_error';
  return 'bad_request';
}

/** Longest provider message passed on; error bodies can be pages of HTML from a proxy. */
const MAX_MESSAGE_CHARS = 500;

export function upstreamMessage(provider: string, status: number | undefined, detail: string): string {
  const text = detail.replace(/\s+/g, ' ').trim().slice(0, MAX_MESSAGE_CHARS);
  return status === undefined ? `${provider}: ${text}` : `${provider} answered ${status}: ${text || '(no message)'}`;
}
