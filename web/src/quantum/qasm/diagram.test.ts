import { describe, expect, it } from 'vitest';
import { formatAngleLabel } from './diagram.ts';
import { drawCircuit, parseQasm } from './index.ts';

const HEADER = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n';

describe('circuit diagram', () => {
  it('draws a Bell circuit', () => {
    const bell = parseQasm(`${HEADER}qreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\nmeasure q -> c;`);
    expect('\n' + drawCircuit(bell)).toMatchInlineSnapshot(`
      "
      q[0]: ──H──■──M─────
      q[1]: ─────X──╫──M──
         c: ════════0══1══
      "
    `);
  });

  it('draws controls, parameters, crossings, resets, barriers and conditions', () => {
    const circuit = parseQasm(
      `${HEADER}qreg q[3];\ncreg c[1];\ncreg d[2];\nccx q[0], q[2], q[1];\ncp(pi/4) q[2], q[0];\nswap q[0], q[1];\nbarrier q;\nreset q[1];\nmeasure q[2] -> d[1];\nif(d==2) rx(0.3) q[0];`,
    );
    expect('\n' + drawCircuit(circuit)).toMatchInlineSnapshot(`
      "
      q[0]: ──■──P(π/4)──x──░───────RX(0.3)──
      q[1]: ──X────┼─────x──░──|0>─────╫─────
      q[2]: ──■────■────────░───M──────╫─────
         c: ════════════════════╬══════╬═════
         d: ════════════════════1═════=2═════
      "
    `);
  });

  it('wraps wide circuits into pages that fit the width', () => {
    const circuit = parseQasm(`${HEADER}qreg q[2];\n${'h q[0];\ncx q[0], q[1];\n'.repeat(20)}`);
    const text = drawCircuit(circuit, { width: 60 });
    const pages = text.trimEnd().split('\n\n');
    expect(pages.length).toBeGreaterThan(1);
    for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(60);
    expect(pages[0]!.split('\n').every((line) => line.endsWith('»'))).toBe(true);
    expect(pages[1]!.split('\n').every((line) => line.split(': ')[1]!.startsWith('«'))).toBe(true);
  });

  it('stops after maxColumns and says how much it left out', () => {
    const circuit = parseQasm(`${HEADER}qreg q[1];\n${'x q[0];\n'.repeat(50)}`);
    const text = drawCircuit(circuit, { maxColumns: 10 });
    expect(text.trimEnd().split('\n').at(-1)).toBe('… 40 more columns (40 ops) not drawn');
    expect(text.match(/X/g)).toHaveLength(10);
  });

  it('keeps 30 qubits and hundreds of ops readable', () => {
    const lines = Array.from(
      { length: 300 },
      (_, i) => `cx q[${i % 30}], q[${(i * 7 + 3) % 30 === i % 30 ? (i + 1) % 30 : (i * 7 + 3) % 30}];`,
    );
    const circuit = parseQasm(`${HEADER}qreg q[30];\n${lines.join('\n')}`);
    const text = drawCircuit(circuit);
    for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
    expect(text.split('\n').filter((line) => line.startsWith('q[29]:')).length).toBeGreaterThan(1);
  });

  it('labels angles as multiples of π where they are', () => {
    expect([Math.PI, -Math.PI / 2, (3 * Math.PI) / 4, 2 * Math.PI, 0, 0.1234567, -1e-14].map(formatAngleLabel)).toEqual(
      ['π', '-π/2', '3π/4', '2π', '0', '0.1235', '0'],
    );
  });

  it('draws nothing for a circuit without qubits', () => {
    expect(drawCircuit(parseQasm('OPENQASM 2.0;'))).toBe('');
  });
});
