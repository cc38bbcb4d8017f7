/**
 * `npx tsx bench/webgpu.bench.ts`: per-step time of each WebGPU kernel in Node (Dawn from the npm
 * `webgpu` package; here that is SwiftShader, a CPU Vulkan), against the adapter's own
 * `copyBufferToBuffer` of the state (one read + one write pass over 8·2ⁿ bytes: the least a dense
 * gate must move) in the same run.
 *
 * Each row times `apply()` of a batch of identical-kind random steps (one submit, one wait), and
 * the same steps one `apply()` each (a submit and a wait per step) to show the per-call overhead.
 *
 * Options (`--name=value` or `BENCH_NAME`): `--qubits=16,18,20`, `--steps=40`, `--chunk-qubits=N`
 * (force chunks of 2^N amplitudes to time the cross-chunk paths).
 */
import type { Step } from '../web/src/quantum/program.ts';
import { WebGpuBackend } from '../web/src/quantum/webgpu/gpuBackend.ts';
import { nodeGpu } from '../web/src/quantum/webgpu/testing/nodeGpu.ts';
import { pick, randomPhases, randomUnitary, rng } from '../web/src/quantum/webgpu/testing/reference.ts';

function option(name: string, fallback: string): string {
  const flag = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  return flag?.slice(name.length + 3) ?? process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`] ?? fallback;
}

const qubitCounts = option('qubits', '16,18,20').split(',').map(Number);
const batch = Number(option('steps', '40'));
const chunkQubits = option('chunk-qubits', '') ? Number(option('chunk-qubits', '')) : undefined;

type Make = (random: () => number, n: number) => Step;
const kinds: Array<[string, Make]> = [
  ['dense 1q, low qubit', (r) => ({ kind: 'dense', qubits: [Math.floor(r() * 4)], matrix: randomUnitary(r, 1) })],
  [
    'dense 1q, high qubit',
    (r, n) => ({ kind: 'dense', qubits: [n - 1 - Math.floor(r() * 4)], matrix: randomUnitary(r, 1) }),
  ],
  ['dense 2q', (r, n) => ({ kind: 'dense', qubits: pick(r, n, 2), matrix: randomUnitary(r, 2) })],
  ['dense 3q', (r, n) => ({ kind: 'dense', qubits: pick(r, n, 3), matrix: randomUnitary(r, 3) })],
  ['dense 4q', (r, n) => ({ kind: 'dense', qubits: pick(r, n, 4), matrix: randomUnitary(r, 4) })],
  ['diagonal 2q', (r, n) => ({ kind: 'diagonal', qubits: pick(r, n, 2), diagonal: randomPhases(r, 2) })],
  [
    'controlled 1c1t (cx)',
    (r, n) => {
      const [c, t] = pick(r, n, 2);
      return { kind: 'controlled', controls: [c!], targets: [t!], matrix: randomUnitary(r, 1) };
    },
  ],
  [
    'swap',
    (r, n) => {
      const [a, b] = pick(r, n, 2);
      return { kind: 'swap', a: a!, b: b! };
    },
  ],
];

const fmt = (ms: number) => (ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

async function time(run: () => Promise<unknown>, repeats = 3): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

async function copyProbe(device: GPUDevice, bytes: number, passes: number): Promise<number> {
  const usage = 0x80 | 0x4 | 0x8; // STORAGE | COPY_SRC | COPY_DST
  const a = device.createBuffer({ size: bytes, usage });
  const b = device.createBuffer({ size: bytes, usage });
  const run = async () => {
    const encoder = device.createCommandEncoder();
    for (let i = 0; i < passes; i++) encoder.copyBufferToBuffer(i % 2 ? b : a, 0, i % 2 ? a : b, 0, bytes);
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
  await run();
  const ms = (await time(run)) / passes;
  a.destroy();
  b.destroy();
  return ms;
}

async function main() {
  const backend = await WebGpuBackend.create(nodeGpu(), { chunkQubits, maxChunks: 4096 });
  console.log(`# WebGPU kernels in Node\n\nadapter: ${backend.adapterDescription}; ${backend.limits().reason}`);
  console.log(`steps per batch: ${batch}${chunkQubits ? `; chunks forced to 2^${chunkQubits} amplitudes` : ''}\n`);
  const header = [
    'kernel',
    ...qubitCounts.flatMap((n) => [`${n}q batched ms/step`, `${n}q ×probe`, `${n}q 1/apply ms`]),
  ];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`| ${header.map((_, i) => (i ? '----:' : '----')).join(' | ')} |`);
  const probes = new Map<number, number>();
  for (const n of qubitCounts) probes.set(n, await copyProbe(backend.device, 8 * 2 ** n, 20));
  console.log(
    `| copy probe (8·2ⁿ bytes) | ${qubitCounts.map((n) => `${fmt(probes.get(n)!)} | 1.00 | –`).join(' | ')} |`,
  );
  for (const [label, make] of kinds) {
    const cells: string[] = [];
    for (const n of qubitCounts) {
      const random = rng(n);
      const steps = Array.from({ length: batch }, () => make(random, n));
      await backend.reset(n);
      await backend.apply(steps.slice(0, 2));
      const batched = (await time(() => backend.apply(steps))) / batch;
      const single =
        (await time(async () => {
          for (const step of steps.slice(0, 10)) await backend.apply([step]);
        })) / 10;
      cells.push(fmt(batched), (batched / probes.get(n)!).toFixed(2), fmt(single));
    }
    console.log(`| ${label} | ${cells.join(' | ')} |`);
  }
  backend.dispose();
}

await main();
process.exit(0);
