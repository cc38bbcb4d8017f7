/**
 * The largest state the WebGPU backend will hold, from the device's limits and a memory budget.
 *
 *   chunk bytes   = largest power of two ≤ min(maxStorageBufferBindingSize, maxBufferSize)
 *                   (or the forced chunk size), 8 bytes per complex64 amplitude
 *   buffers       → 2^maxQubits ≤ maxChunks · chunk bytes / 8
 *   memory budget → 2^maxQubits ≤ budget / 20   (per amplitude: state 8 B + snapshot 8 B +
 *                                                sampling/top-k float32 scratch 4 B)
 *   indices       → maxQubits ≤ 32              (basis-state indices are u32 on the GPU)
 *
 * and the reason names whichever bound is smallest. WebGPU does not report how much memory a
 * device has, so the budget is a setting (default 4 GiB).
 */
import type { BackendLimits } from '../stateBackend.ts';

export const BYTES_PER_AMPLITUDE = 8;
/** State + snapshot + float32 probabilities for sampling and top-k. */
export const BUDGET_BYTES_PER_AMPLITUDE = 20;
export const DEFAULT_MEMORY_BUDGET = 4 * 2 ** 30;
export const DEFAULT_MAX_CHUNKS = 64;
export const INDEX_QUBITS = 32;

export interface LimitInputs {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  /** Forces smaller chunks (tests use this to exercise cross-chunk kernels on small states). */
  chunkQubits?: number;
  maxChunks: number;
  memoryBudgetBytes: number;
}

export interface DerivedLimits extends BackendLimits {
  /** log2 of the amplitudes per chunk. */
  chunkQubits: number;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

export function deriveLimits(input: LimitInputs): DerivedLimits {
  const bindable = Math.min(input.maxStorageBufferBindingSize, input.maxBufferSize);
  const naturalChunkQubits = Math.floor(Math.log2(bindable / BYTES_PER_AMPLITUDE));
  if (input.chunkQubits !== undefined && (!Number.isInteger(input.chunkQubits) || input.chunkQubits < 2)) {
    throw new RangeError(`chunkQubits must be an integer ≥ 2, got ${input.chunkQubits}`);
  }
  const chunkQubits = Math.min(naturalChunkQubits, input.chunkQubits ?? Infinity);
  const chunkBytes = 2 ** chunkQubits * BYTES_PER_AMPLITUDE;
  const chunkSource =
    input.chunkQubits !== undefined && input.chunkQubits < naturalChunkQubits
      ? `the forced chunk size`
      : `min(maxStorageBufferBindingSize ${formatBytes(input.maxStorageBufferBindingSize)}, maxBufferSize ${formatBytes(input.maxBufferSize)})`;
  const bounds = [
    {
      qubits: chunkQubits + Math.floor(Math.log2(input.maxChunks)),
      reason: `${input.maxChunks} state buffers of ${formatBytes(chunkBytes)} (${chunkSource})`,
    },
    {
      qubits: Math.floor(Math.log2(input.memoryBudgetBytes / BUDGET_BYTES_PER_AMPLITUDE)),
      reason: `the memory budget of ${formatBytes(input.memoryBudgetBytes)} at ${BUDGET_BYTES_PER_AMPLITUDE} bytes per amplitude (state 8 + snapshot 8 + sampling scratch 4)`,
    },
    { qubits: INDEX_QUBITS, reason: '32-bit basis-state indices on the GPU' },
  ];
  const binding = bounds.reduce((a, b) => (b.qubits < a.qubits ? b : a));
  return {
    maxQubits: binding.qubits,
    reason: `WebGPU holds at most ${binding.qubits} qubits: ${binding.reason}`,
    chunkQubits,
  };
}
