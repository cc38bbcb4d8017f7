import { describe, expect, it } from 'vitest';
import { TopK } from './topK.ts';

describe('TopK', () => {
  it('keeps the k most probable, lower index first among equals, and never ranks zeros', () => {
    const top = new TopK(3);
    [0.1, 0, 0.3, 0.1, 0.3, 0.2].forEach((p, i) => top.offer(i, p));
    expect(top.ranked()).toEqual([
      { index: 2, probability: 0.3 },
      { index: 4, probability: 0.3 },
      { index: 5, probability: 0.2 },
    ]);
  });

  it('returns fewer than k when fewer states are possible', () => {
    const top = new TopK(8);
    [0, 0.5, 0, 0.5].forEach((p, i) => top.offer(i, p));
    expect(top.ranked().map((r) => r.index)).toEqual([1, 3]);
    expect(new TopK(0).ranked()).toEqual([]);
  });
});
