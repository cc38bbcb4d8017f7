/**
 * The LLM limits of llm/budget.ts kept in the Redis that relays share: the daily budgets (per
 * host, VIAL_LLM_HOST_DAILY_BUDGET_USD, and for all relays together, VIAL_LLM_DAILY_BUDGET_USD),
 * the spend held by attempts still running, and each host's requests per minute. A hold is one
 * Lua script that reads what both budgets have spent and held and adds the hold only if it fits
 * both, so holds racing on several relays can never take a budget past its limit together.
 * Amounts are whole nano-dollars, so sums are exact.
 *
 * What Redis holds (keys under VIAL_REDIS_PREFIX; `<scope>` is `host:<hostId>` or `all`):
 * - `llm:spent:<scope>:<utc day>`: nano-dollars charged that day; kept two days;
 * - `llm:held:<scope>`: the running attempts' holds, members `<holdId>:<nano-dollars>` scored
 *   by when they lapse. The relay that made a hold renews it every 30 s while its attempt runs,
 *   so a relay that dies frees its holds within HOLD_LEASE_MS instead of keeping them all day;
 * - `llm:settled:<holdId>`: that the hold was settled, so that a settle sent twice (its answer
 *   lost) charges once; kept two days;
 * - `llmrate:<hostId>`: the host's request bucket (cluster/rateLimits.ts).
 * Only a host's own tab (its llmKey) reaches any of this, so the keys grow with hosts, not visitors.
 *
 * While Redis cannot be asked and a budget is set, every admission and hold is refused
 * (`budget_unavailable`, HTTP 503): spending without knowing what the other relays spent could
 * pass the budget. A settle that fails is kept and sent again until Redis answers; meanwhile
 * its hold, renewed, still counts at the most the attempt could have cost.
 */
import { randomUUID } from 'node:crypto';
import { createRateLimits } from '../mcp/rateLimits.ts';
import { relayError } from '../relayError.ts';
import {
  DAY_MS,
  budgetExceeded,
  budgetsOf,
  llmRateExceeded,
  type HostLimitOptions,
  type HostLimitRefusal,
  type HostLimits,
  type SpendHold,
} from '../llm/budget.ts';
import { luaScript, type SharedRedis } from './redis.ts';
import { takeFromBucket, type FallBack } from './rateLimits.ts';

/** How long a hold counts after its relay last renewed it. */
export const HOLD_LEASE_MS = 120_000;
/** How often a relay renews its holds, sends failed settles again and reads the spend gauges. */
const KEEP_EVERY_MS = 30_000;
const SPENT_KEPT_MS = 2 * DAY_MS;
const NANO_PER_USD = 1e9;
/** Retry-After for a refusal while Redis cannot be asked. */
const UNAVAILABLE_RETRY_S = 5;

const toNano = (usd: number) => Math.max(0, Math.round(usd * NANO_PER_USD));
const toUsd = (nano: number) => nano / NANO_PER_USD;

/** Sums a scope's live holds (dropping those that lapsed); `now` on Redis's clock. */
const HELD = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local function held(key)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  local sum = 0
  for _, member in ipairs(redis.call('ZRANGE', key, 0, -1)) do
    sum = sum + tonumber(string.match(member, ':(%d+)$'))
  end
  return sum
end
`;

/**
 * Checks a hold against both budgets and, with a member, takes it.
 * KEYS host spent, host held, all spent, all held. ARGV nano-dollars, host budget, total budget
 * (nano-dollars, 0: none), member ('' only checks), lease ms.
 * Returns {0 or the 1-based budget it would pass, host committed, all committed, all spent, all held}.
 */
const HOLD = luaScript(`${HELD}
local usd = tonumber(ARGV[1])
local spent = {tonumber(redis.call('GET', KEYS[1]) or '0'), tonumber(redis.call('GET', KEYS[3]) or '0')}
local holding = {held(KEYS[2]), held(KEYS[4])}
local committed = {spent[1] + holding[1], spent[2] + holding[2]}
local budgets = {tonumber(ARGV[2]), tonumber(ARGV[3])}
for i = 1, 2 do
  local budget = budgets[i]
  if budget > 0 and not (committed[i] + usd <= budget and (usd > 0 or committed[i] < budget)) then
    return {i, committed[1], committed[2], spent[2], holding[2]}
  end
