/**
 * The relay's Prometheus metrics, on a registry of its own (several relays may share a process,
 * as the tests do). Created in server.ts and handed to the pieces that record.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { MCP_REQUEST_METHODS, type LlmRefusal, type LlmUsage } from '@vial/shared';
import type { BreakerState } from './llm/breaker.ts';

/** Why the relay refused or failed a request, as counted in `vial_relay_errors_total`. */
export type RelayErrorClass =
  | 'auth_failed'
  | 'forbidden'
  | 'not_found'
  | 'session_not_found'
  | 'bad_request'
  | 'payload_too_large'
  | 'rate_limited'
  | 'tab_offline'
  | 'tab_disconnected'
  | 'too_many_pending'
  | 'shutting_down'
  | 'internal';

/** Which MCP era a request came in: a 2025 session (`initialize`) or a stateless 2026-07-28 request. */
export type McpEra = 'legacy' | 'modern';

/** How a forwarded MCP request ended; `client_buffer_full`: cancelled because its client stopped reading. */
export type RequestOutcome = 'ok' | 'error' | RelayErrorClass | 'cancelled' | 'client_buffer_full';

/** Where the relay holds bytes a peer has not read yet, as labelled in `vial_buffered_bytes`. */
export type BufferQueue = 'client_streams' | 'tab_sockets';

/** Why the relay dropped a tab, as counted in `vial_tabs_dropped_total`. */
export type TabDropReason = 'send_buffer_full' | 'heartbeat_timeout' | 'rate_exceeded';

/** What the gauges read when scraped. */
export interface MetricSources {
  connectedHosts(): number;
  clientSessions(): number;
  pendingRequests(): number;
  /** Bytes of events kept for resumption, over all hosts. */
  keptEventBytes(): number;
}

/** MCP methods counted by name; anything else is `other`, so clients cannot grow the label set. */
const KNOWN_METHODS = new Set<string>(MCP_REQUEST_METHODS);

/** Why `/llm` turned a tab away before calling a provider, as counted in `vial_llm_refusals_total`. */
export type LlmRefusalReason = LlmRefusal['error']['class'];

/**
 * The LLM gateway's metrics. `provider` labels only ever carry configured provider names
 * (or `none`), so tabs cannot grow the label set.
 */
export interface LlmMetrics {
  /** Tells the breaker gauge where to read from. */
  watchBreakers(read: () => Array<[string, BreakerState]>): void;
  /** Tells the spend gauges where to read today's relay-wide spend (settled) and holds (attempts running). */
  watchSpend(read: () => { spentUsd: number; heldUsd: number }): void;
  /** A chat request ended: `ok`, or the class of the error the tab got. */
  requestFinished(provider: string, outcome: string): void;
  /** One try at a provider failed (it may have been retried or fallen back from). */
  attemptFailed(provider: string, errorClass: string): void;
  retried(provider: string, errorClass: string): void;
  answered(provider: string, usage: LlmUsage, costUsd: number | null, seconds: number, ttftMs: number | null): void;
  refused(reason: LlmRefusalReason): void;
}

const BREAKER_GAUGE_VALUES: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

export interface RelayMetrics {
  readonly registry: Registry;
  readonly llm: LlmMetrics;
  /** Tells the gauges where to read from; called once the pieces they read exist. */
  watch(sources: MetricSources): void;
  requestFinished(method: string, outcome: RequestOutcome, era: McpEra): void;
  relayError(errorClass: RelayErrorClass): void;
  /** Time from the client's `tools/call` reaching the relay to the tab's answer leaving it. */
  toolCallLatency(seconds: number, outcome: RequestOutcome): void;
  /** Counts what `unsentBytes` reads in `vial_buffered_bytes{queue}` until the returned function is called. */
  trackBuffer(queue: BufferQueue, unsentBytes: () => number): () => void;
  /** A client response stream was cut because the client left too much of it unread. */
  clientStreamDropped(): void;
  tabDropped(reason: TabDropReason): void;
}

