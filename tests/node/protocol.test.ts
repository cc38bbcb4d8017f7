import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectClient, startStack, nodeToolPacks } from '../support/relay.ts';
import { readSse, sseMessages } from '../support/sse.ts';
import { until } from '../support/until.ts';
import { createTestPack, INITIALIZE_BODY, mcpHeaders, rawInitialize, type SlowToolProbe } from '../support/testPack.ts';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function setUp(env: Record<string, string> = {}) {
  const probe: SlowToolProbe = { started: 0, aborted: [] };
  stack = await startStack({ packs: [...nodeToolPacks(), createTestPack(probe)], env });
  const sessionId = await rawInitialize(stack.mcpUrl, stack.token);
  const headers = mcpHeaders(stack.token, { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' });
  const post = (body: unknown, extra: RequestInit = {}) =>
    fetch(stack!.mcpUrl, {
      method: 'POST',
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...extra,
    });
  return { stack, probe, sessionId, headers, post };
}

const slowCall = (id: number, label: string, steps = 20, stepMs = 20) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'test_slow', arguments: { steps, stepMs, label }, _meta: { progressToken: label } },
});

describe('Streamable HTTP through the relay', () => {
  it.each(['2025-11-25', '2025-06-18', '2025-03-26'])('serves a client that speaks protocol %s', async (version) => {
    const { stack } = await setUp();
    const init = await fetch(stack.mcpUrl, {
      method: 'POST',
      headers: mcpHeaders(stack.token),
      body: JSON.stringify({ ...INITIALIZE_BODY, params: { ...INITIALIZE_BODY.params, protocolVersion: version } }),
    });
    const [reply] = await sseMessages(init);
    expect(reply).toMatchObject({ result: { protocolVersion: version } });
    const sessionHeaders = mcpHeaders(stack.token, {
      'mcp-session-id': init.headers.get('mcp-session-id')!,
      // 2025-03-26 predates the header; later versions must send it.
      ...(version === '2025-03-26' ? {} : { 'mcp-protocol-version': version }),
    });
    const call = await fetch(stack.mcpUrl, {
      method: 'POST',
      headers: sessionHeaders,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'test_echo', arguments: { text: version } },
      }),
    });
    const [result] = await sseMessages(call);
    expect(result).toMatchObject({ id: 2, result: { content: [{ type: 'text', text: version }] } });
  });

  it('rejects an unsupported MCP-Protocol-Version with 400', async () => {
    const { post, headers } = await setUp();
    const res = await post(
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      { headers: { ...headers, 'mcp-protocol-version': '1999-01-01' } },
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/Unsupported protocol version/);
  });

  it('refuses foreign Origin and Host headers with 403 and accepts same-origin pages', async () => {
    const { post, headers, stack } = await setUp();
    const body = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
    expect((await post(body, { headers: { ...headers, origin: 'https://evil.example' } })).status).toBe(403);
    // fetch cannot set Host (a forbidden header), so this one goes through node:http.
    const rebound = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(stack.mcpUrl, { method: 'POST', headers: { ...headers, host: 'evil.example' } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
    expect(rebound.status).toBe(403);
    expect(rebound.text).toMatch(/VIAL_ALLOWED_HOSTS/);
    const sameOrigin = await post(body, { headers: { ...headers, origin: new URL(stack.relay.url).origin } });
    expect(sameOrigin.status).toBe(200);
    expect(sameOrigin.headers.get('access-control-expose-headers')).toMatch(/mcp-session-id/);
  });

  it('keeps an idle GET stream alive with SSE comments', async () => {
    const { stack, headers } = await setUp({ VIAL_SSE_KEEPALIVE_MS: '50' });
    const controller = new AbortController();
    const res = await fetch(stack.mcpUrl, { method: 'GET', headers, signal: controller.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!/^:/m.test(text)) text += (await reader.read()).value ?? '';
    controller.abort();
  });

  it('ends a session on DELETE; the id then gets 404', async () => {
    const { post, headers, stack } = await setUp();
    expect((await fetch(stack.mcpUrl, { method: 'DELETE', headers })).status).toBe(200);
    const res = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    expect(res.status).toBe(404);
    await until(() => stack.host.listSessions().length === 0);
  });

  it('ends the least recently used idle session past the per-host cap', async () => {
    const { stack, sessionId: oldest, post } = await setUp({ VIAL_MAX_SESSIONS_PER_HOST: '2' });
    await rawInitialize(stack.mcpUrl, stack.token);
    await rawInitialize(stack.mcpUrl, stack.token);
    const res = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    expect(res.status).toBe(404);
    expect(oldest).toBeTruthy();
    expect(stack.relay.relay.registry.get(stack.host.hostId)!.sessions.size).toBe(2);
  });

  it('answers malformed JSON with a parse error and oversized bodies with 413', async () => {
    const { post } = await setUp({ VIAL_MAX_BODY_BYTES: '1024' });
    const malformed = await post('{"jsonrpc": "2.0", "id": ');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: number } }).error.code).toBe(-32700);
    const oversized = await post({ jsonrpc: '2.0', id: 3, method: 'tools/list', params: { pad: 'x'.repeat(2000) } });
    expect(oversized.status).toBe(413);
    expect(await oversized.text()).toMatch(/larger than the relay's limit of 1024 bytes/);
    const fine = await post({ jsonrpc: '2.0', id: 4, method: 'tools/list' });
    expect(fine.status).toBe(200);
  });

  it('answers an unknown method with JSON-RPC -32601 from the tab', async () => {
    const { post } = await setUp();
    const res = await post({ jsonrpc: '2.0', id: 7, method: 'no/such/method' });
    const [reply] = await sseMessages(res);
    expect(reply).toMatchObject({ id: 7, error: { code: -32601 } });
  });

  it('resumes a dropped stream with Last-Event-ID without losing or cancelling the call', async () => {
    const { post, headers, probe, stack } = await setUp({ VIAL_ABANDON_GRACE_MS: '2000' });
    const controller = new AbortController();
    const res = await post(slowCall(10, 'resume', 10, 30), { signal: controller.signal });
    let lastEventId: string | undefined;
    const firstPart: unknown[] = [];
    for await (const event of readSse(res)) {
      lastEventId = event.id;
      firstPart.push(JSON.parse(event.data));
      if (firstPart.length === 2) break;
    }
    controller.abort();
    // Until the relay has seen the old stream close, it answers 409; a client retries, as the SDK's does.
    let resumed: Response;
    for (let attempt = 0; ; attempt++) {
      resumed = await fetch(stack.mcpUrl, { method: 'GET', headers: { ...headers, 'last-event-id': lastEventId! } });
      if (resumed.status !== 409 || attempt === 50) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(resumed.status).toBe(200);
    const rest = await sseMessages(resumed);
    const progress = [...firstPart, ...rest].filter(
      (m) => (m as { method?: string }).method === 'notifications/progress',
    );
    expect(progress.map((m) => (m as { params: { progress: number } }).params.progress)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    expect(rest.at(-1)).toMatchObject({ id: 10, result: { structuredContent: { label: 'resume' } } });
    expect(probe.aborted).toEqual([]);
  });

  it('aborts the tool when the client closes its stream and does not come back', async () => {
    const { post, probe } = await setUp({ VIAL_ABANDON_GRACE_MS: '50' });
    const controller = new AbortController();
    const res = await post(slowCall(11, 'abandoned', 200, 20), { signal: controller.signal });
    for await (const _event of readSse(res)) break;
    controller.abort();
    await until(() => probe.aborted.includes('abandoned'));
  });
});

