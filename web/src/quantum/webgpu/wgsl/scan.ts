/**
 * Work-efficient inclusive prefix sums over float32 values, in place, without workgroup barriers
 * (see `reduce.ts` for why): a reduce-then-scan with radix 16.
 *
 * 1. `scanRunsShader`: each invocation scans a run of 16 consecutive values sequentially in
 *    registers, writes the run back and the run's total to the next level.
 * 2. The run totals are scanned the same way, level by level, until one run remains.
 * 3. `addOffsetsShader`: every value of run r ≥ 1 gets the scanned total of runs < r.
 *
 * O(n) adds in all (n + n/16 + …), log16(n) levels. Sampling runs it on each chunk's
 * probabilities; the chunk totals are combined on the host.
 */
import { flatIndex, MAIN_BUILTINS, WIDE_WORKGROUP } from './common.ts';

/** Values per run (per invocation). */
export const SCAN_RUN = 16;
export const SCAN_PARAMS = { length: 0, bytes: 16 } as const;

const HEADER = `
struct Params {
  len: u32,
  pad0: u32,
  pad1: u32,
  pad2: u32,
}
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read_write> data: array<f32>;
@group(0) @binding(2) var<storage, read_write> sums: array<f32>;`;

export const scanRunsShader = () => `${HEADER}

@compute @workgroup_size(${WIDE_WORKGROUP})
fn main(${MAIN_BUILTINS}) {
  let t = ${flatIndex(WIDE_WORKGROUP)};
  let first = t * ${SCAN_RUN}u;
  if (first >= P.len) { return; }
  var running = 0.0;${Array.from(
    { length: SCAN_RUN },
    (_, k) => `
  if (first + ${k}u < P.len) {
    running = running + data[first + ${k}u];
    data[first + ${k}u] = running;
  }`,
  ).join('')}
  sums[t] = running;
}
`;

export const addOffsetsShader = () => `${HEADER}

@compute @workgroup_size(${WIDE_WORKGROUP})
fn main(${MAIN_BUILTINS}) {
  let t = ${flatIndex(WIDE_WORKGROUP)};
  let first = t * ${SCAN_RUN}u;
  if (t == 0u || first >= P.len) { return; }
  let offset = sums[t - 1u];${Array.from(
    { length: SCAN_RUN },
    (_, k) => `
  if (first + ${k}u < P.len) { data[first + ${k}u] = data[first + ${k}u] + offset; }`,
  ).join('')}
}
`;
