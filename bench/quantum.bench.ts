/**
 * `pnpm bench:quantum`: how fast the state-vector engines run, against named baselines in the same
 * run, on identical circuits.
 *
 * 1. CPU engine vs the npm `quantum-circuit` package at 12 and 16 qubits: the same layered random
 *    circuit (depth-limited so `quantum-circuit` finishes), time per gate, fusion on (the default)
 *    and off. The two final states are checked to agree before any time is reported.
 * 2. CPU engine vs a bandwidth probe at 20, 22 and 24 qubits on a depth-20 layered random circuit:
 *    the probe is one read+write pass over a Float32Array the size of the state (2·2ⁿ floats) — the
 *    least a dense gate must do — in the fastest plain JavaScript loop we found (four floats per
 *    iteration; the one-float loop is about 1.8× slower and is printed too, as is a native copy
 *    with `TypedArray.set`, the memory system's own speed, which JavaScript loops do not reach).
 *    Per-gate time with fusion off, with fusion on, and per fusion block size (which is how the
 *    engine's default was chosen).
 * 3. The WebGPU engine's per-gate time in Node (Dawn on SwiftShader here), for the record (see
 *    `webgpuPerGate` below).
 * 4. The CPU engine on one thread against the same engine with kernel threads (one per core, on
 *    `node:worker_threads`, the calling thread included), synchronised by Atomics and by messages,
 *    on the depth-20 layered circuit, default fusion: time per gate and the speedup. The threaded
 *    states are checked to equal the single-threaded one bit for bit first.
 *
 * Options, as `--name=value` or `BENCH_NAME` in the environment: qubits for the probe comparison
 * (`--probe-qubits=20,22,24`), depth (20), `--tune=0` to skip the block-size sweep, and qubits for
 * the thread comparison (`--thread-qubits=12,14,16,18,20,22`; empty to skip).
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import type { StateBackend } from '../web/src/quantum/stateBackend.ts';
import type { Circuit } from '../web/src/quantum/circuit.ts';
import { CpuBackend } from '../web/src/quantum/cpu/cpuBackend.ts';
import { nodeKernelThreads } from '../web/src/quantum/cpu/testing/nodeThreads.ts';
import { simulate, type SimulateOptions } from '../web/src/quantum/simulate.ts';
import { layeredCircuit } from '../web/src/quantum/testing/randomCircuit.ts';
import { distanceUpToGlobalPhase, referenceCircuit, stateOf } from '../web/src/quantum/testing/reference.ts';
import { textOption } from './options.ts';

const settings = {
  probeQubits: textOption('probe-qubits', '20,22,24').split(',').map(Number),
  depth: Number(textOption('depth', '20')),
  tune: textOption('tune', '1') !== '0',
  threadQubits: textOption('thread-qubits', '12,14,16,18,20,22').split(',').filter(Boolean).map(Number),
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(4));

/** Milliseconds per gate for one simulate() of the circuit's gates (planning included). */
async function perGate(backend: StateBackend, circuit: Circuit, fusion: SimulateOptions['fusion']): Promise<number> {
  const result = await simulate(circuit, backend, { shots: 0, topK: 0, seed: 1, fusion });
  return (result.timings.planMs + result.timings.simulateMs) / result.gateCount;
}

async function medianPerGate(
  backend: StateBackend,
  circuit: Circuit,
  fusion: SimulateOptions['fusion'],
  repeats: number,
): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) times.push(await perGate(backend, circuit, fusion));
  return median(times);
}

/** The probe: one read+write pass over every float of the state, four floats per iteration. */
function probePass(floats: Float32Array): void {
  for (let i = 0; i < floats.length; i += 4) {
    floats[i] = -floats[i]!;
    floats[i + 1] = -floats[i + 1]!;
    floats[i + 2] = -floats[i + 2]!;
    floats[i + 3] = -floats[i + 3]!;
  }
}

/** The same pass one float per iteration (slower in V8: for context only). */
function oneFloatPass(floats: Float32Array): void {
  for (let i = 0; i < floats.length; i++) floats[i] = -floats[i]!;
}