end
if ARGV[4] ~= '' then
  local lease = tonumber(ARGV[5])
  for _, key in ipairs({KEYS[2], KEYS[4]}) do
    redis.call('ZADD', key, now + lease, ARGV[4])
    redis.call('PEXPIRE', key, lease)
  end
  holding[2] = holding[2] + usd
end
return {0, committed[1], committed[2], spent[2], holding[2]}
`);

/**
 * Ends a hold and charges what its attempt cost, once.
 * KEYS host spent, host held, all spent, all held, settled marker. ARGV member, nano-dollars, kept ms.
 * Returns {all spent, all held}.
 */
const SETTLE = luaScript(`${HELD}
if redis.call('SET', KEYS[5], '1', 'NX', 'PX', ARGV[3]) then
  for _, key in ipairs({KEYS[2], KEYS[4]}) do redis.call('ZREM', key, ARGV[1]) end
  for _, key in ipairs({KEYS[1], KEYS[3]}) do
    redis.call('INCRBY', key, ARGV[2])
    redis.call('PEXPIRE', key, ARGV[3])
  end
end
return {tonumber(redis.call('GET', KEYS[3]) or '0'), held(KEYS[4])}
`);

/** Renews a hold that has not lapsed. KEYS host held, all held. ARGV member, lease ms. */
const RENEW = luaScript(`${HELD}
for _, key in ipairs(KEYS) do
  if redis.call('ZADD', key, 'XX', 'CH', now + tonumber(ARGV[2]), ARGV[1]) > 0 then
    redis.call('PEXPIRE', key, ARGV[2])
  end
