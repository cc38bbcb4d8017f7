/**
 * Limits on `/llm/chat`: requests per minute per host (a token bucket, the same one the MCP
 * endpoint uses per token), and USD per UTC day, per host and for the whole relay. Spend is
 * held before each upstream attempt at the most that attempt can cost, and settled at what it
 * did cost once it ends, so requests running in parallel can never take a host or the relay
 * past its budget together: the hold that would not fit is refused.
 */
import { createRateLimits, type Awaitable } from '../mcp/rateLimits.ts';
import { relayError } from '../relayError.ts';
import type { ErrorDescription } from '@vial/shared';

export interface HostLimitOptions {
  /** 0 disables. */
  requestsPerMinute: number;
  /** Per host; 0 disables. */
  dailyBudgetUsd: number;
  /** For all hosts together; 0 disables. */
  totalDailyBudgetUsd: number;
}

/** Which limit, and why in the project's error vocabulary (`message`, `shortMessage`, `hints`). */
export interface HostLimitRefusal extends ErrorDescription {
  /** `budget_unavailable`: the budgets are kept in Redis (VIAL_REDIS_URL) and Redis cannot be asked now. */
  reason: 'rate_limited' | 'budget_exceeded' | 'budget_unavailable';
  setting: string;
  limit: number;
  retryAfterSeconds: number;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Spend set aside for one upstream attempt. */
export interface SpendHold {
  /** Releases the hold and charges what the attempt cost. Once. Never rejects. */
  settle(usd: number): Awaitable<void>;
}

/**
 * This relay's memory answers at once (createHostLimits); the Redis that relays share, once it
 * has (cluster/hostLimits.ts). None of the methods rejects: a budget that cannot be read is a
 * refusal (`budget_unavailable`).
 */
export interface HostLimits {
  /**
   * Takes one request from the host's allowance, or says why not and for how long: too many
   * requests, or less budget left than `leastUsd`, what the request costs at its cheapest.
   */
  admit(hostId: string, leastUsd: number): Awaitable<HostLimitRefusal | undefined>;
  /** Holds `usd` against the host's and the relay's budgets, or says which it would pass. */
  hold(hostId: string, usd: number): Awaitable<SpendHold | HostLimitRefusal>;
  /** USD the host may still spend today (held spend counted as spent); null when there is no budget. */
  budgetLeft(hostId: string): Awaitable<number | null>;
  /** Today's spend over all hosts: settled, and held by attempts still running (with Redis, as last seen). */
  relaySpend(): { spentUsd: number; heldUsd: number };
}

/** The two budgets every hold must fit, the host's first. `who` names the second for one relay or several. */
export function budgetsOf(options: HostLimitOptions, relayWho = 'This relay') {
  return [
    { scope: 'host', budget: options.dailyBudgetUsd, setting: 'VIAL_LLM_HOST_DAILY_BUDGET_USD', who: 'This host' },
    { scope: 'relay', budget: options.totalDailyBudgetUsd, setting: 'VIAL_LLM_DAILY_BUDGET_USD', who: relayWho },
  ] as const;
}

export type Budget = ReturnType<typeof budgetsOf>[number];

/** Whether holding `usd` more on `committed` (spent and held) goes past `budget` (0: no budget). */
export function goesPast(budget: number, committed: number, usd: number): boolean {
  return budget > 0 && !(committed + usd <= budget && (usd > 0 || committed < budget));
}

/** The refusal of a hold of `usd` that `budget`, with `committed` already spent or held, cannot take. */
export function budgetExceeded(budget: Budget, committed: number, usd: number, now: number): HostLimitRefusal {
  const retryAfterSeconds = Math.max(1, Math.ceil(((Math.floor(now / DAY_MS) + 1) * DAY_MS - now) / 1000));
  const hours = (retryAfterSeconds / 3600).toFixed(1);
  const asked = usd > 0 ? `, and this request could cost up to $${usd.toFixed(4)}` : '';
  const error = relayError(
    `${budget.who} has spent or set aside $${committed.toFixed(4)} of its daily LLM budget of $${budget.budget} (${budget.setting} on the relay)${asked}`,
    { hints: [`it resets at 00:00 UTC, in ${hours} h`], hintSeparator: '; ' },
  );
  return {
    reason: 'budget_exceeded',
    setting: budget.setting,
    limit: budget.budget,
    retryAfterSeconds,
    ...error.toJSON(),
  };
}

/** The refusal of a host over its LLM requests per minute. */
export function llmRateExceeded(requestsPerMinute: number, retryAfterSeconds: number): HostLimitRefusal {
  const error = relayError(
    `This host is limited to ${requestsPerMinute} LLM requests per minute (VIAL_LLM_HOST_REQUESTS_PER_MIN on the relay)`,
    { hints: [`retry after ${retryAfterSeconds} s`], hintSeparator: '; ' },
  );
  return {
    reason: 'rate_limited',
    setting: 'VIAL_LLM_HOST_REQUESTS_PER_MIN',
    limit: requestsPerMinute,
    retryAfterSeconds,
    ...error.toJSON(),
  };
}

const RELAY: unique symbol = Symbol('the whole relay');
/** Past this many ledgers, those of earlier days with nothing held are dropped. */
const PRUNE_AT = 10_000;

interface DaySpend {
  day: number;
  /** Charged by attempts that ended. */
  spent: number;
  /** Held by attempts still running. */
  held: number;
}

export function createHostLimits(options: HostLimitOptions, now: () => number = Date.now): HostLimits {
  const rate = createRateLimits(
    {
      tokenRate: options.requestsPerMinute / 60,
      tokenBurst: Math.max(1, options.requestsPerMinute),
      authFailuresPerMinute: 0,
    },
    now,
  );
  const ledgers = new Map<string | typeof RELAY, DaySpend>();
  const today = () => Math.floor(now() / DAY_MS);
  /** The ledger of today; yesterday's spend is gone, its holds carried over (their attempts still run). */
  const ledgerOf = (key: string | typeof RELAY): DaySpend => {
    let ledger = ledgers.get(key);
    if (!ledger) {
      if (ledgers.size > PRUNE_AT) {
        for (const [stale, old] of ledgers) if (old.day !== today() && old.held === 0) ledgers.delete(stale);
      }
      ledger = { day: today(), spent: 0, held: 0 };
      ledgers.set(key, ledger);
    } else if (ledger.day !== today()) {
      Object.assign(ledger, { day: today(), spent: 0 });
    }
    return ledger;
  };
  const committed = (ledger: DaySpend) => ledger.spent + ledger.held;

  function overBudget(hostId: string, usd: number): HostLimitRefusal | undefined {
    for (const budget of budgetsOf(options)) {
      const ledger = ledgerOf(budget.scope === 'host' ? hostId : RELAY);
      if (goesPast(budget.budget, committed(ledger), usd)) return budgetExceeded(budget, committed(ledger), usd, now());
    }
    return undefined;
  }

  return {
    admit(hostId, leastUsd) {
      const broke = overBudget(hostId, leastUsd);
      if (broke) return broke;
      if (options.requestsPerMinute > 0) {
        const limited = rate.takeTokenRequest(hostId);
        if (limited) return llmRateExceeded(options.requestsPerMinute, limited.retryAfterSeconds);
      }
      return undefined;
    },
    hold(hostId, usd) {
      const refusal = overBudget(hostId, usd);
      if (refusal) return refusal;
      const held = [ledgerOf(hostId), ledgerOf(RELAY)];
      for (const ledger of held) ledger.held += usd;
      let settled = false;
      return {
        settle(cost) {
          if (settled) return;
          settled = true;
          for (const key of [hostId, RELAY] as const) {
            const ledger = ledgerOf(key);
            ledger.held = Math.max(0, ledger.held - usd);
            ledger.spent += Math.max(0, cost);
          }
        },
      };
    },
    budgetLeft(hostId) {
      const left = [
        options.dailyBudgetUsd > 0 ? options.dailyBudgetUsd - committed(ledgerOf(hostId)) : Infinity,
        options.totalDailyBudgetUsd > 0 ? options.totalDailyBudgetUsd - committed(ledgerOf(RELAY)) : Infinity,
      ];
      const least = Math.min(...left);
      return least === Infinity ? null : Math.max(0, least);
    },
    relaySpend() {
      const ledger = ledgerOf(RELAY);
      return { spentUsd: ledger.spent, heldUsd: ledger.held };
    },
  };
}
