import { afterEach, describe, expect, it } from 'vitest';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { RELAY_ERROR_CODES } from '@vial/shared';
import { connectClient, nodeToolPacks, startStack } from '../support/relay.ts';
import { createTestPack, INITIALIZE_BODY, mcpHeaders, type SlowToolProbe } from '../support/testPack.ts';
import { resultText } from '../support/toolResults.ts';
import { until } from '../support/until.ts';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function setUp(drainMs: number) {
  const probe: SlowToolProbe = { started: 0, aborted: [] };
  stack = await startStack({
    env: { VIAL_DRAIN_MS: String(drainMs) },
    packs: [...nodeToolPacks(), createTestPack(probe)],
  });
  const client = await connectClient(stack.mcpUrl, stack.token);
  const offline: string[] = [];
  stack.host.on('status', (status) => {
    if (status.state === 'offline') offline.push(status.reason);
  });
  return { stack, client, probe, offline };
}

describe('graceful shutdown', () => {
  it('lets an in-flight call finish while refusing new requests with 503 and readyz 503', async () => {
    const { stack, client, probe } = await setUp(5000);
    const call = client.callTool({ name: 'test_slow', arguments: { steps: 10, stepMs: 100, label: 'slow' } });
    await until(() => probe.started === 1);
    const closed = stack.relay.close();

    const ready = await fetch(`${stack.relay.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, state: 'draining' });
    const refused = await fetch(stack.mcpUrl, {
      method: 'POST',
      headers: mcpHeaders(stack.token),
      body: JSON.stringify(INITIALIZE_BODY),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    const body = await refused.json();
    expect(body.error.code).toBe(RELAY_ERROR_CODES.shuttingDown);
    expect(body.error.message).toMatch(/shutting down/);

    // In the live session too: a new request is refused, a notification still goes through.
    const sessionHeaders = mcpHeaders(stack.token, {
      'mcp-session-id': (client.transport as StreamableHTTPClientTransport).sessionId!,
      'mcp-protocol-version': '2025-11-25',
    });
    const newCall = await fetch(stack.mcpUrl, {
      method: 'POST',
      headers: sessionHeaders,
      body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'tools/list' }),
    });
    expect(newCall.status).toBe(503);
    const notification = await fetch(stack.mcpUrl, {
      method: 'POST',
      headers: sessionHeaders,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/roots/list_changed' }),
    });
    expect(notification.status).toBe(202);

    const result = await call;
    expect(result.structuredContent ?? JSON.parse(resultText(result))).toMatchObject({
      label: 'slow',
      steps: 10,
    });
    await closed;
    expect(probe.aborted).toEqual([]);
  });

  it('fails a call still running at the drain deadline with a shutting-down error and closes the tab with 1001', async () => {
    const { stack, client, probe, offline } = await setUp(200);
    const call = client.callTool({ name: 'test_slow', arguments: { steps: 100, stepMs: 100, label: 'too-slow' } });
    const failed = expect(call).rejects.toMatchObject({ code: RELAY_ERROR_CODES.shuttingDown });
    await until(() => probe.started === 1);
    const started = Date.now();
    await stack.relay.close();
    expect(Date.now() - started).toBeLessThan(2000);
    await failed;
    await until(() => probe.aborted.includes('too-slow'));
    // The tab heard close code 1001 with the reason, and will reconnect with backoff.
    await until(() => offline.length > 0);
    expect(offline[0]).toBe('relay shutting down');
  });
});
