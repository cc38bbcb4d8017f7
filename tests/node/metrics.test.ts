import { afterEach, describe, expect, it } from 'vitest';
import { connectClient, nodeToolPacks, startRelay, startStack, type StartedRelay } from '../support/relay.ts';
import { createTestPack, mcpHeaders } from '../support/testPack.ts';
import { until } from '../support/until.ts';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack | undefined;
let bare: StartedRelay | undefined;
afterEach(async () => {
  await stack?.close();
  await bare?.close();
  stack = undefined;
  bare = undefined;
});

async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

/** The value of one sample line, e.g. `vial_client_sessions` or `vial_relay_errors_total{class="auth_failed"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  it('reports hosts, sessions, requests by method and outcome, errors and tools/call latency', async () => {
    stack = await startStack({ packs: [...nodeToolPacks(), createTestPack({ started: 0, aborted: [] })] });
    const client = await connectClient(stack.mcpUrl, stack.token);
    await client.callTool({ name: 'test_echo', arguments: { text: 'hi' } });
    await client.callTool({ name: 'test_echo', arguments: { text: 'again' } });
    await fetch(stack.mcpUrl, { method: 'POST', headers: mcpHeaders('vial_wrong'), body: '{}' });

    const text = await scrape(stack.relay.url);
    expect(sample(text, 'vial_connected_hosts')).toBe(1);
    expect(sample(text, 'vial_client_sessions')).toBe(1);
    expect(sample(text, 'vial_pending_requests')).toBe(0);
    expect(sample(text, 'vial_mcp_requests_total{method="tools/call",outcome="ok",era="legacy"}')).toBe(2);
    expect(sample(text, 'vial_mcp_requests_total{method="initialize",outcome="ok",era="legacy"}')).toBe(1);
    expect(sample(text, 'vial_relay_errors_total{class="auth_failed"}')).toBe(1);
    expect(sample(text, 'vial_tool_call_seconds_count{outcome="ok"}')).toBe(2);
    expect(sample(text, 'vial_tool_call_seconds_sum{outcome="ok"}')).toBeGreaterThan(0);
    await client.close();
  });

  it('counts 2026-07-28 requests apart from sessions, by how they ended', async () => {
    stack = await startStack({ packs: [...nodeToolPacks(), createTestPack({ started: 0, aborted: [] })] });
    const client = await connectClient(stack.mcpUrl, stack.token, 'modern', {
      versionNegotiation: { pin: '2026-07-28' },
    });
    await client.callTool({ name: 'test_echo', arguments: { text: 'hi' } });
    await client.listTools();
    const cancel = new AbortController();
    const slow = client.callTool(
      { name: 'test_slow', arguments: { steps: 100, stepMs: 50, label: 'cancelled' } },
      { signal: cancel.signal },
    );
    await until(() => stack!.relay.relay.registry.get(stack!.host.hostId)!.forwarded.size === 1);
    cancel.abort();
    await expect(slow).rejects.toThrow();
    await until(() => stack!.relay.relay.registry.get(stack!.host.hostId)!.forwarded.size === 0);
    await client.close();

    const text = await scrape(stack.relay.url);
    const modern = (method: string, outcome: string) =>
      sample(text, `vial_mcp_requests_total{method="${method}",outcome="${outcome}",era="modern"}`);
    expect(modern('tools/call', 'cancelled')).toBe(1);
    expect(modern('server/discover', 'ok')).toBe(1);
    expect(modern('tools/call', 'ok')).toBe(1);
    expect(modern('tools/list', 'ok')).toBe(1);
    expect(text).not.toMatch(/vial_mcp_requests_total\{[^}]*era="legacy"/);
    expect(sample(text, 'vial_tool_call_seconds_count{outcome="ok"}')).toBe(1);
    expect(sample(text, 'vial_tool_call_seconds_count{outcome="cancelled"}')).toBe(1);
  });

  it('counts calls that fail because the tab is offline, and keeps each relay to its own registry', async () => {
    stack = await startStack();
    bare = await startRelay();
    const client = await connectClient(stack.mcpUrl, stack.token);
    const hostId = stack.host.hostId;
    stack.host.stop();
    await until(() => stack!.relay.relay.registry.get(hostId)?.online === false);
    await expect(client.listTools()).rejects.toThrow(/offline/);
    const text = await scrape(stack.relay.url);
    expect(sample(text, 'vial_connected_hosts')).toBe(0);
    expect(sample(text, 'vial_relay_errors_total{class="tab_offline"}')).toBe(1);
    expect(sample(text, 'vial_mcp_requests_total{method="tools/list",outcome="tab_offline",era="legacy"}')).toBe(1);
    const other = await scrape(bare.url);
    expect(other).not.toMatch(/vial_mcp_requests_total\{/);
    expect(sample(other, 'vial_client_sessions')).toBe(0);
    await client.close();
  });
});

describe('/metrics with VIAL_METRICS_TOKEN', () => {
  it('answers only the scraper that sends the token', async () => {
    const secret = 'scraper-secret-0123456789';
    bare = await startRelay({ VIAL_METRICS_TOKEN: secret });
    for (const authorization of [undefined, 'Bearer wrong-secret-0123456789', secret]) {
      const res = await fetch(`${bare.url}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="vial-metrics"');
      expect(await res.text()).not.toContain(secret);
    }
    const res = await fetch(`${bare.url}/metrics`, { headers: { authorization: `Bearer ${secret}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('vial_connected_hosts');
  });
});

describe('/readyz', () => {
  it('is 200 once listening (shutdown.test.ts shows it turn 503 while draining)', async () => {
    bare = await startRelay();
    const ready = await fetch(`${bare.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, state: 'ready' });
  });
});
