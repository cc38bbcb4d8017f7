/// <reference types="@webgpu/types" />
/**
 * The WebGPU state-vector backend: complex64 amplitudes in storage buffers, one compute kernel
 * per step kind, many steps per command buffer. It touches nothing but the `GPU` object it is
 * given, so it runs the same in a dedicated Worker (`navigator.gpu`) and in Node (`webgpu`).
 *
 * The state is split into chunks (see `layout.ts`) so that its size is bounded by memory, not by
 * `maxStorageBufferBindingSize`; gates on qubits above a chunk bind the 2, 4 or 8 chunks they mix.
 * Readbacks happen only where a result is asked for (measure, sample, top-k, expectation, state).
 */
import { VialError } from '@vial/shared/vialError';
import type { BackendLimits, PauliString, StateBackend } from '../stateBackend.ts';
import type { Step } from '../program.ts';
import {
  chunkLayout,
  lowerStep,
  planDiagonal,
  planGather,
  StepError,
  type ChunkLayout,
  type KernelOp,
} from './layout.ts';
import {
  BYTES_PER_AMPLITUDE,
  DEFAULT_MAX_CHUNKS,
  DEFAULT_MEMORY_BUDGET,
  deriveLimits,
  formatBytes,
  type DerivedLimits,
} from './limits.ts';
import { seedKey } from './prng.ts';
import { GATE_WORKGROUP, WIDE_WORKGROUP } from './wgsl/common.ts';
import { DIAGONAL_PARAMS, diagonalParamBytes, diagonalShader } from './wgsl/diagonal.ts';
import { GATHER_PARAMS, gatherParamBytes, gatherShader } from './wgsl/gather.ts';
import { COLLAPSE_PARAMS, collapseShader, PROBABILITIES_PARAMS, probabilitiesShader } from './wgsl/measure.ts';
import {
  REDUCE_PARAMS,
  REDUCE_RUN,
  reduceTermsShader,
  SUM_RUNS_PARAMS,
  sumRunsShader,
  type ReduceMode,
} from './wgsl/reduce.ts';
import { SAMPLE_PARAMS, sampleShader } from './wgsl/sample.ts';
import { addOffsetsShader, SCAN_PARAMS, SCAN_RUN, scanRunsShader } from './wgsl/scan.ts';
import { TopK, type Ranked } from '../topK.ts';

// Numeric flags, so the module does not depend on the GPUBufferUsage/GPUMapMode globals (absent in
// Node until `webgpu`'s globals are installed).
const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
const MAP_READ = 0x1;
const COMPUTE = 0x4;
const STATE_USAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;
/** Bytes bound at each dynamic uniform offset: the largest record (a 4-qubit matrix). */
const UNIFORM_WINDOW = Math.max(gatherParamBytes('matrix', 4), diagonalParamBytes(8));
const MAX_WORKGROUPS_X = 32768;
const MAX_SHOTS = 2 ** 28;

export interface WebGpuBackendOptions {
  /** Forces chunks of 2^chunkQubits amplitudes (tests: exercise cross-chunk kernels at small sizes). */
  chunkQubits?: number;
  /** State buffers the backend may allocate (default 64). */
  maxChunks?: number;
  /** Bytes the backend may plan to use (default 4 GiB); WebGPU does not report device memory. */
  memoryBudgetBytes?: number;
  powerPreference?: GPUPowerPreference;
  /** Dispatches per command buffer before a submit (default 2048). */
  dispatchesPerSubmit?: number;
}

/** The device went away (driver reset, GPU process crash, `destroy()`); `recover()` makes a new one. */
export class WebGpuDeviceLostError extends VialError {
  override name = 'WebGpuDeviceLostError';
  constructor(
    readonly reason: string,
    details: string,
  ) {
    const shortMessage = `the GPU device was lost (${reason})`;
    const hint = 'the next run recreates it';
    const said = details.trim().replace(/\.$/, '');
    super(shortMessage, {
      details: said || undefined,
      hints: [hint],
      message: `${shortMessage}: ${said || 'no details given'}; ${hint}`,
    });
  }
}

export class WebGpuUnavailableError extends VialError {
  override name = 'WebGpuUnavailableError';
}

type BindingKind = 'ro' | 'rw';
interface Binding {
  buffer: GPUBuffer;
  offset?: number;
  size?: number;
}
interface Dispatch {
  pipeline: GPUComputePipeline;
  layout: string;
  bindings: Binding[];
  paramOffset: number;
  grid: [number, number];
}
interface ReadRequest {
  buffer: GPUBuffer;
  offset: number;
  size: number;
}

/** Workgroup grid for `invocations`, spilling into y past 65535 workgroups. */
function grid(invocations: number, workgroupSize: number): [number, number] {
  const groups = Math.max(1, Math.ceil(invocations / workgroupSize));
  return groups <= 65535 ? [groups, 1] : [MAX_WORKGROUPS_X, Math.ceil(groups / MAX_WORKGROUPS_X)];
}

const bitOf = (value: number, position: number) => Math.floor(value / 2 ** position) % 2;

/** Uniform records for one submit, each at an aligned offset of one buffer (dynamic offsets). */
class ParamArena {
  bytes = new Uint8Array(1 << 16);
  used = 0;
  constructor(private readonly align: number) {}

