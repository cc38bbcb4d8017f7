/**
 * Every QASMBench circuit beside the repo (`../shared/qasmbench`, small and medium) parses in
 * strict mode, or fails there with a precise error and parses in lenient mode; and every one
 * survives Circuit → JSON → Circuit and Circuit → QASM → Circuit with the same hash.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Circuit } from '../circuit.ts';
import {
  circuitFromJson,
  circuitHash,
  circuitToJson,
  parseQasm,
  parseQasmWithWarnings,
  QasmError,
  toQasm,
} from './index.ts';
import { QASMBENCH_DIR, qasmbenchFiles } from '../testing/qasmbench.ts';

const files = qasmbenchFiles();

/**
 * The files that are not valid OpenQASM 2.0, with the strict-mode error and the lenient warnings.
 * sat_n11 has no header; hhl_n10 and vqe_uccsd_n4/6/8 end with `measure q[i] -> c[i];` although
 * they declare neither `q` (their qubits live in q0/q1/q2 or `reg`) nor any classical register.
 */
const LENIENT_ONLY: Record<string, { error: string; warnings: RegExp[]; qubits: number; clbits: number }> = {
  'medium/sat_n11.qasm': {
    error:
      'QASM line 3, col 1: missing the `OPENQASM 2.0;` header; start the program with `OPENQASM 2.0;`, or parse with { lenient: true }',
    warnings: [/no `OPENQASM 2.0;` header/],
    qubits: 11,
    clbits: 4,
  },
  'small/hhl_n10.qasm': {
    error: 'QASM line 186801, col 9: undeclared quantum register `q`; declared quantum registers: q0[3], q1[6], q2[1]',
    warnings: [/register `q` was never declared/, /declared it as `creg c\[6\];`/],
    qubits: 10,
    clbits: 6,
  },
  'small/vqe_uccsd_n4.qasm': {
    error: 'QASM line 225, col 9: undeclared quantum register `q`; declared quantum registers: reg[4]',
    warnings: [/register `q` was never declared/, /declared it as `creg c\[4\];`/],
    qubits: 4,
    clbits: 4,
  },
  'small/vqe_uccsd_n6.qasm': {
    error: 'QASM line 2286, col 9: undeclared quantum register `q`; declared quantum registers: reg[6]',
    warnings: [/register `q` was never declared/, /declared it as `creg c\[6\];`/],
    qubits: 6,
    clbits: 6,
  },
  'small/vqe_uccsd_n8.qasm': {
    error: 'QASM line 10813, col 9: undeclared quantum register `q`; declared quantum registers: reg[8]',
    warnings: [/register `q` was never declared/, /declared it as `creg c\[8\];`/],
    qubits: 8,
    clbits: 8,
  },
};

/**
 * Where two circuits first differ ('' when equal; angles compared exactly). `toEqual` on the 186k
 * ops of hhl_n10 would take longer than everything else in this file.
 */
function firstDifference(a: Circuit, b: Circuit): string {
  const { ops: opsA, ...restA } = a;
  const { ops: opsB, ...restB } = b;
  if (JSON.stringify(restA) !== JSON.stringify(restB))
    return `registers: ${JSON.stringify(restA)} vs ${JSON.stringify(restB)}`;
  if (opsA.length !== opsB.length) return `${opsA.length} ops vs ${opsB.length}`;
  const same = (x: readonly number[], y: readonly number[]) => x.length === y.length && x.every((v, k) => v === y[k]);
  for (let i = 0; i < opsA.length; i++) {
    const x = opsA[i]!;
    const y = opsB[i]!;
    const equal =
      x.kind === y.kind &&
      (x.kind === 'barrier' || y.kind === 'barrier'
        ? x.kind === 'barrier' && y.kind === 'barrier' && same(x.qubits, y.qubits)
        : x.condition?.creg === y.condition?.creg &&
          x.condition?.value === y.condition?.value &&
          (x.kind === 'gate'
            ? y.kind === 'gate' && x.name === y.name && same(x.qubits, y.qubits) && same(x.params, y.params)
            : x.kind === 'measure'
              ? y.kind === 'measure' && x.qubit === y.qubit && x.clbit === y.clbit
              : y.kind === 'reset' && x.qubit === y.qubit));
    if (!equal) return `op ${i}: ${JSON.stringify(x)} vs ${JSON.stringify(y)}`;
  }
  return '';
}

/** Circuit → JSON text → Circuit: '' when it comes back with the same hash and the same ops. */
async function jsonRoundTrip(circuit: Circuit, hash: string): Promise<string> {
  const back = circuitFromJson(JSON.parse(JSON.stringify(circuitToJson(circuit))));
  if ((await circuitHash(back)) !== hash) return 'JSON round trip changed the hash';
  return firstDifference(back, circuit);
}

/** Circuit → QASM → Circuit (strict): '' when it comes back with the same hash and the same ops. */
async function qasmRoundTrip(circuit: Circuit, hash: string): Promise<string> {
  const back = parseQasm(toQasm(circuit));
  if ((await circuitHash(back)) !== hash) return 'QASM round trip changed the hash';
  return firstDifference(back, circuit);
}

const read = (file: string) => readFileSync(path.join(QASMBENCH_DIR, file), 'utf8');

describe.skipIf(files.length === 0)('QASMBench', () => {
  it('finds the circuits beside the repo', () => {
    expect(files.length).toBeGreaterThanOrEqual(60);
    for (const file of Object.keys(LENIENT_ONLY)) expect(files).toContain(file);
  });

  for (const file of files) {
    const quirk = LENIENT_ONLY[file];
    it(`${file} ${quirk ? 'fails strict mode precisely, parses leniently' : 'parses in strict mode'}; JSON and QASM round trips keep its hash`, async () => {
      const source = read(file);
      const qubits = Number(/_n(\d+)\.qasm$/.exec(file)?.[1] ?? NaN);
      let circuit;
      if (quirk) {
        let error: unknown;
        try {
          parseQasm(source);
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(QasmError);
        expect((error as QasmError).message.split('\n')[0]).toBe(quirk.error);
        const result = parseQasmWithWarnings(source, { lenient: true });
        expect(result.warnings.map(({ message }) => message)).toEqual(
          quirk.warnings.map((re) => expect.stringMatching(re)),
        );
        circuit = result.circuit;
        expect([circuit.qubits, circuit.clbits]).toEqual([quirk.qubits, quirk.clbits]);
      } else {
        const result = parseQasmWithWarnings(source);
        expect(result.warnings).toEqual([]);
        circuit = result.circuit;
        // The file name carries the qubit count (gcm_h6 is named after its Hamiltonian instead).
        if (!Number.isNaN(qubits)) expect(circuit.qubits).toBe(qubits);
      }
      expect(circuit.ops.length).toBeGreaterThan(0);

      // Each round trip in its own function, so its copy of the circuit can be collected before
      // the next (hhl_n10 has 186k ops; keeping every copy alive makes GC the slowest part).
      const hash = await circuitHash(circuit);
      expect(await jsonRoundTrip(circuit, hash)).toBe('');
      expect(await qasmRoundTrip(circuit, hash)).toBe('');
    });
  }
});
