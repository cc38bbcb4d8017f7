/**
 * Random arguments for the real tools, for the host fuzz suite. Arguments that are wrong at the
 * top level only test the schema check, so most of these are well-formed circuits (as JSON and
 * as OpenQASM) with a few fields out of range or of the wrong type, which reach the simulator.
 */
import fc from 'fast-check';
import { hostileString } from './fuzzJsonRpc.ts';

/** Mostly a valid value, sometimes a wrong one: most calls get past validation, some do not. */
function mostly<T, U>(valid: fc.Arbitrary<T>, wrong: fc.Arbitrary<U>): fc.Arbitrary<T | U> {
  return fc.oneof({ weight: 19, arbitrary: valid }, { weight: 1, arbitrary: wrong });
}

/** One operation of the JSON circuit form, on `qubits` qubits (1 to 10). */
function operation(qubits: number): fc.Arbitrary<Record<string, unknown>> {
  const qubit = fc.nat({ max: qubits - 1 });
  const distinct = (count: number) => fc.uniqueArray(qubit, { minLength: count, maxLength: count });
  const angle = mostly(
    fc.oneof(fc.double({ min: -10, max: 10, noNaN: true }), fc.constantFrom('pi/4', '-2*pi')),
    fc.constantFrom('pi/0', 'tau', '1e999'),
  );
  const operations: Array<fc.Arbitrary<Record<string, unknown>>> = [
    fc
      .tuple(fc.constantFrom('h', 'x', 'y', 'z', 's', 't', 'sdg', 'id'), qubit)
      .map(([gate, q]) => ({ gate, targets: [q] })),
    fc
      .tuple(fc.constantFrom('rx', 'ry', 'rz', 'p'), qubit, angle)
      .map(([gate, q, a]) => ({ gate, targets: [q], params: [a] })),
    fc.tuple(qubit, qubit).map(([q, clbit]) => ({ gate: 'measure', qubit: q, clbit })),
    qubit.map((q) => ({ gate: 'reset', qubit: q })),
    fc.constant({ gate: 'barrier' }),
  ];
  // Multi-qubit gates list all their qubits in `targets`, controls first.
  if (qubits >= 2) {
    operations.push(
      fc
        .tuple(fc.constantFrom('cx', 'cz', 'swap', 'cp'), distinct(2), angle)
        .map(([gate, targets, a]) => ({ gate, targets, ...(gate === 'cp' ? { params: [a] } : {}) })),
    );
  }
  if (qubits >= 3) operations.push(distinct(3).map((targets) => ({ gate: 'ccx', targets })));
  return fc.oneof(...operations);
}

interface WellFormedCircuit {
  qubits: number;
  gates: Array<Record<string, unknown>>;
}

const wellFormedCircuit: fc.Arbitrary<WellFormedCircuit> = fc
  .integer({ min: 1, max: 10 })
  .chain((qubits) => fc.record({ qubits: fc.constant(qubits), gates: fc.array(operation(qubits), { maxLength: 16 }) }));

/** The same circuit as OpenQASM 2.0 text. */
function toQasm({ qubits, gates }: WellFormedCircuit): string {
  const lines = ['OPENQASM 2.0;', 'include "qelib1.inc";', `qreg q[${qubits}];`, `creg c[${qubits}];`];
  for (const op of gates) {
    const params = op.params ? `(${(op.params as unknown[]).join(',')})` : '';
    const args = ((op.targets as number[]) ?? []).map((q) => `q[${q}]`);
    if (op.gate === 'measure') lines.push(`measure q[${op.qubit}] -> c[${op.clbit}];`);
    else if (op.gate === 'reset') lines.push(`reset q[${op.qubit}];`);
    else if (op.gate === 'barrier') lines.push('barrier q;');
    else lines.push(`${op.gate}${params} ${args.join(',')};`);
  }
  return lines.join('\n');
}

/** Circuits that are wrong in shape: past the qubit limits, bad indices, unknown gates, extra keys. */
const malformedCircuit = fc.record(
  {
    qubits: fc.oneof(fc.integer({ min: -1, max: 12 }), fc.constantFrom(29, 64, 65_537, 1e9, 1.5, '3', null)),
    gates: fc.array(
      fc.record(
        {
          gate: fc.oneof(fc.constantFrom('h', 'cx', 'u3', 'measure', 'cz2'), fc.string()),
          targets: fc.array(fc.oneof(fc.integer({ min: -1, max: 12 }), fc.constantFrom(1e9, 0.5)), { maxLength: 3 }),
          params: fc.array(fc.oneof(fc.double(), fc.string()), { maxLength: 3 }),
          condition: fc.jsonValue({ maxDepth: 2 }),
        },
        { requiredKeys: ['gate'] },
      ),
      { maxLength: 8 },
    ),
    registers: fc.jsonValue({ maxDepth: 3 }),
  },
  { requiredKeys: ['qubits', 'gates'] },
);

const circuitSource = fc.oneof(
  { weight: 4, arbitrary: wellFormedCircuit.map((circuit) => ({ circuit })) },
  { weight: 4, arbitrary: wellFormedCircuit.map((circuit) => ({ qasm: toQasm(circuit) })) },
  { weight: 1, arbitrary: malformedCircuit.map((circuit) => ({ circuit })) },
  { weight: 1, arbitrary: fc.record({ qasm: hostileString, circuit: malformedCircuit }, { requiredKeys: [] }) },
);

const simulateArguments = fc
  .tuple(
    circuitSource,
    fc.record(
      {
        shots: mostly(fc.integer({ min: 0, max: 1024 }), fc.constantFrom(-1, 1.5, 1e7, 'many')),
        seed: mostly(fc.nat(), fc.constantFrom(-1, 2 ** 60)),
        backend: mostly(fc.constantFrom('auto', 'cpu', 'webgpu'), fc.string()),
        top_k: mostly(fc.integer({ min: 0, max: 32 }), fc.constantFrom(-2, 1e9)),
        return_state: fc.boolean(),
        expectations: mostly(
          fc.array(fc.constantFrom('Z0', 'Z0 Z1', 'X1 Y0'), { maxLength: 3 }),
          fc.array(hostileString, { maxLength: 2 }),
        ),
        // Circuits that measure mid-circuit run each shot on its own, up to this cap.
        max_trajectories: mostly(fc.integer({ min: 1024, max: 2048 }), fc.constantFrom(0, -5, 1)),
        lenient: fc.boolean(),
        fusion: fc.boolean(),
      },
      { requiredKeys: [] },
    ),
  )
  .map(([source, options]) => ({ ...options, ...source }));

const buildArguments = fc.oneof(
  { weight: 4, arbitrary: wellFormedCircuit.map((circuit) => ({ circuit })) },
  { weight: 1, arbitrary: malformedCircuit.map((circuit) => ({ circuit })) },
);

const SHAPED: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  quantum_simulate: simulateArguments,
  quantum_circuit_build: buildArguments,
};

/** Any JSON object at all: what a client that never read the schema sends. */
export const anyArguments = fc.dictionary(fc.string(), fc.oneof(fc.jsonValue({ maxDepth: 3 }), hostileString));

/** Arguments for the tool `name`: shaped like its input where this file knows it, else any object, or none. */
export function argumentsFor(name: string): fc.Arbitrary<Record<string, unknown> | undefined> {
  const shaped = SHAPED[name];
  return fc.oneof(
    ...(shaped ? [{ weight: 6, arbitrary: shaped }] : []),
    { weight: 2, arbitrary: anyArguments },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}
