/**
 * The CPU engine: a complex64 state in a Float32Array (interleaved re/im) and the kernels of
 * `kernels.ts`, single-threaded. It is the fallback when WebGPU is missing and the engine tests
 * and benchmarks measure against.
 *
 * Limits come from memory: n qubits need 8·2ⁿ bytes, plus as much again for the snapshot that
 * per-shot trajectories restore from. The budget is an option; by default it is 2 GiB (about what
 * a browser tab can allocate in one ArrayBuffer), or a quarter of the device's memory where the
 * browser reports it (`navigator.deviceMemory`) and that is less. Indices are 32-bit integers,
 * which caps n at 29 whatever the budget.
 *
 * Threads: given `threads` (the tab's quantum Worker passes them when the page is cross-origin
 * isolated and the browser reports several cores), the state lives in a SharedArrayBuffer and
 * `apply` splits each step across a pool of kernel Workers (`threads.ts`) once the state has
 * 2^minQubits amplitudes or more; smaller states, readout and everything else run on one thread.
 * If the pool cannot start, the engine says why in `limits()` and runs on one thread.
 */
import type { BackendLimits, PauliString, StateBackend } from '../stateBackend.ts';
import type { Step } from '../program.ts';
import { applyStep } from './kernels.ts';
import type { Ranked } from '../topK.ts';
import { measureQubit, pauliExpectation, sampleIndices, topProbabilities } from './readout.ts';
import { KernelPool, type KernelThreads } from './threads.ts';

export interface CpuBackendOptions {
  /** Bytes the engine may use for the state and its snapshot; default `defaultMemoryBudget()`. */
  memoryBudgetBytes?: number;
  /** Kernel threads to split `apply` across (the calling thread counts as one); none by default. */
  threads?: KernelThreads;
}

export const DEFAULT_MEMORY_BUDGET_BYTES = 2 * 1024 ** 3;

