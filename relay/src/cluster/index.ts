/**
 * The state a relay shares with other relays: in its own memory when VIAL_REDIS_URL is unset
 * (one relay, as the quick start runs it), in Redis when it is set. So far that is the request
 * limits (per token, failed authentications per address) and the LLM limits (budgets, spend,
 * requests per host); docs/multi-relay.md lists what is shared and what is still to come (tab
 * ownership, forwarding between relays, sessions), which will take their stores from here too.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { RedisConfig } from '../config.ts';
import { createHostLimits, type HostLimitOptions, type HostLimits } from '../llm/budget.ts';
import type { Logger } from '../log.ts';
import { createRateLimits, type RateLimitOptions, type RequestLimits } from '../mcp/rateLimits.ts';
import { createSharedHostLimits } from './hostLimits.ts';
import { createSharedRateLimits, type FallBack } from './rateLimits.ts';
import { connectRedis, type RedisHealth } from './redis.ts';

export interface SharedState {
  requestLimits: RequestLimits;
  /** The LLM limits; made once, by the LLM endpoint, which knows their options. */
  hostLimits(options: HostLimitOptions): HostLimits;
  /** Redis's state for /readyz; undefined when the relay keeps everything in memory. */
  redisHealth(): RedisHealth | undefined;
  close(): Promise<void>;
}

/**
 * With Redis, also `vial_redis_up` (1 connected, 0 not) and `vial_redis_fallbacks_total{limit}`
 * (limits answered by this relay alone because Redis could not be asked) on `registry`.
 */
export function createSharedState(
  config: { redis: RedisConfig; limits: RateLimitOptions },
  logger: Logger,
  registry: Registry,
): SharedState {
  const { url } = config.redis;
  if (url === undefined) {
    return {
      requestLimits: createRateLimits(config.limits),
      hostLimits: (options) => createHostLimits(options),
      redisHealth: () => undefined,
      close: async () => {},
    };
  }
  const redis = connectRedis({ ...config.redis, url }, logger);
  new Gauge({
    name: 'vial_redis_up',
    help: 'Whether this relay can reach the Redis it shares limits and LLM spend through (VIAL_REDIS_URL): 1 or 0',
    registers: [registry],
    collect() {
      this.set(redis.health().up ? 1 : 0);
    },
  });
  const fallbacks = new Counter({
    name: 'vial_redis_fallbacks_total',
    help: 'Limits this relay answered from its own counts because Redis could not be asked, by limit (token_rate, auth_failures, llm_rate)',
    labelNames: ['limit'] as const,
    registers: [registry],
  });
  const fellBack: FallBack = (limit) => fallbacks.inc({ limit });
  const closers: Array<() => Promise<void>> = [];
  return {
    requestLimits: createSharedRateLimits(redis, config.limits, fellBack),
    hostLimits(options) {
      const limits = createSharedHostLimits(redis, options, fellBack);
      closers.push(() => limits.close());
      return limits;
    },
    redisHealth: () => redis.health(),
    async close() {
      await Promise.all(closers.map((close) => close()));
      await redis.close();
    },
  };
}
