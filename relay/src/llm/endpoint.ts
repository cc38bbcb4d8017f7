/**
 * `/llm/*` for tabs: `GET /llm/providers` and `POST /llm/chat`. A tab authenticates with the
 * `llmKey` its live connection got in the `registered` frame; then its host's request rate and
 * daily budget are checked, the body is validated, and the router answers as Server-Sent
 * Events (`stream: true`) or one JSON body. Provider keys stay in this process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import {
  LLM_CHAT_PATH,
  LLM_PROVIDERS_PATH,
  llmChatRequestSchema,
  type LlmChatResult,
  type LlmErrorClass,
  type LlmProvidersResponse,
  type LlmRefusal,
  type LlmStreamEvent,
} from '@vial/shared';
import type { LlmConfig } from '../config.ts';
import type { Host, HostRegistry } from '../hosts/registry.ts';
import { readJsonBody } from '../http.ts';
import type { RequestLog } from '../log.ts';
import type { LlmMetrics } from '../metrics.ts';
import { relayError } from '../relayError.ts';
import type { RequestGuard } from '../requestGuard.ts';
import { createHostLimits, type HostLimitOptions, type HostLimits } from './budget.ts';
import { createPricing } from './pricing.ts';
import { createProviderTable } from './providers/index.ts';
import { createRouter, type RouteOutcome } from './router.ts';
import { createSecretScrubber } from './secrets.ts';

export interface LlmEndpointOptions {
  registry: HostRegistry;
  llm: LlmConfig;
  metrics: LlmMetrics;
  maxBodyBytes: number;
  /** The same Origin/Host check as the MCP endpoint: a page on another origin cannot spend the tab's budget. */
  guard: RequestGuard;
  /** Whether the relay is shutting down: new chats get 503 while those running may finish. */
  draining: () => boolean;
  drainRetryAfterSeconds: number;
  /** Where the budgets and spend are kept: this relay's memory unless given (cluster/index.ts: Redis). */
  createLimits?: (options: HostLimitOptions) => HostLimits;
}

export interface LlmEndpoint {
  handle(req: IncomingMessage, res: ServerResponse, path: string, log: RequestLog): Promise<void>;
  /** Chats being answered now; the relay's drain waits for them. */
  inFlight(): number;
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  // Tells nginx-style proxies not to buffer: each delta should reach the tab as it is written.
  'x-accel-buffering': 'no',
};

/** How long a streamed answer may go without its first event before the headers are sent alone. */
const HEADERS_ALONE_AFTER_MS = 100;

/** HTTP status of a `stream: false` answer that failed, by what failed. */
const FAILURE_STATUS: Partial<Record<LlmErrorClass, number>> = {
  bad_request: 400,
  not_configured: 400,
  budget_exceeded: 429,
  budget_unavailable: 503,
  timeout: 504,
  overloaded: 503,
  circuit_open: 503,
  cancelled: 499,
};