/** 2 GiB, or a quarter of the device's memory when the browser says it has less than 8 GiB. */
export function defaultMemoryBudget(): number {
  const gib = (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory;
  if (typeof gib === 'number' && gib > 0) return Math.min(DEFAULT_MEMORY_BUDGET_BYTES, (gib * 1024 ** 3) / 4);
  return DEFAULT_MEMORY_BUDGET_BYTES;
}
/** Float indices (2·2ⁿ) must stay within 32-bit signed integer arithmetic. */
const INDEX_LIMIT_QUBITS = 29;
const BYTES_PER_AMPLITUDE = 8;

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${+(bytes / 1024 ** 3).toFixed(2)} GiB`;
  if (bytes >= 1024 ** 2) return `${+(bytes / 1024 ** 2).toFixed(2)} MiB`;
  return `${bytes} bytes`;
}

export class CpuBackend implements StateBackend {
  readonly name = 'cpu' as const;
  /**
   * One thread has no per-call cost to amortise; small batches keep progress and cancellation
   * prompt. Threads pay a message per batch, so they take a few steps at a time.
   */
  readonly batchAmplitudes: number;
  private readonly budget: number;
  private pool: KernelPool | null = null;
  /** Why the engine runs on one thread, when it was given threads. */
  private threadsNote: string;
  private state: Float32Array | null = null;
  private saved: Float32Array | null = null;
  private qubits = 0;

  constructor(options: CpuBackendOptions = {}) {
    const budget = options.memoryBudgetBytes ?? defaultMemoryBudget();
    if (!(budget > 0)) throw new RangeError(`memoryBudgetBytes must be positive, got ${budget}`);
    this.budget = budget;
    const threads = options.threads;
    if (!threads || threads.count <= 1) {
      this.threadsNote = 'one thread (no kernel threads were given)';
    } else if (typeof SharedArrayBuffer === 'undefined') {
      this.threadsNote = 'one thread: SharedArrayBuffer is unavailable (the page is not cross-origin isolated)';
    } else {
      this.pool = new KernelPool(threads);
      this.threadsNote =
        `${threads.count} threads for states of 2^${this.pool.minQubits} amplitudes or more ` +
        `(Atomics-synchronised kernel Workers over a SharedArrayBuffer), one below`;
    }
    this.batchAmplitudes = this.pool ? 1 << 23 : 1 << 20;
  }

  /** How many threads `apply` uses on a state of `qubits` qubits. */
  threadsFor(qubits: number): number {
    return this.pool && qubits >= this.pool.minQubits ? this.pool.count : 1;
  }

  limits(): BackendLimits {
    const byMemory = Math.floor(Math.log2(this.budget / BYTES_PER_AMPLITUDE));
    const threads = { threads: this.pool?.count ?? 1, threadsNote: this.threadsNote };
    if (byMemory <= INDEX_LIMIT_QUBITS) {
      return {
        ...threads,
        maxQubits: byMemory,
        reason:
          `a complex64 state of n qubits takes 8·2^n bytes and the CPU engine's memory budget is ` +
          `${formatBytes(this.budget)} (CpuBackend memoryBudgetBytes), which holds ${byMemory} qubits ` +
          `(${byMemory - 1} for circuits that measure mid-circuit, which keep a second copy)`,
      };
    }
    return {
      ...threads,
      maxQubits: INDEX_LIMIT_QUBITS,
      reason: `the CPU engine indexes amplitudes with 32-bit integers, which reach ${INDEX_LIMIT_QUBITS} qubits`,
    };
  }

  async reset(qubits: number): Promise<void> {
    const { maxQubits, reason } = this.limits();
    if (!Number.isInteger(qubits) || qubits < 0) throw new RangeError(`qubits must be a whole number, got ${qubits}`);
    if (qubits > maxQubits)
      throw new RangeError(`${qubits} qubits is over the CPU engine's limit of ${maxQubits}: ${reason}`);
    const floats = 2 << qubits;
    if (this.state?.length === floats) {
      this.state.fill(0);
    } else {
      this.state = null;
      this.saved = null;
      try {
        this.state = this.pool ? new Float32Array(new SharedArrayBuffer(4 * floats)) : new Float32Array(floats);
      } catch (error) {
        throw new RangeError(
          `could not allocate ${formatBytes(4 * floats)} for a ${qubits}-qubit state (${String(error)}); ` +
            'lower the qubit count or the memory budget (CpuBackend memoryBudgetBytes)',
        );
      }
    }
    this.qubits = qubits;
    this.state[0] = 1;
  }

  async apply(steps: readonly Step[]): Promise<void> {
    const state = this.live();
    for (const step of steps) this.checkStep(step);
    if (this.pool && this.qubits >= this.pool.minQubits && (await this.poolStarted())) {
      try {
        await this.pool.apply(state, this.qubits, steps);
      } catch (error) {
        this.stopThreads(`one thread: the kernel threads failed (${(error as Error).message})`);
        throw error;
      }
      return;
    }
    for (const step of steps) applyStep(state, this.qubits, step);
  }

  async measure(qubit: number, random: number): Promise<0 | 1> {
    this.checkQubit(qubit);
    return measureQubit(this.live(), qubit, random);
  }

  async sample(shots: number, seed: number): Promise<Uint32Array> {
    return sampleIndices(this.live(), shots, seed);
  }

  async topProbabilities(k: number): Promise<Ranked[]> {
    return topProbabilities(this.live(), k);
  }

  async expectation(pauli: PauliString): Promise<number> {
    if (pauli.paulis.length !== pauli.qubits.length) {
      throw new RangeError(
        `Pauli string "${pauli.paulis}" has ${pauli.paulis.length} letters for ${pauli.qubits.length} qubits`,
      );
    }
    let flipMask = 0;
    let signMask = 0;
    let yCount = 0;
    let seen = 0;
    pauli.qubits.forEach((qubit, i) => {
      this.checkQubit(qubit);
      const bit = 1 << qubit;
      if (seen & bit) throw new RangeError(`Pauli string names qubit ${qubit} twice`);
      seen |= bit;
      const letter = pauli.paulis[i]!.toUpperCase();
      if (letter === 'X' || letter === 'Y') flipMask |= bit;
      if (letter === 'Z' || letter === 'Y') signMask |= bit;
      if (letter === 'Y') yCount++;
      else if (letter !== 'X' && letter !== 'Z' && letter !== 'I') {
        throw new RangeError(`Pauli letters are I, X, Y and Z; got "${pauli.paulis[i]}"`);
      }
    });
    return pauliExpectation(this.live(), flipMask, signMask, yCount);
  }

  async readState(): Promise<Float32Array> {
    return this.live().slice();
  }

  async snapshot(): Promise<void> {
    const state = this.live();
    if (this.saved?.length !== state.length) {
      const needed = 2 * state.byteLength;
      if (needed > this.budget) {
        throw new RangeError(
          `keeping a snapshot of ${this.qubits} qubits (for per-shot trajectories) needs ${formatBytes(needed)}, ` +
            `over the CPU engine's memory budget of ${formatBytes(this.budget)} (CpuBackend memoryBudgetBytes)`,
        );
      }
      this.saved = new Float32Array(state.length);
    }
    this.saved.set(state);
  }

  async restore(): Promise<void> {
    if (!this.saved || this.saved.length !== this.live().length) throw new Error('restore() before snapshot()');
    this.live().set(this.saved);
  }

  /** Frees the state; the kernel threads, if any, are stopped and later runs use one thread. */
  dispose(): void {
    this.state = null;
    this.saved = null;
    if (this.pool) this.stopThreads('one thread: the engine was disposed');
  }

  /** Starts the pool on first use; if it cannot start, says why and goes on with one thread. */
  private async poolStarted(): Promise<boolean> {
    try {
      await this.pool!.start();
      return true;
    } catch (error) {
      this.stopThreads(`one thread: the kernel threads could not start (${(error as Error).message})`);
      return false;
    }
  }

  private stopThreads(note: string): void {
    this.pool?.dispose();
    this.pool = null;
    this.threadsNote = note;
  }

  private live(): Float32Array {
    if (!this.state) throw new Error('the CPU engine has no state: call reset(qubits) first');
    return this.state;
  }

  private checkQubit(qubit: number): void {
    if (!Number.isInteger(qubit) || qubit < 0 || qubit >= this.qubits) {
      throw new RangeError(`qubit ${qubit} is out of range for a ${this.qubits}-qubit state`);
    }
  }

  private checkStep(step: Step): void {
    const qubits =
      step.kind === 'swap'
        ? [step.a, step.b]
        : step.kind === 'controlled'
          ? [...step.controls, ...step.targets]
          : step.qubits;
    for (const q of qubits) this.checkQubit(q);
    if (new Set(qubits).size !== qubits.length) throw new RangeError(`a ${step.kind} step names a qubit twice`);
  }
}
