/**
 * The quantum simulator end to end in real Chromium: the tab's Worker runs `quantum_simulate` for
 * the real MCP SDK client through the real relay, its WebGPU engine (SwiftShader here) agrees with
 * its CPU engine, bad input gets clear tool errors, and the Quantum view runs circuits itself.
 */
import { expect, test, type Page } from '@playwright/test';
import type { Client } from '@modelcontextprotocol/client';
import { ghzQasm, QASM_HEADER } from '../support/circuits.ts';
import { callToolResult, resultText, structuredOf } from '../support/toolResults.ts';
import { connectClient, createToken, openVial, screenshot } from './support/vial.ts';

const BELL = `${QASM_HEADER}qreg q[2];\ncreg c[2];\nh q[0];\ncx q[0], q[1];\nmeasure q -> c;\n`;

/** qelib1 gates by how many qubits they act on and how many angles they take. */
const GATE_MIX: Array<[name: string, qubits: number, params: number]> = [
  ['h', 1, 0],
  ['x', 1, 0],
  ['y', 1, 0],
  ['z', 1, 0],
  ['s', 1, 0],
  ['sdg', 1, 0],
  ['t', 1, 0],
  ['tdg', 1, 0],
  ['sx', 1, 0],
  ['sxdg', 1, 0],
  ['rx', 1, 1],
  ['ry', 1, 1],
  ['rz', 1, 1],
  ['p', 1, 1],
  ['u2', 1, 2],
  ['u3', 1, 3],
  ['cx', 2, 0],
  ['cy', 2, 0],
  ['cz', 2, 0],
  ['ch', 2, 0],
  ['csx', 2, 0],
  ['swap', 2, 0],
  ['crx', 2, 1],
  ['cry', 2, 1],
  ['crz', 2, 1],
  ['cp', 2, 1],
  ['cu3', 2, 3],
  ['cu', 2, 4],
  ['rxx', 2, 1],
  ['rzz', 2, 1],
  ['ccx', 3, 0],
  ['cswap', 3, 0],
  ['rccx', 3, 0],
  ['c3x', 4, 0],
  ['c3sqrtx', 4, 0],
];