export function createMetrics(): RelayMetrics {
  const registry = new Registry();
  let sources: MetricSources = {
    connectedHosts: () => 0,
    clientSessions: () => 0,
    pendingRequests: () => 0,
    keptEventBytes: () => 0,
  };
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('vial_connected_hosts', 'Hosts with a tab connected now', () => sources.connectedHosts());
  gauge('vial_client_sessions', 'Live MCP client sessions', () => sources.clientSessions());
  gauge('vial_pending_requests', 'Client requests forwarded to a tab and not answered yet', () =>
    sources.pendingRequests(),
  );
  gauge('vial_kept_event_bytes', 'Bytes of events kept for Last-Event-ID resumption, over all hosts', () =>
    sources.keptEventBytes(),
  );
  const buffers: Record<BufferQueue, Set<() => number>> = { client_streams: new Set(), tab_sockets: new Set() };
  new Gauge({
    name: 'vial_buffered_bytes',
    help: 'Bytes written for clients (client_streams) or tabs (tab_sockets) that they have not read yet',
    labelNames: ['queue'] as const,
    registers: [registry],
    collect() {
      for (const [queue, readers] of Object.entries(buffers)) {
        let bytes = 0;
        for (const read of readers) bytes += read();
        this.set({ queue }, bytes);
      }
    },
  });
  const streamsDropped = new Counter({
    name: 'vial_client_streams_dropped_total',
    help: 'Client response streams the relay cut, by reason (send_buffer_full: the client left VIAL_CLIENT_BUFFER_BYTES unread)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const tabsDropped = new Counter({
    name: 'vial_tabs_dropped_total',
    help: 'Tab sockets the relay closed, by reason (send_buffer_full: the tab left VIAL_TAB_BUFFER_BYTES unread; rate_exceeded: it sent more than VIAL_TAB_BYTES_PER_SEC)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const requests = new Counter({
    name: 'vial_mcp_requests_total',
    help: 'MCP requests from clients, by method, how they ended, and era (legacy: a 2025 session; modern: 2026-07-28)',
    labelNames: ['method', 'outcome', 'era'] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'vial_relay_errors_total',
    help: 'Requests the relay refused or failed itself, by class',
    labelNames: ['class'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'vial_tool_call_seconds',
    help: 'tools/call latency through the relay: client request in to tab answer out',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });

  return {
    registry,
    llm: createLlmMetrics(registry),
    watch(next) {
      sources = next;
    },
    requestFinished(method, outcome, era) {
      requests.inc({ method: KNOWN_METHODS.has(method) ? method : 'other', outcome, era });
    },
    relayError(errorClass) {
      errors.inc({ class: errorClass });
    },
    toolCallLatency(seconds, outcome) {
      latency.observe({ outcome }, seconds);
    },
    trackBuffer(queue, unsentBytes) {
      buffers[queue].add(unsentBytes);
      return () => buffers[queue].delete(unsentBytes);
    },
    clientStreamDropped() {
      streamsDropped.inc({ reason: 'send_buffer_full' });
    },
    tabDropped(reason) {
      tabsDropped.inc({ reason });
    },
  };
}

function createLlmMetrics(registry: Registry): LlmMetrics {
  let breakers: () => Array<[string, BreakerState]> = () => [];
  let spend: () => { spentUsd: number; heldUsd: number } = () => ({ spentUsd: 0, heldUsd: 0 });
  new Gauge({
    name: 'vial_llm_spent_today_usd',
    help: 'USD charged today (UTC) over all hosts, against VIAL_LLM_DAILY_BUDGET_USD',
    registers: [registry],
    collect() {
      this.set(spend().spentUsd);
    },
  });
  new Gauge({
    name: 'vial_llm_held_usd',
    help: 'USD held now for LLM attempts still running, at the most each can cost',
    registers: [registry],
    collect() {
      this.set(spend().heldUsd);
    },
  });
  new Gauge({
    name: 'vial_llm_breaker_state',
    help: 'Circuit breaker per LLM provider: 0 closed, 1 half-open (probing), 2 open (failing fast)',
    labelNames: ['provider'] as const,
    registers: [registry],
    collect() {
      for (const [provider, state] of breakers()) this.set({ provider }, BREAKER_GAUGE_VALUES[state]);
    },
  });
  const requests = new Counter({
    name: 'vial_llm_requests_total',
    help: 'LLM chat requests by the provider that answered (or last failed) and outcome (ok or the error class)',
    labelNames: ['provider', 'outcome'] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'vial_llm_errors_total',
    help: 'Failed tries at an LLM provider by error class, including those retried or fallen back from',
    labelNames: ['provider', 'class'] as const,
    registers: [registry],
  });
  const retries = new Counter({
    name: 'vial_llm_retries_total',
    help: 'Retries of an LLM provider before the first token, by the error class that caused them',
    labelNames: ['provider', 'class'] as const,
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'vial_llm_refusals_total',
    help: 'LLM requests refused before any provider was called, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const seconds = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
  const latency = new Histogram({
    name: 'vial_llm_request_seconds',
    help: 'Answered LLM requests: request in to last token out, retries included',
    labelNames: ['provider'] as const,
    buckets: seconds,
    registers: [registry],
  });
  const ttft = new Histogram({
    name: 'vial_llm_time_to_first_token_seconds',
    help: 'Answered LLM requests: request in to first token, retries included',
    labelNames: ['provider'] as const,
    buckets: [0.01, 0.025, ...seconds],
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'vial_llm_tokens_total',
    help: 'Tokens of answered LLM requests as providers counted them (output includes reasoning)',
    labelNames: ['provider', 'kind'] as const,
    registers: [registry],
  });
  const cost = new Counter({
    name: 'vial_llm_cost_usd_total',
    help: 'Cost of answered LLM requests in USD, from the price table (models without a price add nothing)',
    labelNames: ['provider'] as const,
    registers: [registry],
  });
  return {
    watchBreakers(read) {
      breakers = read;
    },
    watchSpend(read) {
      spend = read;
    },
    requestFinished(provider, outcome) {
      requests.inc({ provider, outcome });
    },
    attemptFailed(provider, errorClass) {
      errors.inc({ provider, class: errorClass });
    },
    retried(provider, errorClass) {
      retries.inc({ provider, class: errorClass });
    },
    answered(provider, usage, costUsd, elapsedSeconds, ttftMs) {
      latency.observe({ provider }, elapsedSeconds);
      if (ttftMs !== null) ttft.observe({ provider }, ttftMs / 1000);
      tokens.inc({ provider, kind: 'input' }, usage.inputTokens);
      tokens.inc({ provider, kind: 'output' }, usage.outputTokens);
      if (usage.reasoningTokens) tokens.inc({ provider, kind: 'reasoning' }, usage.reasoningTokens);
      if (costUsd !== null) cost.inc({ provider }, costUsd);
    },
    refused(reason) {
      refusals.inc({ reason });
    },
  };
}
