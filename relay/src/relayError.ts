/**
 * The relay's own errors for clients and tabs, in the project's error vocabulary (`VialError`,
 * shared/src/vialError.ts: a short message, details, hints). Each keeps the one-line wording
 * clients have always read, "<short message>: <details>. <hint>" (or "; <hint>"), and goes on
 * the wire with its parts: as a JSON-RPC error's `data` (`jsonRpcError`), or spread into an LLM
 * refusal's `error`.
 */
import { VialError } from '@vial/shared';

export class RelayError extends VialError {
  override name = 'RelayError';
}

export interface RelayErrorParts {
  details?: string;
  hints?: string[];
  /** What comes before each hint in the message: a new sentence (default) or a clause. */
  hintSeparator?: '. ' | '; ';
}

export function relayError(
  shortMessage: string,
  { details, hints = [], hintSeparator = '. ' }: RelayErrorParts = {},
): RelayError {
  const said = details ? `${shortMessage}: ${details}` : shortMessage;
  return new RelayError(shortMessage, { details, hints, message: [said, ...hints].join(hintSeparator) });
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: Record<string, unknown>;
}

/**
 * A JSON-RPC error object: the error's message, and its parts (`name`, `shortMessage`,
 * `details`, `hints`) with `extra` as its `data`. A bare string is the message alone.
 */
export function jsonRpcError(
  code: number,
  error: string | VialError,
  extra?: Record<string, unknown>,
): JsonRpcErrorObject {
  if (typeof error === 'string') return { code, message: error, ...(extra ? { data: extra } : {}) };
  const { message, ...parts } = error.toJSON();
  return { code, message, data: { ...extra, ...parts } };
}

// What an MCP session answers when a request cannot reach the tab or passes a limit.

export function tabOffline(hostId: string): RelayError {
  return relayError(`The Vial tab for host ${hostId} is offline`, {
    hints: [
      'Open the Vial web app in a browser on the machine that owns this host to bring its tools back; this session resumes automatically.',
    ],
  });
}

export function tabWentAway(reason: string, method: string): RelayError {
  return relayError(`The Vial tab went away (${reason}) while handling '${method}'`, {
    hints: ['The session is kept: retry once the tab is back.'],
  });
}

export function tooManyPending(maxPending: number): RelayError {
  return relayError('Too many requests in flight', {
    details: `this session already has ${maxPending} waiting on the Vial tab (VIAL_SESSION_MAX_PENDING)`,
    hints: ['Wait for some to finish before sending more, or raise the limit on the relay.'],
  });
}

export function clientBufferFull(bufferBytes: number): RelayError {
  return relayError('The relay dropped this response stream', {
    details: `the client left more than ${bufferBytes} bytes of it unread (VIAL_CLIENT_BUFFER_BYTES), so the call was cancelled`,
    hints: ['Read responses as they arrive, or raise the limit on the relay.'],
  });
}

/** A new MCP request while the relay drains before it stops. */
export function shuttingDown(retryAfterSeconds: number): RelayError {
  return relayError('The Vial relay is shutting down and takes no new requests', {
    hints: [`retry in ${retryAfterSeconds} s, on this relay once it is back or on another`],
    hintSeparator: '; ',
  });
}

/** A call still running when the relay's drain ended. */
export function cutByShutdown(): RelayError {
  return relayError('The Vial relay is shutting down and this call did not finish in time', {
    hints: ['retry once the relay is back'],
    hintSeparator: '; ',
  });
}
