/**
 * The endpoint's two rate limits: a token bucket per bearer token (requests per second with a
 * burst), and a cap on failed authentications per client IP per minute, which is checked before
 * the token so that guessing tokens gets slow. Both answer how long to wait.
 */

export interface RateLimitOptions {
  /** Requests per second one token may make on average; 0 disables the limit. */
  tokenRate: number;
  /** Requests one token may make at once before the rate applies. */
  tokenBurst: number;
  /** Failed authentications one IP may have per minute before it is refused outright; 0 disables. */
  authFailuresPerMinute: number;
}

/** Why and for how long a request is refused. */
export interface RateLimited {
  limit: 'token-rate' | 'auth-failures';
  retryAfterSeconds: number;
  message: string;
}

/** The window failed authentications are counted in. */
export const MINUTE_MS = 60_000;
/** Past this many tracked keys, entries that have fully recovered are forgotten. */
const PRUNE_AT = 10_000;

export interface RateLimits {
  /** Takes one request from the token's bucket, or says when the next one will be allowed. */
  takeTokenRequest(key: string): RateLimited | undefined;
  /** Whether this IP has failed authentication too often to be heard now. */
  checkAuthFailures(ip: string): RateLimited | undefined;
  authFailed(ip: string): void;
}

/** A value now, or once a shared store has answered. */
export type Awaitable<T> = T | Promise<T>;

/**
 * The MCP endpoint's and OAuth's limits wherever they are kept: this relay's memory answers at
 * once (createRateLimits), the Redis that relays share once it has (cluster/rateLimits.ts).
 * Neither rejects.
 */
export interface RequestLimits {
  takeTokenRequest(key: string): Awaitable<RateLimited | undefined>;
  checkAuthFailures(ip: string): Awaitable<RateLimited | undefined>;
  authFailed(ip: string): Awaitable<void>;
}

/** The refusal of a token over its rate, to be retried after `retryAfterSeconds`. */
export function tokenRateLimited(options: RateLimitOptions, retryAfterSeconds: number): RateLimited {
  return {
    limit: 'token-rate',
    retryAfterSeconds,
    message: `Too many requests: this token is limited to ${options.tokenRate} requests per second (burst ${options.tokenBurst}); retry after ${retryAfterSeconds} s`,
  };
}

/** The refusal of an address that failed authentication too often, to be retried after `retryAfterSeconds`. */
export function authFailuresLimited(options: RateLimitOptions, retryAfterSeconds: number): RateLimited {
  return {
    limit: 'auth-failures',
    retryAfterSeconds,
    message: `Too many failed authentications from this address (limit ${options.authFailuresPerMinute} per minute); retry after ${retryAfterSeconds} s with a valid token`,
  };
}

export function createRateLimits(options: RateLimitOptions, now: () => number = Date.now): RateLimits {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const failures = new Map<string, number[]>();

  function refill(bucket: { tokens: number; at: number }, time: number): void {
    bucket.tokens = Math.min(options.tokenBurst, bucket.tokens + ((time - bucket.at) / 1000) * options.tokenRate);
    bucket.at = time;
  }

  function recentFailures(ip: string, time: number): number[] {
    const list = (failures.get(ip) ?? []).filter((at) => at > time - MINUTE_MS);
    if (list.length === 0) failures.delete(ip);
    else failures.set(ip, list);
    return list;
  }

  function prune(time: number): void {
    if (buckets.size > PRUNE_AT) {
      for (const [key, bucket] of buckets) {
        refill(bucket, time);
        if (bucket.tokens >= options.tokenBurst) buckets.delete(key);
      }
    }
    if (failures.size > PRUNE_AT) for (const ip of failures.keys()) recentFailures(ip, time);
  }

  return {
    takeTokenRequest(key) {
      if (options.tokenRate <= 0) return undefined;
      const time = now();
      prune(time);
      const bucket = buckets.get(key) ?? { tokens: options.tokenBurst, at: time };
      buckets.set(key, bucket);
      refill(bucket, time);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return undefined;
      }
      return tokenRateLimited(options, Math.max(1, Math.ceil((1 - bucket.tokens) / options.tokenRate)));
    },
    checkAuthFailures(ip) {
      if (options.authFailuresPerMinute <= 0) return undefined;
      const time = now();
      const list = recentFailures(ip, time);
      if (list.length < options.authFailuresPerMinute) return undefined;
      // Allowed again once enough of the failures in the window have aged out of it.
      const oldestCounted = list[list.length - options.authFailuresPerMinute]!;
      return authFailuresLimited(options, Math.max(1, Math.ceil((oldestCounted + MINUTE_MS - time) / 1000)));
    },
    authFailed(ip) {
      if (options.authFailuresPerMinute <= 0) return;
      const time = now();
      prune(time);
      const list = recentFailures(ip, time);
      // Only as many as the limit needs are kept, so one address cannot grow the list.
      failures.set(ip, [...list, time].slice(-options.authFailuresPerMinute));
    },
  };
}
