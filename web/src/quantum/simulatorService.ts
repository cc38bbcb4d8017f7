/**
 * The quantum simulator as a service: QASM or a JSON circuit in, a simulation result with the
 * circuit's hash out. It owns the engines (a CPU backend always; a WebGPU backend when a GPU is
 * given), picks one per run, runs one simulation at a time, and lets a run be cancelled by id.
 * In the tab it lives in a dedicated Worker behind comlink (`worker.ts`); Node hosts use it
 * in-process.
 */
import type { BackendLimits, PauliString, StateBackend } from './stateBackend.ts';
import type { Circuit } from './circuit.ts';
import { CpuBackend } from './cpu/cpuBackend.ts';
import type { KernelThreads } from './cpu/threads.ts';
import { circuitFromJson, circuitHash, parseQasmWithWarnings, toQasm } from './qasm/index.ts';
import { simulate, SimulationError, type SimulationResult } from './simulate.ts';
import { WebGpuBackend, WebGpuDeviceLostError } from './webgpu/gpuBackend.ts';

export type BackendChoice = 'auto' | 'webgpu' | 'cpu';

/** Below this many qubits a GPU's launch and readback overheads outweigh its bandwidth. */
export const AUTO_WEBGPU_MIN_QUBITS = 14;

export interface SimulateRequest {
  /** OpenQASM 2.0 source, or… */
  qasm?: string;
  /** …a JSON circuit (`{ qubits, gates: [...] }`). Exactly one of the two. */
  circuit?: unknown;
  /** Accept known QASM quirks (missing header, measuring into an undeclared register). */
  lenient?: boolean;
  backend?: BackendChoice;
  shots?: number;
  seed?: number;
  fusion?: boolean;
  topK?: number;
  returnState?: boolean;
  expectations?: PauliString[];
  maxTrajectories?: number;
}

export interface SimulateReply extends SimulationResult {
  hash: string;
  /** The circuit as canonical OpenQASM 2.0 (user gates expanded). */
  qasm: string;
  /** Why this backend ran (e.g. auto chose CPU because the adapter is a software one). */
  backendReason: string;
  /** What lenient mode accepted, if anything. */
  warnings: string[];
  /** Threads the circuit's gates ran on (the CPU engine splits large states; WebGPU reports 1). */
  threads: number;
}

export interface EngineReport {
  cpu: BackendLimits;
  webgpu: (BackendLimits & { adapter: string }) | { unavailable: string };
}

export interface QuantumServiceOptions {
  /** `navigator.gpu` where WebGPU exists; absent means CPU only. */
  gpu?: GPU;
  cpuMemoryBudgetBytes?: number;
  /**
   * Kernel threads for the CPU engine (`browserKernelThreads()` in the tab's Worker); absent means
   * one thread, as on Node hosts.
   */
  cpuThreads?: KernelThreads;
}

type WebGpuState = { backend: WebGpuBackend; software: boolean } | { unavailable: string };

export class QuantumService {
  private readonly cpu: CpuBackend;
  private webgpu: Promise<WebGpuState> | undefined;
  private readonly runs = new Map<string, AbortController>();
  /** Runs share the engines' state buffers, so they go one at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: QuantumServiceOptions = {}) {
    this.cpu = new CpuBackend({ memoryBudgetBytes: options.cpuMemoryBudgetBytes, threads: options.cpuThreads });
  }

  async engines(): Promise<EngineReport> {
    const gpu = await this.webGpu();
    return {
      cpu: this.cpu.limits(),
      webgpu: 'backend' in gpu ? { ...gpu.backend.limits(), adapter: gpu.backend.adapterDescription } : gpu,
    };
  }

  /** Parses the request's circuit; throws `QasmError` / `CircuitJsonError` with what to fix. */
  circuitOf(request: SimulateRequest): { circuit: Circuit; warnings: string[] } {
    if ((request.qasm === undefined) === (request.circuit === undefined)) {
      throw new SimulationError(
        'bad-circuit',
        'give exactly one of `qasm` (OpenQASM 2.0 text) or `circuit` (JSON form)',
      );
    }
    if (request.qasm !== undefined) {
      const { circuit, warnings } = parseQasmWithWarnings(request.qasm, { lenient: request.lenient });
      return { circuit, warnings: warnings.map((warning) => warning.message) };
    }
    return { circuit: circuitFromJson(request.circuit), warnings: [] };
  }

