/**
 * Runs a circuit on any `StateBackend`: plans it, applies the steps, and turns the final state into
 * counts, top-k probabilities, the state vector and Pauli expectation values. Everything above the
 * backend interface lives here, so every engine gives the same answers for the same seed.
 *
 * Circuits whose measurements are all terminal run once; their shots are sampled from the final
 * state. Circuits that measure mid-circuit, reset or use `if` run once per shot (a trajectory):
 * the gates before the first such operation run once and are snapshotted, then each shot restores
 * the snapshot and continues with collapses drawn from the seeded generator. That costs a pass over
 * the rest of the circuit per shot, hence the `maxTrajectories` cap.
 */
import { VialError } from '@vial/shared/vialError';
import type { PauliString, StateBackend } from './stateBackend.ts';
import type { Circuit, Condition, Register } from './circuit.ts';
import { STANDARD_GATES, isStandardGate, type GateSpec } from './gates.ts';
import { MAX_FUSED_QUBITS, MIN_FUSED_QUBITS, planCircuit } from './plan.ts';
import type { PlannedSteps, Step } from './program.ts';
import { MAX_SEED, Xoshiro128 } from './random.ts';

export const MAX_SHOTS = 1_000_000;
export const DEFAULT_SHOTS = 1024;
export const DEFAULT_TOP_K = 16;
export const MAX_TOP_K = 1024;
export const DEFAULT_MAX_TRAJECTORIES = 1024;
/** The state vector is returned only up to this size (4096 amplitudes). */
export const MAX_STATE_QUBITS = 12;
/**
 * Fusion block size per engine, chosen by `pnpm bench:quantum`: on the CPU the arithmetic of a
 * k-qubit block (2^k complex multiply-adds per amplitude) outgrows the memory traffic it saves
 * beyond k = 2; a GPU is bandwidth-bound and takes larger blocks.
 */
export const DEFAULT_MAX_FUSED_QUBITS: Record<StateBackend['name'], number> = { cpu: 2, webgpu: 4 };
/**
 * Below this many qubits a pass over the state costs about as little as planning a fused block
 * (a few microseconds), so fusion is left off unless asked for.
 */
export const AUTO_FUSION_MIN_QUBITS = 14;

export interface SimulateOptions {
  /** Shots to sample, 0 to 10⁶; default 1024. Counts are returned when the circuit measures. */
  shots?: number;
  /** Seed for sampling and mid-circuit collapses, an integer in [0, 2⁵³); random when absent (and reported). */
  seed?: number;
  /**
   * Gate fusion: `true` for the engine's block size, `{ maxFusedQubits }` (2–4) for another, `false`
   * for one step per gate. Absent: on from 14 qubits up, with the engine's block size.
   */
  fusion?: boolean | { maxFusedQubits: number };
  /** Return the final state vector (≤ 12 qubits). */
  returnState?: boolean;
  /** How many of the most probable basis states to return; default 16, at most 1024. */
  topK?: number;
  expectations?: PauliString[];
  /** Most shots a circuit that measures mid-circuit may ask for (each shot is a separate run); default 1024. */
  maxTrajectories?: number;
  /** Cancels the run between steps with a `SimulationError` of code `cancelled`. */
  signal?: AbortSignal;
  /** Called as gates complete; `total` counts every gate application, trajectories included. */
  onProgress?: (done: number, total: number) => void;
}

export interface SimulationResult {
  backend: StateBackend['name'];
  qubits: number;
  clbits: number;
  shots: number;
  seed: number;
  /** Qiskit-style keys: one group per classical register, last-declared first, bit 0 rightmost. */
  counts?: Record<string, number>;
  /** Most probable basis states of the final state; `bitstring` has qubit 0 rightmost. */
  topK: Array<{ bitstring: string; index: number; probability: number }>;
  /** Interleaved re/im amplitudes, when `returnState` was asked for. */
  state?: number[];
  expectations?: Array<{ paulis: string; qubits: number[]; value: number }>;
  /**
   * Which state the probabilities, state vector and expectations describe: the circuit's final
   * (pre-measurement) state, or — for circuits run per shot — the final state of the last shot.
   */
  stateFrom: 'final-state' | 'last-trajectory';
  /** Per-shot runs made (0 when the circuit ran once). */
  trajectories: number;
  gateCount: number;
  /** Steps applied for one pass over the circuit (fewer than gates when fusion merges them). */
  stepCount: number;
  fusion: false | { maxFusedQubits: number };
  timings: { planMs: number; simulateMs: number; sampleMs: number; readoutMs: number; totalMs: number };
}

