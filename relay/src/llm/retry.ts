/**
 * When to try a provider again: exponential backoff with full jitter, or what the provider
 * asked for in `retry-after-ms` / `retry-after`, but never longer than a cap (past it the
 * router moves on to the next fallback instead of waiting).
 */

export interface RetryOptions {
  /** Retries per model after the first try. */
  maxRetries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  retryAfterCapMs: number;
}

/** `retry-after-ms` (OpenAI), else `retry-after` in seconds or as an HTTP date; undefined if absent or unreadable. */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = Number(headers.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Full jitter: anywhere in [0, min(max, base * 2^(retry-1))], so clients that failed together spread out. */
export function backoffMs(retry: number, options: RetryOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.backoffMaxMs, options.backoffBaseMs * 2 ** (retry - 1));
  return Math.round(random() * ceiling);
}

/**
 * How long to wait before retry number `retry` (1-based), or undefined when no retry should
 * happen: retries are used up, or the provider asked for a longer wait than the cap.
 */
export function retryDelayMs(
  retry: number,
  retryAfterMs: number | undefined,
  options: RetryOptions,
  random?: () => number,
): number | undefined {
  if (retry > options.maxRetries) return undefined;
  if (retryAfterMs === undefined) return backoffMs(retry, options, random);
  return retryAfterMs <= options.retryAfterCapMs ? retryAfterMs : undefined;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