describe('hostile tab frames', () => {
  it('answers garbage frames with errors and keeps serving other hosts', async () => {
    const { stack } = await setUp({ VIAL_MAX_FRAME_BYTES: '4096' });
    const client = await connectClient(stack.mcpUrl, stack.token);
    const socket = new WebSocket(`${stack.relay.url.replace('http', 'ws')}/tab`);
    const errors: string[] = [];
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; message?: string };
      if (frame.type === 'error') errors.push(frame.message!);
    });
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send('not json at all');
    socket.send(JSON.stringify({ type: 'no-such-frame' }));
    socket.send(JSON.stringify({ type: 'mcp', sessionId: 'x', message: { jsonrpc: '2.0', method: 'ping' } }));
    socket.send(Buffer.from([1, 2, 3]), { binary: true });
    socket.send(
      JSON.stringify({ type: 'register', hostId: 'AAAAAAAAAAAAAAAAAAAAAA', secret: 'x'.repeat(40), tokens: [] }),
    );
    await until(() => errors.length === 5);
    expect(errors[0]).toMatch(/not valid JSON/);
    expect(errors[1]).toMatch(/invalid frame/);
    expect(errors[2]).toMatch(/register before/);
    expect(errors[3]).toMatch(/binary frames/);
    expect(errors[4]).toMatch(/does not match its secret/);

    const big = new WebSocket(`${stack.relay.url.replace('http', 'ws')}/tab`);
    await new Promise((resolve) => big.once('open', resolve));
    const closed = new Promise<number>((resolve) => big.once('close', resolve));
    big.send('x'.repeat(10_000));
    expect(await closed).toBe(1009);

    const result = await client.callTool({ name: 'test_echo', arguments: { text: 'still here' } });
    expect(result.content).toEqual([{ type: 'text', text: 'still here' }]);
    socket.close();
    await client.close();
  });
});
