/**
 * What each wire format (Anthropic Messages, OpenAI Chat Completions, Gemini) implements: how
 * to ask for a streamed answer, what an error response means, and how to turn its SSE events
 * into the gateway's normalised parts. Fetching, timeouts and SSE framing are shared
 * (`../upstream.ts`), so an adapter is only the provider's vocabulary.
 */
import type { EventSourceMessage } from 'eventsource-parser';
import type { LlmFinishReason, LlmUsage, ParsedLlmChatRequest } from '@vial/shared';
import type { LlmWire } from '../../config.ts';
import type { LlmFailure } from '../failure.ts';

export type StreamPart =
  | { type: 'delta'; text: string }
  /** Usage so far, complete (each decoder folds the provider's partial or cumulative counts). */
  | { type: 'usage'; usage: LlmUsage }
  | { type: 'finish'; reason: LlmFinishReason }
  /** An error event inside a 200 stream. */
  | { type: 'error'; failure: LlmFailure }
  /** The provider's end-of-message marker: without it, a stream that ends is truncated. */
  | { type: 'done' };

export interface StreamDecoder {
  decode(event: EventSourceMessage, emit: (part: StreamPart) => void): void;
}

export interface UpstreamRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface ProviderAdapter {
  readonly name: string;
  readonly wire: LlmWire;
  /** Whether its streams end with the usage the provider bills: without it, a cut stream's cost is unknown. */
  readonly reportsUsage: boolean;
  /** The HTTP request for one streamed answer from `model`. */
  request(model: string, chat: ParsedLlmChatRequest): UpstreamRequest;
  /** What a non-2xx response means; `body` is its text (possibly cut short). */
  classify(status: number, headers: Headers, body: string): LlmFailure;
  /** A decoder for one response stream (decoders keep per-stream state such as usage so far). */
  decoder(): StreamDecoder;
}
