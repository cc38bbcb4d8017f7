import { SdkHttpError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { RELAY_ERROR_CODES } from '@vial/shared';
import { MemoryHostStore } from '../../web/src/server/identity.ts';
import type { HostRuntime } from '../../web/src/server/runtime.ts';
import { connectClient, startRelay, startNodeHost, type StartedRelay, nodeToolPacks } from '../support/relay.ts';
import { until } from '../support/until.ts';
import { createTestPack, type SlowToolProbe } from '../support/testPack.ts';

let relay: StartedRelay | undefined;
const hosts: HostRuntime[] = [];
afterEach(async () => {
  for (const host of hosts.splice(0)) host.stop();
  await relay?.close();
  relay = undefined;
});

async function setUp(env: Record<string, string> = {}) {
  relay = await startRelay(env);
  const probe: SlowToolProbe = { started: 0, aborted: [] };
  const store = new MemoryHostStore();
  const packs = [...nodeToolPacks(), createTestPack(probe)];
  const host = await startNodeHost(relay.url, { packs, store });
  hosts.push(host);
  const { token } = await host.mintToken({ name: 'test', scopes: [] });
  const client = await connectClient(host.mcpUrl!, token);
  /** Simulates a tab reload: the old tab goes away, a new one starts from the same IndexedDB. */
  const reload = async () => {
    host.stop();
    const next = await startNodeHost(relay!.url, { packs, store });
    hosts.push(next);
    return next;
  };
  return { host, token, client, probe, store, reload };
}

describe('tab comings and goings', () => {
  it('keeps the client session across a tab reload (initialize is replayed)', async () => {
    const { client, reload, host } = await setUp();
    await client.callTool({ name: 'test_echo', arguments: { text: 'before' } });
    const next = await reload();
    expect(next.hostId).toBe(host.hostId);
    const result = await client.callTool({ name: 'test_echo', arguments: { text: 'after' } });
    expect(result.content).toEqual([{ type: 'text', text: 'after' }]);
    expect(next.listSessions()).toHaveLength(1);
  });

  it('fails an in-flight call within a second when the tab goes away, then keeps the session', async () => {
    const { client, host, probe, reload } = await setUp();
    const call = client.callTool({ name: 'test_slow', arguments: { steps: 100, stepMs: 100, label: 'x' } });
    await until(() => probe.started === 1);
    const droppedAt = Date.now();
    host.stop();
    await expect(call).rejects.toThrow(/went away/);
    expect(Date.now() - droppedAt).toBeLessThan(1000);
    await reload();
    const result = await client.callTool({ name: 'test_echo', arguments: { text: 'back' } });
    expect(result.content).toEqual([{ type: 'text', text: 'back' }]);
  });

  it('answers new calls at once with an offline message while no tab is connected', async () => {
    const { client, host } = await setUp();
    host.stop();
    await until(() => relay!.relay.registry.get(host.hostId)?.online === false);
    const started = Date.now();
    const error = await client.callTool({ name: 'test_echo', arguments: { text: 'x' } }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(500);
    expect(String(error)).toMatch(/offline/);
    expect((error as { code: number }).code).toBe(RELAY_ERROR_CODES.tabOffline);
  });

  it('lets the newest tab of a host take over and tells the old one', async () => {
    const { host, store } = await setUp();
    const second = await startNodeHost(relay!.url, { packs: nodeToolPacks(), store });
    hosts.push(second);
    await until(() => host.status.state === 'replaced');
    expect(second.status.state).toBe('online');
  });

  it('drops a tab that stops answering heartbeats and fails its calls', async () => {
    const { client, host, probe } = await setUp({ VIAL_HEARTBEAT_MS: '100' });
    const call = client.callTool({ name: 'test_slow', arguments: { steps: 100, stepMs: 100, label: 'x' } });
    await until(() => probe.started === 1);
    // Freeze the tab's socket: it neither answers pings nor sends anything.
    const connection = (host as unknown as { connection: { send: () => boolean } }).connection;
    connection.send = () => false;
    await expect(call).rejects.toThrow(/went away/);
  });
});

describe('progress and cancellation', () => {
  it('forwards progress notifications to the client', async () => {
    const { client } = await setUp();
    const seen: number[] = [];
    const result = await client.callTool(
      { name: 'test_slow', arguments: { steps: 3, stepMs: 5, label: 'p' } },
      { onprogress: (progress) => seen.push(progress.progress) },
    );
    expect(result.isError).toBeFalsy();
    expect(seen).toEqual([1, 2, 3]);
  });

  it('delivers notifications/cancelled to the tool as an AbortSignal', async () => {
    const { client, probe } = await setUp();
    const controller = new AbortController();
    const call = client.callTool(
      { name: 'test_slow', arguments: { steps: 100, stepMs: 50, label: 'cancel-me' } },
      {
        signal: controller.signal,
      },
    );
    await until(() => probe.started === 1);
    controller.abort('user changed their mind');
    await expect(call).rejects.toThrow();
    await until(() => probe.aborted.includes('cancel-me'));
  });
});

describe('relay restarts', () => {
  it('the tab comes back by itself with the same MCP URL and tokens', async () => {
    const { host, token } = await setUp();
    const url = host.mcpUrl!;
    const port = new URL(relay!.url).port;
    await relay!.close();
    await until(() => host.status.state !== 'online');
    relay = await startRelay({ VIAL_PORT: port });
    await until(() => host.status.state === 'online', 10_000);
    expect(host.mcpUrl).toBe(url);
    // The old session died with the relay; a client starting over reaches the same tab with the same token.
    const client = await connectClient(url, token);
    const result = await client.callTool({ name: 'test_echo', arguments: { text: 'after restart' } });
    expect(result.content).toEqual([{ type: 'text', text: 'after restart' }]);
    await client.close();
  });

  it('a client whose session died with the relay gets 404, and the same client re-initialises on the same URL and token', async () => {
    const { host, token, client } = await setUp();
    const url = host.mcpUrl!;
    await client.callTool({ name: 'test_echo', arguments: { text: 'before' } });
    const port = new URL(relay!.url).port;
    await relay!.close();
    await until(() => host.status.state !== 'online');
    relay = await startRelay({ VIAL_PORT: port });
    await until(() => host.status.state === 'online', 10_000);

    // The new relay knows the host again but not the session: the spec's answer is 404.
    const lost = await client.callTool({ name: 'test_echo', arguments: { text: 'lost' } }).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(SdkHttpError);
    expect((lost as SdkHttpError).status).toBe(404);
    expect(String(lost)).toMatch(/Session not found/);

    // Starting over means a new transport (no session id) on the same client: initialize again.
    await client.close();
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    const result = await client.callTool({ name: 'test_echo', arguments: { text: 'new session' } });
    expect(result.content).toEqual([{ type: 'text', text: 'new session' }]);
    await client.close();
  });
});