function timePass(pass: () => void, repeats: number): number {
  pass();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    pass();
    times.push(performance.now() - start);
  }
  return median(times);
}

interface Headline {
  name: string;
  value: number;
  unit: string;
  baseline: string;
  goal: string;
}
const headlines: Headline[] = [];

async function versusQuantumCircuit(cpu: CpuBackend): Promise<void> {
  console.log('\n## CPU engine vs quantum-circuit (same layered random circuit, time per gate)\n');
  console.log(
    '| qubits | depth | gates | quantum-circuit ms/gate | cpu default ms/gate | cpu fused ms/gate | cpu unfused ms/gate | ratio (default) |',
  );
  console.log('| -----: | ----: | ----: | ----: | ----: | ----: | ----: | ----: |');
  for (const [qubits, depth] of [
    [12, 12],
    [16, 8],
  ] as const) {
    const circuit = layeredCircuit({ qubits, depth, seed: 7 });
    const gates = circuit.ops.length;
    // quantum-circuit's best of three runs at 12 qubits (one at 16, where a run takes seconds).
    let referenceMs = Infinity;
    let reference = referenceCircuit(circuit);
    for (let run = 0; run < (qubits <= 12 ? 3 : 1); run++) {
      reference = referenceCircuit(circuit);
      const start = performance.now();
      reference.run();
      referenceMs = Math.min(referenceMs, (performance.now() - start) / gates);
    }
    await simulate(circuit, cpu, { shots: 0, topK: 0, seed: 1 });
    const distance = distanceUpToGlobalPhase(await cpu.readState(), stateOf(reference, qubits));
    if (distance > 1e-5) throw new Error(`the engines disagree at ${qubits} qubits: ${distance}`);
    // Warm up (the JIT compiles the kernels after some calls), then interleave the three variants.
    const variants: Array<SimulateOptions['fusion']> = [undefined, true, false];
    const times = variants.map(() => [] as number[]);
    for (let round = 0; round < 20; round++) {
      for (const [i, fusion] of variants.entries()) {
        const ms = await perGate(cpu, circuit, fusion);
        if (round >= 5) times[i]!.push(ms);
      }
    }
    const [engine, fused, unfused] = times.map(median) as [number, number, number];
    console.log(
      `| ${qubits} | ${depth} | ${gates} | ${fmt(referenceMs)} | ${fmt(engine)} | ${fmt(fused)} | ${fmt(unfused)} | ${(referenceMs / engine).toFixed(0)}x |`,
    );
    headlines.push({
      name: `quantum_cpu_vs_quantum_circuit_${qubits}q`,
      value: Math.round(referenceMs / engine),
      unit: 'x',
      baseline: 'quantum-circuit',
      goal: '>=300',
    });
  }
}

async function versusProbe(cpu: CpuBackend): Promise<void> {
  console.log(`\n## CPU engine vs a bandwidth probe (depth-${settings.depth} layered random circuit)\n`);
  console.log(
    '| qubits | gates | probe pass ms | one-float loop ms | native copy ms | unfused ms/gate | fused ms/gate | steps fused | unfused / probe | fused / probe |',
  );
  console.log('| -----: | ----: | ----: | ----: | ----: | ----: | ----: | ----: | ----: | ----: |');
  for (const qubits of settings.probeQubits) {
    const circuit = layeredCircuit({ qubits, depth: settings.depth, seed: 11 });
    const floats = new Float32Array(2 << qubits).fill(0.5);
    const copy = new Float32Array(floats.length);
    const passRepeats = qubits >= 24 ? 5 : 9;
    // Probe before and after the circuit runs, so a change in machine load shows in both.
    const probeBefore = timePass(() => probePass(floats), passRepeats);
    const unfused = await perGate(cpu, circuit, false);
    const fusedResult = await simulate(circuit, cpu, { shots: 0, topK: 0, seed: 1, fusion: true });
    const fused = (fusedResult.timings.planMs + fusedResult.timings.simulateMs) / fusedResult.gateCount;
    const probeAfter = timePass(() => probePass(floats), passRepeats);
    const probe = (probeBefore + probeAfter) / 2;
    const oneFloat = timePass(() => oneFloatPass(floats), passRepeats);
    const native = timePass(() => copy.set(floats), passRepeats);
    console.log(
      `| ${qubits} | ${circuit.ops.length} | ${fmt(probe)} | ${fmt(oneFloat)} | ${fmt(native)} | ${fmt(unfused)} | ${fmt(fused)} | ${fusedResult.stepCount} | ${(unfused / probe).toFixed(2)} | ${(fused / probe).toFixed(2)} |`,
    );
    headlines.push(
      {
        name: `quantum_cpu_unfused_per_gate_${qubits}q`,
        value: +(unfused / probe).toFixed(2),
        unit: 'probe_passes',
        baseline: 'float32_read_write_pass',
        goal: '<=2',
      },
      {
        name: `quantum_cpu_fused_per_gate_${qubits}q`,
        value: +(fused / probe).toFixed(2),
        unit: 'probe_passes',
        baseline: 'float32_read_write_pass',
        goal: '<=1',
      },
    );
  }
}

