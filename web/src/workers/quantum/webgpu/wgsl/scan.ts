/**
 * Work-efficient (Blelloch) inclusive prefix sums over a float32 array, in place:
 *
 * 1. `scanBlocks`: each workgroup scans a block of 512 values in workgroup memory (up-sweep,
 *    down-sweep: O(n) adds), writes the inclusive scan back and the block's total to `sums`.
 * 2. The block totals are scanned the same way, level by level, until one block remains.
 * 3. `addOffsets`: every value of block b ≥ 1 gets the inclusive scan of the totals of blocks < b.
 *
 * Sampling runs it on each chunk's probabilities; the chunk totals are combined on the host.
 */
import { flatIndex, MAIN_BUILTINS, WIDE_WORKGROUP } from './common.ts';

/** Values per scan block: two per invocation. */
export const SCAN_BLOCK = 2 * WIDE_WORKGROUP;
export const SCAN_PARAMS = { length: 0, blocks: 4, bytes: 16 } as const;

const PARAMS = `
struct Params {
  len: u32,
  blocks: u32,
  pad0: u32,
  pad1: u32,
}
@group(0) @binding(0) var<uniform> P: Params;`;

export const scanBlocksShader = () => `${PARAMS}
@group(0) @binding(1) var<storage, read_write> data: array<f32>;
@group(0) @binding(2) var<storage, read_write> sums: array<f32>;
var<workgroup> tmp: array<f32, ${SCAN_BLOCK}>;

@compute @workgroup_size(${WIDE_WORKGROUP})
fn main(${MAIN_BUILTINS}) {
  let block = wid.y * nwg.x + wid.x;
  if (block >= P.blocks) { return; }
  let g0 = block * ${SCAN_BLOCK}u + lid;
  let g1 = g0 + ${WIDE_WORKGROUP}u;
  var v0 = 0.0;
  var v1 = 0.0;
  if (g0 < P.len) { v0 = data[g0]; }
  if (g1 < P.len) { v1 = data[g1]; }
  tmp[lid] = v0;
  tmp[lid + ${WIDE_WORKGROUP}u] = v1;
  var offset = 1u;
  for (var d = ${WIDE_WORKGROUP}u; d > 0u; d = d >> 1u) {
    workgroupBarrier();
    if (lid < d) {
      let ai = offset * (2u * lid + 1u) - 1u;
      let bi = offset * (2u * lid + 2u) - 1u;
      tmp[bi] = tmp[bi] + tmp[ai];
    }
    offset = offset << 1u;
  }
  workgroupBarrier();
  if (lid == 0u) {
    sums[block] = tmp[${SCAN_BLOCK - 1}u];
    tmp[${SCAN_BLOCK - 1}u] = 0.0;
  }
  for (var d = 1u; d < ${SCAN_BLOCK}u; d = d << 1u) {
    offset = offset >> 1u;
    workgroupBarrier();
    if (lid < d) {
      let ai = offset * (2u * lid + 1u) - 1u;
      let bi = offset * (2u * lid + 2u) - 1u;
      let t = tmp[ai];
      tmp[ai] = tmp[bi];
      tmp[bi] = tmp[bi] + t;
    }
  }
  workgroupBarrier();
  if (g0 < P.len) { data[g0] = tmp[lid] + v0; }
  if (g1 < P.len) { data[g1] = tmp[lid + ${WIDE_WORKGROUP}u] + v1; }
}
`;

export const addOffsetsShader = () => `${PARAMS}
@group(0) @binding(1) var<storage, read_write> data: array<f32>;
@group(0) @binding(2) var<storage, read_write> sums: array<f32>;

@compute @workgroup_size(${WIDE_WORKGROUP})
fn main(${MAIN_BUILTINS}) {
  let i = ${flatIndex(WIDE_WORKGROUP)};
  if (i >= P.len) { return; }
  let block = i / ${SCAN_BLOCK}u;
  if (block > 0u) {
    data[i] = data[i] + sums[block - 1u];
  }
}
`;