export type SimulationErrorCode = 'bad-option' | 'bad-circuit' | 'too-many-qubits' | 'trajectory-cap' | 'cancelled';

/** An error that says what was wrong (`shortMessage`) and what to do about it (its one hint). */
export class SimulationError extends VialError {
  override readonly name = 'SimulationError';
  constructor(
    readonly code: SimulationErrorCode,
    shortMessage: string,
    hint?: string,
  ) {
    super(shortMessage, { hints: hint ? [hint] : [], message: hint ? `${shortMessage}. ${hint}` : shortMessage });
  }
}

const badOption = (message: string, hint?: string) => new SimulationError('bad-option', message, hint);

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badOption(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

function randomSeed(): number {
  return globalThis.crypto.getRandomValues(new Uint32Array(1))[0]!;
}

export async function simulate(
  circuit: Circuit,
  backend: StateBackend,
  options: SimulateOptions = {},
): Promise<SimulationResult> {
  const started = performance.now();
  const shots = options.shots ?? DEFAULT_SHOTS;
  checkInteger('shots', shots, 0, MAX_SHOTS);
  const seed = options.seed ?? randomSeed();
  checkInteger('seed', seed, 0, MAX_SEED);
  const topK = options.topK ?? DEFAULT_TOP_K;
  checkInteger('topK', topK, 0, MAX_TOP_K);
  const maxTrajectories = options.maxTrajectories ?? DEFAULT_MAX_TRAJECTORIES;
  checkInteger('maxTrajectories', maxTrajectories, 1, MAX_SHOTS);
  const fusion = fusionOption(options.fusion, backend, circuit.qubits);
  if (options.returnState && circuit.qubits > MAX_STATE_QUBITS) {
    throw badOption(
      `returnState is limited to ${MAX_STATE_QUBITS} qubits (${2 ** MAX_STATE_QUBITS} amplitudes); this circuit has ${circuit.qubits}`,
      'Use topK for the most probable basis states, or expectations for observables',
    );
  }
  const expectations = options.expectations ?? [];
  expectations.forEach((pauli, i) => checkPauli(pauli, i, circuit.qubits));
  checkCircuit(circuit);
  const { maxQubits, reason } = backend.limits();
  if (circuit.qubits > maxQubits) {
    throw new SimulationError(
      'too-many-qubits',
      `the circuit has ${circuit.qubits} qubits; the ${backend.name} engine holds at most ${maxQubits}: ${reason}`,
      'Use fewer qubits or another engine',
    );
  }
  const { signal, onProgress } = options;
  throwIfCancelled(signal, 0, 0);

  const plan = planCircuit(circuit, { fusion });
  const planned = performance.now();
  const runner = new StepRunner(backend, circuit.qubits, signal, onProgress);
  const trajectories = plan.terminal ? 0 : Math.max(shots, 1);
  if (trajectories > maxTrajectories) {
    throw new SimulationError(
      'trajectory-cap',
      `this circuit measures mid-circuit, resets or uses if(), so every shot is simulated separately; ` +
        `${shots} shots exceed the cap of ${maxTrajectories} such runs`,
      `Ask for at most ${maxTrajectories} shots, or raise the cap with the maxTrajectories option (up to ${MAX_SHOTS})`,
    );
  }
  const segmentGates = plan.segments.reduce(
    (sum, s) => sum + ('planned' in s ? count(s.planned) : s.kind === 'reset' ? 1 : 0),
    0,
  );
  runner.total = count(plan.prefix) + trajectories * segmentGates;
  let stepCount = plan.prefix.steps.length;
  for (const segment of plan.segments) if ('planned' in segment) stepCount += segment.planned.steps.length;

  await backend.reset(circuit.qubits);
  await runner.run(plan.prefix);
  let counts: Record<string, number> | undefined;
  let sampleMs = 0;
  const measures = plan.terminal ? plan.measurements.length > 0 : plan.segments.some((s) => s.kind === 'measure');

  let simulated = performance.now();
  if (plan.terminal) {
    if (shots > 0 && measures) {
      const sampling = performance.now();
      const indices = await backend.sample(shots, seed);
      counts = countsFromIndices(circuit, plan.measurements, indices);
      sampleMs = performance.now() - sampling;
    }
  } else {
    const rng = new Xoshiro128(seed);
    const tally = new Map<string, number>();
    if (trajectories > 1) await backend.snapshot();
    for (let shot = 0; shot < trajectories; shot++) {
      if (shot > 0) await backend.restore();
      const bits = new Uint8Array(circuit.clbits);
      const holds = (condition: Condition | undefined) =>
        !condition || registerValue(circuit, bits, condition.creg) === condition.value;
      for (const segment of plan.segments) {
        switch (segment.kind) {
          case 'unitary':
            await runner.run(segment.planned);
            break;
          case 'conditional':
            if (holds(segment.condition)) await runner.run(segment.planned);
            else runner.skip(segment.planned);
            break;
          case 'measure':
            if (holds(segment.op.condition))
              bits[segment.op.clbit] = await backend.measure(segment.op.qubit, rng.next());
            break;
          case 'reset':
            // reset = measure, then flip back to |0⟩ when the outcome was 1.
            if (holds(segment.op.condition) && (await backend.measure(segment.op.qubit, rng.next()))) {
              await backend.apply([xStep(segment.op.qubit)]);
            }
            runner.done += 1;
            break;
        }
      }
      if (shots > 0 && measures) {
        const key = countKey(circuit, bits);
        tally.set(key, (tally.get(key) ?? 0) + 1);
      }
      runner.report();
    }
    if (shots > 0 && measures) counts = Object.fromEntries(tally);
    simulated = performance.now();
  }

  const readoutStart = performance.now();
  const ranked = topK > 0 ? await backend.topProbabilities(topK) : [];
  const result: SimulationResult = {
    backend: backend.name,
    qubits: circuit.qubits,
    clbits: circuit.clbits,
    shots,
    seed,
    ...(counts ? { counts } : {}),
    topK: ranked.map(({ index, probability }) => ({
      bitstring: index.toString(2).padStart(circuit.qubits, '0'),
      index,
      probability,
    })),
    stateFrom: plan.terminal ? 'final-state' : 'last-trajectory',
    trajectories,
    gateCount: plan.gateCount,
    stepCount,
    fusion,
    timings: { planMs: planned - started, simulateMs: simulated - planned, sampleMs, readoutMs: 0, totalMs: 0 },
  };
  if (options.returnState) result.state = Array.from(await backend.readState());
  if (expectations.length > 0) {
    result.expectations = [];
    for (const pauli of expectations) {
      result.expectations.push({
        paulis: pauli.paulis.toUpperCase(),
        qubits: [...pauli.qubits],
        value: await backend.expectation(pauli),
      });
    }
  }
  const finished = performance.now();
  result.timings.readoutMs = finished - readoutStart;
  result.timings.totalMs = finished - started;
  return result;
}

function fusionOption(
  option: SimulateOptions['fusion'],
  backend: StateBackend,
  qubits: number,
): false | { maxFusedQubits: number } {
  if (option === false || (option === undefined && qubits < AUTO_FUSION_MIN_QUBITS)) return false;
  if (option === undefined || option === true) return { maxFusedQubits: DEFAULT_MAX_FUSED_QUBITS[backend.name] };
  const size = option.maxFusedQubits;
  if (!Number.isInteger(size) || size < MIN_FUSED_QUBITS || size > MAX_FUSED_QUBITS) {
    throw badOption(
      `fusion.maxFusedQubits must be an integer from ${MIN_FUSED_QUBITS} to ${MAX_FUSED_QUBITS}, got ${size}`,
      'Or pass fusion: false to run one step per gate',
    );
  }
  return { maxFusedQubits: size };
}

function checkPauli(pauli: PauliString, index: number, qubits: number): void {
  const where = `expectations[${index}]`;
  if (typeof pauli?.paulis !== 'string' || !Array.isArray(pauli.qubits)) {
    throw badOption(`${where} must be { paulis: string, qubits: number[] }, e.g. { paulis: "ZZ", qubits: [0, 1] }`);
  }
  if (!/^[IXYZixyz]+$/.test(pauli.paulis)) {
    throw badOption(`${where}.paulis must be letters I, X, Y, Z; got "${pauli.paulis}"`);
  }
  if (pauli.paulis.length !== pauli.qubits.length) {
    throw badOption(
      `${where} has ${pauli.paulis.length} Pauli letters for ${pauli.qubits.length} qubits`,
      'Give one qubit per letter',
    );
  }
  for (const q of pauli.qubits) {
    if (!Number.isInteger(q) || q < 0 || q >= qubits) {
      throw badOption(`${where} names qubit ${q}; the circuit has qubits 0 to ${qubits - 1}`);
    }
  }
  if (new Set(pauli.qubits).size !== pauli.qubits.length) throw badOption(`${where} names a qubit twice`);
}

/** Structural checks, so a malformed circuit fails with a message instead of corrupting the state. */
function checkCircuit(circuit: Circuit): void {
  const bad = (message: string) => new SimulationError('bad-circuit', message);
  if (!Number.isInteger(circuit.qubits) || circuit.qubits < 1) {
    throw bad(`a circuit needs at least one qubit, got ${circuit.qubits}`);
  }
  const qubit = (q: number, where: string) => {
    if (!Number.isInteger(q) || q < 0 || q >= circuit.qubits) {
      throw bad(`${where}: qubit ${q} is out of range (the circuit has ${circuit.qubits})`);
    }
  };
  const cregs = new Set(circuit.cregs.map((r) => r.name));
  circuit.ops.forEach((op, i) => {
    const where = `op ${i} (${op.kind === 'gate' ? op.name : op.kind})`;
    if (op.kind === 'gate') {
      if (!isStandardGate(op.name)) throw bad(`${where}: unknown gate`);
      const spec: GateSpec = STANDARD_GATES[op.name];
      if (op.qubits.length !== spec.qubits || op.params.length !== spec.params) {
        throw bad(
          `${where}: takes ${spec.qubits} qubits and ${spec.params} parameters, got ${op.qubits.length} and ${op.params.length}`,
        );
      }
      if (new Set(op.qubits).size !== op.qubits.length) throw bad(`${where}: a qubit appears twice`);
      op.qubits.forEach((q) => qubit(q, where));
    } else if (op.kind === 'barrier') {
      op.qubits.forEach((q) => qubit(q, where));
    } else {
      qubit(op.qubit, where);
      if (op.kind === 'measure' && (!Number.isInteger(op.clbit) || op.clbit < 0 || op.clbit >= circuit.clbits)) {
        throw bad(`${where}: clbit ${op.clbit} is out of range (the circuit has ${circuit.clbits})`);
      }
    }
    if (op.kind !== 'barrier' && op.condition && !cregs.has(op.condition.creg)) {
      throw bad(`${where}: condition on undeclared classical register "${op.condition.creg}"`);
    }
  });
}

function throwIfCancelled(signal: AbortSignal | undefined, done: number, total: number): void {
  if (signal?.aborted) {
    throw new SimulationError(
      'cancelled',
      total > 0 ? `simulation cancelled after ${done} of ${total} gate applications` : 'simulation cancelled',
    );
  }
}

function count(planned: PlannedSteps): number {
  let sum = 0;
  for (const n of planned.gatesPerStep) sum += n;
  return sum;
}

/** How often (ms) a long run hands the event loop a turn, so a cancel message can arrive. */
const YIELD_EVERY_MS = 25;
/** Applies planned steps in batches, counting gates for progress and checking for cancellation. */
class StepRunner {
  done = 0;
  total = 0;
  private lastYield = performance.now();
  private readonly batch: number;

  constructor(
    private readonly backend: StateBackend,
    qubits: number,
    private readonly signal: AbortSignal | undefined,
    private readonly onProgress: SimulateOptions['onProgress'],
  ) {
    this.batch = Math.max(1, Math.floor(backend.batchAmplitudes / 2 ** qubits));
  }

  async run(planned: PlannedSteps): Promise<void> {
    const { steps, gatesPerStep } = planned;
    for (let start = 0; start < steps.length; start += this.batch) {
      await this.checkpoint();
      const end = Math.min(steps.length, start + this.batch);
      await this.backend.apply(steps.slice(start, end));
      for (let i = start; i < end; i++) this.done += gatesPerStep[i]!;
      this.report();
    }
  }

  skip(planned: PlannedSteps): void {
    this.done += count(planned);
  }

  report(): void {
    this.onProgress?.(this.done, this.total);
  }

  private async checkpoint(): Promise<void> {
    throwIfCancelled(this.signal, this.done, this.total);
    if (performance.now() - this.lastYield >= YIELD_EVERY_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      this.lastYield = performance.now();
      throwIfCancelled(this.signal, this.done, this.total);
    }
  }
}

const X_STEP_MATRIX = STANDARD_GATES.x.target([]);
function xStep(qubit: number): Step {
  return { kind: 'dense', qubits: [qubit], matrix: X_STEP_MATRIX };
}

/** The registers counts are keyed by; a circuit with clbits but no declared register gets one. */
function classicalRegisters(circuit: Circuit): Register[] {
  if (circuit.cregs.length > 0) return circuit.cregs;
  return circuit.clbits > 0 ? [{ name: 'c', size: circuit.clbits, offset: 0 }] : [];
}

function registerValue(circuit: Circuit, bits: Uint8Array, name: string): number {
  const register = circuit.cregs.find((r) => r.name === name)!;
  let value = 0;
  for (let b = register.size - 1; b >= 0; b--) value = value * 2 + bits[register.offset + b]!;
  return value;
}

/** Qiskit's count key: registers last-declared first, separated by spaces, each with its bit 0 rightmost. */
export function countKey(circuit: Circuit, bits: Uint8Array): string {
  return classicalRegisters(circuit)
    .map((register) => {
      let text = '';
      for (let b = register.size - 1; b >= 0; b--) text += bits[register.offset + b] ? '1' : '0';
      return text;
    })
    .reverse()
    .join(' ');
}

function countsFromIndices(
  circuit: Circuit,
  measurements: ReadonlyArray<{ qubit: number; clbit: number }>,
  indices: Uint32Array,
): Record<string, number> {
  // Which qubit each clbit ends up holding (the last measurement into it wins); -1: never measured.
  const source = new Int32Array(circuit.clbits).fill(-1);
  for (const { qubit, clbit } of measurements) source[clbit] = qubit;
  const registers = [...classicalRegisters(circuit)].reverse();
  const keyOf = (index: number) => {
    let key = '';
    for (const [r, register] of registers.entries()) {
      if (r > 0) key += ' ';
      for (let b = register.size - 1; b >= 0; b--) {
        const qubit = source[register.offset + b]!;
        key += qubit >= 0 && (index >>> qubit) & 1 ? '1' : '0';
      }
    }
    return key;
  };
  // Sorting groups equal indices, so each distinct one is keyed once, in index order.
  const sorted = indices.slice().sort();
  const counts: Record<string, number> = {};
  for (let i = 0; i < sorted.length;) {
    const index = sorted[i]!;
    let j = i + 1;
    while (j < sorted.length && sorted[j] === index) j++;
    const key = keyOf(index);
    counts[key] = (counts[key] ?? 0) + (j - i);
    i = j;
  }
  return counts;
}