export function createLlmEndpoint(options: LlmEndpointOptions): LlmEndpoint {
  const { llm, metrics } = options;
  const providers = createProviderTable(llm.providers);
  const pricing = createPricing(llm.prices, llm.defaultPrice);
  const scrub = createSecretScrubber(llm.providers.map((provider) => provider.apiKey));
  const router = createRouter({
    providers,
    pricing,
    metrics,
    scrub,
    retry: llm,
    breaker: { failures: llm.breakerFailures, windowMs: llm.breakerWindowMs, openMs: llm.breakerOpenMs },
    connectTimeoutMs: llm.connectTimeoutMs,
    idleTimeoutMs: llm.idleTimeoutMs,
  });
  const limits = (options.createLimits ?? createHostLimits)({
    requestsPerMinute: llm.hostRequestsPerMinute,
    dailyBudgetUsd: llm.hostDailyBudgetUsd,
    totalDailyBudgetUsd: llm.dailyBudgetUsd,
  });
  metrics.watchBreakers(() => router.breakerStates());
  metrics.watchSpend(() => limits.relaySpend());
  let inFlight = 0;

  function refuse(
    res: ServerResponse,
    status: number,
    error: LlmRefusal['error'],
    headers: Record<string, string> = {},
  ): void {
    metrics.refused(error.class);
    sendJson(res, status, { error } satisfies LlmRefusal, headers);
  }

  function authenticate(req: IncomingMessage): Host | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    return match ? options.registry.hostForLlmKey(match[1]!) : undefined;
  }

  async function chat(req: IncomingMessage, res: ServerResponse, host: Host, log: RequestLog): Promise<void> {
    const body = await readJsonBody(req, options.maxBodyBytes);
    if (!body.ok) {
      return refuse(res, body.status, {
        class: body.status === 413 ? 'payload_too_large' : 'bad_request',
        ...relayError(body.message).toJSON(),
      });
    }
    const parsed = llmChatRequestSchema.safeParse(body.body);
    if (!parsed.success) {
      return refuse(res, 400, {
        class: 'bad_request',
        ...relayError('Invalid LLM request', { details: z.prettifyError(parsed.error) }).toJSON(),
      });
    }
    // Every attempt is held at its most: the output it may produce must be bounded.
    const request = { ...parsed.data, maxTokens: parsed.data.maxTokens ?? llm.defaultMaxTokens };
    const refusal = await limits.admit(host.id, router.leastHold(request));
    if (refusal) {
      const { reason, ...details } = refusal;
      const status = reason === 'budget_unavailable' ? 503 : 429;
      return refuse(res, status, { class: reason, ...details }, { 'retry-after': String(refusal.retryAfterSeconds) });
    }
    const holdSpend = (usd: number) => limits.hold(host.id, usd);
    const tab = new AbortController();
    // The tab went away mid-answer: the upstream call is aborted. (After a normal end there is
    // nothing to abort, and an abort builds a DOMException with its stack: skip it.)
    res.once('close', () => {
      if (!res.writableFinished) tab.abort();
    });
    let outcome: RouteOutcome;
    if (request.stream) {
      res.writeHead(200, SSE_HEADERS);
      // The headers go out with the first event, in one write, unless the provider keeps the
      // tab waiting: then alone, so that proxies between tab and relay see a response start.
      const flushHeaders = setTimeout(() => {
        if (!res.writableEnded) res.flushHeaders();
      }, HEADERS_ALONE_AFTER_MS);
      const send = (event: LlmStreamEvent) => {
        clearTimeout(flushHeaders);
        return res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      };
      outcome = await router.route(
        request,
        {
          start: (info) => send({ type: 'start', ...info }),
          delta: (text) => send({ type: 'delta', text }),
          usage: (usage) => send({ type: 'usage', ...usage }),
          drained: () => (res.writableNeedDrain ? drainedOrClosed(res) : undefined),
        },
        tab.signal,
        holdSpend,
      );
      const { result, attempts, latencyMs } = outcome;
      if (result.ok) {
        const { ok: _ok, text: _text, ...answer } = result;
        send({ type: 'finish', ...answer, latencyMs, attempts });
      } else {
        const { ok: _ok, ...error } = result;
        send({ type: 'error', ...error, attempts });
      }
      res.end();
    } else {
      outcome = await router.route(
        request,
        { start() {}, delta() {}, usage() {}, drained: () => undefined },
        tab.signal,
        holdSpend,
      );
      const { result, attempts, latencyMs } = outcome;
      if (result.ok) {
        const { ok: _ok, ...answer } = result;
        sendJson(res, 200, { ok: true, ...answer, latencyMs, attempts } satisfies LlmChatResult);
      } else {
        const { ok: _ok, ...error } = result;
        sendJson(res, FAILURE_STATUS[error.class] ?? 502, {
          ok: false,
          error: { ...error, attempts },
        } satisfies LlmChatResult);
      }
    }

    const { result } = outcome;
    const provider = result.provider && providers.has(result.provider) ? result.provider : 'none';
    metrics.requestFinished(provider, result.ok ? 'ok' : result.class);
    const fields = {
      hostId: host.id,
      provider,
      model: result.model,
      outcome: result.ok ? 'ok' : result.class,
      attempts: outcome.attempts.length,
      ms: Math.round(outcome.latencyMs),
      spentUsd: outcome.spentUsd,
    };
    if (result.ok) log().info(fields, 'llm chat answered');
    else log().warn({ ...fields, error: result.message, truncated: result.truncated }, 'llm chat failed');
  }

  return {
    async handle(req, res, path, log) {
      const route = path === LLM_CHAT_PATH ? 'POST' : path === LLM_PROVIDERS_PATH ? 'GET' : undefined;
      if (!route) {
        return refuse(res, 404, {
          class: 'not_found',
          ...relayError('No such LLM endpoint', {
            hints: [`use ${LLM_CHAT_PATH} or ${LLM_PROVIDERS_PATH}`],
            hintSeparator: '; ',
          }).toJSON(),
        });
      }
      if (req.method !== route) {
        const error = relayError(`Use ${route} ${path}`);
        return refuse(res, 405, { class: 'method_not_allowed', ...error.toJSON() }, { allow: route });
      }
      const forbidden = options.guard(req);
      if (forbidden) return refuse(res, 403, { class: 'forbidden', ...relayError(forbidden).toJSON() });
      const host = authenticate(req);
      if (!host) {
        return refuse(
          res,
          401,
          {
            class: 'unauthorized',
            ...relayError(
              'Send Authorization: Bearer <llmKey>, the key in the relay\'s "registered" frame to a connected tab; it stops working when that tab disconnects or is replaced',
            ).toJSON(),
          },
          { 'www-authenticate': 'Bearer realm="vial-llm", error="invalid_token"' },
        );
      }
      if (route === 'GET') {
        return sendJson(res, 200, {
          providers: [...providers.values()].map((adapter) => ({
            name: adapter.name,
            wire: adapter.wire,
            pricedModels: pricing.modelsOf(adapter.name),
            breaker: router.breakerState(adapter.name),
          })),
          budgetLeftUsd: await limits.budgetLeft(host.id),
        } satisfies LlmProvidersResponse);
      }
      if (options.draining()) {
        return refuse(
          res,
          503,
          {
            class: 'shutting_down',
            ...relayError('The Vial relay is shutting down and takes no new LLM requests', {
              hints: [`retry in ${options.drainRetryAfterSeconds} s`],
              hintSeparator: '; ',
            }).toJSON(),
            retryAfterSeconds: options.drainRetryAfterSeconds,
          },
          { 'retry-after': String(options.drainRetryAfterSeconds) },
        );
      }
      inFlight++;
      try {
        await chat(req, res, host, log);
      } catch (error) {
        log().error({ err: error, hostId: host.id }, 'llm chat handler failed');
        if (!res.headersSent)
          refuse(res, 500, {
            class: 'internal',
            ...relayError('Internal relay error', { hints: ['see the relay log'], hintSeparator: '; ' }).toJSON(),
          });
        else res.end();
      } finally {
        inFlight--;
      }
    },
    inFlight: () => inFlight,
  };
}

/** Settles when `res` can take more, or when it closed (the tab left, and the attempt is being aborted). */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const settle = () => {
      res.off('drain', settle);
      res.off('close', settle);
      resolve();
    };
    res.once('drain', settle);
    res.once('close', settle);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
