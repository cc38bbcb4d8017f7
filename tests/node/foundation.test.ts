import { afterEach, describe, expect, it } from 'vitest';
import { connectClient, startStack } from '../support/relay.ts';
import { structuredOf } from '../support/toolResults.ts';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('relay + Node host + SDK client', () => {
  it('lists tools and calls system_diagnostics through the relay', async () => {
    stack = await startStack();
    const client = await connectClient(stack.mcpUrl, stack.token);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('system_diagnostics');
    const result = await client.callTool({ name: 'system_diagnostics', arguments: {} });
    const report = structuredOf('system_diagnostics', result);
    expect(report.vial.hostId).toBe(stack.host.hostId);
    expect(report.relay.roundTripMs).toBeGreaterThan(0);
    await client.close();
  });
});
