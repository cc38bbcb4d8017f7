/**
 * The official MCP conformance suite, every server scenario (`--suite all`), run through the
 * relay against a Node host serving the `conformance` fixture pack. Scenarios listed in
 * tests/conformance/expected-failures.yml may fail; any other failure, or a listed scenario that
 * now passes, fails this test. Below it, the relay features the polling scenario rests on, seen
 * directly: the tab closing a client's stream mid-call, and the session's negotiated version.
 */
import type { ResourceUpdatedNotification } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePacks } from '../../web/src/fixtures/index.ts';
import { EXPECTED_FAILURES, runConformanceSuite, startBearerProxy, type HeaderProxy } from '../support/conformance.ts';
import { connectClient, startStack } from '../support/relay.ts';
import { readSse } from '../support/sse.ts';
import { mcpHeaders } from '../support/testPack.ts';

let stack: Awaited<ReturnType<typeof startStack>>;
let proxy: HeaderProxy;

beforeAll(async () => {
  stack = await startStack({ env: { VIAL_FIXTURES: 'conformance', VIAL_SSE_RETRY_MS: '300' }, fixturePacks });
  proxy = await startBearerProxy(stack.relay.url, stack.token);
});

afterAll(async () => {
  await proxy?.close();
  await stack?.close();
});

describe('official MCP conformance suite through the relay (Node host)', () => {
  it('passes every server scenario not in the baseline', { timeout: 120_000 }, async () => {
    const mcpUrl = new URL(new URL(stack.mcpUrl).pathname, proxy.url).toString();
    const run = await runConformanceSuite({ url: mcpUrl, suite: 'all', expectedFailures: EXPECTED_FAILURES });
    const lines = run.scenarios.map((s) => `${s.ok ? '✓' : '✗'} ${s.scenario}: ${s.passed} passed, ${s.failed} failed`);
    console.log(`conformance (Node host):\n${lines.join('\n')}\nTotal: ${JSON.stringify(run.total)}`);
    expect(run.scenarios.length, run.output).toBe(32);
    expect(run.exitCode, run.output).toBe(0);
  });
});

/** Opens a session at `protocolVersion` with plain fetch; returns a POST helper bound to it. */
async function openSession(protocolVersion: string) {
  const initialize = await fetch(stack.mcpUrl, {
    method: 'POST',
    headers: mcpHeaders(stack.token),
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
  expect(await initialize.text()).toContain(`"protocolVersion":"${protocolVersion}"`);
  const sessionId = initialize.headers.get('mcp-session-id')!;
  const request = (method: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(stack.mcpUrl, {
      method,
      headers: mcpHeaders(stack.token, { 'mcp-session-id': sessionId, ...headers }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  await request(
    'POST',
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { 'mcp-protocol-version': protocolVersion },
  );
  return request;
}

const callReconnection = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'test_reconnection' } };

describe('SEP-1699 polling through the relay', () => {
  it('lets a tab tool close the client stream mid-call; the answer comes on resume', async () => {
    const request = await openSession('2025-11-25');
    // No MCP-Protocol-Version header: the session's negotiated 2025-11-25 applies.
    const post = await request('POST', callReconnection);
    const events = (await post.text()).split('\n\n').filter(Boolean);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatch(/^id: \S+\nretry: 300\ndata: $/);
    const lastEventId = /^id: (\S+)/.exec(events[0]!)![1]!;

    const resume = await request('GET', undefined, { 'last-event-id': lastEventId, accept: 'text/event-stream' });
    expect(resume.status).toBe(200);
    for await (const event of readSse(resume)) {
      const message = JSON.parse(event.data) as { id?: number; result?: { content: Array<{ text: string }> } };
      if (message.id !== 1) continue;
      expect(message.result?.content[0]?.text).toMatch(/Reconnection test completed/);
      break;
    }
  });

  it('keeps the stream open when the client cannot resume it (negotiated before 2025-11-25)', async () => {
    const request = await openSession('2025-06-18');
    const post = await request('POST', callReconnection, { 'mcp-protocol-version': '2025-06-18' });
    const body = await post.text();
    expect(body).not.toMatch(/retry:/);
    expect(body).toMatch(/Reconnection test completed/);
  });

  it('serves the real SDK client across the closed stream, and sends resource updates to subscribers', async () => {
    const client = await connectClient(stack.mcpUrl, stack.token);
    const result = await client.callTool({ name: 'test_reconnection', arguments: {} });
    expect(JSON.stringify(result.content)).toMatch(/Reconnection test completed/);

    const updates: ResourceUpdatedNotification[] = [];
    client.setNotificationHandler('notifications/resources/updated', (notification) => void updates.push(notification));
    await client.subscribeResource({ uri: 'test://watched-resource' });
    await client.callTool({ name: 'test_update_watched_resource', arguments: { content: 'changed' } });
    await expect.poll(() => updates.length).toBe(1);
    expect(updates[0]!.params.uri).toBe('test://watched-resource');
    const read = await client.readResource({ uri: 'test://watched-resource' });
    expect(read.contents[0]).toMatchObject({ text: 'changed' });
    await client.close();
  });
});
