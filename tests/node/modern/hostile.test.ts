/**
 * A tab that lies on the modern path cannot hurt the relay or other hosts: the relay writes the
 * response heads itself, caps what one response carries, takes answers only for requests it is
 * waiting on, and a client giving up on a silent tab is its cancellation. Meanwhile an honest
 * host on the same relay keeps answering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayFrame } from '@vial/shared';
import { openHostileTab, type HostileTab } from '../../support/hostileTab.ts';
import { envelope, modernHeaders, post, rpc, startModernStack, until, type ModernStack } from './support.ts';

let stack: ModernStack;
let tab: HostileTab;
let answer: (request: Extract<RelayFrame, { type: 'http-request' }>) => void = () => undefined;

beforeAll(async () => {
  stack = await startModernStack();
  tab = await openHostileTab(stack.relay.url);
  tab.socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as RelayFrame;
    if (frame.type === 'http-request') answer(frame);
  });
});
afterAll(async () => {
  tab?.socket.terminate();
  await stack?.close();
});

/** A tools/list to the hostile tab's host, given up after `ms`. */
async function askHostile(ms = 2000) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  try {
    return await post(tab.mcpUrl, rpc('tools/list'), modernHeaders(tab.token, 'tools/list'), abort.signal);
  } catch (error) {
    return { gaveUp: (error as Error).name };
  } finally {
    clearTimeout(timer);
  }
}

/** The honest host still answers. */
async function honestHostAnswers(): Promise<void> {
  const ok = await post(
    stack.mcpUrl,
    rpc('tools/call', { name: 'test_echo', arguments: { text: 'still here' }, _meta: envelope() }),
    modernHeaders(stack.token, 'tools/call', 'test_echo'),
  );
  expect(ok.last?.result.content[0].text).toBe('still here');
}

const aborts = () => tab.frames.filter((frame) => frame.type === 'http-abort').length;

const EMPTY_LIST = '{"jsonrpc":"2.0","id":1,"result":{"tools":[]}}';

/** The hostile tab answers request `id` whole, with `status`. */
function respond(id: string, status: number, body = '{}'): void {
  tab.send({ type: 'http-response', id, status, headers: { 'content-type': 'application/json' }, body });
}

describe('a lying tab on the modern path', () => {
  it('a status off the list reaches the client as 502', async () => {
    answer = (request) => respond(request.id, 302);
    const result = await askHostile();
    expect(result).toMatchObject({ status: 502 });
    await honestHostAnswers();
  });

  it('a header it may not set makes the frame invalid: 502, and the tab is told to stop', async () => {
    const before = aborts();
    answer = (request) =>
      tab.send({
        type: 'http-response',
        id: request.id,
        status: 200,
        // Not a header the frame schema knows: the frame is invalid.
        headers: { 'content-type': 'application/json', 'set-cookie': 'a=b' } as Record<string, string>,
        body: '{}',
      });
    const result = await askHostile();
    expect(result).toMatchObject({ status: 502 });
    await until(() => aborts() > before);
  });

  it('an answer for an id the relay is not waiting on is dropped; the client giving up cancels', async () => {
    const before = aborts();
    answer = () => respond('nope', 200);
    const result = await askHostile(500);
    expect(result).toEqual({ gaveUp: 'AbortError' });
    await until(() => aborts() > before);
    await honestHostAnswers();
  });

  it('a silent tab costs only its own client, who cancels by leaving', async () => {
    const before = aborts();
    answer = () => undefined;
    const result = await askHostile(300);
    expect(result).toEqual({ gaveUp: 'AbortError' });
    await until(() => aborts() > before);
    await honestHostAnswers();
  });

  it('a response past 16 MiB is cut and the tab told to stop', async () => {
    const before = aborts();
    const chunk = 'x'.repeat(64 * 1024);
    answer = (request) => {
      tab.send({ type: 'http-start', id: request.id, status: 200, headers: { 'content-type': 'text/event-stream' } });
      for (let i = 0; i < 270; i++) tab.send({ type: 'http-chunk', id: request.id, data: chunk });
    };
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 20_000);
    let bytes = 0;
    let cut = false;
    try {
      const res = await fetch(tab.mcpUrl, {
        method: 'POST',
        headers: modernHeaders(tab.token, 'tools/list'),
        body: JSON.stringify(rpc('tools/list')),
        signal: abort.signal,
      });
      const reader = res.body!.getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) bytes += read.value.byteLength;
    } catch {
      cut = true;
    } finally {
      clearTimeout(timer);
    }
    expect(cut).toBe(true);
    expect(bytes).toBeLessThanOrEqual(16 * 1024 * 1024);
    await until(() => aborts() > before, 10_000);
    await honestHostAnswers();
  }, 30_000);

  it('answers sent after the client left are dropped', async () => {
    let late: (() => void) | undefined;
    answer = (request) => {
      late = () => respond(request.id, 200, EMPTY_LIST);
    };
    expect(await askHostile(200)).toEqual({ gaveUp: 'AbortError' });
    late!();
    // The relay is fine and still answers this host's next request.
    answer = (request) => respond(request.id, 200, EMPTY_LIST);
    const next = await askHostile();
    expect(next).toMatchObject({ status: 200 });
    await honestHostAnswers();
  });
});
