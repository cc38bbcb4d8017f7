/** The bars of a counts histogram: the most frequent outcomes, in the order the view asks for. */
export type HistogramOrder = 'count' | 'bitstring';

export interface HistogramBar {
  outcome: string;
  count: number;
  /** Share of all shots, 0..1. */
  fraction: number;
}

export interface Histogram {
  bars: HistogramBar[];
  /** Outcomes left out beyond the limit. */
  more: number;
  /** Shots counted. */
  total: number;
  /** The largest count, which the longest bar stands for. */
  peak: number;
}

/** The `limit` most frequent outcomes (ties broken by outcome), ordered by count or by outcome. */
export function histogram(counts: Record<string, number>, order: HistogramOrder, limit = 32): Histogram {
  const entries = Object.entries(counts);
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  const top = entries.sort((a, b) => b[1] - a[1] || compareOutcomes(a[0], b[0])).slice(0, limit);
  if (order === 'bitstring') top.sort((a, b) => compareOutcomes(a[0], b[0]));
  return {
    bars: top.map(([outcome, count]) => ({ outcome, count, fraction: total > 0 ? count / total : 0 })),
    more: entries.length - top.length,
    total,
    peak: top.reduce((peak, [, count]) => Math.max(peak, count), 0),
  };
}

/** Outcomes of equal length compare as binary numbers, which is string order. */
function compareOutcomes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