/**
 * Per-gate time by fusion block size at the smallest probe size, three rounds in alternating order
 * (median), so a change in machine load does not favour one size: how the CPU default was chosen.
 */
async function tuneFusion(cpu: CpuBackend): Promise<void> {
  const qubits = settings.probeQubits[0]!;
  const circuit = layeredCircuit({ qubits, depth: settings.depth, seed: 11 });
  console.log(
    `\n## Fusion block size on the CPU (${qubits} qubits, depth ${settings.depth}, ${circuit.ops.length} gates, median of 3)\n`,
  );
  console.log('| maxFusedQubits | steps | ms/gate |');
  console.log('| ----: | ----: | ----: |');
  const sizes = [0, 2, 3, 4];
  const times = new Map<number, number[]>(sizes.map((size) => [size, []]));
  const steps = new Map<number, number>();
  for (let round = 0; round < 3; round++) {
    for (const size of round % 2 ? [...sizes].reverse() : sizes) {
      const fusion = size ? { maxFusedQubits: size } : false;
      const result = await simulate(circuit, cpu, { shots: 0, topK: 0, seed: 1, fusion });
      times.get(size)!.push((result.timings.planMs + result.timings.simulateMs) / result.gateCount);
      steps.set(size, result.stepCount);
    }
  }
  for (const size of sizes) console.log(`| ${size || 'off'} | ${steps.get(size)} | ${fmt(median(times.get(size)!))} |`);
}

/**
 * The WebGPU engine's per-gate time on the same layered circuits (depth 4, to keep the run short),
 * through the same `simulate()`. In Node it runs on Dawn from the npm `webgpu` package — here that is
 * SwiftShader, a CPU implementation of Vulkan, so these figures are for the record, not a GPU's
 * speed. Returns null with the reason when no adapter can be had.
 */
async function webgpuPerGate(): Promise<
  | { adapter: string; rows: Array<{ qubits: number; gates: number; fused: number; unfused: number }> }
  | { skipped: string }
> {
  let backend: StateBackend & { dispose(): void };
  let adapter: string;
  try {
    const { nodeGpu } = await import('../web/src/quantum/webgpu/testing/nodeGpu.ts');
    const { WebGpuBackend } = await import('../web/src/quantum/webgpu/gpuBackend.ts');
    const gpu = nodeGpu();
    const info = (await gpu.requestAdapter())?.info;
    adapter = info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') : 'unknown adapter';
    backend = await WebGpuBackend.create(gpu);
  } catch (error) {
    return { skipped: `no WebGPU adapter in this process (${String(error)})` };
  }
  const rows = [];
  for (const qubits of [16, 20]) {
    const circuit = layeredCircuit({ qubits, depth: 4, seed: 11 });
    await perGate(backend, circuit, true); // warm-up: pipelines compile on first use
    const fused = await medianPerGate(backend, circuit, true, 3);
    const unfused = await medianPerGate(backend, circuit, false, 3);
    rows.push({ qubits, gates: circuit.ops.length, fused, unfused });
  }
  backend.dispose();
  return { adapter, rows };
}

