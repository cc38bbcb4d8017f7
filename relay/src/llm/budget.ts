/**
 * Per-host limits on `/llm/chat`: requests per minute (a token bucket, the same one the MCP
 * endpoint uses per token) and USD spent per UTC day. Spending is checked when a request
 * starts and charged when it ends, so requests already running may take a host past its
 * budget by their own cost; the next request is refused.
 */
import { createRateLimits } from '../mcp/rateLimits.ts';

export interface HostLimitOptions {
  /** 0 disables. */
  requestsPerMinute: number;
  /** 0 disables. */
  dailyBudgetUsd: number;
}

export interface HostLimitRefusal {
  reason: 'rate_limited' | 'budget_exceeded';
  setting: string;
  limit: number;
  retryAfterSeconds: number;
  message: string;
}

export interface HostLimits {
  /** Takes one request from the host's allowance, or says why not and for how long. */
  admit(hostId: string): HostLimitRefusal | undefined;
  charge(hostId: string, usd: number): void;
  /** USD the host may still spend today; null when there is no budget. */
  budgetLeft(hostId: string): number | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function createHostLimits(options: HostLimitOptions, now: () => number = Date.now): HostLimits {
  const rate = createRateLimits(
    {
      tokenRate: options.requestsPerMinute / 60,
      tokenBurst: Math.max(1, options.requestsPerMinute),
      authFailuresPerMinute: 0,
    },
    now,
  );
  const spent = new Map<string, { day: number; usd: number }>();
  const today = () => Math.floor(now() / DAY_MS);
  const spentToday = (hostId: string) => {
    const entry = spent.get(hostId);
    return entry && entry.day === today() ? entry.usd : 0;
  };

  return {
    admit(hostId) {
      if (options.dailyBudgetUsd > 0) {
        const usd = spentToday(hostId);
        if (usd >= options.dailyBudgetUsd) {
          const retryAfterSeconds = Math.max(1, Math.ceil(((today() + 1) * DAY_MS - now()) / 1000));
          const hours = (retryAfterSeconds / 3600).toFixed(1);
          return {
            reason: 'budget_exceeded',
            setting: 'VIAL_LLM_HOST_DAILY_BUDGET_USD',
            limit: options.dailyBudgetUsd,
            retryAfterSeconds,
            message: `This host has spent $${usd.toFixed(4)} of its daily LLM budget of $${options.dailyBudgetUsd} (VIAL_LLM_HOST_DAILY_BUDGET_USD on the relay); it resets at 00:00 UTC, in ${hours} h`,
          };
        }
      }
      if (options.requestsPerMinute > 0) {
        const limited = rate.takeTokenRequest(hostId);
        if (limited) {
          return {
            reason: 'rate_limited',
            setting: 'VIAL_LLM_HOST_REQUESTS_PER_MIN',
            limit: options.requestsPerMinute,
            retryAfterSeconds: limited.retryAfterSeconds,
            message: `This host is limited to ${options.requestsPerMinute} LLM requests per minute (VIAL_LLM_HOST_REQUESTS_PER_MIN on the relay); retry after ${limited.retryAfterSeconds} s`,
          };
        }
      }
      return undefined;
    },
    charge(hostId, usd) {
      if (usd <= 0) return;
      spent.set(hostId, { day: today(), usd: spentToday(hostId) + usd });
    },
    budgetLeft(hostId) {
      return options.dailyBudgetUsd > 0 ? Math.max(0, options.dailyBudgetUsd - spentToday(hostId)) : null;
    },
  };
}
