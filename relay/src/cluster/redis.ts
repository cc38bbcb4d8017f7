/**
 * The relay's connection to the Redis that relays share (VIAL_REDIS_URL). It never crashes the
 * relay and never queues: while Redis is unreachable every command fails at once (or after
 * VIAL_REDIS_TIMEOUT_MS when Redis stops answering), and the modules using it decide what that
 * means for them (rateLimits.ts falls back to this relay's own counts, hostLimits.ts refuses LLM
 * spend). It reconnects on its own, logs the outage once when it starts and again every
 * half minute while it lasts, and `health()` is what /readyz reports.
 *
 * Scripts run by EVALSHA and are loaded again when a restarted Redis has forgotten them, so each
 * shared counter changes in one atomic step whichever relay asks.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { RedisConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { RelayError } from '../relayError.ts';

export interface RedisHealth {
  up: boolean;
  /** When it last came up or went down (ms since the epoch). */
  since: number;
  /** Why it is down, with the URL's password left out. */
  error?: string;
}

/** A Lua script and its SHA-1, for EVALSHA. */
export interface LuaScript {
  lua: string;
  sha: string;
}

export function luaScript(lua: string): LuaScript {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

export interface SharedRedis {
  /** A key under the deployment's prefix (VIAL_REDIS_PREFIX): `key('rate', id)` is `vial:rate:<id>`. */
  key(...parts: string[]): string;
  /** Runs `script` atomically; rejects with a RedisUnavailable while Redis cannot be reached. */
  run(script: LuaScript, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown>;
  health(): RedisHealth;
  /** Resolves once Redis has answered since this connection was made (tests; the relay does not wait). */
  ready(): Promise<void>;
  /** Calls `listener` each time the connection is (re)established and Redis answers. */
  onReady(listener: () => void): void;
  close(): Promise<void>;
}

/** Redis could not be asked: unreachable, too slow, or it refused the command. */
export class RedisUnavailable extends RelayError {
  override name = 'RedisUnavailable';
}

/** How often a continuing outage is logged again. */
const OUTAGE_LOG_EVERY_MS = 30_000;
/** Reconnection backoff: 100 ms more per attempt, at most this. */
const MAX_RECONNECT_DELAY_MS = 2_000;
/** While Redis is connected but not answering, one command a second goes to it to see; the rest fail at once. */
const STALLED_PROBE_EVERY_MS = 1_000;

/** `redis://host:port/db` without user or password, for logs and errors. */
export function shownRedisUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

export function connectRedis(config: RedisConfig & { url: string }, logger: Logger): SharedRedis {
  const where = shownRedisUrl(config.url);
  const client = new Redis(config.url, {
    // A command while disconnected fails now instead of waiting in a queue: the request that
    // needed it gets its answer (a fallback or a refusal) at once.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: config.timeoutMs,
    connectTimeout: Math.max(config.timeoutMs, 1000),
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
  });
  let health: RedisHealth = { up: false, since: Date.now(), error: `not connected yet to ${where}` };
  let lastOutageLog = 0;
  let closed = false;
  const waiting: Array<() => void> = [];
  const readyListeners: Array<() => void> = [];

  /** Connected but not answering: a PING a second finds out when it answers again. */
  let stalledProbe: NodeJS.Timeout | undefined;

  const cameBack = () => {
    if (!health.up && lastOutageLog > 0) {
      logger.info({ redis: where, downMs: Date.now() - health.since }, 'Redis is reachable again');
    } else logger.info({ redis: where }, 'Redis connected');
    health = { up: true, since: Date.now() };
    lastOutageLog = 0;
    clearInterval(stalledProbe);
    stalledProbe = undefined;
    for (const resolve of waiting.splice(0)) resolve();
    for (const listener of readyListeners) listener();
  };
  client.on('ready', cameBack);
  const wentDown = (reason: string) => {
    if (closed) return;
    if (health.up) health = { up: false, since: Date.now(), error: reason };
    else health = { ...health, error: reason };
    const now = Date.now();
    if (now - lastOutageLog >= OUTAGE_LOG_EVERY_MS) {
      lastOutageLog = now;
      logger.warn(
        { redis: where, error: reason, downMs: now - health.since },
        'Redis is unreachable: request limits fall back to this relay alone, LLM spend is refused; retrying',
      );
    }
  };
  // Without a listener, ioredis prints every failed reconnection; with one, the outage is logged as above.
  client.on('error', (error: Error) => wentDown(error.message || error.name));
  client.on('close', () => wentDown(`the connection to ${where} closed`));

  async function evaluate(
    script: LuaScript,
    keys: readonly string[],
    args: ReadonlyArray<string | number>,
  ): Promise<unknown> {
    try {
      return await client.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return await client.eval(script.lua, keys.length, ...keys, ...args);
    }
  }

  /**
   * A command that times out marks Redis stalled (a hung server keeps its connection open, so
   * nothing else would tell): from then on requests do not each wait VIAL_REDIS_TIMEOUT_MS but
   * fail at once, until a PING (one a second) is answered again.
   */
  async function run(
    script: LuaScript,
    keys: readonly string[],
    args: ReadonlyArray<string | number>,
  ): Promise<unknown> {
    if (stalledProbe) {
      throw new RedisUnavailable(`Redis at ${where} is not answering`, {
        details: `no answer within ${config.timeoutMs} ms (VIAL_REDIS_TIMEOUT_MS); asking again every second`,
      });
    }
    try {
      return await evaluate(script, keys, args);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (reason === 'Command timed out' && client.status === 'ready' && !stalledProbe && !closed) stalled();
      throw new RedisUnavailable(`Redis at ${where} could not be asked`, { details: reason });
    }
  }

  function stalled(): void {
    wentDown(`Redis at ${where} did not answer within ${config.timeoutMs} ms (VIAL_REDIS_TIMEOUT_MS)`);
    let probing = false;
    stalledProbe = setInterval(() => {
      if (probing) return;
      probing = true;
      client
        .ping()
        .then(() => stalledProbe && cameBack())
        .catch(() => undefined)
        .finally(() => (probing = false));
    }, STALLED_PROBE_EVERY_MS);
    stalledProbe.unref();
  }

  return {
    key: (...parts) => config.prefix + parts.join(':'),
    run,
    health: () => health,
    ready: () => (health.up ? Promise.resolve() : new Promise((resolve) => waiting.push(resolve))),
    onReady: (listener) => void readyListeners.push(listener),
    async close() {
      closed = true;
      clearInterval(stalledProbe);
      for (const resolve of waiting.splice(0)) resolve();
      await client.quit().catch(() => client.disconnect());
    },
  };
}
