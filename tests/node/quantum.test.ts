import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { ghzQasm } from '../support/circuits.ts';
import { connectClient, startStack } from '../support/relay.ts';
import { callToolResult, resourceText, structuredOf } from '../support/toolResults.ts';
import { circuitRecordSchema } from '../../web/src/quantum/circuitHistory.ts';
import { z } from 'zod';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let client: Client;
beforeAll(async () => {
  stack = await startStack();
  client = await connectClient(stack.mcpUrl, stack.token);
});
afterAll(async () => {
  await client.close();
  await stack.close();
});

/** A quantum_simulate call: its result, its content as text, and (for a success) its output. */
async function simulate(args: Record<string, unknown>) {
  const result = await callToolResult(client, 'quantum_simulate', args);
  return {
    result,
    text: JSON.stringify(result.content),
    get data() {
      return structuredOf('quantum_simulate', result);
    },
  };
}

describe('quantum tools through the relay (Node host, CPU engine)', () => {
  it('simulates a 20-qubit circuit and returns counts, hash and the backend that ran', async () => {
    const progress: number[] = [];
    const result = await callToolResult(
      client,
      'quantum_simulate',
      { qasm: ghzQasm(20), shots: 2000, seed: 7 },
      { onprogress: (p) => progress.push(p.progress) },
    );
    const data = structuredOf('quantum_simulate', result);
    expect(data.qubits).toBe(20);
    const counts = data.counts ?? {};
    expect(Object.keys(counts).sort()).toEqual(['0'.repeat(20), '1'.repeat(20)]);
    expect(counts['0'.repeat(20)]! + counts['1'.repeat(20)]!).toBe(2000);
    expect(data.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(data.backend).toBe('cpu');
    expect(data.backendReason).toMatch(/WebGPU is unavailable/);
    expect(progress.length).toBeGreaterThan(0);
  });

  it('is reproducible with a seed and gives the same hash for the same circuit in JSON', async () => {
    const a = await simulate({ qasm: ghzQasm(3), shots: 500, seed: 42 });
    const b = await simulate({ qasm: `// comment\n${ghzQasm(3).replace(/\n/g, '\n\n  ')}`, shots: 500, seed: 42 });
    expect(b.data.counts).toEqual(a.data.counts);
    expect(b.data.hash).toBe(a.data.hash);
    const json = {
      qubits: 3,
      clbits: 3,
      gates: [
        { gate: 'h', targets: [0] },
        { gate: 'cx', controls: [0], targets: [1] },
        { gate: 'cx', controls: [1], targets: [2] },
        ...[0, 1, 2].map((i) => ({ gate: 'measure', qubit: i, clbit: i })),
      ],
    };
    const fromJson = await simulate({ circuit: json, shots: 500, seed: 42 });
    expect(fromJson.data.hash).toBe(a.data.hash);
    const buildData = structuredOf(
      'quantum_circuit_build',
      await callToolResult(client, 'quantum_circuit_build', { circuit: json }),
    );
    expect(buildData.hash).toBe(a.data.hash);
    expect(buildData.qasm).toMatch(/cx q\[0\],\s*q\[1\];/);
    expect(buildData.diagram.split('\n').length).toBeGreaterThanOrEqual(3);
  });

  it('returns the state vector and expectation values for small circuits', async () => {
    const bell = 'OPENQASM 2.0; include "qelib1.inc"; qreg q[2]; h q[0]; cx q[0],q[1];';
    const { data } = await simulate({
      qasm: bell,
      shots: 0,
      return_state: true,
      expectations: ['Z0 Z1', 'X0 X1', 'Z0'],
    });
    expect(data.state).toHaveLength(8);
    expect(data.state![0]).toBeCloseTo(Math.SQRT1_2, 5);
    expect(data.state![6]).toBeCloseTo(Math.SQRT1_2, 5);
    expect(data.expectations?.map((e) => e.value)).toEqual([
      expect.closeTo(1, 5),
      expect.closeTo(1, 5),
      expect.closeTo(0, 5),
    ]);
  });

  it('keeps the run in the circuit history resources', async () => {
    const { data } = await simulate({ qasm: ghzQasm(4), shots: 100, seed: 1 });
    const list = await client.readResource({ uri: 'vial://quantum/circuits' });
    expect(resourceText(list)).toContain(data.hash);
    const one = await client.readResource({ uri: data.resource });
    const record = circuitRecordSchema.extend({ diagram: z.string() }).parse(JSON.parse(resourceText(one)));
    expect(record.qasm).toMatch(/qreg q\[4\]/);
    expect(record.diagram).toMatch(/q/);
    const templates = await client.listResourceTemplates();
    expect(templates.resourceTemplates.map((t) => t.uriTemplate)).toContain('vial://quantum/circuits/{hash}');
    await expect(client.readResource({ uri: `vial://quantum/circuits/${'0'.repeat(64)}` })).rejects.toThrow(
      /No circuit/,
    );
  });

  it('offers the quantum_explain_circuit prompt with a diagram', async () => {
    const prompt = await client.getPrompt({ name: 'quantum_explain_circuit', arguments: { qasm: ghzQasm(3) } });
    expect(JSON.stringify(prompt.messages)).toMatch(/3-qubit/);
  });

  it('answers bad input with clear errors and keeps serving', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ qasm: 'OPENQASM 2.0;\nqreg q[2];\nh q[0]\ncx q[0],q[1];' }, /line 3, col 7: expected `;`/i],
      [{ qasm: 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncz2 q[0],q[1];' }, /unknown gate.*cz2/i],
      [{ qasm: 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncx q[0];' }, /cx.*2 qubit|arguments/i],
      [
        { qasm: 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nh r[0];' },
        /r.*not declared|undeclared|unknown register/i,
      ],
      [{ qasm: 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nh q[5];' }, /out of range|index 5/i],
      [{ qasm: ghzQasm(40) }, /40 qubits.*at most/i],
      [{ qasm: ghzQasm(2), shots: 2_000_000 }, /shots|1000000/i],
      [{ qasm: ghzQasm(2), expectations: ['Q7'] }, /Pauli factor/],
      [{}, /exactly one of `qasm`/],
      [{ qasm: ghzQasm(2), backend: 'webgpu' }, /WebGPU is unavailable here/],
    ];
    for (const [args, message] of cases) {
      const { result, text } = await simulate(args);
      expect(result.isError, `${JSON.stringify(args)} → ${text}`).toBe(true);
      expect(text).toMatch(message);
      expect(text).not.toMatch(/unexpectedly/);
    }
    const ok = await simulate({ qasm: ghzQasm(2), shots: 10 });
    expect(ok.result.isError).toBeFalsy();
  });

  it('needs the quantum scope', async () => {
    const { token } = await stack.host.mintToken({ name: 'no-quantum', scopes: ['ml'] });
    const other = await connectClient(stack.mcpUrl, token);
    const result = await other.callTool({ name: 'quantum_simulate', arguments: { qasm: ghzQasm(2) } });
    expect(JSON.stringify(result.content)).toMatch(/lacks the scope quantum/);
    await expect(other.readResource({ uri: 'vial://quantum/circuits' })).rejects.toThrow(/lacks the scope quantum/);
    await other.close();
  });

  it('stops a long run when the client cancels', async () => {
    const controller = new AbortController();
    const lines = ['OPENQASM 2.0;', 'include "qelib1.inc";', 'qreg q[22];'];
    for (let layer = 0; layer < 200; layer++) for (let i = 0; i < 22; i++) lines.push(`rx(${0.1 + layer}) q[${i}];`);
    const started = Date.now();
    const call = client.callTool(
      { name: 'quantum_simulate', arguments: { qasm: lines.join('\n'), shots: 0, fusion: false } },
      { signal: controller.signal, onprogress: () => controller.abort('enough') },
    );
    await expect(call).rejects.toThrow();
    const next = await simulate({ qasm: ghzQasm(2), shots: 10 });
    expect(next.result.isError).toBeFalsy();
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
