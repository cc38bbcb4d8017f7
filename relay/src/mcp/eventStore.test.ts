import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { createMemoryBudget } from '../memoryBudget.ts';
import { BoundedEventStore, STORED_EVENT_OVERHEAD_BYTES } from './eventStore.ts';
import { deferMember } from './messageJson.ts';

const message = (text: string): JSONRPCMessage => ({ jsonrpc: '2.0', id: 1, result: { text } });

/** A store with the whole of a roomy budget to itself. */
const unshared = () => createMemoryBudget({ hostBytes: 1e9, totalBytes: 1e9 }).forHost('h');

async function replayed(store: BoundedEventStore, after: string): Promise<string[]> {
  const sent: string[] = [];
  await store.replayEventsAfter(after, { send: async (id) => void sent.push(id) });
  return sent;
}

describe('BoundedEventStore', () => {
  it('replays what followed an event on the same stream', async () => {
    const store = new BoundedEventStore(10, 1_000_000, unshared());
    const first = await store.storeEvent('a', message('1'));
    await store.storeEvent('b', message('other stream'));
    const third = await store.storeEvent('a', message('3'));
    expect(await replayed(store, first)).toEqual([third]);
  });

  it('drops the oldest events past the count', async () => {
    const store = new BoundedEventStore(2, 1_000_000, unshared());
    const first = await store.storeEvent('a', message('1'));
    await store.storeEvent('a', message('2'));
    await store.storeEvent('a', message('3'));
    await expect(replayed(store, first)).rejects.toThrow(/no longer stored .*VIAL_EVENT_BUFFER/);
  });

  it('drops the oldest events past the byte limit, keeping at least the newest', async () => {
    const big = 'x'.repeat(10_000);
    const store = new BoundedEventStore(1000, 25_000, unshared());
    const ids = [];
    for (let i = 0; i < 10; i++) ids.push(await store.storeEvent('a', message(big)));
    expect(store.storedBytes).toBeLessThanOrEqual(25_000);
    await expect(replayed(store, ids[0]!)).rejects.toThrow(/no longer stored/);
    expect(await replayed(store, ids[8]!)).toEqual([ids[9]]);

    const tiny = new BoundedEventStore(1000, 10, unshared());
    const only = await tiny.storeEvent('a', message(big));
    expect(await tiny.getStreamIdForEventId(only)).toBe('a');
  });

  it('counts the bytes kept, not the JSON characters, and keeps them as bytes', async () => {
    const store = new BoundedEventStore(1000, 1_000_000, unshared());
    const wide = '\u{1F600}'.repeat(1000);
    const first = await store.storeEvent('a', message(wide));
    const expected = Buffer.byteLength(JSON.stringify(message(wide))) + STORED_EVENT_OVERHEAD_BYTES;
    expect(store.storedBytes).toBe(expected);
    const next = await store.storeEvent('a', message('after'));
    const sent: unknown[] = [];
    await store.replayEventsAfter(first, { send: async (_id, replayedMessage) => void sent.push(replayedMessage) });
    expect(sent).toEqual([message('after')]);
    expect(next).toBe('2');
  });

  it('keeps a message whose params were left as JSON as the bytes it arrived as, without reading them', async () => {
    const store = new BoundedEventStore(1000, 1_000_000, unshared());
    const arrived = '{ "jsonrpc": "2.0", "method": "notifications/message", "params": [{}, {}] }';
    const notification: Record<string, unknown> = { jsonrpc: '2.0', method: 'notifications/message', params: null };
    const json = Buffer.from(arrived);
    deferMember(notification, 'params', json.subarray(arrived.indexOf('['), -2), json);
    const first = await store.storeEvent('a', message('first'));
    await store.storeEvent('a', notification as JSONRPCMessage);
    expect(Object.getOwnPropertyDescriptor(notification, 'params')?.get).toBeDefined();
    expect(store.storedBytes).toBe(
      Buffer.byteLength(JSON.stringify(message('first'))) + arrived.length + 2 * STORED_EVENT_OVERHEAD_BYTES,
    );
    const sent: unknown[] = [];
    await store.replayEventsAfter(first, { send: async (_id, replayedMessage) => void sent.push(replayedMessage) });
    expect(sent).toEqual([{ jsonrpc: '2.0', method: 'notifications/message', params: [{}, {}] }]);
  });

  it("gives up its oldest events to the host's share, and releases everything when disposed", async () => {
    const budget = createMemoryBudget({ hostBytes: 30_000, totalBytes: 1e9 });
    const a = new BoundedEventStore(1000, 1_000_000, budget.forHost('h'));
    const b = new BoundedEventStore(1000, 1_000_000, budget.forHost('h'));
    const big = 'x'.repeat(10_000);
    const oldest = await a.storeEvent('s', message(big));
    await b.storeEvent('s', message(big));
    await a.storeEvent('s', message(big));
    await b.storeEvent('s', message(big));
    expect(budget.hostBytes('h')).toBeLessThanOrEqual(30_000);
    await expect(replayed(a, oldest)).rejects.toThrow(/VIAL_HOST_MEMORY_BYTES/);
    a.dispose();
    b.dispose();
    expect(budget.hostBytes('h')).toBe(0);
    expect(budget.totalBytes).toBe(0);
  });

  it("does not keep an event bigger than the host's share", async () => {
    const store = new BoundedEventStore(
      1000,
      1_000_000,
      createMemoryBudget({ hostBytes: 1000, totalBytes: 1e9 }).forHost('h'),
    );
    const id = await store.storeEvent('a', message('x'.repeat(5000)));
    expect(await store.getStreamIdForEventId(id)).toBeUndefined();
    expect(store.storedBytes).toBe(0);
  });
});
