/**
 * The 2.x SDK client in its three modes against a Node host through the real relay: pinned to
 * 2026-07-28, `auto` (must pick the modern era with no `initialize`), and legacy. Each lists
 * tools, calls one with progress, cancels a running one and reads a resource.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport, type VersionNegotiationMode } from '@modelcontextprotocol/client';
import { nodeToolPacks, startStack } from '../../support/relay.ts';
import { createTestPack, type SlowToolProbe } from '../../support/testPack.ts';

const probe: SlowToolProbe = { started: 0, aborted: [] };
let stack: Awaited<ReturnType<typeof startStack>>;

beforeAll(async () => {
  stack = await startStack({ packs: [...nodeToolPacks(), createTestPack(probe)] });
});
afterAll(async () => {
  await stack?.close();
});

/** A client in `mode`, and the JSON-RPC methods it POSTed. */
async function connect(mode: VersionNegotiationMode): Promise<{ client: Client; methods: string[] }> {
  const methods: string[] = [];
  const recording: typeof fetch = async (input, init) => {
    if (typeof init?.body === 'string')
      methods.push((JSON.parse(init.body) as { method?: string }).method ?? '(answer)');
    return fetch(input, init);
  };
  const client = new Client(
    { name: `modes-${JSON.stringify(mode)}`, version: '1.0.0' },
    { versionNegotiation: { mode } },
  );
  const transport = new StreamableHTTPClientTransport(new URL(stack.mcpUrl), {
    requestInit: { headers: { authorization: `Bearer ${stack.token}` } },
    fetch: recording,
  });
  await client.connect(transport);
  return { client, methods };
}

const MODES: { name: string; mode: VersionNegotiationMode; modern: boolean }[] = [
  { name: 'pinned 2026-07-28', mode: { pin: '2026-07-28' }, modern: true },
  { name: 'auto', mode: 'auto', modern: true },
  { name: 'legacy', mode: 'legacy', modern: false },
];

describe.each(MODES)('2.x client, $name', ({ name, mode, modern }) => {
  let client: Client;
  let methods: string[];

  beforeAll(async () => {
    ({ client, methods } = await connect(mode));
  });
  afterAll(async () => {
    await client?.close();
  });

  it(modern ? 'speaks the modern era: no initialize was sent' : 'opens a session with initialize', () => {
    if (modern) expect(methods).not.toContain('initialize');
    else expect(methods[0]).toBe('initialize');
  });

  it('lists the tools', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['test_slow', 'test_echo', 'system_diagnostics']),
    );
  });

  it('calls a tool with progress', async () => {
    const progress: number[] = [];
    const result = await client.callTool(
      { name: 'test_slow', arguments: { steps: 3, stepMs: 5, label: `progress ${name}` } },
      { onprogress: (update) => progress.push(update.progress) },
    );
    expect(result.isError).toBeFalsy();
    expect(progress).toEqual([1, 2, 3]);
  });

  it(modern ? 'cancels a running call by closing its stream (S:235)' : 'cancels a running call', async () => {
    const label = `cancel ${name}`;
    const abort = new AbortController();
    const started = probe.started;
    const call = client.callTool(
      { name: 'test_slow', arguments: { steps: 100, stepMs: 50, label } },
      { signal: abort.signal, onprogress: () => undefined },
    );
    await expect.poll(() => probe.started).toBeGreaterThan(started);
    abort.abort();
    await expect(call).rejects.toThrow();
    await expect.poll(() => probe.aborted).toContain(label);
  });

  it('reads a resource', async () => {
    const { contents } = await client.readResource({ uri: 'vial://system/diagnostics' });
    expect(contents[0]?.uri).toBe('vial://system/diagnostics');
  });

  it('shows the client its own name in the audit log', async () => {
    await client.callTool({ name: 'test_echo', arguments: { text: 'who am i' } });
    await expect
      .poll(async () =>
        (await stack.host.audit.tail(50)).some((entry) => entry.app === `modes-${JSON.stringify(mode)}`),
      )
      .toBe(true);
  });
});
