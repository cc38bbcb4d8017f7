import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { BoundedEventStore } from './eventStore.ts';

const message = (text: string): JSONRPCMessage => ({ jsonrpc: '2.0', id: 1, result: { text } });

async function replayed(store: BoundedEventStore, after: string): Promise<string[]> {
  const sent: string[] = [];
  await store.replayEventsAfter(after, { send: async (id) => void sent.push(id) });
  return sent;
}

describe('BoundedEventStore', () => {
  it('replays what followed an event on the same stream', async () => {
    const store = new BoundedEventStore(10, 1_000_000);
    const first = await store.storeEvent('a', message('1'));
    await store.storeEvent('b', message('other stream'));
    const third = await store.storeEvent('a', message('3'));
    expect(await replayed(store, first)).toEqual([third]);
  });

  it('drops the oldest events past the count', async () => {
    const store = new BoundedEventStore(2, 1_000_000);
    const first = await store.storeEvent('a', message('1'));
    await store.storeEvent('a', message('2'));
    await store.storeEvent('a', message('3'));
    await expect(replayed(store, first)).rejects.toThrow(/no longer stored .*VIAL_EVENT_BUFFER/);
  });

  it('drops the oldest events past the byte limit, keeping at least the newest', async () => {
    const big = 'x'.repeat(10_000);
    const store = new BoundedEventStore(1000, 25_000);
    const ids = [];
    for (let i = 0; i < 10; i++) ids.push(await store.storeEvent('a', message(big)));
    expect(store.storedBytes).toBeLessThanOrEqual(25_000);
    await expect(replayed(store, ids[0]!)).rejects.toThrow(/no longer stored/);
    expect(await replayed(store, ids[8]!)).toEqual([ids[9]]);

    const tiny = new BoundedEventStore(1000, 10);
    const only = await tiny.storeEvent('a', message(big));
    expect(await tiny.getStreamIdForEventId(only)).toBe('a');
  });
});
