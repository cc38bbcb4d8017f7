/** The toy dataset behind `tfjs-blobs`: three seeded Gaussian blobs in 2-D, written as `data/blobs.csv`. */
import { seededRandom } from './random.ts';

export interface BlobPoint {
  x1: number;
  x2: number;
  label: number;
}

const CENTERS: ReadonlyArray<readonly [number, number]> = [
  [-2, -1.5],
  [2, -1.5],
  [0, 2],
];
const SPREAD = 0.7;

/**
 * Labels cycle 0, 1, 2 so that unshuffled mini-batches still see every class.
 * Coordinates are rounded to 4 decimals so the CSV holds exactly the values trained on.
 */
export function makeBlobs(count = 300, seed = 7): BlobPoint[] {
  const random = seededRandom(seed);
  const round = (v: number): number => Math.round(v * 1e4) / 1e4;
  return Array.from({ length: count }, (_, i) => {
    const label = i % CENTERS.length;
    const [cx, cy] = CENTERS[label] as readonly [number, number];
    return { x1: round(cx + random.normal() * SPREAD), x2: round(cy + random.normal() * SPREAD), label };
  });
}

export function blobsToCsv(points: BlobPoint[]): string {
  return ['x1,x2,label', ...points.map((p) => `${p.x1},${p.x2},${p.label}`)].join('\n') + '\n';
}
