/** The relay's settings for sharing state with other relays through Redis (docs/multi-relay.md). */
import { z } from 'zod';
import { positiveInt } from './parsers.ts';
import { setting } from './setting.ts';

export const CLUSTER = {
  title: 'Several relays (Redis)',
  intro:
    'Unset, the relay keeps everything in its own memory, as one process needs. With `VIAL_REDIS_URL`, the per-token and per-address request limits, the LLM request limits and the LLM budgets and spend are kept in Redis, atomically, so that every relay sharing it counts against the same limits ([multi-relay.md](multi-relay.md) says what is shared so far and what is not yet).',
  settings: {
    VIAL_REDIS_URL: setting({
      to: 'redis.url',
      schema: z.url({
        protocol: /^rediss?$/,
        error: 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379/0',
      }),
      meaning:
        'Redis that relays share limits and LLM spend through, e.g. `redis://:password@10.0.3.2:6379/0` (`rediss://` for TLS); unset, all in memory',
    }),
    VIAL_REDIS_PREFIX: setting({
      to: 'redis.prefix',
      schema: z.string().regex(/^[\w:.-]{1,64}$/, 'use 1 to 64 letters, digits, `_`, `-`, `.` or `:`, e.g. vial:'),
      default: 'vial:',
      meaning: 'Prefix of every key the relay writes in Redis, so that several deployments can share one',
    }),
    VIAL_REDIS_TIMEOUT_MS: setting({
      to: 'redis.timeoutMs',
      schema: positiveInt,
      default: 1000,
      meaning:
        'How long one Redis command may take before it counts as failed (then limits fall back to this relay alone and LLM spend is refused)',
    }),
  },
} as const;
