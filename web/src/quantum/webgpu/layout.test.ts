import { describe, expect, it } from 'vitest';
import { chunkLayout, lowerStep, planDiagonal, planGather } from './layout.ts';

const X = { dim: 2, data: Float64Array.from([0, 0, 1, 0, 1, 0, 0, 0]) };

describe('chunk layout and dispatch plans', () => {
  it('a gate inside the chunk runs on every chunk with one slot', () => {
    const plan = planGather(chunkLayout(8, 6), {
      kind: 'gather',
      gather: 'matrix',
      targets: [2],
      controls: [4],
      matrix: X,
    });
    expect(plan).toMatchObject({
      slots: 1,
      count: 16,
      inserts: [2, 4],
      fixedMask: 16,
      offsets: [0, 4],
      slotOf: [0, 0],
    });
    expect(plan.groups).toEqual([[0], [1], [2], [3]]);
  });

  it('a target above the chunk pairs chunks; a high control picks which pairs run', () => {
    const plan = planGather(chunkLayout(9, 6), {
      kind: 'gather',
      gather: 'matrix',
      targets: [7, 1],
      controls: [8],
      matrix: X,
    });
    // Chunk bits: qubit 6 → 1, 7 → 2, 8 → 4. Target 7 pairs chunks differing in bit 2; control 8 needs bit 4.
    expect(plan.slots).toBe(2);
    expect(plan.count).toBe(32);
    expect(plan.offsets).toEqual([0, 0, 2, 2]);
    expect(plan.slotOf).toEqual([0, 1, 0, 1]);
    expect(plan.groups).toEqual([
      [4, 6],
      [5, 7],
    ]);
  });

  it('four high targets are conjugated by a swap into the chunk (at most 8 chunks per dispatch)', () => {
    const layout = chunkLayout(10, 6);
    const matrix = { dim: 16, data: new Float64Array(512) };
    const ops = lowerStep({ kind: 'dense', qubits: [6, 7, 8, 9], matrix }, layout, 3);
    expect(ops.map((op) => (op.kind === 'gather' ? [op.gather, op.targets] : op.kind))).toEqual([
      ['swap', [9, 0]],
      ['matrix', [6, 7, 8, 0]],
      ['swap', [9, 0]],
    ]);
  });

  it('diagonal qubits above the chunk pick a per-chunk sub-diagonal', () => {
    const plan = planDiagonal(chunkLayout(8, 6), [7, 0, 6, 3]);
    // Low qubits 0 and 3 are diagonal bits 1 and 3; qubit 6 (chunk bit 0) is diagonal bit 2,
    // qubit 7 (chunk bit 1) is diagonal bit 0.
    expect(plan).toMatchObject({ count: 16, positions: [0, 3], inserts: [0, 3] });
    expect(plan.entries).toEqual([
      [0, 2, 8, 10],
      [4, 6, 12, 14],
      [1, 3, 9, 11],
      [5, 7, 13, 15],
    ]);
  });

  it('bad steps say which step and what is wrong', () => {
    const layout = chunkLayout(4, 6);
    expect(() => lowerStep({ kind: 'dense', qubits: [0, 0], matrix: X }, layout, 3, 5)).toThrow(
      'step 5 (dense): qubit 0 appears twice',
    );
    expect(() => lowerStep({ kind: 'diagonal', qubits: [1], diagonal: new Float64Array(2) }, layout, 3)).toThrow(
      /needs 2 entries/,
    );
  });
});
