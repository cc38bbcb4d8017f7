/**
 * One test per MUST of the 2026-07-28 revision's transport pages that a server owes, through the
 * real relay to a Node host; each is named by its line in
 * docs/specification/2026-07-28/basic/transports/streamable-http.mdx (S), transports/index.mdx
 * (T) or versioning.mdx (V).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, MODERN, modernHeaders, post, rpc, startModernStack, until, type ModernStack } from './support.ts';

let stack: ModernStack;
beforeAll(async () => {
  stack = await startModernStack({ VIAL_ALLOWED_ORIGINS: 'https://allowed.example' });
});
afterAll(async () => {
  await stack?.close();
});

const headers = (method: string, name?: string) => modernHeaders(stack.token, method, name);
const call = (name: string, args: Record<string, unknown>, meta = envelope(), id: number | string = 1) =>
  rpc('tools/call', { name, arguments: args, _meta: meta }, id);
/**
 * Starts a long `test_slow` call labelled `label`, waits until it runs (and `afterMs` more), then
 * closes the connection: the client's cancellation. Resolves once the tool's signal has fired.
 */
async function startThenClose(label: string, options: { progress: boolean; afterMs: number }): Promise<void> {
  const abort = new AbortController();
  const started = stack.probe.started;
  const meta = options.progress ? envelope({ progressToken: 1 }) : envelope();
  const answer = post(
    stack.mcpUrl,
    call('test_slow', { steps: 400, stepMs: 25, label }, meta),
    headers('tools/call', 'test_slow'),
    abort.signal,
  ).catch(() => undefined);
  await until(() => stack.probe.started > started);
  await new Promise((resolve) => setTimeout(resolve, options.afterMs));
  abort.abort();
  await answer;
  await until(() => stack.probe.aborted.includes(label));
}

/** The http-request frames the host has received so far. */
const forwarded = () => stack.received.filter((frame) => frame.type === 'http-request').length;

