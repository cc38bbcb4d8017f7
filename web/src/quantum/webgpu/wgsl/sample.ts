/**
 * Shot sampling over one chunk's inclusive prefix sums. Shot j draws
 * r_j = (pcg_hash(j ^ key) >> 8) / 2^24 · total, a float32 in [0, total); the chunk whose
 * [start, end) holds r_j (the last non-empty chunk also takes r_j ≥ end) writes the first index
 * whose prefix sum exceeds r_j − start, found by binary search. If rounding leaves no such index,
 * the chunk's last index with non-zero probability is taken, so a zero-probability state is never
 * drawn. One dispatch per chunk; every chunk's dispatch visits every shot.
 */
import { flatIndex, MAIN_BUILTINS, PCG_HASH, WIDE_WORKGROUP } from './common.ts';

export const SAMPLE_PARAMS = {
  shots: 0,
  length: 4,
  key: 8,
  chunkBase: 12,
  start: 16,
  end: 20,
  total: 24,
  isLast: 28,
  bytes: 32,
} as const;

export const sampleShader = () => `
struct Params {
  shots: u32,
  len: u32,
  key: u32,
  chunk_base: u32,
  start: f32,
  end: f32,
  total: f32,
  is_last: u32,
}
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> scan: array<f32>;
@group(0) @binding(2) var<storage, read_write> shots: array<u32>;
${PCG_HASH}

@compute @workgroup_size(${WIDE_WORKGROUP})
fn main(${MAIN_BUILTINS}) {
  let j = ${flatIndex(WIDE_WORKGROUP)};
  if (j >= P.shots) { return; }
  let r = f32(pcg_hash(j ^ P.key) >> 8u) * (1.0 / 16777216.0) * P.total;
  if (r < P.start || (r >= P.end && P.is_last == 0u)) { return; }
  let t = r - P.start;
  var lo = 0u;
  var hi = P.len;
  while (lo < hi) {
    let mid = (lo + hi) >> 1u;
    if (scan[mid] > t) { hi = mid; } else { lo = mid + 1u; }
  }
  if (lo >= P.len) {
    let last = scan[P.len - 1u];
    lo = 0u;
    hi = P.len - 1u;
    while (lo < hi) {
      let mid = (lo + hi) >> 1u;
      if (scan[mid] >= last) { hi = mid; } else { lo = mid + 1u; }
    }
  }
  shots[j] = P.chunk_base + lo;
}
`;
