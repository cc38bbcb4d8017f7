/**
 * A relay whose LLM providers are the stand-ins, and a Node host (a tab without a browser)
 * holding the `llmKey` the relay gave it: the starting point of the LLM gateway tests and
 * benchmark. Retry, timeout and breaker settings are short so failure tests run fast.
 */
import type { DestinationStream } from '../../../relay/src/log.ts';
import type { LlmChatRequest, LlmStreamEvent } from '@vial/shared';
import { llmStreamEventSchema } from '@vial/shared';
import type { ToolPack } from '../../../web/src/server/toolRegistry.ts';
import type { HostRuntime } from '../../../web/src/server/runtime.ts';
import { startNodeHost, startRelay, type StartedRelay } from '../relay.ts';
import { readSse } from '../sse.ts';
import { startAnthropicStandIn } from './anthropic.ts';
import { startGeminiStandIn } from './gemini.ts';
import { startOpenAiStandIn } from './openai.ts';
import type { StandIn } from './standIn.ts';

/** Keys as they look in real life (lengths and prefixes), so scans for them mean something. */
export const PROVIDER_KEYS = {
  anthropic: 'sk-ant-api03-standinKEY0anthropic0aZ9xQ7wP3kL5mN8vB2cD4fG6hJ1',
  openai: 'sk-proj-standinKEY0openai0T3BlbkFJqR8sW2xY4zA6bC8dE0fG2hI4',
  gemini: 'AIzaSyStandinKEY0gemini0dQ1wE2rT3yU4iO5p',
  openrouter: 'sk-or-v1-standinKEY0openrouter0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
} as const;

/** Settings that make retries, timeouts and the breaker quick enough for tests. */
export const FAST_LLM_ENV: Record<string, string> = {
  VIAL_LLM_BACKOFF_BASE_MS: '5',
  VIAL_LLM_BACKOFF_MAX_MS: '20',
  VIAL_LLM_RETRY_AFTER_CAP_MS: '1500',
  VIAL_LLM_CONNECT_TIMEOUT_MS: '2000',
  VIAL_LLM_IDLE_TIMEOUT_MS: '300',
};

export interface Gateway {
  relay: StartedRelay;
  host: HostRuntime;
  llmKey: string;
  anthropic: StandIn;
  openai: StandIn;
  gemini: StandIn;
  /** A generic OpenAI-compatible server that interleaves SSE comment lines, as OpenRouter does. */
  openrouter: StandIn;
  /** POSTs to /llm/chat with this tab's key. */
  chat(body: LlmChatRequest | Record<string, unknown>, init?: RequestInit): Promise<Response>;
  /** Streams a chat and collects its events (each validated with the shared schema). */
  events(body: LlmChatRequest): Promise<LlmStreamEvent[]>;
  close(): Promise<void>;
}

export interface GatewayOptions {
  env?: Record<string, string>;
  logTo?: DestinationStream;
  /** The key the OpenAI stand-in accepts, when a test wants the relay's own key refused. */
  openAiAcceptsKey?: string;
  /** The host's tool packs (none by default: most gateway tests call /llm directly). */
  packs?: ToolPack[];
}

export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const [anthropic, openai, gemini, openrouter] = await Promise.all([
    startAnthropicStandIn({ apiKey: PROVIDER_KEYS.anthropic, noise: true }),
    startOpenAiStandIn({ apiKey: options.openAiAcceptsKey ?? PROVIDER_KEYS.openai }),
    startGeminiStandIn({ apiKey: PROVIDER_KEYS.gemini }),
    startOpenAiStandIn({ apiKey: PROVIDER_KEYS.openrouter, noise: true }),
  ]);
  const relay = await startRelay(
    {
      ...FAST_LLM_ENV,
      VIAL_LLM_ANTHROPIC_API_KEY: PROVIDER_KEYS.anthropic,
      VIAL_LLM_ANTHROPIC_BASE_URL: anthropic.baseUrl,
      OPENAI_API_KEY: PROVIDER_KEYS.openai,
      VIAL_LLM_OPENAI_BASE_URL: openai.baseUrl,
      GEMINI_API_KEY: PROVIDER_KEYS.gemini,
      VIAL_LLM_GEMINI_BASE_URL: gemini.baseUrl,
      OPENROUTER_API_KEY: PROVIDER_KEYS.openrouter,
      VIAL_LLM_OPENAI_COMPATIBLE: JSON.stringify([
        { name: 'openrouter', baseUrl: openrouter.baseUrl, apiKeyEnv: 'OPENROUTER_API_KEY' },
      ]),
      ...options.env,
    },
    options.logTo,
  );
  const host = await startNodeHost(relay.url, { packs: options.packs ?? [] });
  const llmKey = host.status.state === 'online' ? host.status.llmKey : undefined;
  if (!llmKey) throw new Error('the relay gave the tab no llmKey in its registered frame');

  const chat = (body: unknown, init: RequestInit = {}) =>
    fetch(`${relay.url}/llm/chat`, {
      method: 'POST',
      ...init,
      headers: { authorization: `Bearer ${llmKey}`, 'content-type': 'application/json', ...init.headers },
      body: JSON.stringify(body),
    });

  return {
    relay,
    host,
    llmKey,
    anthropic,
    openai,
    gemini,
    openrouter,
    chat,
    async events(body) {
      const response = await chat(body);
      if (response.status !== 200) throw new Error(`/llm/chat answered ${response.status}: ${await response.text()}`);
      return eventsOf(response);
    },
    async close() {
      host.stop();
      await relay.close();
      await Promise.all([anthropic, openai, gemini, openrouter].map((standIn) => standIn.close()));
    },
  };
}

/** Reads a /llm/chat stream to its end, each event validated with the shared schema. */
export async function eventsOf(response: Response): Promise<LlmStreamEvent[]> {
  const events: LlmStreamEvent[] = [];
  for await (const event of readSse(response)) events.push(llmStreamEventSchema.parse(JSON.parse(event.data)));
  return events;
}

/** The text of a stream's deltas. */
export function textOf(events: LlmStreamEvent[]): string {
  return events.map((event) => (event.type === 'delta' ? event.text : '')).join('');
}

/** The stream's last event, which must be its `finish` or `error`. */
export function endOf(events: LlmStreamEvent[]): LlmStreamEvent {
  return events[events.length - 1]!;
}
