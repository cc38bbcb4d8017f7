/**
 * Routes one chat request over its models in order. Per model: retries with backoff (or the
 * provider's `retry-after`) for failures that may pass, but only while none of the answer has
 * reached the tab — once a token is out, a retry would duplicate text, so the failure is
 * reported as it is (truncated). A model that fails for good, or whose breaker is open, hands
 * over to the next fallback. Nothing here knows about HTTP or SSE: the caller gets callbacks
 * for what to stream and a result for how it ended.
 */
import type { LlmAttempt, LlmErrorClass, LlmFinishReason, LlmUsage, ParsedLlmChatRequest } from '@vial/shared';
import type { LlmMetrics } from '../metrics.ts';
import { CircuitBreaker, type BreakerOptions, type BreakerState } from './breaker.ts';
import { countsAgainstBreaker, isRetryable, type LlmFailure } from './failure.ts';
import type { Awaitable } from '../mcp/rateLimits.ts';
import type { HostLimitRefusal, SpendHold } from './budget.ts';
import { costAt, type Pricing } from './pricing.ts';
import type { ProviderAdapter } from './providers/types.ts';
import { retryDelayMs, sleep, type RetryOptions } from './retry.ts';
import { inputBytesOf, usageCeiling, usageToCharge } from './spendEstimate.ts';
import { streamAttempt } from './upstream.ts';

export interface RouterOptions {
  providers: Map<string, ProviderAdapter>;
  pricing: Pricing;
  metrics: LlmMetrics;
  retry: RetryOptions;
  breaker: BreakerOptions;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  /** Removes provider keys from provider-supplied messages. */
  scrub(text: string): string;
  random?: () => number;
  now?: () => number;
}

/** What is streamed to the tab; `start` comes right before the first delta of the attempt that answers. */
export interface ChatSink {
  start(info: { provider: string; model: string; attempt: number }): void;
  delta(text: string): void;
  usage(usage: LlmUsage): void;
  /** Undefined when the tab can take more now; otherwise settles once it has (or has gone): the provider waits till then. */
  drained(): Promise<void> | undefined;
}

/** Holds spend for one attempt at most what it can cost (budget.ts), or says which budget it would pass. */
export type HoldSpend = (usd: number) => Awaitable<SpendHold | HostLimitRefusal>;

interface Answered {
  provider: string;
  model: string;
  reason: LlmFinishReason;
  usage: LlmUsage;
  costUsd: number | null;
  /** Set when the provider reported no final usage, and cost and usage are the relay's estimate. */
  costEstimated?: boolean;
  /** The whole text; only collected when not streaming. */
  text: string;
  ttftMs: number | null;
}

interface Failed {
  class: LlmErrorClass;
  message: string;
  retryable: boolean;
  provider?: string;
  model?: string;
  truncated?: boolean;
  usage?: LlmUsage;
  costUsd?: number | null;
  costEstimated?: boolean;
}

export type RouteResult = ({ ok: true } & Answered) | ({ ok: false } & Failed);

export interface RouteOutcome {
  result: RouteResult;
  attempts: LlmAttempt[];
  latencyMs: number;
  /** What every attempt cost together (failed attempts that reported usage too), for the host's budget. */
  spentUsd: number;
}

export interface LlmRouter {
  /** `chat.maxTokens` must be set: it bounds what each attempt is held for. */
  route(chat: ParsedLlmChatRequest, sink: ChatSink, signal: AbortSignal, holdSpend: HoldSpend): Promise<RouteOutcome>;
  /** What one attempt at `chat` is held for on its cheapest priced model (0 when none is priced). */
  leastHold(chat: ParsedLlmChatRequest): number;
  breakerState(provider: string): BreakerState;
  breakerStates(): Array<[string, BreakerState]>;
}

