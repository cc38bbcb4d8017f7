/**
 * What a stand-in does with one request. Each stand-in answers its requests with the scripted
 * scenarios in order (then with a plain reply), in its provider's own wire format.
 */

export interface StandInUsage {
  input: number;
  output: number;
  /** Reasoning ("thinking") tokens, counted by the provider as part of the output. */
  reasoning?: number;
  /** Input tokens read from the prompt cache. */
  cached?: number;
}

export type ProviderError = 'rate_limited' | 'overloaded' | 'server_error' | 'quota' | 'auth' | 'bad_request';

interface ReplyOptions {
  /** The text pieces, one per stream event (default: Hello, world!). A function is called as each is sent. */
  deltas?: string[] | ((index: number) => string);
  /** How many deltas when `deltas` is a function. */
  deltaCount?: number;
  usage?: StandInUsage;
  finish?: 'stop' | 'length';
  /** Wait before the first delta and between deltas. */
  firstDelayMs?: number;
  chunkDelayMs?: number;
  /** Write each SSE frame in two halves, so frames straddle TCP reads. */
  splitFrames?: boolean;
}

export type Scenario =
  | ({ kind: 'reply' } & ReplyOptions)
  /** An HTTP error before any stream, with the provider's status, headers and body. */
  | { kind: 'http-error'; error: ProviderError; retryAfter?: string; retryAfterMs?: string }
  /** The connection is destroyed after `afterDeltas` deltas. */
  | ({ kind: 'cut'; afterDeltas: number } & ReplyOptions)
  /** The response ends cleanly after `afterDeltas` deltas, without the end-of-message marker. */
  | ({ kind: 'end-early'; afterDeltas: number } & ReplyOptions)
  /** The provider's in-stream error event after `afterDeltas` deltas. */
  | ({ kind: 'stream-error'; afterDeltas: number; error: 'overloaded' | 'server_error' } & ReplyOptions)
  /** Nothing more is sent after `afterDeltas` deltas; the connection stays open. */
  | ({ kind: 'stall'; afterDeltas: number } & ReplyOptions);

export const DEFAULT_DELTAS = ['Hello', ', ', 'world', '!'];
export const DEFAULT_USAGE: StandInUsage = { input: 12, output: 4 };

export function deltaAt(options: ReplyOptions, index: number): string {
  const { deltas = DEFAULT_DELTAS } = options;
  return typeof deltas === 'function' ? deltas(index) : deltas[index]!;
}

export function deltaCount(options: ReplyOptions): number {
  const { deltas = DEFAULT_DELTAS } = options;
  return typeof deltas === 'function' ? (options.deltaCount ?? 4) : deltas.length;
}
