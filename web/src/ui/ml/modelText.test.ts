import { describe, expect, it } from 'vitest';
import { describeSignature, describeSource, formatBytes } from './modelText.ts';

describe('modelText', () => {
  it('words a signature as inputs → outputs', () => {
    const signature = {
      inputs: [{ name: 'input', type: 'float32', dims: ['batch', 4] }],
      outputs: [{ name: 'logits', type: 'float32', dims: ['batch', 3] }],
    };
    expect(describeSignature(signature)).toBe('input: float32[batch,4] → logits: float32[batch,3]');
    expect(describeSignature({ inputs: [], outputs: [] })).toBe('(none) → (none)');
  });

  it('says where a model came from', () => {
    expect(describeSource({ type: 'sample', sample: 'sample:mlp' })).toBe('bundled sample:mlp');
    expect(describeSource({ type: 'trained', layers: 2, epochs: 5 })).toBe('trained here: 2 layers, 5 epochs');
  });

  it('formats sizes, with a dash for models the library caches', () => {
    expect([0, 512, 2048, 3 * 1024 * 1024].map(formatBytes)).toEqual(['—', '512 B', '2.0 KiB', '3.0 MiB']);
  });
});
