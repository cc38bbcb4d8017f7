import { describe, expect, it } from 'vitest';
import { histogram } from './histogram.ts';

describe('histogram', () => {
  const counts = { '11': 30, '00': 50, '01': 5, '10': 15 };

  it('orders bars by count, most frequent first, with their share of the shots', () => {
    const { bars, more, total, peak } = histogram(counts, 'count');
    expect(bars.map((bar) => bar.outcome)).toEqual(['00', '11', '10', '01']);
    expect(bars[0]).toEqual({ outcome: '00', count: 50, fraction: 0.5 });
    expect({ more, total, peak }).toEqual({ more: 0, total: 100, peak: 50 });
  });

  it('keeps the most frequent outcomes and orders them by bitstring', () => {
    const { bars, more } = histogram(counts, 'bitstring', 3);
    expect(bars.map((bar) => bar.outcome)).toEqual(['00', '10', '11']);
    expect(more).toBe(1);
  });

  it('is empty for no counts', () => {
    expect(histogram({}, 'count')).toEqual({ bars: [], more: 0, total: 0, peak: 0 });
  });
});