end
return 1
`);

export interface SharedHostLimits extends HostLimits {
  /** Stops renewing holds; sends the settles that failed once more. */
  close(): Promise<void>;
}

interface LiveHold {
  hostId: string;
  member: string;
  /** Set once the attempt ended; the settle is sent again until Redis takes it. */
  costNano?: number;
}

export function createSharedHostLimits(
  redis: SharedRedis,
  options: HostLimitOptions,
  fellBack: FallBack = () => {},
  now: () => number = Date.now,
): SharedHostLimits {
  const budgets = budgetsOf(options, 'The cluster (every relay sharing this Redis)');
  const anyBudget = budgets.some((budget) => budget.budget > 0);
  /** The host's request rate while Redis cannot be asked (the budget refuses then anyway). */
  const localRate = createRateLimits({
    tokenRate: options.requestsPerMinute / 60,
    tokenBurst: Math.max(1, options.requestsPerMinute),
    authFailuresPerMinute: 0,
  });
  const live = new Set<LiveHold>();
  let lastSeen = { spentUsd: 0, heldUsd: 0 };

  const keysOf = (hostId: string) => {
    const day = String(Math.floor(now() / DAY_MS));
    return [
      redis.key('llm', 'spent', `host:${hostId}`, day),
      redis.key('llm', 'held', `host:${hostId}`),
      redis.key('llm', 'spent', 'all', day),
      redis.key('llm', 'held', 'all'),
    ];
  };

  function unavailable(error: unknown): HostLimitRefusal {
    const details = error instanceof Error ? error.message : String(error);
    const refusal = relayError(
      'The LLM budget is kept in Redis, which this relay cannot reach now, so no spend is allowed',
      { details, hints: [`retry in ${UNAVAILABLE_RETRY_S} s`], hintSeparator: '; ' },
    );
    return {
      reason: 'budget_unavailable',
      setting: 'VIAL_REDIS_URL',
      limit: 0,
      retryAfterSeconds: UNAVAILABLE_RETRY_S,
      ...refusal.toJSON(),
    };
  }

  type Checked = { passed: number; committed: [number, number] };
  async function check(hostId: string, usd: number, member = ''): Promise<Checked> {
    const [passed, hostCommitted, allCommitted, allSpent, allHeld] = (await redis.run(HOLD, keysOf(hostId), [
      toNano(usd),
      toNano(options.dailyBudgetUsd),
      toNano(options.totalDailyBudgetUsd),
      member,
      HOLD_LEASE_MS,
    ])) as number[];
    lastSeen = { spentUsd: toUsd(allSpent!), heldUsd: toUsd(allHeld!) };
    return { passed: passed!, committed: [toUsd(hostCommitted!), toUsd(allCommitted!)] };
  }

  const refusalOf = ({ passed, committed }: Checked, usd: number): HostLimitRefusal | undefined =>
    passed > 0 ? budgetExceeded(budgets[passed - 1]!, committed[passed - 1]!, usd, now()) : undefined;

  async function settleOnce(hold: LiveHold): Promise<boolean> {
    try {
      const keys = [...keysOf(hold.hostId), redis.key('llm', 'settled', hold.member.split(':')[0]!)];
      const [allSpent, allHeld] = (await redis.run(SETTLE, keys, [hold.member, hold.costNano!, SPENT_KEPT_MS])) as [
        number,
        number,
      ];
      lastSeen = { spentUsd: toUsd(allSpent), heldUsd: toUsd(allHeld) };
      live.delete(hold);
      return true;
    } catch {
      return false;
    }
  }

  async function keep(): Promise<void> {
    for (const hold of [...live]) {
      if (hold.costNano !== undefined) await settleOnce(hold);
      else {
        const [, held, , allHeld] = keysOf(hold.hostId);
        await redis.run(RENEW, [held!, allHeld!], [hold.member, HOLD_LEASE_MS]).catch(() => undefined);
      }
    }
    // Reads the totals for the spend gauges (through a host id no tab can have).
    if (live.size === 0) await check('-', 0).catch(() => undefined);
  }
  const keeper = setInterval(() => void keep(), KEEP_EVERY_MS);
  keeper.unref();
  // Back from an outage: the settles it held up go now, not at the next round.
  redis.onReady(() => void keep());

  return {
    async admit(hostId, leastUsd) {
      if (anyBudget) {
        try {
          const refusal = refusalOf(await check(hostId, leastUsd), leastUsd);
          if (refusal) return refusal;
        } catch (error) {
          return unavailable(error);
        }
      }
      if (options.requestsPerMinute <= 0) return undefined;
      let wait: number | undefined;
      try {
        wait = await takeFromBucket(
          redis,
          redis.key('llmrate', hostId),
          options.requestsPerMinute / 60,
          Math.max(1, options.requestsPerMinute),
        );
      } catch {
        fellBack('llm_rate');
        wait = localRate.takeTokenRequest(hostId)?.retryAfterSeconds;
      }
      return wait === undefined ? undefined : llmRateExceeded(options.requestsPerMinute, wait);
    },
    async hold(hostId, usd): Promise<SpendHold | HostLimitRefusal> {
      const hold: LiveHold = { hostId, member: `${randomUUID()}:${toNano(usd)}` };
      try {
        const refusal = refusalOf(await check(hostId, usd, hold.member), usd);
        if (refusal) return refusal;
      } catch (error) {
        // Had Redis taken the hold and lost only its answer, the hold lapses after HOLD_LEASE_MS.
        if (anyBudget) return unavailable(error);
        // No budget to keep: the spend goes uncounted rather than piling up here while Redis is away.
        return { settle() {} };
      }
      live.add(hold);
      return {
        async settle(cost) {
          if (hold.costNano !== undefined) return;
          hold.costNano = toNano(cost);
          await settleOnce(hold);
        },
      };
    },
    async budgetLeft(hostId) {
      if (!anyBudget) return null;
      try {
        const { committed } = await check(hostId, 0);
        return Math.max(
          0,
          Math.min(
            ...budgets.map((budget, index) => (budget.budget > 0 ? budget.budget - committed[index]! : Infinity)),
          ),
        );
      } catch {
        return 0;
      }
    },
    relaySpend: () => lastSeen,
    async close() {
      clearInterval(keeper);
      await Promise.all([...live].filter((hold) => hold.costNano !== undefined).map(settleOnce));
    },
  };
}
