import type { EventId, EventStore, JSONRPCMessage, StreamId } from '@modelcontextprotocol/server';
import type { HostMemory, MemoryHolder } from '../memoryBudget.ts';
import { messageJson } from './messageJson.ts';

interface StoredEvent {
  id: EventId;
  streamId: StreamId;
  /**
   * The message as UTF-8 JSON. Kept as bytes, not as the parsed object: a parsed `[{},{},…]`
   * takes about 25 times its JSON size on the heap, so the limits would not bound memory.
   */
  json: Buffer;
  /** What keeping it costs: the bytes plus the record around them. */
  bytes: number;
  storedAt: number;
}

/** The heap a stored event costs beyond its JSON bytes (its record, the Buffer object, the id string). */
export const STORED_EVENT_OVERHEAD_BYTES = 200;

/**
 * Per-session event log for `Last-Event-ID` resumption. It keeps the newest events within both
 * `capacity` (a count) and `maxBytes`, always at least the newest one that fits the host's share;
 * a client that resumes from an event already dropped gets an error rather than a silent gap.
 * Every byte is charged to the host's `memory`, which may take this store's oldest events back
 * to make room for the host's or the relay's newer ones.
 */
export class BoundedEventStore implements EventStore, MemoryHolder {
  private readonly events: StoredEvent[] = [];
  private sequence = 0;
  private bytes = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxBytes: number,
    private readonly memory: HostMemory,
  ) {}

  /** What the store holds now, for tests and metrics. */
  get storedBytes(): number {
    return this.bytes;
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const id = `${++this.sequence}`;
    const json = messageJson(message);
    const bytes = json.byteLength + STORED_EVENT_OVERHEAD_BYTES;
    while (
      this.events.length > 0 &&
      (this.events.length + 1 > this.capacity || this.bytes + bytes > Math.max(this.maxBytes, bytes))
    ) {
      this.evictOldest();
    }
    // Too big for the host's share even alone: it goes out live (if a stream is open) and is not kept.
    if (!this.memory.charge(this, bytes)) return id;
    this.events.push({ id, streamId, json, bytes, storedAt: performance.now() });
    this.bytes += bytes;
    return id;
  }

  oldestAt(): number | undefined {
    return this.events[0]?.storedAt;
  }

  evictOldest(): void {
    const oldest = this.events.shift();
    if (!oldest) return;
    this.bytes -= oldest.bytes;
    this.memory.release(oldest.bytes);
  }

  /** The session ended: everything is released. */
  dispose(): void {
    while (this.events.length > 0) this.evictOldest();
    this.memory.forget(this);
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
        `event ${lastEventId} is no longer stored (the relay keeps the last ${this.capacity} events and ${this.maxBytes} bytes per session, VIAL_EVENT_BUFFER and VIAL_EVENT_BUFFER_BYTES, within each host's VIAL_HOST_MEMORY_BYTES)`,
      );
    }
    const { streamId } = this.events[index]!;
    for (const event of this.events.slice(index + 1)) {
      if (event.streamId === streamId) await send(event.id, JSON.parse(event.json.toString()) as JSONRPCMessage);
    }
    return streamId;
  }
}
