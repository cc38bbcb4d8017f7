/** One ranked basis state. */
export interface Ranked {
  index: number;
  probability: number;
}

/**
 * Keeps the `k` most probable basis states offered to it, with a size-k min-heap: one pass over
 * a state of any size in O(n log k). Offer indices in increasing order; among equal
 * probabilities the lower index is kept. Probability-0 states are never ranked.
 */
export class TopK {
  private readonly probability: Float64Array;
  private readonly index: Int32Array;
  private count = 0;

  constructor(private readonly k: number) {
    this.probability = new Float64Array(k);
    this.index = new Int32Array(k);
  }

  offer(index: number, probability: number): void {
    if (probability === 0 || this.k === 0) return;
    if (this.count < this.k) {
      this.probability[this.count] = probability;
      this.index[this.count] = index;
      for (let node = this.count++; node > 0;) {
        const parent = (node - 1) >> 1;
        if (!this.weaker(node, parent)) break;
        this.swap(node, parent);
        node = parent;
      }
    } else if (probability > this.probability[0]!) {
      // Indices arrive in increasing order, so an equal probability never displaces the root.
      this.probability[0] = probability;
      this.index[0] = index;
      this.siftDown();
    }
  }

  /** Most probable first; ties: lower index first. */
  ranked(): Ranked[] {
    const ranked: Ranked[] = [];
    for (let i = 0; i < this.count; i++) ranked.push({ index: this.index[i]!, probability: this.probability[i]! });
    return ranked.sort((a, b) => b.probability - a.probability || a.index - b.index);
  }

  /** The root is the weakest kept entry: lowest probability, and among equals the highest index. */
  private weaker(a: number, b: number): boolean {
    const p = this.probability;
    return p[a]! < p[b]! || (p[a] === p[b] && this.index[a]! > this.index[b]!);
  }

  private swap(a: number, b: number): void {
    const p = this.probability[a]!;
    this.probability[a] = this.probability[b]!;
    this.probability[b] = p;
    const i = this.index[a]!;
    this.index[a] = this.index[b]!;
    this.index[b] = i;
  }

  private siftDown(): void {
    for (let node = 0; ;) {
      const left = 2 * node + 1;
      if (left >= this.count) return;
      const right = left + 1;
      const child = right < this.count && this.weaker(right, left) ? right : left;
      if (!this.weaker(child, node)) return;
      this.swap(child, node);
      node = child;
    }
  }
}