/** mulberry32: a small seeded generator, so each random circuit is the same on every run. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomCircuit(qubits: number, gates: number, seed: number): string {
  const random = seeded(seed);
  const lines = [`qreg q[${qubits}];`, `creg c[${qubits}];`];
  // A layer of Hadamards first, so every amplitude is non-trivial.
  for (let q = 0; q < qubits; q++) lines.push(`h q[${q}];`);
  for (let g = 0; g < gates; g++) {
    const [name, arity, params] = GATE_MIX[Math.floor(random() * GATE_MIX.length)]!;
    const wires: number[] = [];
    while (wires.length < arity) {
      const q = Math.floor(random() * qubits);
      if (!wires.includes(q)) wires.push(q);
    }
    const angles = Array.from({ length: params }, () => ((random() * 4 - 2) * Math.PI).toFixed(6));
    lines.push(`${name}${params ? `(${angles.join(', ')})` : ''} ${wires.map((q) => `q[${q}]`).join(', ')};`);
  }
  return `${QASM_HEADER}${lines.join('\n')}\nmeasure q -> c;\n`;
}

test.describe('quantum tools in the tab, through the relay', () => {
  test.describe.configure({ mode: 'serial' });

  let page: Page;
  let client: Client;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage();
    const mcpUrl = await openVial(page);
    const token = await createToken(page, 'Quantum client', ['quantum']);
    ({ client } = await connectClient(mcpUrl, token, 'e2e-quantum'));
  });

  test.afterAll(async () => {
    await client.close().catch(() => undefined);
    await page.close();
  });

  /** A quantum_simulate call: whether it failed, its text, and (for a success) its output. */
  async function simulate(args: Record<string, unknown>) {
    const result = await callToolResult(client, 'quantum_simulate', args);
    return {
      isError: Boolean(result.isError),
      text: resultText(result),
      get data() {
        return structuredOf('quantum_simulate', result);
      },
    };
  }

  test('a client runs a 20-qubit circuit in the tab and gets counts, hash and the engine that ran', async () => {
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
    // Auto skips a software GPU adapter: SwiftShader is one.
    expect(data.backend).toBe('cpu');
    expect(data.backendReason).toMatch(/software/);
    expect(data.backendReason).toMatch(/swiftshader/i);
    expect(progress.length).toBeGreaterThan(0);
  });

  test("the tab's WebGPU engine agrees with its CPU engine on seeded random circuits", async () => {
    const cases = [
      { qubits: 6, gates: 60, seed: 1, fusion: false },
      { qubits: 8, gates: 60, seed: 2, fusion: true },
      { qubits: 10, gates: 50, seed: 3, fusion: false },
    ];
    for (const { qubits, gates, seed, fusion } of cases) {
      const qasm = randomCircuit(qubits, gates, seed);
      const options = { qasm, return_state: true, shots: 300, seed: 100 + seed };
      const gpu = await simulate({ ...options, backend: 'webgpu', fusion });
      const cpu = await simulate({ ...options, backend: 'cpu' });
      expect(gpu.isError, gpu.text).toBe(false);
      expect(cpu.isError, cpu.text).toBe(false);
      expect(gpu.data.backend).toBe('webgpu');
      expect(cpu.data.backend).toBe('cpu');
      expect(gpu.data.hash).toBe(cpu.data.hash);
      const a = gpu.data.state!;
      const b = cpu.data.state!;
      expect(a).toHaveLength(2 * 2 ** qubits);
      expect(b).toHaveLength(a.length);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
      expect(worst, `${qubits} qubits, seed ${seed}: largest amplitude difference`).toBeLessThanOrEqual(1e-5);
      // The same seed gives the same counts again on each engine.
      for (const first of [gpu, cpu]) {
        const again = await simulate({ qasm, shots: 300, seed: 100 + seed, backend: first.data.backend, fusion });
        expect(again.data.counts).toEqual(first.data.counts);
        expect(Object.values(first.data.counts ?? {}).reduce((sum, n) => sum + n, 0)).toBe(300);
      }
    }
  });

  test("the tab's CPU engine runs on several threads above 2^14 amplitudes and agrees with WebGPU", async () => {
    // 16 qubits: past the threading threshold (2^14), past return_state's 12, so the two engines are
    // compared through what depends on every amplitude: the 200 most probable states and 64
    // Pauli expectations (X, Y, Z on each qubit, ZZ and XX on neighbours).
    const qubits = 16;
    const qasm = randomCircuit(qubits, 120, 21);
    const expectations = [
      ...['X', 'Y', 'Z'].flatMap((p) => Array.from({ length: qubits }, (_, q) => `${p}${q}`)),
      ...Array.from({ length: 8 }, (_, q) => `Z${q} Z${q + 1}`),
      ...Array.from({ length: 8 }, (_, q) => `X${2 * q} X${2 * q + 1}`),
    ];
    const options = { qasm, shots: 0, top_k: 200, expectations };
    const cpu = await simulate({ ...options, backend: 'cpu' });
    const gpu = await simulate({ ...options, backend: 'webgpu' });
    expect(cpu.isError, cpu.text).toBe(false);
    expect(gpu.isError, gpu.text).toBe(false);
    expect(cpu.data.threads, 'Chromium reports 2 cores here').toBeGreaterThan(1);
    expect(gpu.data.threads).toBe(1);
    let worst = 0;
    const gpuProbability = new Map(gpu.data.topK.map((entry) => [entry.index, entry.probability]));
    // The lists may end on different near-ties; every state high in one is in the other.
    for (const { index, probability } of cpu.data.topK.slice(0, 150)) {
      worst = Math.max(worst, Math.abs(probability - (gpuProbability.get(index) ?? Infinity)));
    }
    cpu.data.expectations!.forEach((entry, i) => {
      worst = Math.max(worst, Math.abs(entry.value - gpu.data.expectations![i]!.value));
    });
    expect(worst, 'largest difference in probabilities and expectations').toBeLessThanOrEqual(1e-5);
  });

  test('bad input gets a tool error that says what is wrong, and the worker keeps serving', async () => {
    const syntax = await simulate({ qasm: `${QASM_HEADER}qreg q[2];\nh q[0]\ncx q[0], q[1];\n` });
    expect(syntax.isError).toBe(true);
    expect(syntax.text).toMatch(/QASM line 4, col 7: expected `;`/);
    expect(syntax.text).toContain('4 | h q[0]\n  |       ^');

    const unknown = await simulate({ qasm: `${QASM_HEADER}qreg q[2];\ncz2 q[0], q[1];\n` });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toMatch(/QASM line 4, col 1: .*cz2/);

    const tooMany = await simulate({ qasm: `${QASM_HEADER}qreg q[40];\nh q[0];\n`, backend: 'cpu' });
    expect(tooMany.isError).toBe(true);
    expect(tooMany.text).toMatch(/40 qubits; the cpu engine here holds at most \d+/);
    expect(tooMany.text).toMatch(/memory budget/);

    const next = await simulate({ qasm: BELL, shots: 100, seed: 1 });
    expect(next.isError, next.text).toBe(false);
    expect(Object.keys(next.data.counts ?? {}).sort()).toEqual(['00', '11']);
  });
});