export function createRouter(options: RouterOptions): LlmRouter {
  const { providers, pricing, metrics } = options;
  const breakers = new Map(
    [...providers.keys()].map((name) => [name, new CircuitBreaker(options.breaker, options.now)]),
  );

  async function route(
    chat: ParsedLlmChatRequest,
    sink: ChatSink,
    signal: AbortSignal,
    holdSpend: HoldSpend,
  ): Promise<RouteOutcome> {
    const started = performance.now();
    const inputBytes = inputBytesOf(chat);
    const ceiling = usageCeiling(chat, inputBytes);
    const attempts: LlmAttempt[] = [];
    let spentUsd = 0;
    let last: Failed = { class: 'not_configured', message: 'no model was tried', retryable: false };
    const finish = (result: RouteResult): RouteOutcome => ({
      result,
      attempts,
      latencyMs: performance.now() - started,
      spentUsd,
    });

    for (const { provider, model } of modelRefs(chat)) {
      const adapter = providers.get(provider);
      const breaker = breakers.get(provider);
      if (!adapter || !breaker) {
        const configured = [...providers.keys()].join(', ') || 'none';
        last = {
          class: 'not_configured',
          message: `No LLM provider '${provider}' is configured on this relay (configured: ${configured})`,
          retryable: false,
          provider,
          model,
        };
        attempts.push({ provider, model, attempt: 1, errorClass: last.class, message: last.message });
        continue;
      }

      const price = pricing.priceOf(provider, model);
      if (!price) {
        last = {
          class: 'not_configured',
          message: `${provider}:${model} has no price on this relay, so what it costs could not be bounded; the operator can price it in VIAL_LLM_PRICES or set VIAL_LLM_DEFAULT_PRICE (priced ${provider} models: GET /llm/providers)`,
          retryable: false,
          provider,
          model,
        };
        attempts.push({ provider, model, attempt: 1, errorClass: last.class, message: last.message });
        continue;
      }

      for (let attempt = 1; ; attempt++) {
        const hold = await holdSpend(costAt(price, ceiling));
        if (!('settle' in hold)) {
          const refused = hold.reason === 'budget_unavailable' ? 'budget_unavailable' : 'budget_exceeded';
          last = { class: refused, message: hold.message, retryable: true, provider, model };
          attempts.push({ provider, model, attempt, errorClass: last.class, message: last.message });
          break;
        }
        if (!breaker.tryAcquire()) {
          await hold.settle(0);
          // Only worth reporting if this model was never tried; otherwise its own last failure says more.
          if (attempt === 1) {
            const seconds = Math.ceil(breaker.retryInMs / 1000);
            last = {
              class: 'circuit_open',
              message: `${provider} failed repeatedly and is skipped for now (circuit breaker open, next probe in ${seconds} s; VIAL_LLM_BREAKER_OPEN_MS)`,
              retryable: true,
              provider,
              model,
            };
            attempts.push({ provider, model, attempt, errorClass: last.class, message: last.message });
          }
          break;
        }
        let committed = false;
        let lastSentUsage: LlmUsage | undefined;
        let ttftMs: number | null = null;
        let outputBytes = 0;
        const text: string[] = [];
        const outcome = await streamAttempt(
          adapter,
          model,
          chat,
          { signal, connectTimeoutMs: options.connectTimeoutMs, idleTimeoutMs: options.idleTimeoutMs },
          {
            delta(piece) {
              ttftMs ??= performance.now() - started;
              outputBytes += Buffer.byteLength(piece);
              if (!chat.stream) {
                text.push(piece);
                return;
              }
              if (!committed) {
                committed = true;
                sink.start({ provider, model, attempt });
              }
              sink.delta(piece);
            },
            usage(usage) {
              // Gemini repeats the same counts on every chunk; the tab hears only changes.
              if (committed && !sameUsage(usage, lastSentUsage)) sink.usage(usage);
              lastSentUsage = usage;
            },
            drained: () => sink.drained(),
          },
        );
        const charged = usageToCharge({
          reported: outcome.usage,
          final: outcome.ok,
          streamed: outcome.ok || outcome.streamed,
          reportsUsage: adapter.reportsUsage,
          ceiling,
          inputBytes,
          outputBytes,
        });
        const costUsd = costAt(price, charged.usage);
        await hold.settle(costUsd);
        spentUsd += costUsd;
        const costEstimated = charged.estimated ? { costEstimated: true } : {};

        if (outcome.ok) {
          breaker.success();
          if (chat.stream && !committed) sink.start({ provider, model, attempt });
          attempts.push({ provider, model, attempt });
          metrics.answered(provider, charged.usage, costUsd, (performance.now() - started) / 1000, ttftMs);
          return finish({
            ok: true,
            provider,
            model,
            reason: outcome.reason,
            usage: charged.usage,
            costUsd,
            ...costEstimated,
            text: text.join(''),
            ttftMs,
          });
        }

        const failure: LlmFailure = { ...outcome.failure, message: options.scrub(outcome.failure.message) };
        metrics.attemptFailed(provider, failure.class);
        attempts.push({
          provider,
          model,
          attempt,
          errorClass: failure.class,
          ...(failure.status !== undefined ? { status: failure.status } : {}),
          message: failure.message,
        });
        if (countsAgainstBreaker(failure.class)) breaker.failure();
        else breaker.release();
        last = {
          class: failure.class,
          message: failure.message,
          retryable: isRetryable(failure.class),
          provider,
          model,
          ...(costUsd > 0 ? { usage: charged.usage, costUsd, ...costEstimated } : {}),
        };
        if (failure.class === 'cancelled') return finish({ ok: false, ...last, retryable: false });
        // Text reached the tab: retrying or falling back would send it a second answer on top of the first.
        if (committed) return finish({ ok: false, ...last, truncated: true });

        const delay = isRetryable(failure.class)
          ? retryDelayMs(attempt, failure.retryAfterMs, options.retry, options.random)
          : undefined;
        if (delay === undefined) break;
        metrics.retried(provider, failure.class);
        await sleep(delay, signal);
        if (signal.aborted) {
          return finish({ ok: false, class: 'cancelled', message: 'the tab cancelled the request', retryable: false });
        }
      }
    }
    return finish({ ok: false, ...last });
  }

  function leastHold(chat: ParsedLlmChatRequest): number {
    const ceiling = usageCeiling(chat, inputBytesOf(chat));
    const holds = modelRefs(chat).flatMap(({ provider, model }) => {
      const price = pricing.priceOf(provider, model);
      return price ? [costAt(price, ceiling)] : [];
    });
    return holds.length > 0 ? Math.min(...holds) : 0;
  }

  return {
    route,
    leastHold,
    breakerState: (provider) => breakers.get(provider)?.state ?? 'closed',
    breakerStates: () => [...breakers].map(([name, breaker]) => [name, breaker.state]),
  };
}

/** The models a request names, in the order they are tried. */
function modelRefs(chat: ParsedLlmChatRequest): Array<{ provider: string; model: string }> {
  return (typeof chat.model === 'string' ? [chat.model] : chat.model.fallbacks).map((ref) => {
    const colon = ref.indexOf(':');
    return { provider: ref.slice(0, colon), model: ref.slice(colon + 1) };
  });
}

function sameUsage(a: LlmUsage, b: LlmUsage | undefined): boolean {
  return (
    b !== undefined &&
    a.inputTokens === b.inputTokens &&
    a.outputTokens === b.outputTokens &&
    a.reasoningTokens === b.reasoningTokens &&
    a.cacheReadTokens === b.cacheReadTokens &&
    a.cacheWriteTokens === b.cacheWriteTokens
  );
}