  simulate(
    runId: string,
    request: SimulateRequest,
    onProgress?: (done: number, total: number) => void,
  ): Promise<SimulateReply> {
    const controller = new AbortController();
    this.runs.set(runId, controller);
    const run = this.queue.then(() => this.run(request, controller.signal, onProgress));
    this.queue = run.catch(() => undefined);
    return run.finally(() => this.runs.delete(runId));
  }

  /** Cancels a queued or running simulation; it fails with a `cancelled` error. */
  cancel(runId: string): void {
    this.runs.get(runId)?.abort();
  }

  private async run(
    request: SimulateRequest,
    signal: AbortSignal,
    onProgress: ((done: number, total: number) => void) | undefined,
  ): Promise<SimulateReply> {
    const { circuit, warnings } = this.circuitOf(request);
    const { backend, reason } = await this.pick(request.backend ?? 'auto', circuit.qubits);
    let result: SimulationResult;
    try {
      result = await simulate(circuit, backend, {
        shots: request.shots,
        seed: request.seed,
        fusion: request.fusion,
        topK: request.topK,
        returnState: request.returnState,
        expectations: request.expectations,
        maxTrajectories: request.maxTrajectories,
        signal,
        onProgress,
      });
    } catch (error) {
      if (error instanceof WebGpuDeviceLostError) this.webgpu = undefined;
      throw error;
    }
    return {
      ...result,
      hash: await circuitHash(circuit),
      qasm: toQasm(circuit),
      backendReason: reason,
      warnings,
      threads: backend === this.cpu ? this.cpu.threadsFor(circuit.qubits) : 1,
    };
  }

  private async pick(choice: BackendChoice, qubits: number): Promise<{ backend: StateBackend; reason: string }> {
    const cpu = { backend: this.cpu, reason: '' };
    if (choice === 'cpu') return checked({ ...cpu, reason: 'asked for the CPU engine' }, qubits);
    const gpu = await this.webGpu();
    if (choice === 'webgpu') {
      if (!('backend' in gpu)) {
        throw new SimulationError(
          'bad-option',
          `WebGPU is unavailable here: ${gpu.unavailable}`,
          "Use backend 'cpu' or 'auto'.",
        );
      }
      return checked({ backend: gpu.backend, reason: 'asked for the WebGPU engine' }, qubits);
    }
    if (!('backend' in gpu))
      return checked({ ...cpu, reason: `auto: WebGPU is unavailable (${gpu.unavailable})` }, qubits);
    if (gpu.software) {
      return checked(
        { ...cpu, reason: `auto: the GPU adapter is a software one (${gpu.backend.adapterDescription})` },
        qubits,
      );
    }
    if (qubits < AUTO_WEBGPU_MIN_QUBITS) {
      return checked(
        { ...cpu, reason: `auto: below ${AUTO_WEBGPU_MIN_QUBITS} qubits the CPU engine is faster` },
        qubits,
      );
    }
    if (qubits > gpu.backend.limits().maxQubits) {
      return checked({ ...cpu, reason: `auto: beyond the GPU's limit (${gpu.backend.limits().reason})` }, qubits);
    }
    return { backend: gpu.backend, reason: `auto: WebGPU on ${gpu.backend.adapterDescription}` };
  }

  private webGpu(): Promise<WebGpuState> {
    const gpu = this.options.gpu;
    if (!gpu) return Promise.resolve({ unavailable: 'navigator.gpu is missing in this context' });
    this.webgpu ??= WebGpuBackend.create(gpu).then(
      (backend) => ({ backend, software: /swiftshader|llvmpipe|lavapipe|software/i.test(backend.adapterDescription) }),
      (error: unknown) => ({ unavailable: (error as Error).message }),
    );
    return this.webgpu;
  }
}

function checked(choice: { backend: StateBackend; reason: string }, qubits: number) {
  const { maxQubits, reason } = choice.backend.limits();
  if (qubits > maxQubits) {
    throw new SimulationError(
      'too-many-qubits',
      `the circuit has ${qubits} qubits; the ${choice.backend.name} engine here holds at most ${maxQubits}`,
      `Why: ${reason}.`,
    );
  }
  return choice;
}
