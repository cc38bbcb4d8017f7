/**
 * A 2026-07-28 call its tab keeps silent (no progress, no answer yet) gets an SSE head and
 * keep-alive comments from the relay after VIAL_QUIET_ANSWER_MS, so an idle-cutting proxy or
 * client does not end a long call; the answer then arrives as the stream's one `message` event.
 * The spec (transports, "keep-alive") encourages comment lines for quiet streams; clients must
 * ignore them. Here the quiet time is 150 ms and keep-alives every 100 ms.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayFrame } from '@vial/shared';
import { connectMcpClient } from '../../support/mcpClient.ts';
import { openHostileTab, type HostileTab } from '../../support/hostileTab.ts';
import { envelope, modernHeaders, post, rpc, startModernStack, until, type ModernStack } from './support.ts';

const QUIET_MS = 150;
const KEEPALIVE_MS = 100;
let stack: ModernStack;

beforeAll(async () => {
  stack = await startModernStack({
    VIAL_QUIET_ANSWER_MS: String(QUIET_MS),
    VIAL_SSE_KEEPALIVE_MS: String(KEEPALIVE_MS),
  });
});
afterAll(async () => {
  await stack?.close();
});

/** A `test_slow` call with no progress token: the tab sends nothing until its result. */
function silentCall(label: string, steps: number, stepMs = 100) {
  return rpc('tools/call', { name: 'test_slow', arguments: { steps, stepMs, label }, _meta: envelope() });
}
const slowHeaders = () => modernHeaders(stack.token, 'tools/call', 'test_slow');

describe('a silent call is held open with keep-alives', () => {
  it('answers with an SSE head, keep-alive comments, then the result as one message event', async () => {
    const answer = await post(stack.mcpUrl, silentCall('held', 6), slowHeaders());
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('text/event-stream');
    expect(answer.headers.get('x-accel-buffering')).toBe('no');
    expect(answer.headers.get('cache-control')).toBe('no-cache, no-transform');
    // ~600 ms of silence after the 150 ms quiet time: several comments, then one event.
    expect(answer.text.match(/^: keep-alive$/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(answer.messages).toHaveLength(1);
    expect(answer.last).toMatchObject({ jsonrpc: '2.0', id: 1, result: { structuredContent: { label: 'held' } } });
  });

  it('leaves a call answered within the quiet time as plain JSON', async () => {
    const answer = await post(
      stack.mcpUrl,
      rpc('tools/call', { name: 'test_echo', arguments: { text: 'quick' }, _meta: envelope() }),
      modernHeaders(stack.token, 'tools/call', 'test_echo'),
    );
    expect(answer.contentType).toBe('application/json');
    expect(answer.last?.result.content[0].text).toBe('quick');
  });

  it('passes the tab’s own progress stream through untouched, with no relay comment inside it', async () => {
    const withProgress = rpc('tools/call', {
      name: 'test_slow',
      arguments: { steps: 4, stepMs: 50, label: 'streamed' },
      _meta: envelope({ progressToken: 'p1' }),
    });
    const answer = await post(stack.mcpUrl, withProgress, slowHeaders());
    expect(answer.contentType).toBe('text/event-stream');
    expect(answer.text).not.toContain(': keep-alive');
    expect(answer.messages.filter((message) => message.method === 'notifications/progress')).toHaveLength(4);
    expect(answer.last?.result.structuredContent).toEqual({ label: 'streamed', steps: 4 });
  });

  it('gives the 2.x SDK client, pinned to 2026-07-28, the result of a long silent call', async () => {
    const { client } = await connectMcpClient(stack.mcpUrl, stack.token, 'quiet', {
      versionNegotiation: { pin: '2026-07-28' },
    });
    try {
      const result = await client.callTool({ name: 'test_slow', arguments: { steps: 4, stepMs: 100, label: 'sdk' } });
      expect(result.structuredContent).toEqual({ label: 'sdk', steps: 4 });
    } finally {
      await client.close();
    }
  });

  it('cancels the tool when the client closes a held-open stream', async () => {
    const abort = new AbortController();
    const response = await fetch(stack.mcpUrl, {
      method: 'POST',
      headers: slowHeaders(),
      body: JSON.stringify(silentCall('closed while held', 100)),
      signal: abort.signal,
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain(': keep-alive');
    abort.abort();
    await until(() => stack.probe.aborted.includes('closed while held'));
  });

  it('ends a held-open stream with the relay’s error event when the tab goes away', async () => {
    const answering = post(stack.mcpUrl, silentCall('tab leaves', 100), slowHeaders());
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS + KEEPALIVE_MS + 50));
    stack.host.stop();
    const answer = await answering;
    await stack.restartHost();
    expect(answer.contentType).toBe('text/event-stream');
    expect(answer.text).toContain(': keep-alive');
    expect(answer.last).toMatchObject({ id: 1, error: { message: expect.stringMatching(/tab/i) } });
  });
});

describe('a lying tab behind a held-open stream', () => {
  let tab: HostileTab;
  let requests: Extract<RelayFrame, { type: 'http-request' }>[] = [];

  beforeAll(async () => {
    tab = await openHostileTab(stack.relay.url);
    tab.socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as RelayFrame;
      if (frame.type === 'http-request') requests.push(frame);
    });
  });
  afterAll(() => tab?.socket.terminate());

  /** A tools/list to the hostile tab, held open by the relay: the answer as `read` takes it, and the frame id. */
  async function heldRequest<T>(read: (url: string, body: unknown, headers: Record<string, string>) => Promise<T>) {
    requests = [];
    const answering = read(tab.mcpUrl, rpc('tools/list'), modernHeaders(tab.token, 'tools/list'));
    await until(() => requests.length === 1);
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS + 50));
    return { answering, id: requests[0]!.id };
  }
  const rawText = (url: string, body: unknown, headers: Record<string, string>) =>
    fetch(url, { method: 'POST', headers, body: JSON.stringify(body) }).then((response) => response.text());

  it('keeps a JSON answer with raw line breaks to one event, so it cannot forge a second one', async () => {
    const { answering, id } = await heldRequest(rawText);
    const forged = '{"jsonrpc":"2.0","id":1,\n\nevent: message\ndata: {"forged":true}\n"result":{"tools":[]}}';
    tab.send({ type: 'http-response', id, status: 200, headers: { 'content-type': 'application/json' }, body: forged });
    const text = await answering;
    // One event with one data line (malformed JSON, which the client rejects), never a forged second event.
    expect(text.match(/^event: /gm)).toHaveLength(1);
    expect(text.match(/^data: /gm)).toHaveLength(1);
  });

  it('wraps a chunked JSON answer into one event across its chunks', async () => {
    const { answering, id } = await heldRequest(post);
    tab.send({ type: 'http-start', id, status: 200, headers: { 'content-type': 'application/json' } });
    tab.send({ type: 'http-chunk', id, data: '{"jsonrpc":"2.0","id":1,' });
    tab.send({ type: 'http-chunk', id, data: '\n"result":{"tools":[]}}' });
    tab.send({ type: 'http-end', id });
    const answer = await answering;
    expect(answer.messages).toEqual([{ jsonrpc: '2.0', id: 1, result: { tools: [] } }]);
  });

  it('answers an invalid answer after the head with an error event, not a second head', async () => {
    const { answering, id } = await heldRequest(post);
    tab.send({ type: 'http-end', id });
    const answer = await answering;
    expect(answer.status).toBe(200);
    expect(answer.last).toMatchObject({ id: 1, error: { code: -32603 } });
  });
});
