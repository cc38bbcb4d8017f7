/**
 * A state-vector backend: where the amplitudes live (TypedArrays on the CPU, storage buffers on
 * the GPU) and the primitive operations on them. Circuit-level work — planning, shots, counts,
 * mid-circuit measurement, expectation bookkeeping — is done once, above this interface, by
 * `simulate.ts`, so every backend gives the same answers.
 *
 * The state is complex64 (float32 re/im pairs) on every backend, so results agree closely.
 */
import type { Step } from './program.ts';

/** A Pauli operator on some qubits, e.g. `{ paulis: 'ZZ', qubits: [0, 1] }` for Z0·Z1. */
export interface PauliString {
  paulis: string;
  qubits: number[];
}

export interface BackendLimits {
  /** Largest number of qubits this backend can hold, and why it stops there. */
  maxQubits: number;
  reason: string;
  /** Threads the engine splits a step across (CPU engine), and when and why. */
  threads?: number;
  threadsNote?: string;
}

export interface StateBackend {
  readonly name: 'cpu' | 'webgpu';
  /**
   * How many amplitude updates one `apply()` should carry: enough to amortise the backend's fixed
   * cost per call (a GPU round trip), few enough that progress and cancellation stay prompt.
   */
  readonly batchAmplitudes: number;
  limits(): BackendLimits;
  /** Allocates (or reuses) a state of `qubits` qubits set to |0…0⟩. */
  reset(qubits: number): Promise<void>;
  apply(steps: readonly Step[]): Promise<void>;
  /**
   * Measures one qubit: P(1) is computed, the outcome is 1 when `random` (uniform in [0, 1)) is
   * below it, and the state collapses onto that outcome and is renormalised.
   */
  measure(qubit: number, random: number): Promise<0 | 1>;
  /** Draws `shots` basis-state indices from |amplitude|², reproducibly for a given seed. */
  sample(shots: number, seed: number): Promise<Uint32Array>;
  /** The `k` most probable basis states, most probable first. */
  topProbabilities(k: number): Promise<Array<{ index: number; probability: number }>>;
  /** ⟨ψ|P|ψ⟩ for a Pauli string (real for Hermitian P). */
  expectation(pauli: PauliString): Promise<number>;
  /** A copy of the amplitudes, interleaved re/im. */
  readState(): Promise<Float32Array>;
  /** Saves the state so trajectories can branch from it, and brings it back. */
  snapshot(): Promise<void>;
  restore(): Promise<void>;
  dispose(): void;
}
