import type { EventId, EventStore, StreamId } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

interface StoredEvent {
  id: EventId;
  streamId: StreamId;
  message: JSONRPCMessage;
  /** The message's size as JSON text, roughly what it costs to keep. */
  bytes: number;
}

/**
 * Per-session event log for `Last-Event-ID` resumption. It keeps the newest events within both
 * `capacity` (a count) and `maxBytes`, always at least the newest one; a client that resumes from
 * an event already dropped gets an error rather than a silent gap.
 */
export class BoundedEventStore implements EventStore {
  private readonly events: StoredEvent[] = [];
  private sequence = 0;
  private bytes = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxBytes: number,
  ) {}

  /** What the store holds now, for tests and metrics. */
  get storedBytes(): number {
    return this.bytes;
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const id = `${++this.sequence}`;
    const bytes = JSON.stringify(message).length;
    this.events.push({ id, streamId, message, bytes });
    this.bytes += bytes;
    while (this.events.length > 1 && (this.events.length > this.capacity || this.bytes > this.maxBytes)) {
      this.bytes -= this.events.shift()!.bytes;
    }
    return id;
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return this.events.find((event) => event.id === eventId)?.streamId;
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const index = this.events.findIndex((event) => event.id === lastEventId);
    if (index < 0) {
      throw new Error(
        `event ${lastEventId} is no longer stored (the relay keeps the last ${this.capacity} events and ${this.maxBytes} bytes per session: VIAL_EVENT_BUFFER, VIAL_EVENT_BUFFER_BYTES)`,
      );
    }
    const { streamId } = this.events[index]!;
    for (const event of this.events.slice(index + 1)) {
      if (event.streamId === streamId) await send(event.id, event.message);
    }
    return streamId;
  }
}