describe('2026-07-28 transport MUSTs', () => {
  it('T:29 messages are UTF-8: non-ASCII text round-trips unchanged', async () => {
    const text = 'héllo 😀 世界';
    const answer = await post(stack.mcpUrl, call('test_echo', { text }), headers('tools/call', 'test_echo'));
    expect(answer.last?.result.content[0].text).toBe(text);
  });

  it('T:29 a long answer streamed in 64 Ki pieces keeps every emoji whole', async () => {
    const text = '😀a'.repeat(150_000);
    const answer = await post(stack.mcpUrl, call('test_echo', { text }), headers('tools/call', 'test_echo'));
    expect(answer.status).toBe(200);
    expect(answer.last?.result.content[0].text === text).toBe(true);
  });

  it('T:32 a request reaches the server and its progress and result reach the client on one stream', async () => {
    const answer = await post(
      stack.mcpUrl,
      call('test_slow', { steps: 3, stepMs: 1, label: 't32' }, envelope({ progressToken: 't32' })),
      headers('tools/call', 'test_slow'),
    );
    const progress = answer.messages.filter((message) => message.method === 'notifications/progress');
    expect(progress.map((message) => message.params.progress)).toEqual([1, 2, 3]);
    expect(answer.last?.result.structuredContent ?? JSON.parse(answer.last?.result.content[0].text)).toMatchObject({
      label: 't32',
    });
  });

  it("T:67 the relay-tab leg keeps the per-request metadata: the tool sees the client's envelope", async () => {
    const answer = await post(stack.mcpUrl, call('test_envelope', {}), headers('tools/call', 'test_envelope'));
    const seen = JSON.parse(answer.last?.result.content[0].text);
    expect(seen['io.modelcontextprotocol/clientInfo']).toEqual({ name: 'raw-modern', version: '1' });
    expect(seen['io.modelcontextprotocol/protocolVersion']).toBe(MODERN);
  });

  it('S:47 the endpoint is /mcp/<hostId> and serves POST; other paths are not it', async () => {
    const ok = await post(stack.mcpUrl, rpc('tools/list'), headers('tools/list'));
    expect(ok.status).toBe(200);
    const other = await fetch(`${stack.relay.url}/mcp/${stack.host.hostId}/x`, {
      method: 'POST',
      headers: headers('tools/list'),
      body: JSON.stringify(rpc('tools/list')),
    });
    expect(other.status).toBe(404);
  });

  it('S:58 S:60 a foreign Origin gets 403; an allowed or absent one is served', async () => {
    const bad = await post(stack.mcpUrl, rpc('tools/list'), {
      ...headers('tools/list'),
      origin: 'https://evil.example',
    });
    expect(bad.status).toBe(403);
    const good = await post(stack.mcpUrl, rpc('tools/list'), {
      ...headers('tools/list'),
      origin: 'https://allowed.example',
    });
    expect(good.status).toBe(200);
  });

  it('S:83 an accepted notification gets 202 and no body, from the relay', async () => {
    const before = forwarded();
    const answer = await post(
      stack.mcpUrl,
      {
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { progressToken: 1, progress: 1, _meta: envelope() },
      },
      headers('notifications/progress'),
    );
    expect(answer.status).toBe(202);
    expect(answer.text).toBe('');
    expect(forwarded()).toBe(before);
  });

  it('S:85 a notification that cannot be accepted gets an HTTP error status', async () => {
    const answer = await post(
      stack.mcpUrl,
      {
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { _meta: { 'io.modelcontextprotocol/protocolVersion': 5 } },
      },
      headers('notifications/progress'),
    );
    expect(answer.status).toBe(400);
  });

  it('S:88 a request is answered as application/json, or text/event-stream (with X-Accel-Buffering: no) when it streams', async () => {
    const plain = await post(stack.mcpUrl, call('test_echo', { text: 'x' }), headers('tools/call', 'test_echo'));
    expect(plain.contentType).toBe('application/json');
    const streamed = await post(
      stack.mcpUrl,
      call('test_slow', { steps: 1, stepMs: 1, label: 's88' }, envelope({ progressToken: 1 })),
      headers('tools/call', 'test_slow'),
    );
    expect(streamed.contentType).toBe('text/event-stream');
    expect(streamed.headers.get('x-accel-buffering')).toBe('no');
    expect(streamed.headers.get('cache-control')).toContain('no-cache');
  });

  it('S:115 S:117 every message on the stream relates to the request; none is an independent request', async () => {
    const answer = await post(
      stack.mcpUrl,
      call('test_slow', { steps: 3, stepMs: 1, label: 's115' }, envelope({ progressToken: 'mine' }), 7),
      headers('tools/call', 'test_slow'),
    );
    for (const message of answer.messages) {
      if (message.method !== undefined) {
        expect(message.id).toBeUndefined();
        expect(message.params.progressToken).toBe('mine');
      } else expect(message.id).toBe(7);
    }
  });

  it("S:235 closing the SSE stream cancels the request: the tool's AbortSignal fires", async () => {
    await startThenClose('s235-sse', { progress: true, afterMs: 60 });
  });

  it("S:235 closing before the first byte cancels the request too: the tool's AbortSignal fires", async () => {
    await startThenClose('s235-early', { progress: false, afterMs: 0 });
  });

  it('S:238 after the close the tab sends nothing more for that request', async () => {
    await startThenClose('s238', { progress: true, afterMs: 40 });
    const abortFrame = stack.received.findLast((frame) => frame.type === 'http-abort')!;
    const sentBefore = stack.sent.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const late = stack.sent
      .slice(sentBefore)
      .filter((frame) => 'id' in frame && frame.id === (abortFrame as { id: string }).id);
    expect(late).toEqual([]);
  });

  it('S:252 S:280 a POST without MCP-Protocol-Version gets 400 -32020, its id echoed', async () => {
    const { 'mcp-protocol-version': _version, ...without } = headers('tools/list');
    const answer = await post(stack.mcpUrl, rpc('tools/list', {}, 'no-version'), without);
    expect(answer.status).toBe(400);
    expect(answer.last).toMatchObject({ jsonrpc: '2.0', id: 'no-version', error: { code: -32020 } });
  });

  it('S:257-259 a header version that differs from _meta gets 400 HeaderMismatch (-32020)', async () => {
    const answer = await post(stack.mcpUrl, rpc('tools/list'), {
      ...headers('tools/list'),
      'mcp-protocol-version': '2025-11-25',
    });
    expect(answer.status).toBe(400);
    expect(answer.last?.error.code).toBe(-32020);
  });

  it('S:265 V:50 an unsupported version gets 400 -32022 listing the supported ones', async () => {
    const answer = await post(
      stack.mcpUrl,
      rpc('tools/list', { _meta: envelope({ 'io.modelcontextprotocol/protocolVersion': '2099-01-01' }) }),
      { ...headers('tools/list'), 'mcp-protocol-version': '2099-01-01' },
    );
    expect(answer.status).toBe(400);
    expect(answer.last?.error.code).toBe(-32022);
    expect(answer.last?.error.data.supported).toContain(MODERN);
  });

  it('S:271 an unknown method gets 404 -32601; so does initialize with a modern envelope', async () => {
    const unknown = await post(stack.mcpUrl, rpc('nope/nothing'), headers('nope/nothing'));
    expect(unknown.status).toBe(404);
    expect(unknown.last?.error.code).toBe(-32601);
    const initialize = await post(
      stack.mcpUrl,
      rpc('initialize', { protocolVersion: MODERN, capabilities: {}, clientInfo: { name: 'x', version: '1' } }),
      { ...headers('initialize') },
    );
    expect(initialize.status).toBeGreaterThanOrEqual(400);
  });

  it('S:293 a request without Mcp-Method gets 400 -32020', async () => {
    const { 'mcp-method': _method, ...without } = headers('tools/list');
    const answer = await post(stack.mcpUrl, rpc('tools/list'), without);
    expect(answer.status).toBe(400);
    expect(answer.last?.error.code).toBe(-32020);
  });

  it('S:293 tools/call and resources/read without Mcp-Name get 400 -32020', async () => {
    const tool = await post(stack.mcpUrl, call('test_echo', { text: 'x' }), headers('tools/call'));
    expect([tool.status, tool.last?.error.code]).toEqual([400, -32020]);
    const resource = await post(
      stack.mcpUrl,
      rpc('resources/read', { uri: 'vial://system/diagnostics' }),
      headers('resources/read'),
    );
    expect([resource.status, resource.last?.error.code]).toEqual([400, -32020]);
  });

  it('S:499-501 S:628 a Base64-wrapped Mcp-Name is decoded before it is compared', async () => {
    const uri = 'vial://system/diagnostics';
    const answer = await post(
      stack.mcpUrl,
      rpc('resources/read', { uri }),
      headers('resources/read', `=?base64?${Buffer.from(uri).toString('base64')}?=`),
    );
    expect(answer.status).toBe(200);
    expect(answer.last?.result.contents[0].uri).toBe(uri);
  });

  it('S:549 an Mcp-Param header nobody declared is passed on and ignored', async () => {
    const answer = await post(stack.mcpUrl, call('test_regional', { region: 'us', query: 'q' }), {
      ...headers('tools/call', 'test_regional'),
      'mcp-param-region': 'us',
      'mcp-param-unknown': 'z',
    });
    expect(answer.status).toBe(200);
    expect(answer.last?.result.content[0].text).toBe('us:q');
  });

  it('S:552 a declared Mcp-Param header with invalid characters gets 400 -32020', async () => {
    const answer = await post(stack.mcpUrl, call('test_regional', { region: 'us', query: 'q' }), {
      ...headers('tools/call', 'test_regional'),
      'mcp-param-region': '=?base64?***?=',
    });
    expect([answer.status, answer.last?.error.code]).toEqual([400, -32020]);
  });

  it('S:555-559 an Mcp-Param value must match the body once decoded', async () => {
    const wrong = await post(stack.mcpUrl, call('test_regional', { region: 'us', query: 'q' }), {
      ...headers('tools/call', 'test_regional'),
      'mcp-param-region': 'eu',
    });
    expect([wrong.status, wrong.last?.error.code]).toEqual([400, -32020]);
    const region = 'Hello, 世界';
    const right = await post(stack.mcpUrl, call('test_regional', { region, query: 'q' }), {
      ...headers('tools/call', 'test_regional'),
      'mcp-param-region': `=?base64?${Buffer.from(region).toString('base64')}?=`,
    });
    expect(right.status).toBe(200);
    expect(right.last?.result.content[0].text).toBe(`${region}:q`);
  });

  it('S:563-566 null or absent: no header expected; a value in the body without its header is refused', async () => {
    const nul = await post(
      stack.mcpUrl,
      call('test_regional', { region: null }),
      headers('tools/call', 'test_regional'),
    );
    expect(nul.last?.error?.code).not.toBe(-32020);
    const absent = await post(stack.mcpUrl, call('test_regional', {}), headers('tools/call', 'test_regional'));
    expect(absent.status).toBe(200);
    const omitted = await post(
      stack.mcpUrl,
      call('test_regional', { region: 'us' }),
      headers('tools/call', 'test_regional'),
    );
    expect([omitted.status, omitted.last?.error.code]).toEqual([400, -32020]);
  });

  it('S:574 header names are compared without regard to case', async () => {
    const answer = await post(stack.mcpUrl, call('test_echo', { text: 'x' }), {
      authorization: `Bearer ${stack.token}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-PROTOCOL-VERSION': MODERN,
      'MCP-METHOD': 'tools/call',
      'MCP-NAME': 'test_echo',
    });
    expect(answer.status).toBe(200);
  });

  it('S:582 S:597-598 Mcp-Method or Mcp-Name naming something else: 400, jsonrpc 2.0, id echoed, -32020', async () => {
    const method = await post(
      stack.mcpUrl,
      call('test_echo', { text: 'x' }, envelope(), 42),
      headers('tools/list', 'test_echo'),
    );
    const name = await post(
      stack.mcpUrl,
      call('test_echo', { text: 'x' }, envelope(), 43),
      headers('tools/call', 'test_slow'),
    );
    expect(method.status).toBe(400);
    expect(method.last).toMatchObject({ jsonrpc: '2.0', id: 42, error: { code: -32020 } });
    expect(name.status).toBe(400);
    expect(name.last).toMatchObject({ jsonrpc: '2.0', id: 43, error: { code: -32020 } });
  });

  it('S:634 failures the relay detects are answered there: the tab never sees them', async () => {
    const before = forwarded();
    const { 'mcp-method': _method, ...noMethod } = headers('tools/call', 'test_echo');
    await post(stack.mcpUrl, call('test_echo', { text: 'x' }), noMethod);
    await post(stack.mcpUrl, call('test_echo', { text: 'x' }), headers('tools/call'));
    await post(stack.mcpUrl, rpc('tools/list'), { ...headers('tools/list'), 'mcp-protocol-version': '2025-06-18' });
    await post(
      stack.mcpUrl,
      rpc('tools/list', { _meta: envelope({ 'io.modelcontextprotocol/protocolVersion': '2099-01-01' }) }),
      { ...headers('tools/list'), 'mcp-protocol-version': '2099-01-01' },
    );
    expect(forwarded()).toBe(before);
  });

  it('V:73 server/discover answers with the tab online, and fast and clearly with it offline', async () => {
    const online = await post(stack.mcpUrl, rpc('server/discover'), headers('server/discover'));
    expect(online.status).toBe(200);
    expect(online.last?.result.supportedVersions).toContain(MODERN);
    expect(online.last?.result.capabilities.tools).toBeDefined();
    expect(online.last?.result.ttlMs).toBe(60_000);
    // The relay serves listen streams (listen.test.ts), so it promises their notifications.
    expect(online.last?.result.capabilities.tools.listChanged).toBe(true);
    expect(online.last?.result.capabilities.resources?.subscribe).toBe(true);

    stack.host.stop();
    await until(() => stack.relay.relay.registry.get(stack.host.hostId)?.online === false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    const offline = await post(stack.mcpUrl, rpc('server/discover'), headers('server/discover'));
    const ms = performance.now() - started;
    expect(offline.status).toBe(200);
    expect(offline.last?.result.ttlMs).toBe(0);
    expect(offline.last?.result.instructions).toMatch(/offline/);
    expect(ms).toBeLessThan(200);

    const call = await post(stack.mcpUrl, rpc('tools/list'), headers('tools/list'));
    expect(call.status).toBe(200);
    expect(call.last?.error.message).toMatch(/offline/);
    await stack.restartHost();
  });

  it('subscriptions/listen asking for nothing is acknowledged, honouring nothing, and ends at once', async () => {
    const answer = await post(
      stack.mcpUrl,
      rpc('subscriptions/listen', { notifications: {} }),
      headers('subscriptions/listen'),
    );
    expect(answer.status).toBe(200);
    expect(answer.messages[0]).toMatchObject({
      method: 'notifications/subscriptions/acknowledged',
      params: { notifications: {} },
    });
    expect(answer.last?.result.resultType).toBe('complete');
  });

  it('V:86 V:122 the capabilities name no unprefixed extension', async () => {
    const answer = await post(stack.mcpUrl, rpc('server/discover'), headers('server/discover'));
    const extensions = Object.keys(answer.last?.result.capabilities.extensions ?? {});
    expect(extensions.every((key) => key.includes('/'))).toBe(true);
  });
});
