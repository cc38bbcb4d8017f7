import { describe, expect, it } from 'vitest';
import { deriveLimits } from './limits.ts';

const GiB = 2 ** 30;

describe('WebGPU limits', () => {
  it('the memory budget binds with 1 GiB bindings (SwiftShader) and the default 4 GiB budget', () => {
    const limits = deriveLimits({
      maxStorageBufferBindingSize: GiB,
      maxBufferSize: GiB,
      maxChunks: 64,
      memoryBudgetBytes: 4 * GiB,
    });
    // 4 GiB / 20 B per amplitude ≥ 2^27 amplitudes.
    expect(limits.maxQubits).toBe(27);
    expect(limits.chunkQubits).toBe(27);
    expect(limits.reason).toMatch(/at most 27 qubits: the memory budget of 4 GiB at 20 bytes per amplitude/);
  });

  it('the number of state buffers binds when bindings are small', () => {
    const limits = deriveLimits({
      maxStorageBufferBindingSize: 128 * 2 ** 20,
      maxBufferSize: 256 * 2 ** 20,
      maxChunks: 8,
      memoryBudgetBytes: 64 * GiB,
    });
    // 128 MiB bindings hold 2^24 amplitudes; 8 of them 2^27.
    expect(limits.chunkQubits).toBe(24);
    expect(limits.maxQubits).toBe(27);
    expect(limits.reason).toMatch(
      /27 qubits: 8 state buffers of 128 MiB \(min\(maxStorageBufferBindingSize 128 MiB, maxBufferSize 256 MiB\)\)/,
    );
  });

  it('a binding size that is not a power of two rounds down', () => {
    const limits = deriveLimits({
      maxStorageBufferBindingSize: 2 ** 32 - 4,
      maxBufferSize: 2 ** 32,
      maxChunks: 64,
      memoryBudgetBytes: 1024 * GiB,
    });
    expect(limits.chunkQubits).toBe(28);
    expect(limits.maxQubits).toBe(32);
    expect(limits.reason).toMatch(/32-bit basis-state indices/);
  });

  it('a forced chunk size is named as the cause', () => {
    const limits = deriveLimits({
      maxStorageBufferBindingSize: GiB,
      maxBufferSize: GiB,
      chunkQubits: 6,
      maxChunks: 64,
      memoryBudgetBytes: 4 * GiB,
    });
    expect(limits).toMatchObject({ chunkQubits: 6, maxQubits: 12 });
    expect(limits.reason).toMatch(/64 state buffers of 512 B \(the forced chunk size\)/);
    expect(() =>
      deriveLimits({
        maxStorageBufferBindingSize: GiB,
        maxBufferSize: GiB,
        chunkQubits: 1,
        maxChunks: 1,
        memoryBudgetBytes: GiB,
      }),
    ).toThrow(/chunkQubits must be an integer ≥ 2/);
  });
});