  alloc(size: number): { offset: number; view: DataView } {
    const offset = Math.ceil(this.used / this.align) * this.align;
    if (offset + size > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, offset + size));
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    this.bytes.fill(0, offset, offset + size);
    this.used = offset + size;
    return { offset, view: new DataView(this.bytes.buffer, offset, size) };
  }
}

interface Device {
  device: GPUDevice;
  adapter: GPUAdapter;
}

async function acquire(gpu: GPU, options: WebGpuBackendOptions): Promise<Device> {
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) {
    const shortMessage = 'WebGPU has no adapter here (requestAdapter() returned null)';
    const hint = 'use the cpu backend, or a browser with WebGPU enabled';
    throw new WebGpuUnavailableError(shortMessage, { hints: [hint], message: `${shortMessage}: ${hint}` });
  }
  const device = await adapter.requestDevice({
    label: 'vial quantum',
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
  return { device, adapter };
}

export class WebGpuBackend implements StateBackend {
  readonly name = 'webgpu';
  /** About 64 gates at 20 qubits per submit-and-wait: a GPU round trip per gate would dominate. */
  readonly batchAmplitudes = 1 << 26;

  /** Requests an adapter and a device with the adapter's largest buffer limits. */
  static async create(gpu: GPU, options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
    return new WebGpuBackend(gpu, options, await acquire(gpu, options));
  }

  private gpuDevice!: GPUDevice;
  private adapter!: GPUAdapter;
  private lostError: WebGpuDeviceLostError | undefined;
  private lostSignal!: Promise<never>;
  private disposed = false;
  private derived!: DerivedLimits;
  private slotBits = 3;
  private arena!: ParamArena;
  private pending: Dispatch[] = [];
  private params: GPUBuffer | undefined;
  private pipelines = new Map<string, GPUComputePipeline>();
  private layouts = new Map<string, GPUBindGroupLayout>();
  private pipelineLayouts = new Map<string, GPUPipelineLayout>();
  private bindGroups = new Map<string, GPUBindGroup>();
  private bufferIds = new WeakMap<GPUBuffer, number>();
  private nextBufferId = 1;

  private layout: ChunkLayout | undefined;
  private chunks: GPUBuffer[] = [];
  private snapshots: GPUBuffer[] = [];
  private scratch: GPUBuffer[] = [];
  private scanAux: GPUBuffer | undefined;
  /** Reduction partials: two ping-pong levels of one chunk, and each chunk's last ≤ 16 values. */
  private partials: GPUBuffer | undefined;
  private finals: GPUBuffer | undefined;

  private constructor(
    private readonly gpu: GPU,
    private readonly options: WebGpuBackendOptions,
    acquired: Device,
  ) {
    this.attach(acquired);
  }

  get device(): GPUDevice {
    return this.gpuDevice;
  }

  /** The adapter's vendor and architecture, e.g. `google swiftshader`. */
  get adapterDescription(): string {
    const info = this.adapter.info;
    return [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ') || 'unknown';
  }

  /** True once the device is lost; every call fails until `recover()`. */
  get lost(): boolean {
    return this.lostError !== undefined;
  }

  private attach({ device, adapter }: Device) {
    this.gpuDevice = device;
    this.adapter = adapter;
    this.lostError = undefined;
    this.lostSignal = new Promise<never>((_, reject) => {
      void device.lost.then((info) => {
        if (this.gpuDevice !== device || this.disposed) return;
        this.lostError = new WebGpuDeviceLostError(info.reason, info.message);
        reject(this.lostError);
      });
    });
    this.lostSignal.catch(() => undefined);
    this.derived = deriveLimits({
      maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
      maxBufferSize: device.limits.maxBufferSize,
      chunkQubits: this.options.chunkQubits,
      maxChunks: this.options.maxChunks ?? DEFAULT_MAX_CHUNKS,
      memoryBudgetBytes: this.options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET,
    });
    this.slotBits = Math.min(3, Math.floor(Math.log2(device.limits.maxStorageBuffersPerShaderStage)));
    this.arena = new ParamArena(device.limits.minUniformBufferOffsetAlignment);
    // Objects made on the previous device are useless on this one. The state buffers and bind
    // groups start empty (field initialisers) or were dropped by `destroyState` before `recover`.
    this.params = undefined;
    this.pipelines.clear();
    this.layouts.clear();
    this.pipelineLayouts.clear();
  }

  /**
   * After a device loss: requests a new adapter and device. The state is gone; call `reset`.
   * (Creating a new backend with `WebGpuBackend.create` works as well.)
   */
  async recover(): Promise<void> {
    if (this.disposed) throw new Error('this WebGPU backend was disposed');
    const old = this.gpuDevice;
    this.destroyState();
    this.attach(await acquire(this.gpu, this.options));
    old.destroy();
  }

  limits(): BackendLimits {
    const { maxQubits, reason } = this.derived;
    return { maxQubits, reason };
  }

  /** The chunk layout of the current state (for tests and diagnostics). */
  get chunking(): ChunkLayout | undefined {
    return this.layout;
  }

  async reset(qubits: number): Promise<void> {
    this.assertAlive();
    const { maxQubits, reason } = this.derived;
    if (!Number.isInteger(qubits) || qubits < 0)
      throw new RangeError(`qubits must be a non-negative integer, got ${qubits}`);
    if (qubits > maxQubits) throw new RangeError(`${qubits} qubits is too many: ${reason}`);
    const layout = chunkLayout(qubits, this.derived.chunkQubits);
    const chunkBytes = 2 ** layout.chunkQubits * BYTES_PER_AMPLITUDE;
    this.pending = [];
    this.arena.used = 0;
    const device = this.gpuDevice;
    const reuse =
      this.layout?.chunkQubits === layout.chunkQubits && this.layout.chunks === layout.chunks && this.chunks.length > 0;
    if (!reuse) {
      this.destroyState();
      device.pushErrorScope('out-of-memory');
      this.chunks = Array.from({ length: layout.chunks }, (_, c) =>
        device.createBuffer({ label: `state chunk ${c}`, size: chunkBytes, usage: STATE_USAGE }),
      );
      const levels = reductionLevels(2 ** layout.chunkQubits);
      const align = device.limits.minStorageBufferOffsetAlignment;
      this.partials = device.createBuffer({
        label: 'reduction partials',
        size: Math.ceil(((levels[1] ?? 0) * 8) / align) * align + Math.max(1, levels[2] ?? 0) * 8,
        usage: USAGE.STORAGE,
      });
      this.finals = device.createBuffer({
        label: 'reduction results',
        size: layout.chunks * REDUCE_RUN * 8,
        usage: USAGE.STORAGE | USAGE.COPY_SRC,
      });
      const oom = await this.guard(device.popErrorScope());
      if (oom) {
        this.destroyState();
        throw new RangeError(
          `the GPU could not allocate ${formatBytes(chunkBytes * layout.chunks)} for ${qubits} qubits: ${oom.message}`,
        );
      }
    } else {
      const encoder = device.createCommandEncoder();
      for (const chunk of this.chunks) encoder.clearBuffer(chunk);
      device.queue.submit([encoder.finish()]);
    }
    this.layout = layout;
    device.queue.writeBuffer(this.chunks[0]!, 0, new Float32Array([1, 0]));
  }

  async apply(steps: readonly Step[]): Promise<void> {
    const layout = this.assertState();
    const ops: KernelOp[] = [];
    steps.forEach((step, index) => ops.push(...lowerStep(step, layout, this.slotBits, index)));
    for (const op of ops) {
      if (op.kind === 'gather') this.recordGather(layout, op);
      else this.recordDiagonal(layout, op);
    }
    await this.submit();
  }

  async measure(qubit: number, random: number): Promise<0 | 1> {
    const layout = this.assertState();
    this.checkQubit(qubit, layout);
    if (!(random >= 0 && random < 1)) throw new RangeError(`random must be in [0, 1), got ${random}`);
    const m = layout.chunkQubits;
    const low = qubit < m;
    const sums = await this.reduce('norm', layout, (chunk) => ({
      mask: low ? 2 ** qubit : 0,
      want: low ? 2 ** qubit : bitOf(chunk, qubit - m) ? 0 : 1,
    }));
    const [one, zero] = sums;
    const total = one + zero;
    if (!(total > 0)) throw new Error('cannot measure: the state has zero norm');
    const outcome = random < one / total ? 1 : 0;
    const scale = 1 / Math.sqrt(outcome ? one : zero);
    for (let chunk = 0; chunk < layout.chunks; chunk++) {
      const { offset, view } = this.arena.alloc(COLLAPSE_PARAMS.bytes);
      view.setUint32(COLLAPSE_PARAMS.count, 2 ** m, true);
      view.setUint32(COLLAPSE_PARAMS.mask, low ? 2 ** qubit : 0, true);
      view.setUint32(
        COLLAPSE_PARAMS.want,
        low ? outcome * 2 ** qubit : bitOf(chunk, qubit - m) === outcome ? 0 : 1,
        true,
      );
      view.setFloat32(COLLAPSE_PARAMS.scale, scale, true);
      this.pending.push({
        pipeline: this.pipeline('collapse', collapseShader, ['rw']),
        layout: 'rw',
        bindings: [{ buffer: this.chunks[chunk]! }],
        paramOffset: offset,
        grid: grid(2 ** m, WIDE_WORKGROUP),
      });
    }
    await this.submit();
    return outcome;
  }

  async sample(shots: number, seed: number): Promise<Uint32Array> {
    const layout = this.assertState();
    const maxShots = Math.min(MAX_SHOTS, Math.floor(this.gpuDevice.limits.maxStorageBufferBindingSize / 4));
    if (!Number.isInteger(shots) || shots < 0 || shots > maxShots) {
      throw new RangeError(`shots must be an integer in 0..${maxShots}, got ${shots}`);
    }
    const key = seedKey(seed);
    if (shots === 0) return new Uint32Array(0);
    const m = layout.chunkQubits;
    const length = 2 ** m;
    this.recordProbabilities(layout);
    for (const chunk of this.scratch) this.recordScan(chunk, length);
    const lastValues = await this.submit(this.scratch.map((buffer) => ({ buffer, offset: (length - 1) * 4, size: 4 })));
    const totals = lastValues.map((bytes) => new Float32Array(bytes)[0]!);
    const starts: number[] = [];
    let cumulative = 0;
    for (const total of totals) {
      starts.push(Math.fround(cumulative));
      cumulative += total;
    }
    if (!(cumulative > 0)) throw new Error('cannot sample: the state has zero norm');
    const lastNonZero = totals.findLastIndex((total) => total > 0);
    const device = this.gpuDevice;
    const out = device.createBuffer({ label: 'shots', size: shots * 4, usage: STATE_USAGE });
    try {
      device.queue.writeBuffer(out, 0, new Uint32Array(shots).fill(0xffffffff));
      const pipeline = this.pipeline('sample', sampleShader, ['ro', 'rw']);
      for (let chunk = 0; chunk <= lastNonZero; chunk++) {
        if (!(totals[chunk]! > 0)) continue;
        const { offset, view } = this.arena.alloc(SAMPLE_PARAMS.bytes);
        view.setUint32(SAMPLE_PARAMS.shots, shots, true);
        view.setUint32(SAMPLE_PARAMS.length, length, true);
        view.setUint32(SAMPLE_PARAMS.key, key, true);
        view.setUint32(SAMPLE_PARAMS.chunkBase, chunk * length, true);
        view.setFloat32(SAMPLE_PARAMS.start, starts[chunk]!, true);
        view.setFloat32(SAMPLE_PARAMS.end, chunk + 1 < starts.length ? starts[chunk + 1]! : Infinity, true);
        view.setFloat32(SAMPLE_PARAMS.total, cumulative, true);
        view.setUint32(SAMPLE_PARAMS.isLast, chunk === lastNonZero ? 1 : 0, true);
        this.pending.push({
          pipeline,
          layout: 'ro,rw',
          bindings: [{ buffer: this.scratch[chunk]! }, { buffer: out }],
          paramOffset: offset,
          grid: grid(shots, WIDE_WORKGROUP),
        });
      }
      const [bytes] = await this.submit([{ buffer: out, offset: 0, size: shots * 4 }]);
      const result = new Uint32Array(bytes!);
      if (layout.qubits < 32 && result.includes(0xffffffff)) {
        throw new Error('internal error: a shot fell in no chunk of the prefix sums');
      }
      return result;
    } finally {
      this.forgetBindGroups(out);
      out.destroy();
    }
  }

  /**
   * The k most probable basis states. The probabilities are computed on the GPU and read back;
   * the selection runs on the CPU (a size-k min-heap), which is fine while reading back a float
   * per amplitude is.
   */
  async topProbabilities(k: number): Promise<Array<{ index: number; probability: number }>> {
    const layout = this.assertState();
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be a non-negative integer, got ${k}`);
    if (k === 0) return [];
    const length = 2 ** layout.chunkQubits;
    this.recordProbabilities(layout);
    const chunks = await this.submit(this.scratch.map((buffer) => ({ buffer, offset: 0, size: length * 4 })));
    return topK(
      chunks.map((bytes) => new Float32Array(bytes)),
      length,
      k,
    );
  }

  async expectation(pauli: PauliString): Promise<number> {
    const layout = this.assertState();
    const letters = pauli.paulis.toUpperCase();
    if (letters.length !== pauli.qubits.length) {
      throw new RangeError(
        `a Pauli string needs one qubit per letter: '${pauli.paulis}' has ${letters.length} letters and ${pauli.qubits.length} qubits`,
      );
    }
    const seen = new Set<number>();
    let xLow = 0;
    let zyLow = 0;
    let xHigh = 0;
    let zyHigh = 0;
    let ys = 0;
    const m = layout.chunkQubits;
    [...letters].forEach((letter, i) => {
      const q = pauli.qubits[i]!;
      this.checkQubit(q, layout);
      if (seen.has(q)) throw new RangeError(`qubit ${q} appears twice in the Pauli string`);
      seen.add(q);
      if (!'IXYZ'.includes(letter)) throw new RangeError(`unknown Pauli '${letter}': use I, X, Y or Z`);
      const flips = letter === 'X' || letter === 'Y';
      const phases = letter === 'Y' || letter === 'Z';
      if (letter === 'Y') ys++;
      if (q < m) {
        if (flips) xLow |= 1 << q;
        if (phases) zyLow |= 1 << q;
      } else {
        if (flips) xHigh |= 1 << (q - m);
        if (phases) zyHigh |= 1 << (q - m);
      }
    });
    const iPower: Array<[number, number]> = [
      [1, 0],
      [0, 1],
      [-1, 0],
      [0, -1],
    ];
    const [re, im] = iPower[ys % 4]!;
    const [sum] = await this.reduce('pauli', layout, (chunk) => {
      const sign = parity(chunk & zyHigh) ? -1 : 1;
      return { xLow, zyLow, partner: chunk ^ xHigh, phase: [re * sign, im * sign] };
    });
    return sum;
  }

  async readState(): Promise<Float32Array> {
    const layout = this.assertState();
    const chunkBytes = 2 ** layout.chunkQubits * BYTES_PER_AMPLITUDE;
    const parts = await this.submit(this.chunks.map((buffer) => ({ buffer, offset: 0, size: chunkBytes })));
    const out = new Float32Array((chunkBytes / 4) * parts.length);
    parts.forEach((bytes, c) => out.set(new Float32Array(bytes), (c * chunkBytes) / 4));
    return out;
  }

  async snapshot(): Promise<void> {
    const layout = this.assertState();
    const device = this.gpuDevice;
    if (this.snapshots.length !== this.chunks.length) {
      device.pushErrorScope('out-of-memory');
      this.snapshots = this.chunks.map((chunk, c) =>
        device.createBuffer({ label: `snapshot chunk ${c}`, size: chunk.size, usage: STATE_USAGE }),
      );
      const oom = await this.guard(device.popErrorScope());
      if (oom) {
        for (const buffer of this.snapshots) buffer.destroy();
        this.snapshots = [];
        throw new RangeError(`the GPU could not allocate a snapshot of ${layout.qubits} qubits: ${oom.message}`);
      }
    }
    await this.submit([], (encoder) =>
      this.chunks.forEach((chunk, c) => encoder.copyBufferToBuffer(chunk, 0, this.snapshots[c]!, 0, chunk.size)),
    );
  }

  async restore(): Promise<void> {
    this.assertState();
    if (this.snapshots.length !== this.chunks.length)
      throw new Error('restore() needs a snapshot() of this state first');
    await this.submit([], (encoder) =>
      this.chunks.forEach((chunk, c) => encoder.copyBufferToBuffer(this.snapshots[c]!, 0, chunk, 0, chunk.size)),
    );
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.destroyState();
    this.gpuDevice.destroy();
  }

  // --- recording -----------------------------------------------------------------------------

  private recordGather(layout: ChunkLayout, op: Extract<KernelOp, { kind: 'gather' }>) {
    const plan = planGather(layout, op);
    const pipeline = this.pipeline(
      `gather:${plan.gather}:${plan.targets}:${plan.slots}:${plan.inserts.length}`,
      () => gatherShader(plan.gather, plan.targets, plan.slots, plan.inserts.length),
      Array<BindingKind>(plan.slots).fill('rw'),
    );
    const { offset, view } = this.arena.alloc(gatherParamBytes(plan.gather, plan.targets));
    view.setUint32(GATHER_PARAMS.count, plan.count, true);
    view.setUint32(GATHER_PARAMS.insertCount, plan.inserts.length, true);
    view.setUint32(GATHER_PARAMS.fixedMask, plan.fixedMask, true);
    plan.inserts.forEach((p, i) => view.setUint32(GATHER_PARAMS.inserts + 4 * i, p, true));
    plan.offsets.forEach((o, j) => view.setUint32(GATHER_PARAMS.offsets + 4 * j, o, true));
    plan.slotOf.forEach((s, j) => view.setUint32(GATHER_PARAMS.slots + 4 * j, s, true));
    if (op.matrix) op.matrix.data.forEach((x, i) => view.setFloat32(GATHER_PARAMS.matrix + 4 * i, x, true));
    const workgroups = grid(plan.count, GATE_WORKGROUP);
    const layoutKey = Array(plan.slots).fill('rw').join(',');
    for (const group of plan.groups) {
      this.pending.push({
        pipeline,
        layout: layoutKey,
        bindings: group.map((chunk) => ({ buffer: this.chunks[chunk]! })),
        paramOffset: offset,
        grid: workgroups,
      });
    }
  }

  private recordDiagonal(layout: ChunkLayout, op: Extract<KernelOp, { kind: 'diagonal' }>) {
    const plan = planDiagonal(layout, op.qubits);
    const low = plan.positions.length;
    const pipeline = this.pipeline(`diagonal:${low}`, () => diagonalShader(low), ['rw']);
    const workgroups = grid(plan.count, WIDE_WORKGROUP);
    plan.entries.forEach((entries, chunk) => {
      const { offset, view } = this.arena.alloc(diagonalParamBytes(low));
      view.setUint32(DIAGONAL_PARAMS.count, plan.count, true);
      plan.inserts.forEach((p, i) => view.setUint32(DIAGONAL_PARAMS.inserts + 4 * i, p, true));
      plan.positions.forEach((p, i) => view.setUint32(DIAGONAL_PARAMS.positions + 4 * i, p, true));
      entries.forEach((entry, j) => {
        view.setFloat32(DIAGONAL_PARAMS.diagonal + 8 * j, op.diagonal[2 * entry]!, true);
        view.setFloat32(DIAGONAL_PARAMS.diagonal + 8 * j + 4, op.diagonal[2 * entry + 1]!, true);
      });
      this.pending.push({
        pipeline,
        layout: 'rw',
        bindings: [{ buffer: this.chunks[chunk]! }],
        paramOffset: offset,
        grid: workgroups,
      });
    });
  }

  /**
   * Runs a reduction over every chunk (see `wgsl/reduce.ts`) and returns the float64 sums of the
   * x and y components.
   */
  private async reduce(
    mode: ReduceMode,
    layout: ChunkLayout,
    perChunk: (chunk: number) => {
      mask?: number;
      want?: number;
      xLow?: number;
      zyLow?: number;
      partner?: number;
      phase?: [number, number];
    },
  ): Promise<[number, number]> {
    const levels = reductionLevels(2 ** layout.chunkQubits);
    const last = levels.length - 1;
    // Level k ≥ 1 is written to `finals` (the last level, at chunk · 16) or to one of two
    // non-overlapping ranges of `partials` (odd k: A, even k: B), bound as separate bindings.
    const align = this.gpuDevice.limits.minStorageBufferOffsetAlignment;
    const bOffset = Math.ceil((levels[1]! * 8) / align) * align;
    const region = (k: number): Binding =>
      k === last
        ? { buffer: this.finals! }
        : k % 2
          ? { buffer: this.partials!, offset: 0, size: levels[1]! * 8 }
          : { buffer: this.partials!, offset: bOffset, size: levels[2]! * 8 };
    const base = (k: number, chunk: number) => (k === last ? chunk * REDUCE_RUN : 0);
    const terms = this.pipeline(`reduce:${mode}`, () => reduceTermsShader(mode), ['ro', 'ro', 'rw']);
    const sums = this.pipeline('sumRuns', sumRunsShader, ['rw', 'rw']);
    for (let chunk = 0; chunk < layout.chunks; chunk++) {
      const p = perChunk(chunk);
      const { offset, view } = this.arena.alloc(REDUCE_PARAMS.bytes);
      view.setUint32(REDUCE_PARAMS.count, levels[0]!, true);
      view.setUint32(REDUCE_PARAMS.mask, p.mask ?? 0, true);
      view.setUint32(REDUCE_PARAMS.want, p.want ?? 0, true);
      view.setUint32(REDUCE_PARAMS.xLow, p.xLow ?? 0, true);
      view.setUint32(REDUCE_PARAMS.zyLow, p.zyLow ?? 0, true);
      view.setUint32(REDUCE_PARAMS.outBase, base(1, chunk), true);
      view.setFloat32(REDUCE_PARAMS.phase, p.phase?.[0] ?? 1, true);
      view.setFloat32(REDUCE_PARAMS.phase + 4, p.phase?.[1] ?? 0, true);
      this.pending.push({
        pipeline: terms,
        layout: 'ro,ro,rw',
        bindings: [{ buffer: this.chunks[chunk]! }, { buffer: this.chunks[p.partner ?? chunk]! }, region(1)],
        paramOffset: offset,
        grid: grid(levels[1]!, WIDE_WORKGROUP),
      });
      for (let k = 2; k <= last; k++) {
        const record = this.arena.alloc(SUM_RUNS_PARAMS.bytes);
        record.view.setUint32(SUM_RUNS_PARAMS.count, levels[k - 1]!, true);
        record.view.setUint32(SUM_RUNS_PARAMS.outBase, base(k, chunk), true);
        this.pending.push({
          pipeline: sums,
          layout: 'rw,rw',
          bindings: [region(k - 1), region(k)],
          paramOffset: record.offset,
          grid: grid(levels[k]!, WIDE_WORKGROUP),
        });
      }
    }
    const [bytes] = await this.submit([{ buffer: this.finals!, offset: 0, size: layout.chunks * REDUCE_RUN * 8 }]);
    const values = new Float32Array(bytes!);
    let x = 0;
    let y = 0;
    for (let chunk = 0; chunk < layout.chunks; chunk++) {
      for (let i = 0; i < levels[last]!; i++) {
        x += values[2 * (chunk * REDUCE_RUN + i)]!;
        y += values[2 * (chunk * REDUCE_RUN + i) + 1]!;
      }
    }
    return [x, y];
  }

  private recordProbabilities(layout: ChunkLayout) {
    const length = 2 ** layout.chunkQubits;
    if (this.scratch.length !== layout.chunks) {
      this.scratch = this.chunks.map((_, c) =>
        this.gpuDevice.createBuffer({ label: `probabilities ${c}`, size: length * 4, usage: STATE_USAGE }),
      );
    }
    const pipeline = this.pipeline('probabilities', probabilitiesShader, ['ro', 'rw']);
    const { offset, view } = this.arena.alloc(PROBABILITIES_PARAMS.bytes);
    view.setUint32(PROBABILITIES_PARAMS.count, length, true);
    this.chunks.forEach((chunk, c) =>
      this.pending.push({
        pipeline,
        layout: 'ro,rw',
        bindings: [{ buffer: chunk }, { buffer: this.scratch[c]! }],
        paramOffset: offset,
        grid: grid(length, WIDE_WORKGROUP),
      }),
    );
  }

  /** Records an in-place inclusive scan of `length` floats of `data` (run totals in `scanAux`). */
  private recordScan(data: GPUBuffer, length: number) {
    // Level 0 is `data`; level k ≥ 1 holds the run totals of level k − 1, in its own aligned range
    // of scanAux (writable bindings of one buffer must not overlap).
    const align = this.gpuDevice.limits.minStorageBufferOffsetAlignment;
    const levels: Binding[] = [{ buffer: data, offset: 0, size: length * 4 }];
    const lengths = [length];
    const offsets: number[] = [];
    let auxBytes = 0;
    while (lengths[lengths.length - 1]! > 1) {
      const next = Math.ceil(lengths[lengths.length - 1]! / SCAN_RUN);
      offsets.push(auxBytes);
      lengths.push(next);
      auxBytes += Math.ceil((next * 4) / align) * align;
    }
    if (lengths.length === 1) return;
    if (!this.scanAux || this.scanAux.size < auxBytes) {
      if (this.scanAux) this.forgetBindGroups(this.scanAux);
      this.scanAux?.destroy();
      this.scanAux = this.gpuDevice.createBuffer({ label: 'scan run totals', size: auxBytes, usage: USAGE.STORAGE });
    }
    offsets.forEach((offset, i) => levels.push({ buffer: this.scanAux!, offset, size: lengths[i + 1]! * 4 }));
    const scan = this.pipeline('scanRuns', scanRunsShader, ['rw', 'rw']);
    const add = this.pipeline('addOffsets', addOffsetsShader, ['rw', 'rw']);
    const record = (pipeline: GPUComputePipeline, level: number) => {
      const { offset, view } = this.arena.alloc(SCAN_PARAMS.bytes);
      view.setUint32(SCAN_PARAMS.length, lengths[level]!, true);
      this.pending.push({
        pipeline,
        layout: 'rw,rw',
        bindings: [levels[level]!, levels[level + 1]!],
        paramOffset: offset,
        grid: grid(lengths[level + 1]!, WIDE_WORKGROUP),
      });
    };
    for (let level = 0; level < lengths.length - 1; level++) record(scan, level);
    for (let level = lengths.length - 3; level >= 0; level--) record(add, level);
  }

  // --- submission ----------------------------------------------------------------------------

  /**
   * Writes the uniform records once, encodes every pending dispatch into one compute pass (split
   * into several command buffers past `dispatchesPerSubmit`), adds `extra` commands and the
   * readback copies, submits, and waits for the GPU (or the mapped readbacks).
   */
  private async submit(
    reads: ReadRequest[] = [],
    extra?: (encoder: GPUCommandEncoder) => void,
  ): Promise<ArrayBuffer[]> {
    const device = this.gpuDevice;
    const dispatches = this.pending;
    this.pending = [];
    const perSubmit = this.options.dispatchesPerSubmit ?? 2048;
    device.pushErrorScope('validation');
    const staging: GPUBuffer[] = [];
    try {
      this.ensureParams(this.arena.used);
      if (this.arena.used > 0) device.queue.writeBuffer(this.params!, 0, this.arena.bytes, 0, this.arena.used);
      this.arena.used = 0;
      let encoder = device.createCommandEncoder();
      for (let start = 0; start < dispatches.length; start += perSubmit) {
        if (start > 0) {
          device.queue.submit([encoder.finish()]);
          encoder = device.createCommandEncoder();
        }
        const pass = encoder.beginComputePass();
        for (const d of dispatches.slice(start, start + perSubmit)) {
          pass.setPipeline(d.pipeline);
          pass.setBindGroup(0, this.bindGroup(d), [d.paramOffset]);
          pass.dispatchWorkgroups(d.grid[0], d.grid[1]);
        }
        pass.end();
      }
      extra?.(encoder);
      for (const read of reads) {
        const buffer = device.createBuffer({
          label: 'readback',
          size: read.size,
          usage: USAGE.MAP_READ | USAGE.COPY_DST,
        });
        encoder.copyBufferToBuffer(read.buffer, read.offset, buffer, 0, read.size);
        staging.push(buffer);
      }
      device.queue.submit([encoder.finish()]);
    } finally {
      this.arena.used = 0;
    }
    try {
      const error = await this.guard(device.popErrorScope());
      if (error) throw new Error(`WebGPU rejected a command (a bug in the WebGPU backend): ${error.message}`);
      if (staging.length === 0) {
        await this.guard(device.queue.onSubmittedWorkDone());
        return [];
      }
      await this.guard(Promise.all(staging.map((buffer) => buffer.mapAsync(MAP_READ))));
      return staging.map((buffer) => buffer.getMappedRange().slice(0));
    } finally {
      for (const buffer of staging) buffer.destroy();
    }
  }

  private ensureParams(used: number) {
    const needed = used + UNIFORM_WINDOW;
    if (this.params && this.params.size >= needed) return;
    if (this.params) {
      this.params.destroy();
      this.bindGroups.clear();
    }
    const size = 2 ** Math.ceil(Math.log2(Math.max(needed, 1 << 16)));
    this.params = this.gpuDevice.createBuffer({
      label: 'step parameters',
      size,
      usage: USAGE.UNIFORM | USAGE.COPY_DST,
    });
  }

  private bufferId(buffer: GPUBuffer): number {
    let id = this.bufferIds.get(buffer);
    if (id === undefined) {
      id = this.nextBufferId++;
      this.bufferIds.set(buffer, id);
    }
    return id;
  }

  private bindGroup(d: Dispatch): GPUBindGroup {
    const key = `${d.layout}|${d.bindings.map((b) => `${this.bufferId(b.buffer)}@${b.offset ?? 0}+${b.size ?? ''}`).join(',')}`;
    let group = this.bindGroups.get(key);
    if (!group) {
      if (this.bindGroups.size > 4096) this.bindGroups.clear();
      group = this.gpuDevice.createBindGroup({
        layout: this.bindGroupLayout(d.layout),
        entries: [
          { binding: 0, resource: { buffer: this.params!, offset: 0, size: UNIFORM_WINDOW } },
          ...d.bindings.map((b, i) => ({
            binding: i + 1,
            resource: { buffer: b.buffer, offset: b.offset ?? 0, size: b.size ?? b.buffer.size - (b.offset ?? 0) },
          })),
        ],
      });
      this.bindGroups.set(key, group);
    }
    return group;
  }

  private forgetBindGroups(buffer: GPUBuffer) {
    const id = `${this.bufferId(buffer)}@`;
    for (const key of this.bindGroups.keys()) {
      if (
        key
          .split('|')[1]!
          .split(',')
          .some((part) => part.startsWith(id))
      )
        this.bindGroups.delete(key);
    }
  }

  private bindGroupLayout(key: string): GPUBindGroupLayout {
    let layout = this.layouts.get(key);
    if (!layout) {
      layout = this.gpuDevice.createBindGroupLayout({
        label: key,
        entries: [
          { binding: 0, visibility: COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } },
          ...key.split(',').map((kind, i) => ({
            binding: i + 1,
            visibility: COMPUTE,
            buffer: { type: kind === 'ro' ? ('read-only-storage' as const) : ('storage' as const) },
          })),
        ],
      });
      this.layouts.set(key, layout);
    }
    return layout;
  }

  private pipeline(key: string, source: () => string, bindings: BindingKind[]): GPUComputePipeline {
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      const layoutKey = bindings.join(',');
      let pipelineLayout = this.pipelineLayouts.get(layoutKey);
      if (!pipelineLayout) {
        pipelineLayout = this.gpuDevice.createPipelineLayout({ bindGroupLayouts: [this.bindGroupLayout(layoutKey)] });
        this.pipelineLayouts.set(layoutKey, pipelineLayout);
      }
      pipeline = this.gpuDevice.createComputePipeline({
        label: key,
        layout: pipelineLayout,
        compute: { module: this.gpuDevice.createShaderModule({ label: key, code: source() }), entryPoint: 'main' },
      });
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  // --- state and device ----------------------------------------------------------------------

  private destroyState() {
    for (const buffer of [...this.chunks, ...this.snapshots, ...this.scratch]) buffer.destroy();
    this.scanAux?.destroy();
    this.partials?.destroy();
    this.finals?.destroy();
    this.chunks = [];
    this.snapshots = [];
    this.scratch = [];
    this.scanAux = undefined;
    this.partials = undefined;
    this.finals = undefined;
    this.layout = undefined;
    this.pending = [];
    this.bindGroups.clear();
  }

  /**
   * Awaits a device operation, failing with the device-lost error as soon as the device is lost
   * (a lost device may leave `mapAsync` or `onSubmittedWorkDone` pending or failing vaguely).
   */
  private async guard<T>(operation: Promise<T>): Promise<T> {
    try {
      const result = await Promise.race([operation, this.lostSignal]);
      if (this.lostError) throw this.lostError;
      return result;
    } catch (error) {
      if (this.lostError || error instanceof WebGpuDeviceLostError) throw this.lostError ?? error;
      // A readback can fail a moment before `device.lost` settles: give it a chance to say why.
      const lost = await Promise.race([
        this.lostSignal.catch((e: unknown) => e),
        new Promise((resolve) => setTimeout(resolve, 100)),
      ]);
      throw lost instanceof WebGpuDeviceLostError ? lost : error;
    }
  }

  private assertAlive() {
    if (this.disposed) throw new Error('this WebGPU backend was disposed');
    if (this.lostError) throw this.lostError;
  }

  private assertState(): ChunkLayout {
    this.assertAlive();
    if (!this.layout) throw new Error('no state: call reset(qubits) first');
    return this.layout;
  }

  private checkQubit(qubit: number, layout: ChunkLayout) {
    if (!Number.isInteger(qubit) || qubit < 0 || qubit >= layout.qubits) {
      throw new StepError(
        `qubit ${qubit} is out of range for a ${layout.qubits}-qubit state (0..${layout.qubits - 1})`,
      );
    }
  }
}

/** Lengths of the reduction levels of one chunk: amplitudes, then runs of 16 until ≤ 16 remain. */
function reductionLevels(length: number): number[] {
  const levels = [length];
  do levels.push(Math.ceil(levels[levels.length - 1]! / REDUCE_RUN));
  while (levels[levels.length - 1]! > REDUCE_RUN);
  return levels;
}

function parity(value: number): boolean {
  let bits = 0;
  for (let v = value >>> 0; v; v &= v - 1) bits++;
  return bits % 2 === 1;
}

/** The k largest of the chunked probabilities, most probable first (ties: lower index first). */
export function topK(chunks: Float32Array[], chunkLength: number, k: number): Ranked[] {
  const top = new TopK(k);
  chunks.forEach((values, c) => {
    for (let i = 0; i < values.length; i++) top.offer(c * chunkLength + i, values[i]!);
  });
  return top.ranked();
}
