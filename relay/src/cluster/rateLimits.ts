/**
 * The MCP endpoint's limits (mcp/rateLimits.ts) kept in the Redis that relays share, so that a
 * token's requests and an address's failed authentications count the same whichever relay
 * the load balancer picks. Each check is one Lua script, on Redis's clock (TIME), so two relays
 * taking from one bucket at once cannot both take its last request.
 *
 * What Redis holds, and for how long (nothing an anonymous visitor can grow without bound):
 * - `<prefix>rate:<hostId>/<tokenId>`: a bucket (tokens, time), written only for a token that
 *   authenticated, and gone once the bucket would be full again (burst / rate seconds);
 * - `<prefix>authfail:<address>`: the times of that address's last failures, at most the limit
 *   of them, gone a minute after the last one. An IPv6 client counts per /64 (addressBlock).
 *
 * While Redis cannot be asked, the limits fall back to this relay's own memory: each relay still
 * holds a token to its rate, but a client spreading its requests over N relays gets up to N
 * times the rate until Redis is back. Refusing every request instead would turn a Redis outage
 * into an outage of every tab; these limits guard against floods, not money (LLM spend, which
 * is money, is refused instead: hostLimits.ts).
 */
import {
  MINUTE_MS,
  authFailuresLimited,
  createRateLimits,
  tokenRateLimited,
  type RateLimitOptions,
  type RequestLimits,
} from '../mcp/rateLimits.ts';
import { luaScript, type SharedRedis } from './redis.ts';

/**
 * Takes one from a token bucket. KEYS[1] the bucket; ARGV rate per second, burst. Returns
 * `{1, 0}` when taken, else `{0, seconds until one is back}`.
 */
const TAKE_FROM_BUCKET = luaScript(`
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
if now > at then
  tokens = math.min(burst, tokens + (now - at) / 1000 * rate)
  at = now
end
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
if taken == 1 then return {1, 0} end
return {0, math.max(1, math.ceil((1 - tokens) / rate))}
`);

/**
 * Whether an address is over its failures. KEYS[1] its list (newest first); ARGV the limit.
 * Returns 0, or the seconds until the oldest failure that counts leaves the minute.
 */
const CHECK_FAILURES = luaScript(`
local limit = tonumber(ARGV[1])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local counted = 0
local oldest = now
for _, at in ipairs(redis.call('LRANGE', KEYS[1], 0, limit - 1)) do
  if tonumber(at) > now - ${MINUTE_MS} then
    counted = counted + 1
    oldest = tonumber(at)
  end
end
if counted < limit then return 0 end
return math.max(1, math.ceil((oldest + ${MINUTE_MS} - now) / 1000))
`);

/** Notes one failure. KEYS[1] the address's list; ARGV the limit: only that many are kept. */
const NOTE_FAILURE = luaScript(`
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
redis.call('LPUSH', KEYS[1], now)
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[1]) - 1)
redis.call('PEXPIRE', KEYS[1], ${MINUTE_MS})
return 1
`);

/** Takes one request from the bucket at `key`: undefined when taken, else the seconds to wait. */
export async function takeFromBucket(
  redis: SharedRedis,
  key: string,
  perSecond: number,
  burst: number,
): Promise<number | undefined> {
  const [taken, wait] = (await redis.run(TAKE_FROM_BUCKET, [key], [perSecond, burst])) as [number, number];
  return taken === 1 ? undefined : wait;
}

/** Told each time a limit is answered from this relay's own counts because Redis could not be asked. */
export type FallBack = (limit: 'token_rate' | 'auth_failures' | 'llm_rate') => void;

export function createSharedRateLimits(
  redis: SharedRedis,
  options: RateLimitOptions,
  fellBack: FallBack = () => {},
): RequestLimits {
  /** Answers while Redis cannot: this relay's own counts. */
  const local = createRateLimits(options);
  const failuresKey = (ip: string) => redis.key('authfail', ip);

  return {
    async takeTokenRequest(key) {
      if (options.tokenRate <= 0) return undefined;
      try {
        const wait = await takeFromBucket(redis, redis.key('rate', key), options.tokenRate, options.tokenBurst);
        return wait === undefined ? undefined : tokenRateLimited(options, wait);
      } catch {
        fellBack('token_rate');
        return local.takeTokenRequest(key);
      }
    },
    async checkAuthFailures(ip) {
      if (options.authFailuresPerMinute <= 0) return undefined;
      try {
        const wait = (await redis.run(CHECK_FAILURES, [failuresKey(ip)], [options.authFailuresPerMinute])) as number;
        return wait > 0 ? authFailuresLimited(options, wait) : undefined;
      } catch {
        fellBack('auth_failures');
        return local.checkAuthFailures(ip);
      }
    },
    async authFailed(ip) {
      if (options.authFailuresPerMinute <= 0) return;
      try {
        await redis.run(NOTE_FAILURE, [failuresKey(ip)], [options.authFailuresPerMinute]);
      } catch {
        fellBack('auth_failures');
        local.authFailed(ip);
      }
    },
  };
}