test('the Quantum view runs an example on GPU and CPU, shows errors, cancels, and lists the history', async ({
  page,
}) => {
  await openVial(page);
  await page.getByRole('link', { name: 'Quantum' }).click();
  await expect(page).toHaveURL(/#\/quantum$/);
  const editor = page.getByTestId('quantum-editor');
  const run = page.getByTestId('quantum-run');
  const ran = page.getByTestId('quantum-backend-ran');
  const bars = page.getByTestId('quantum-histogram').getByTestId('quantum-bar');

  await page.getByTestId('quantum-example').selectOption('ghz');
  await expect(editor).toHaveValue(/qreg q\[5\]/);
  await page.getByTestId('quantum-example').selectOption('bell');
  await expect(editor).toHaveValue(/qreg q\[2\]/);
  await page.getByTestId('quantum-seed').fill('5');

  // On the GPU (SwiftShader) and on the CPU: only 00 and 11, the same circuit hash.
  const hashes: string[] = [];
  for (const backend of ['webgpu', 'cpu'] as const) {
    await page.getByTestId('quantum-backend').selectOption(backend);
    await run.click();
    await expect(ran).toHaveAttribute('data-backend', backend);
    await expect(page.getByTestId('quantum-backend-reason')).toContainText(`asked for the`);
    await expect(bars).toHaveCount(2);
    expect(await bars.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-outcome')))).toEqual(['00', '11']);
    const counts = await bars.evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-count'))));
    expect(counts[0]! + counts[1]!).toBe(1024);
    hashes.push((await page.getByTestId('quantum-hash').textContent())!);
    await screenshot(page, `quantum-${backend}`);
  }
  expect(hashes[0]).toMatch(/^[0-9a-f]{64}$/);
  expect(hashes[1]).toBe(hashes[0]);
  await expect(page.getByTestId('quantum-diagram')).toContainText('q[0]');

  // One history entry for the Bell circuit, run twice; clicking it loads the example back.
  const history = page.getByTestId('quantum-history-row');
  await expect(history).toHaveCount(1);
  await expect(history.first()).toHaveAttribute('data-hash', hashes[0]!);
  await expect(history.first()).toContainText('Bell pair');
  await expect(history.first()).toContainText('2 runs');

  // A QASM error: the message with line, column and the caret under the spot.
  await editor.fill(`${QASM_HEADER}qreg q[2];\nh q[0]\ncx q[0], q[1];\n`);
  await run.click();
  const error = page.getByTestId('quantum-error');
  await expect(error).toContainText('QASM line 4, col 7: expected `;`');
  await expect(error).toContainText('4 | h q[0]');
  await screenshot(page, 'quantum-error');

  await history.first().getByRole('button').click();
  await expect(page.getByTestId('quantum-example')).toHaveValue('bell');
  await expect(editor).toHaveValue(/qreg q\[2\];\ncreg c\[2\];\nh q\[0\];/);
  await expect(error).toHaveCount(0);

  // Cancel a long run (22 qubits, 1500 gates on the CPU: seconds); the next run still works.
  // (Playwright's fill types 40 kB of text for seconds; setting the value is what a paste does.)
  await editor.evaluate(
    (textarea: HTMLTextAreaElement, qasm) => {
      textarea.value = qasm;
      textarea.dispatchEvent(new Event('input', { bubbles: true }));
    },
    randomCircuit(22, 1500, 9),
  );
  await page.getByTestId('quantum-backend').selectOption('cpu');
  await run.click();
  await expect(page.getByRole('progressbar')).toBeVisible();
  await expect(page.getByText(/\d+ of \d+ gate applications/)).toBeVisible();
  await screenshot(page, 'quantum-running');
  await page.getByTestId('quantum-cancel').click();
  await expect(error).toHaveAttribute('data-kind', 'cancelled');
  await expect(run).toBeEnabled();
  await page.getByTestId('quantum-example').selectOption('teleport');
  await page.getByTestId('quantum-backend').selectOption('auto');
  await run.click();
  await expect(page.getByTestId('quantum-backend-reason')).toContainText('software');
  await expect(bars).toHaveCount(8);
  await expect(history).toHaveCount(2);
  await screenshot(page, 'quantum-teleport');
});
