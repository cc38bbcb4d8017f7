/**
 * The tab's client for the relay's LLM gateway (`/llm/chat`, `/llm/providers`). It holds no
 * provider key: it authenticates with the `llmKey` the relay gave this tab connection, which
 * dies with the connection. Streamed answers are read event by event and checked against the
 * shared schemas; a stream that ends without its `finish` or `error` is reported as cut, never
 * as a complete answer.
 */
import {
  LLM_CHAT_PATH,
  LLM_PROVIDERS_PATH,
  llmProvidersResponseSchema,
  llmRefusalSchema,
  llmStreamEventSchema,
  type LlmAttempt,
  type LlmChatRequest,
  type LlmErrorClass,
  type LlmFinishReason,
  type LlmProvidersResponse,
  type LlmStreamEvent,
  type LlmUsage,
} from '@vial/shared';
import { VialError } from '@vial/shared/vialError';
import { EventSourceParserStream } from 'eventsource-parser/stream';

/** A finished answer, or why there is none; `text` holds what arrived either way. */
export type LlmAnswer =
  | {
      ok: true;
      text: string;
      provider: string;
      model: string;
      reason: LlmFinishReason;
      usage: LlmUsage;
      costUsd: number | null;
      latencyMs: number;
      ttftMs: number | null;
      attempts: LlmAttempt[];
    }
  | {
      ok: false;
      text: string;
      error: {
        class: LlmErrorClass | 'refused';
        message: string;
        retryable: boolean;
        /** Text had already arrived: it is incomplete. */
        truncated?: boolean;
        provider?: string;
        model?: string;
      };
      usage?: LlmUsage;
      costUsd?: number | null;
      attempts: LlmAttempt[];
    };

export interface LlmGateway {
  providers(signal?: AbortSignal): Promise<LlmProvidersResponse>;
  /** Streams one answer; `onEvent` sees each event as it arrives (deltas for live display). */
  chat(
    request: Omit<LlmChatRequest, 'stream'>,
    options?: { signal?: AbortSignal; onEvent?: (event: LlmStreamEvent) => void },
  ): Promise<LlmAnswer>;
}

/** Thrown when the gateway cannot be used at all (no relay connection, refused); tools turn it into a tool error. */
export class LlmGatewayError extends VialError {
  override name = 'LlmGatewayError';
}

export class RelayLlmGateway implements LlmGateway {
  constructor(
    private readonly relayUrl: string,
    /** The current connection's key, or undefined while the tab is not connected. */
    private readonly llmKey: () => string | undefined,
    /** Why there is no key now, said to whoever asked (e.g. the relay did not grant this host LLM access). */
    private readonly whyNoKey: () => string = () =>
      'The tab is not connected to the relay, so it cannot reach the LLM gateway',
  ) {}

  async providers(signal?: AbortSignal): Promise<LlmProvidersResponse> {
    const response = await this.send('GET', LLM_PROVIDERS_PATH, undefined, signal);
    return llmProvidersResponseSchema.parse(await response.json());
  }

  async chat(
    request: Omit<LlmChatRequest, 'stream'>,
    options: { signal?: AbortSignal; onEvent?: (event: LlmStreamEvent) => void } = {},
  ): Promise<LlmAnswer> {
    const response = await this.send('POST', LLM_CHAT_PATH, { ...request, stream: true }, options.signal);
    let text = '';
    const events = response
      .body!.pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream())
      .getReader();
    for (;;) {
      const { value, done } = await events.read();
      if (done) break;
      const event = llmStreamEventSchema.parse(JSON.parse(value.data));
      options.onEvent?.(event);
      if (event.type === 'delta') text += event.text;
      if (event.type === 'finish') {
        const { type: _type, ...finish } = event;
        return { ok: true, text, ...finish };
      }
      if (event.type === 'error') {
        const { type: _type, class: errorClass, message, retryable, truncated, provider, model } = event;
        return {
          ok: false,
          text,
          error: { class: errorClass, message, retryable, truncated, provider, model },
          usage: event.usage,
          costUsd: event.costUsd,
          attempts: event.attempts,
        };
      }
    }
    return {
      ok: false,
      text,
      error: {
        class: 'truncated',
        message: 'the stream from the relay ended before the answer did (the connection was cut)',
        retryable: true,
        truncated: text.length > 0,
      },
      attempts: [],
    };
  }

  private async send(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
    const key = this.llmKey();
    if (!key) throw new LlmGatewayError(this.whyNoKey());
    const response = await fetch(new URL(path, this.relayUrl), {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    if (response.ok) return response;
    const refused = llmRefusalSchema.safeParse(await response.json().catch(() => undefined)).data?.error;
    const reason = refused?.message ?? `HTTP ${response.status}`;
    const shortMessage = "The relay's LLM gateway refused the request";
    // What the relay said, and what it says to try when it sends its hints apart.
    throw new LlmGatewayError(shortMessage, {
      details: reason,
      hints: refused?.hints,
      message: `${shortMessage}: ${reason}`,
    });
  }
}
