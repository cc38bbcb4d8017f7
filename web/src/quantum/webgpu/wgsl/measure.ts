/**
 * Per-chunk elementwise kernels for measurement and sampling:
 *
 * - `collapse`: keeps the amplitudes whose in-chunk bits match (`i & mask == want`), scaled by
 *   `scale` (1/√p of the outcome), and zeroes the rest. For a qubit above the chunk, the host
 *   sends mask 0 with want 0 (keep the whole chunk) or want 1 (zero it).
 * - `probabilities`: p_i = |a_i|² into a float32 scratch chunk (for prefix sums and top-k).
 */
import { flatIndex, MAIN_BUILTINS, WIDE_WORKGROUP } from './common.ts';

export const COLLAPSE_PARAMS = { count: 0, mask: 4, want: 8, scale: 12, bytes: 16 } as const;

export const collapseShader = () => `
struct Params {
  count: u32,
  mask: u32,
  want: u32,
  scale: f32,
}
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read_write> s0: array<vec2<f32>>;

@compute @workgroup_size(${WIDE_WORKGROUP})
fn main(${MAIN_BUILTINS}) {
  let i = ${flatIndex(WIDE_WORKGROUP)};
  if (i >= P.count) { return; }
  if ((i & P.mask) == P.want) {
    s0[i] = s0[i] * P.scale;
  } else {
    s0[i] = vec2<f32>(0.0, 0.0);
  }
}
`;

export const PROBABILITIES_PARAMS = { count: 0, bytes: 16 } as const;

export const probabilitiesShader = () => `
struct Params {
  count: u32,
  pad0: u32,
  pad1: u32,
  pad2: u32,
}
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> state: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> probs: array<f32>;

@compute @workgroup_size(${WIDE_WORKGROUP})
fn main(${MAIN_BUILTINS}) {
  let i = ${flatIndex(WIDE_WORKGROUP)};
  if (i >= P.count) { return; }
  let a = state[i];
  probs[i] = dot(a, a);
}
`;
