/**
 * Pieces shared by the WGSL kernels. The kernels live in TypeScript modules as template strings
 * (not `.wgsl` files) because several are generated per variant — how many state chunks a dispatch
 * binds, how many qubits a matrix acts on — and because plain modules load the same way in a Vite
 * build, a dedicated Worker, vitest and tsx, with no loader configuration.
 */

/** Invocations per workgroup of the gate kernels (kept small: a 4-qubit gather holds 16 amplitudes). */
export const GATE_WORKGROUP = 64;
/** Invocations per workgroup of reductions, scans and sampling. */
export const WIDE_WORKGROUP = 256;

/**
 * Flat invocation index for a dispatch that may be two-dimensional (more than 65535 workgroups
 * are spread over y), from the builtins of `main`.
 */
export const flatIndex = (workgroupSize: number) => `(wid.y * nwg.x + wid.x) * ${workgroupSize}u + lid`;

export const MAIN_BUILTINS =
  '@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32';

/** Complex multiply of interleaved (re, im) pairs. */
export const CMUL = `
fn cmul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}`;

/**
 * Inserts a zero bit at position `p` of `x` (bits at and above `p` move up by one): enumerating
 * `t` and inserting zeros at a gate's qubit positions (ascending) gives each group's base index.
 */
export const INSERT_ZERO = `
fn insert_zero(x: u32, p: u32) -> u32 {
  let low = x & ((1u << p) - 1u);
  return ((x >> p) << (p + 1u)) | low;
}`;

/**
 * The shot PRNG: PCG's RXS-M-XS 32-bit output permutation used as a hash ("pcg_hash", Jarzynski
 * and Olano, "Hash Functions for GPU Rendering", JCGT 2020). `prng.ts` holds the same function in
 * TypeScript; the two must stay identical.
 */
export const PCG_HASH = `
fn pcg_hash(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}`;
