import { describe, expect, it } from 'vitest';
import { createMemoryBudget, type HostMemory, type MemoryHolder } from './memoryBudget.ts';

/** One clock for all holders, so that 'oldest' compares across them. */
let tick = 0;

/** A holder of items, each charged when added. */
function itemsHolder(memory: () => HostMemory) {
  const items: Array<{ bytes: number; at: number }> = [];
  const holder: MemoryHolder & { add(bytes: number): boolean; count(): number } = {
    oldestAt: () => items[0]?.at,
    evictOldest() {
      const item = items.shift();
      if (item) memory().release(item.bytes);
    },
    add(bytes) {
      if (!memory().charge(holder, bytes)) return false;
      items.push({ bytes, at: ++tick });
      return true;
    },
    count: () => items.length,
  };
  return holder;
}

describe('createMemoryBudget', () => {
  it("makes room from the same host's oldest bytes first", () => {
    const budget = createMemoryBudget({ hostBytes: 300, totalBytes: 10_000 });
    const memory = budget.forHost('a');
    const first = itemsHolder(() => memory);
    const second = itemsHolder(() => memory);
    first.add(100);
    second.add(100);
    first.add(100);
    expect(second.add(100)).toBe(true);
    expect(budget.hostBytes('a')).toBe(300);
    expect(first.count()).toBe(1);
    expect(second.count()).toBe(2);
  });

  it('takes room for the total from the host that holds the most, never more than its share from others', () => {
    const budget = createMemoryBudget({ hostBytes: 600, totalBytes: 1000 });
    const big = budget.forHost('big');
    const small = budget.forHost('small');
    const bigHolder = itemsHolder(() => big);
    const smallHolder = itemsHolder(() => small);
    for (let i = 0; i < 3; i++) smallHolder.add(100);
    for (let i = 0; i < 6; i++) bigHolder.add(100);
    expect(budget.totalBytes).toBe(900);
    smallHolder.add(100);
    smallHolder.add(100);
    expect(budget.totalBytes).toBeLessThanOrEqual(1000);
    expect(smallHolder.count()).toBe(5);
    expect(budget.hostBytes('big')).toBe(500);
  });

  it('refuses a single charge bigger than a share, and forgets a host once it holds nothing', () => {
    const budget = createMemoryBudget({ hostBytes: 100, totalBytes: 1000 });
    const memory = budget.forHost('a');
    const holder = itemsHolder(() => memory);
    expect(holder.add(101)).toBe(false);
    expect(holder.add(50)).toBe(true);
    holder.evictOldest();
    memory.forget(holder);
    expect(budget.hostBytes('a')).toBe(0);
    expect(budget.totalBytes).toBe(0);
  });
});
