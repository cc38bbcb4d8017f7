/**
 * One host's changes for its `subscriptions/listen` streams (2026-07-28): what the tab says
 * changed (`server-event` frames), at a bounded rate, to each open stream whose token may learn
 * it. Kept with the host, so listen streams outlive a tab reload; a tab that attaches may serve
 * other lists than the last one, so attaching publishes all three list changes.
 *
 * A tab sends events at most HOST_EVENTS_PER_SECOND on average (HOST_EVENT_BURST at once); past
 * that, each distinct event waits (repeats are one), up to HOST_EVENTS_OWED of them, and goes out
 * as the rate allows. Nothing a tab sends grows the relay's memory or work without bound, and a
 * flooding tab's listeners get late news, never another host's.
 */
import type { ServerEventBus } from '@modelcontextprotocol/server';
import { inAudience, type HostEvent, type HostEventAudience, type TokenRecord } from '@vial/shared';
import { jsonRpcError, relayError, type JsonRpcErrorObject } from '../../relayError.ts';

/** Events one host's tab may publish per second, on average: an honest tab's changes come a few at a time. */
export const HOST_EVENTS_PER_SECOND = 20;
/** Events it may publish at once. */
export const HOST_EVENT_BURST = 40;
/** Distinct events held back while a tab is over its rate; past this, more are dropped. */
export const HOST_EVENTS_OWED = 64;

/** The JSON-RPC code of a stream cut because its token was revoked, as for a request. */
const REVOKED_ERROR_CODE = -32000;

type Listener = (event: HostEvent, audience: HostEventAudience | undefined) => void;

/** An open listen stream, as its host counts and ends it. */
export interface ListenStream {
  tokenId: string;
  /** Ends the stream: with the listen request's result (graceful), or with `error` as its last event. */
  end(error?: JsonRpcErrorObject): void;
}

const LIST_CHANGES: HostEvent[] = [
  { kind: 'tools_list_changed' },
  { kind: 'prompts_list_changed' },
  { kind: 'resources_list_changed' },
];

export class HostEvents {
  private readonly listeners = new Set<Listener>();
  private readonly streams = new Set<ListenStream>();
  private readonly perToken = new Map<string, number>();
  private allowance = HOST_EVENT_BURST;
  private allowanceAt = Date.now();
  /** Events over the rate, keyed by what they say (so repeats collapse), oldest first. */
  private readonly owed = new Map<string, [HostEvent, HostEventAudience | undefined]>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** Events dropped because HOST_EVENTS_OWED were already waiting. */
  dropped = 0;

  /** A change the tab published, for the tokens in `audience`. */
  publish(event: HostEvent, audience?: HostEventAudience): void {
    if (this.owed.size === 0 && this.take()) return this.deliver(event, audience);
    const key = JSON.stringify([event, audience ?? null]);
    if (this.owed.has(key)) return;
    if (this.owed.size >= HOST_EVENTS_OWED) {
      this.dropped++;
      return;
    }
    this.owed.set(key, [event, audience]);
    this.flushLater();
  }

  /** A tab took the host: what it serves may differ from what the last one did. */
  tabAttached(): void {
    for (const event of LIST_CHANGES) this.publish(event);
  }

  /**
   * The bus one listen stream subscribes to: this host's events that `token` may learn. The
   * stream's own SDK handler publishes nothing; every event comes from the tab.
   */
  busFor(token: Pick<TokenRecord, 'id' | 'scopes'>): ServerEventBus {
    return {
      publish: () => {
        throw new Error("a listen stream's bus is fed by its tab, through HostEvents.publish");
      },
      subscribe: (listener) => {
        const own: Listener = (event, audience) => {
          if (inAudience(token.id, token.scopes, audience)) listener(event);
        };
        this.listeners.add(own);
        return () => void this.listeners.delete(own);
      },
    };
  }

  /** Counts an open listen stream until the returned function is called. */
  open(stream: ListenStream): () => void {
    this.streams.add(stream);
    this.perToken.set(stream.tokenId, this.streamsOf(stream.tokenId) + 1);
    return () => {
      if (!this.streams.delete(stream)) return;
      const left = this.streamsOf(stream.tokenId) - 1;
      if (left > 0) this.perToken.set(stream.tokenId, left);
      else this.perToken.delete(stream.tokenId);
    };
  }

  get streamCount(): number {
    return this.streams.size;
  }

  streamsOf(tokenId: string): number {
    return this.perToken.get(tokenId) ?? 0;
  }

  /** Tokens not in `live` were revoked: their streams end now, with an error saying so, as their requests do. */
  revoke(live: ReadonlySet<string>): void {
    const error = relayError('Token revoked', {
      details: 'the Vial app revoked the token this subscriptions/listen stream was opened with',
    });
    for (const stream of [...this.streams])
      if (!live.has(stream.tokenId)) stream.end(jsonRpcError(REVOKED_ERROR_CODE, error));
  }

  /** Every stream ends (the host is forgotten, the relay stops); held-back events are dropped. */
  close(): void {
    for (const stream of [...this.streams]) stream.end();
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.owed.clear();
  }

  private deliver(event: HostEvent, audience: HostEventAudience | undefined): void {
    for (const listener of this.listeners) {
      try {
        listener(event, audience);
      } catch {
        // One stream's failure to write is its own; the SDK's listener reports nothing else.
      }
    }
  }

  /** Takes one event from the allowance, refilled at HOST_EVENTS_PER_SECOND up to HOST_EVENT_BURST. */
  private take(): boolean {
    const now = Date.now();
    this.allowance = Math.min(
      HOST_EVENT_BURST,
      this.allowance + ((now - this.allowanceAt) / 1000) * HOST_EVENTS_PER_SECOND,
    );
    this.allowanceAt = now;
    if (this.allowance < 1) return false;
    this.allowance--;
    return true;
  }

  private flushLater(): void {
    if (this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      for (const [key, [event, audience]] of this.owed) {
        if (!this.take()) break;
        this.owed.delete(key);
        this.deliver(event, audience);
      }
      if (this.owed.size > 0) this.flushLater();
    }, 1000 / HOST_EVENTS_PER_SECOND);
    this.flushTimer.unref?.();
  }
}