/** One thread against kernel threads (Atomics and message synchronisation), interleaved per round. */
async function versusThreads(): Promise<void> {
  const count = Math.max(2, availableParallelism());
  const single = new CpuBackend();
  const variants: Array<[string, CpuBackend]> = [
    ['1 thread', single],
    ['atomics', new CpuBackend({ threads: nodeKernelThreads(count, { minQubits: 0, sync: 'atomics' }) })],
    ['message', new CpuBackend({ threads: nodeKernelThreads(count, { minQubits: 0, sync: 'message' }) })],
  ];
  console.log(
    `\n## CPU engine: 1 thread vs ${count} threads (node:worker_threads; depth-${settings.depth} layered circuit, default fusion, median)\n`,
  );
  console.log(
    `| qubits | gates | 1 thread ms/gate | ${count} threads, Atomics ms/gate | ${count} threads, messages ms/gate | speedup (Atomics) | speedup (messages) |`,
  );
  console.log('| -----: | ----: | ----: | ----: | ----: | ----: | ----: |');
  for (const qubits of settings.threadQubits) {
    const circuit = layeredCircuit({ qubits, depth: settings.depth, seed: 11 });
    const states: Uint32Array[] = [];
    for (const [, backend] of variants) {
      await simulate(circuit, backend, { shots: 0, topK: 0, seed: 1 });
      states.push(new Uint32Array((await backend.readState()).buffer));
    }
    for (const [i, [name]] of variants.entries()) {
      if (states[i]!.some((bits, j) => bits !== states[0]![j])) throw new Error(`${name} differs at ${qubits} qubits`);
    }
    const rounds = qubits >= 22 ? 3 : qubits >= 18 ? 5 : 15;
    const times = variants.map(() => [] as number[]);
    for (let round = 0; round < rounds; round++) {
      for (const [i, [, backend]] of variants.entries()) times[i]!.push(await perGate(backend, circuit, undefined));
    }
    const [one, atomics, message] = times.map(median) as [number, number, number];
    console.log(
      `| ${qubits} | ${circuit.ops.length} | ${fmt(one)} | ${fmt(atomics)} | ${fmt(message)} | ${(one / atomics).toFixed(2)}x | ${(one / message).toFixed(2)}x |`,
    );
    if (qubits >= 20) {
      headlines.push({
        name: `quantum_cpu_threads_speedup_${qubits}q`,
        value: +(one / atomics).toFixed(2),
        unit: 'x',
        baseline: 'cpu_1_thread',
        goal: 'record',
      });
    }
  }
  for (const [, backend] of variants) backend.dispose();
}

async function main(): Promise<void> {
  const cpu = new CpuBackend();
  console.log('# Quantum benchmark');
  console.log(
    `\nNode ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  await versusQuantumCircuit(cpu);
  await versusProbe(cpu);
  if (settings.tune) await tuneFusion(cpu);
  if (settings.threadQubits.length > 0) await versusThreads();
  const webgpu = await webgpuPerGate();
  console.log('\n## WebGPU engine in Node (depth-4 layered circuit, for the record)\n');
  if ('skipped' in webgpu) {
    console.log(`skipped: ${webgpu.skipped}`);
  } else {
    console.log(`adapter: ${webgpu.adapter}\n`);
    console.log('| qubits | gates | fused (4-qubit blocks) ms/gate | unfused ms/gate |');
    console.log('| -----: | ----: | ----: | ----: |');
    for (const row of webgpu.rows) {
      console.log(`| ${row.qubits} | ${row.gates} | ${fmt(row.fused)} | ${fmt(row.unfused)} |`);
    }
    const last = webgpu.rows.at(-1)!;
    headlines.push({
      name: `quantum_webgpu_swiftshader_per_gate_${last.qubits}q`,
      value: +last.fused.toFixed(3),
      unit: 'ms',
      baseline: 'none(record)',
      goal: 'record',
    });
  }
  cpu.dispose();
  console.log('');
  for (const h of headlines) console.log(`BENCH ${h.name} ${h.value} ${h.unit} baseline=${h.baseline} goal=${h.goal}`);
}

await main();
// Dawn keeps handles open after its devices are gone; the run is over.
process.exit(0);
