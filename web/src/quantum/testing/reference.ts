/**
 * The independent reference for tests and the benchmark: the npm `quantum-circuit` package (a
 * test-only devDependency). Its wire i is our qubit i (the least significant bit of a state
 * index), and its controlled gates take the control first, as ours do. Some gates differ by name or
 * convention (its `xx(θ)` is our `rxx(2θ)`); a few have no counterpart and are decomposed. States
 * are compared up to a global phase.
 */
import QuantumCircuit from 'quantum-circuit';
import type { Circuit, GateOp } from '../circuit.ts';
import type { StandardGateName } from '../gates.ts';

type Translation = (op: GateOp) => Array<{ name: string; wires: number[]; params?: Record<string, number> }>;

const same =
  (name: string, ...paramNames: string[]): Translation =>
  (op) => [
    {
      name,
      wires: op.qubits,
      params: Object.fromEntries(paramNames.map((p, i) => [p, op.params[i]!])),
    },
  ];

/** Our gates that `quantum-circuit` can run, and how. */
export const REFERENCE_GATES: Partial<Record<StandardGateName, Translation>> = {
  id: same('id'),
  u0: (op) => [{ name: 'id', wires: op.qubits }],
  x: same('x'),
  y: same('y'),
  z: same('z'),
  h: same('h'),
  s: same('s'),
  sdg: same('sdg'),
  t: same('t'),
  tdg: same('tdg'),
  sx: same('srn'),
  sxdg: same('srndg'),
  rx: same('rx', 'theta'),
  ry: same('ry', 'theta'),
  rz: same('rz', 'phi'),
  u1: same('u1', 'lambda'),
  p: same('u1', 'lambda'),
  u2: same('u2', 'phi', 'lambda'),
  u3: same('u3', 'theta', 'phi', 'lambda'),
  u: same('u3', 'theta', 'phi', 'lambda'),
  cx: same('cx'),
  cy: same('cy'),
  cz: same('cz'),
  ch: same('ch'),
  csx: same('csrn'),
  crx: same('crx', 'theta'),
  cry: same('cry', 'theta'),
  crz: same('crz', 'phi'),
  cu1: same('cu1', 'lambda'),
  cp: same('cu1', 'lambda'),
  cu3: same('cu3', 'theta', 'phi', 'lambda'),
  // cu(θ, φ, λ, γ) = cu3(θ, φ, λ) followed by the phase e^{iγ} on the control's |1⟩.
  cu: (op) => [
    ...same('cu3', 'theta', 'phi', 'lambda')(op),
    { name: 'u1', wires: [op.qubits[0]!], params: { lambda: op.params[3]! } },
  ],
  swap: same('swap'),
  rxx: (op) => [{ name: 'xx', wires: op.qubits, params: { theta: op.params[0]! / 2 } }],
  rzz: same('zz', 'theta'),
  ccx: same('ccx'),
  cswap: same('cswap'),
};

export const REFERENCE_GATE_NAMES = Object.keys(REFERENCE_GATES) as StandardGateName[];

/** Builds the circuit's gates (measurements, resets and barriers dropped) in `quantum-circuit`. */
export function referenceCircuit(circuit: Circuit): QuantumCircuit {
  const reference = new QuantumCircuit(circuit.qubits);
  for (const op of circuit.ops) {
    if (op.kind !== 'gate') continue;
    const translate = REFERENCE_GATES[op.name];
    if (!translate) throw new Error(`quantum-circuit has no counterpart for gate ${op.name}`);
    for (const gate of translate(op)) {
      reference.appendGate(gate.name, gate.wires.length === 1 ? gate.wires[0]! : gate.wires, {
        params: gate.params ?? {},
      });
    }
  }
  return reference;
}

/** The final state of the circuit's gates by `quantum-circuit`, interleaved re/im. */
export function referenceState(circuit: Circuit): Float64Array {
  const reference = referenceCircuit(circuit);
  reference.run();
  return stateOf(reference, circuit.qubits);
}

export function stateOf(reference: QuantumCircuit, qubits: number): Float64Array {
  const out = new Float64Array(2 << qubits);
  for (const [index, amplitude] of Object.entries(reference.state)) {
    out[2 * Number(index)] = amplitude.re;
    out[2 * Number(index) + 1] = amplitude.im;
  }
  return out;
}

/**
 * The largest difference between two states' amplitudes after rotating `b` by the global phase
 * that best aligns it with `a` (the phase of ⟨b|a⟩).
 */
export function distanceUpToGlobalPhase(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`state sizes differ: ${a.length / 2} vs ${b.length / 2} amplitudes`);
  let re = 0;
  let im = 0;
  for (let i = 0; i < a.length; i += 2) {
    // conj(b) · a
    re += b[i]! * a[i]! + b[i + 1]! * a[i + 1]!;
    im += b[i]! * a[i + 1]! - b[i + 1]! * a[i]!;
  }
  const magnitude = Math.hypot(re, im) || 1;
  const cr = re / magnitude;
  const ci = im / magnitude;
  let worst = 0;
  for (let i = 0; i < a.length; i += 2) {
    const br = b[i]! * cr - b[i + 1]! * ci;
    const bi = b[i]! * ci + b[i + 1]! * cr;
    worst = Math.max(worst, Math.hypot(a[i]! - br, a[i + 1]! - bi));
  }
  return worst;
}
