/**
 * Attacks on the 2026-07-28 (stateless) path, played as a client holding a token with no scopes
 * and as a tab that lies. Each case failed on the code that first served the modern era.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayFrame } from '@vial/shared';
import { openHostileTab, type HostileTab } from '../support/hostileTab.ts';
import { startRelay, type StartedRelay } from '../support/relay.ts';
import { until } from '../support/until.ts';
import { modernHeaders, post, rpc, startModernStack, type ModernStack, type Posted } from './modern/support.ts';

const MAX_PENDING = 3;

let relay: StartedRelay;
let tab: HostileTab;

beforeAll(async () => {
  relay = await startRelay({ VIAL_SESSION_MAX_PENDING: String(MAX_PENDING) });
  tab = await openHostileTab(relay.url);
});
afterAll(async () => {
  tab?.socket.terminate();
  await relay?.close();
});

const requestsAtTab = () =>
  tab.frames.filter((frame): frame is Extract<RelayFrame, { type: 'http-request' }> => frame.type === 'http-request');

describe('a client on the modern path', () => {
  it('cannot have more requests waiting on a tab than VIAL_SESSION_MAX_PENDING', async () => {
    const before = requestsAtTab().length;
    const abort = new AbortController();
    const asked = Array.from({ length: MAX_PENDING + 2 }, (_, i) =>
      post(tab.mcpUrl, rpc('tools/list', {}, i + 1), modernHeaders(tab.token, 'tools/list'), abort.signal).catch(
        () => undefined,
      ),
    );
    // The tab never answers: what it holds waits until the client leaves.
    const refused: Posted[] = [];
    for (const answer of asked) void answer.then((posted) => posted && refused.push(posted));
    await until(() => refused.length === 2 && requestsAtTab().length - before === MAX_PENDING, 5000);
    for (const posted of refused) {
      expect(posted.status).toBe(200);
      expect(posted.last?.error).toMatchObject({
        code: -32000,
        data: { limit: 'modern-pending', setting: 'VIAL_SESSION_MAX_PENDING', max: MAX_PENDING },
      });
    }
    abort.abort();
    await Promise.all(asked);
    // Leaving frees the places: the next request reaches the tab again.
    await until(() => tab.frames.filter((frame) => frame.type === 'http-abort').length >= MAX_PENDING);
    const reached = requestsAtTab().length;
    const next = post(tab.mcpUrl, rpc('tools/list'), modernHeaders(tab.token, 'tools/list'));
    await until(() => requestsAtTab().length > reached);
    tab.send({
      type: 'http-response',
      id: requestsAtTab().at(-1)!.id,
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"result":{"tools":[]}}',
    });
    expect((await next).last?.result).toEqual({ tools: [] });
  });

  it('cannot make the relay hold a request id longer than it takes', async () => {
    // A modern request's id is kept until its tab answers, and the tab may take minutes.
    const before = requestsAtTab().length;
    const id = 'x'.repeat(257);
    const refused = await post(tab.mcpUrl, rpc('tools/list', {}, id), modernHeaders(tab.token, 'tools/list'));
    expect(refused.status).toBe(400);
    expect(refused.last?.error).toMatchObject({ code: -32600, message: expect.stringMatching(/257 characters long/) });
    expect(requestsAtTab().length).toBe(before);
  });
});

describe('a tab on the modern path', () => {
  it('cannot make the relay keep a host-info larger than an honest one', async () => {
    // About 87,000 objects per 256 KiB once parsed, kept for as long as the host is known (its
    // tab away too), and built into a server and serialized again for every server/discover.
    const flood = Array.from({ length: 300_000 }, () => ({}));
    const errors = () => tab.frames.filter((frame) => frame.type === 'error').length;
    const before = errors();
    tab.send({ type: 'host-info', serverInfo: { name: 'x', version: '1' }, capabilities: { tools: {}, flood } });
    await until(() => errors() > before);
    expect(tab.frames.at(-1)).toMatchObject({ type: 'error', message: expect.stringMatching(/host-info/) });
    const discovered = await post(tab.mcpUrl, rpc('server/discover'), modernHeaders(tab.token, 'server/discover'));
    expect(discovered.status).toBe(200);
    expect(discovered.text.length).toBeLessThan(16 * 1024);
    expect(discovered.last?.result.capabilities.flood).toBeUndefined();
  });
});

describe('a token with no scopes on the modern path', () => {
  let stack: ModernStack;
  let bare: string;
  beforeAll(async () => {
    stack = await startModernStack();
    bare = (await stack.host.mintToken({ name: 'bare', scopes: [] })).token;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('cannot call a scoped tool, also when the server is built for that tool alone', async () => {
    const called = await post(
      stack.mcpUrl,
      rpc('tools/call', { name: 'quantum_simulate', arguments: { qasm: 'OPENQASM 2.0; qreg q[1];' } }),
      modernHeaders(bare, 'tools/call', 'quantum_simulate'),
    );
    expect(called.last?.result?.isError ?? Boolean(called.last?.error)).toBe(true);
    expect(JSON.stringify(called.last)).toMatch(/lacks the scope quantum/);
  });

  it('cannot read a scoped resource', async () => {
    for (const uri of ['vial://web3/wallet', 'vial://llm/conversations']) {
      const read = await post(stack.mcpUrl, rpc('resources/read', { uri }), modernHeaders(bare, 'resources/read', uri));
      expect(read.last?.result).toBeUndefined();
      expect(read.last?.error.message).toMatch(/lacks the scope/);
    }
  });

  it('loses its calls in flight when its token is revoked, as a session does', async () => {
    const minted = await stack.host.mintToken({ name: 'doomed', scopes: [] });
    const started = stack.probe.started;
    const label = 'revoked mid-call';
    const answer = post(
      stack.mcpUrl,
      rpc('tools/call', { name: 'test_slow', arguments: { steps: 200, stepMs: 25, label } }),
      modernHeaders(minted.token, 'tools/call', 'test_slow'),
    );
    await until(() => stack.probe.started > started);
    await stack.host.revokeToken(minted.record.id);
    await until(() => stack.probe.aborted.includes(label));
    const ended = await answer;
    expect(ended.last?.result).toBeUndefined();
    expect(ended.last?.error.message).toMatch(/revoked/);
  });
});
