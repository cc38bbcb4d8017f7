/**
 * Every tool declares what its `structuredContent` holds, and nothing else gets through: the
 * schema each tool serves is the one `web/src/tools/outputs.ts` names for it, `tools/list`
 * advertises it as an object that allows no other keys, and a tool that answers outside its
 * schema fails, in the tab (the SDK server checks with zod) and in the client (the SDK client
 * checks the advertised JSON Schema, once it has listed the tools).
 */
import type { Client } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toolOutputSchema } from '../../web/src/server/sessionServer.ts';
import { defineTool, defineToolWithOutput, jsonResult, type ToolPack } from '../../web/src/server/toolRegistry.ts';
import { toolOutputs } from '../../web/src/tools/outputs.ts';
import { connectClient, nodeToolPacks, startStack } from '../support/relay.ts';
import { callTool, callToolResult, resultText } from '../support/toolResults.ts';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  await stack?.close();
  client = undefined;
  stack = undefined;
});

/** Tools that answer outside their schemas, each in one way. */
const lyingPack: ToolPack = {
  name: 'lying',
  tools: [
    defineToolWithOutput({
      name: 'test_wrong_type',
      description: 'Declares a number and returns a string.',
      scopes: [],
      access: 'read',
      input: {},
      output: z.strictObject({ count: z.number() }),
      // The lie a broken tool would tell; only a cast gets it past the compiler.
      run: async () => jsonResult({ count: 'three' } as unknown as { count: number }),
    }),
    defineToolWithOutput({
      name: 'test_extra_key',
      description: 'Returns a key its schema does not name, inside a nested object.',
      scopes: [],
      access: 'read',
      input: {},
      output: z.strictObject({ wallet: z.object({ address: z.string() }) }),
      run: async () => jsonResult({ wallet: { address: '0x1', privateNote: 'not for clients' } }),
    }),
    defineToolWithOutput({
      name: 'test_large_extra_key',
      description: 'Returns a large result (checked at its top level) with a key its schema does not name.',
      scopes: [],
      access: 'read',
      input: {},
      output: z.strictObject({ counts: z.record(z.string(), z.number()) }),
      run: async () => {
        const counts = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]));
        return jsonResult({ counts, walletSeed: 'abandon abandon' } as { counts: Record<string, number> });
      },
    }),
  ],
};

describe('tool output schemas', () => {
  it('every tool a host serves declares the output schema web/src/tools/outputs.ts names for it', () => {
    // And a tool that has none does not compile, nor one answering outside its schema (tsc checks
    // that each error is there). A Vial tool's schema is the one toolOutputs names for it.
    const unnamed = {
      name: 'test_no_output',
      description: '',
      scopes: [],
      input: {},
      run: async () => jsonResult({ a: 1 }),
    } as const;
    // @ts-expect-error: toolOutputs names no schema for test_no_output, though run answers with structured JSON
    defineTool(unnamed);
    // @ts-expect-error: quantum_circuit_build's schema has no key a
    defineTool({ ...unnamed, name: 'quantum_circuit_build' } as const);
    // @ts-expect-error: 'output' is missing
    defineToolWithOutput(unnamed);
    // The same tool with an output schema of its own compiles.
    defineToolWithOutput({ ...unnamed, output: z.strictObject({ a: z.number() }) });
    const tools = nodeToolPacks().flatMap((pack) => pack.tools);
    const missing = tools.filter((tool) => toolOutputSchema(tool) === undefined).map((tool) => tool.name);
    expect(missing).toEqual([]);
    for (const tool of tools) {
      expect(tool.output, tool.name).toBe('toolOutputs');
      expect(toolOutputSchema(tool), tool.name).toBe(toolOutputs[tool.name as keyof typeof toolOutputs]);
    }
    expect(tools.map((tool) => tool.name).sort()).toEqual(Object.keys(toolOutputs).sort());
  });

  it('tools/list advertises each as an object-rooted JSON Schema that allows no other keys', async () => {
    stack = await startStack();
    client = await connectClient(stack.mcpUrl, stack.token);
    const { tools } = await client.listTools();
    expect(tools.length).toBe(Object.keys(toolOutputs).length);
    for (const tool of tools) {
      const schema = tool.outputSchema;
      expect(schema, tool.name).toBeDefined();
      expect(schema?.type, tool.name).toBe('object');
      expect(schema?.additionalProperties, tool.name).toBe(false);
      const declared = z.toJSONSchema(toolOutputs[tool.name as keyof typeof toolOutputs], { io: 'output' });
      expect(Object.keys(schema?.properties ?? {}).sort(), tool.name).toEqual(
        Object.keys(declared.properties ?? {}).sort(),
      );
    }
  });

  it('a tool whose structuredContent breaks its schema fails in the tab, and nothing of it reaches the client', async () => {
    stack = await startStack({ packs: [...nodeToolPacks(), lyingPack] });
    client = await connectClient(stack.mcpUrl, stack.token);
    const result = await client.callTool({ name: 'test_wrong_type', arguments: {} });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toBeUndefined();
    expect(resultText(result)).toMatch(/^Output validation error: Invalid structured content for tool test_wrong_type/);
    expect(resultText(result)).not.toContain('three');
  });

  it('a large result is checked at its top level in the tab: a key its schema does not name is refused', async () => {
    stack = await startStack({ packs: [...nodeToolPacks(), lyingPack] });
    client = await connectClient(stack.mcpUrl, stack.token);
    const result = await client.callTool({ name: 'test_large_extra_key', arguments: {} });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toMatch(/Output validation error: .*keys the output schema does not name: walletSeed/);
    expect(JSON.stringify(result)).not.toContain('abandon');
  });

  it('a key the schema does not name, even nested, is refused by the client that listed the tools', async () => {
    stack = await startStack({ packs: [...nodeToolPacks(), lyingPack] });
    client = await connectClient(stack.mcpUrl, stack.token);
    await client.listTools();
    await expect(client.callTool({ name: 'test_extra_key', arguments: {} })).rejects.toThrow(
      /Structured content does not match the tool's output schema/,
    );
  });

  it("what a call returns parses with the tool's own schema, checked by the SDK client too", async () => {
    stack = await startStack();
    client = await connectClient(stack.mcpUrl, stack.token);
    const simulated = await callTool(client, 'quantum_simulate', {
      qasm: 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\nmeasure q -> c;',
      shots: 100,
      seed: 7,
      return_state: true,
      expectations: ['Z0 Z1'],
    });
    expect(Object.keys(simulated.counts ?? {}).sort()).toEqual(['00', '11']);
    expect(simulated.state).toHaveLength(8);
    expect(simulated.expectations?.[0]?.value).toBeCloseTo(1);
    const built = await callTool(client, 'quantum_circuit_build', {
      circuit: { qubits: 1, gates: [{ gate: 'h', targets: [0] }] },
    });
    expect(built.qasm).toContain('h q[0];');
    const diagnostics = await callTool(client, 'system_diagnostics');
    expect(diagnostics.vial.hostId).toBe(stack.host.hostId);
    const tail = await callTool(client, 'system_logs_tail', { verify: true });
    expect(tail.entries.map((entry) => entry.tool)).toContain('quantum_simulate');
    expect(tail.verification?.ok).toBe(true);
    const wallet = await callTool(client, 'wallet_status');
    expect(wallet.connected).toBe(false);
    const result = await callToolResult(client, 'quantum_circuit_build', { circuit: { qubits: 1, gates: [] } });
    expect(JSON.parse(resultText(result))).toEqual(result.structuredContent);
  });
});
