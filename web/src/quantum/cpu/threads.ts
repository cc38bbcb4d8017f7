/**
 * Threads for the CPU engine: a small pool of kernel Workers that share the state through a
 * SharedArrayBuffer and split every step's work units (`stepUnits`) into contiguous slices, one
 * per thread; the calling thread works on slice 0 itself. Between two steps every thread waits at
 * a barrier, since a step reads amplitudes the previous one wrote in other slices.
 *
 * Two ways to keep the threads in step (`sync`), measured in `bench/quantum.bench.ts`:
 * - `atomics` (default): a batch of steps goes to the helpers in one message; the barrier between
 *   steps, and the end of the batch, are an Atomics counter (a short spin, then `Atomics.wait`).
 *   The calling thread blocks in `Atomics.wait`, which a Worker (or Node) may do.
 * - `message`: each step is its own message, and each helper answers when its slice is done.
 *
 * The pool only runs the unitary part (`apply`); readout stays on one thread. Where the pool
 * lives is the caller's choice (`KernelThreads.spawn`): a module Worker in the browser
 * (`kernelWorker.ts`), a `node:worker_threads` Worker in tests and the benchmark.
 */
import type { Step } from '../program.ts';
import { applyStep, stepUnits } from './kernels.ts';

/** What the pool needs from a Worker, whichever kind (browser Worker, node:worker_threads). */
export interface KernelWorker {
  postMessage(message: KernelRequest): void;
  /** Calls `onMessage` with each message's data and `onError` when the worker fails. */
  listen(onMessage: (data: unknown) => void, onError: (error: unknown) => void): void;
  terminate(): void;
}

export interface KernelThreads {
  /** Threads in all, the calling one included (so `count - 1` workers are spawned). */
  count: number;
  spawn(): KernelWorker;
  /** States under 2^minQubits amplitudes run on the calling thread alone; default `MIN_THREADED_QUBITS`. */
  minQubits?: number;
  sync?: 'atomics' | 'message';
}

/**
 * Below this a step takes a few microseconds, about what a barrier costs. Measured on 2 cores
 * (`pnpm bench:quantum`): 2 threads are 1.2x one at 2^12 amplitudes, 1.6x at 2^14, 1.9x from 2^16.
 */
export const MIN_THREADED_QUBITS = 14;
/** Longest a thread waits at a barrier before it gives up on the others (a 29-qubit step takes ~1 s). */
const BARRIER_TIMEOUT_MS = 60_000;
/** How long a new worker may take to load its module and say it is ready. */
const START_TIMEOUT_MS = 20_000;
/** Checks of the barrier before sleeping in `Atomics.wait`: a step's slices usually end together. */
const SPINS = 4096;

/** Messages to a kernel worker. */
export type KernelRequest =
  | { type: 'init'; control: SharedArrayBuffer; part: number; parts: number }
  | { type: 'state'; buffer: SharedArrayBuffer }
  | { type: 'batch'; qubits: number; steps: Step[]; reply: boolean };

/** Messages from a kernel worker. */
export type KernelReply = { type: 'ready' } | { type: 'done' } | { type: 'error'; message: string };

// Slots of the control array shared by all threads.
const ARRIVED = 0;
const GENERATION = 1;
const FAILED = 2;
const CONTROL_SLOTS = 4;

/** Work units `[from, to)` of slice `part` of `parts` over `units`: contiguous, sizes differ by at most 1. */
export function sliceOf(units: number, part: number, parts: number): [number, number] {
  return [Math.floor((units * part) / parts), Math.floor((units * (part + 1)) / parts)];
}

/**
 * Waits until all `parties` threads have arrived (a reusable barrier: whoever arrives last resets
 * the count and bumps the generation the others are waiting on).
 */
export function arriveAndWait(control: Int32Array, parties: number): void {
  const generation = Atomics.load(control, GENERATION);
  if (Atomics.add(control, ARRIVED, 1) === parties - 1) {
    Atomics.store(control, ARRIVED, 0);
    Atomics.add(control, GENERATION, 1);
    Atomics.notify(control, GENERATION);
    return;
  }
  for (let spin = 0; spin < SPINS; spin++) if (Atomics.load(control, GENERATION) !== generation) return;
  while (Atomics.load(control, GENERATION) === generation) {
    if (Atomics.wait(control, GENERATION, generation, BARRIER_TIMEOUT_MS) === 'timed-out') {
      throw new Error(
        `a CPU engine thread waited ${BARRIER_TIMEOUT_MS / 1000} s for the others; they stopped answering`,
      );
    }
  }
}

/** Applies each step's slice `part` of `parts`, with a barrier after each step when `control` is given. */
export function applySlices(
  state: Float32Array,
  qubits: number,
  steps: readonly Step[],
  part: number,
  parts: number,
  control?: Int32Array,
): void {
  for (const step of steps) {
    // A helper whose kernel failed still goes to every barrier, so nobody waits for it in vain.
    if (!control || !Atomics.load(control, FAILED)) {
      try {
        const [from, to] = sliceOf(stepUnits(qubits, step), part, parts);
        applyStep(state, qubits, step, from, to);
      } catch (error) {
        if (!control) throw error;
        Atomics.store(control, FAILED, 1);
      }
    }
    if (control) arriveAndWait(control, parts);
  }
}

/** The pool, as the CPU engine sees it. */
export class KernelPool {
  readonly count: number;
  readonly minQubits: number;
  readonly sync: 'atomics' | 'message';
  private readonly workers: KernelWorker[] = [];
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
  private started: Promise<void> | undefined;
  private buffer: SharedArrayBuffer | undefined;
  /** Resolvers of the current message-mode step, one per helper. */
  private pending: Array<{ resolve(): void; reject(error: Error): void }> = [];
  private failure: Error | undefined;

  constructor(private readonly threads: KernelThreads) {
    if (!Number.isInteger(threads.count) || threads.count < 2) {
      throw new RangeError(`a kernel pool needs at least 2 threads, got ${threads.count}`);
    }
    this.count = threads.count;
    this.minQubits = threads.minQubits ?? MIN_THREADED_QUBITS;
    this.sync = threads.sync ?? 'atomics';
  }

  /** Spawns the helpers and waits until each has loaded; rejects (and stops them) if one fails. */
  start(): Promise<void> {
    this.started ??= this.spawnAll();
    return this.started;
  }

  /**
   * Applies `steps` to `state` (a view of a SharedArrayBuffer), split across the threads. Resolves
   * when every thread has finished the last step.
   */
  async apply(state: Float32Array, qubits: number, steps: readonly Step[]): Promise<void> {
    await this.start();
    if (this.failure) throw this.failure;
    if (state.buffer !== this.buffer) {
      if (!(state.buffer instanceof SharedArrayBuffer)) throw new Error('the threaded CPU engine needs a shared state');
      this.buffer = state.buffer;
      for (const worker of this.workers) worker.postMessage({ type: 'state', buffer: this.buffer });
    }
    if (this.sync === 'atomics') {
      const batch: KernelRequest = { type: 'batch', qubits, steps: [...steps], reply: false };
      for (const worker of this.workers) worker.postMessage(batch);
      applySlices(state, qubits, steps, 0, this.count, this.control);
    } else {
      for (const step of steps) {
        const done = this.workers.map(
          () => new Promise<void>((resolve, reject) => this.pending.push({ resolve, reject })),
        );
        for (const worker of this.workers) worker.postMessage({ type: 'batch', qubits, steps: [step], reply: true });
        applySlices(state, qubits, [step], 0, this.count);
        await Promise.all(done);
      }
    }
    if (Atomics.exchange(this.control, FAILED, 0)) throw new Error('a CPU engine thread failed while applying a step');
  }

  dispose(): void {
    for (const worker of this.workers) worker.terminate();
    this.workers.length = 0;
    this.failure ??= new Error('the CPU engine threads were stopped');
  }

  private async spawnAll(): Promise<void> {
    const ready: Array<Promise<void>> = [];
    for (let part = 1; part < this.count; part++) {
      const worker = this.threads.spawn();
      this.workers.push(worker);
      ready.push(
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`a CPU engine thread did not start within ${START_TIMEOUT_MS / 1000} s`)),
            START_TIMEOUT_MS,
          );
          worker.listen(
            (data) => {
              const reply = data as KernelReply;
              if (reply?.type === 'ready') {
                clearTimeout(timer);
                resolve();
              } else if (reply?.type === 'done') {
                this.pending.shift()?.resolve();
              } else if (reply?.type === 'error') {
                this.fail(new Error(`a CPU engine thread failed: ${reply.message}`));
              }
            },
            (error) => {
              clearTimeout(timer);
              const failure = new Error(`a CPU engine thread stopped: ${describe(error)}`);
              this.fail(failure);
              reject(failure);
            },
          );
        }),
      );
      worker.postMessage({ type: 'init', control: this.control.buffer as SharedArrayBuffer, part, parts: this.count });
    }
    try {
      await Promise.all(ready);
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.pending.splice(0)) waiter.reject(error);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message ? message : 'it crashed or its module did not load';
}

/**
 * A kernel worker's side: answers `init`, `state` and `batch` messages arriving through `port`.
 * `kernelWorker.ts` runs it on a browser Worker's `self`; tests run it on `parentPort`.
 */
export function serveKernels(port: {
  postMessage(reply: KernelReply): void;
  onMessage(listener: (data: unknown) => void): void;
}): void {
  let control: Int32Array | undefined;
  let part = 0;
  let parts = 1;
  let state: Float32Array | undefined;
  port.onMessage((data) => {
    const request = data as KernelRequest;
    switch (request?.type) {
      case 'init':
        control = new Int32Array(request.control);
        part = request.part;
        parts = request.parts;
        port.postMessage({ type: 'ready' });
        return;
      case 'state':
        state = new Float32Array(request.buffer);
        return;
      case 'batch':
        if (!state || !control) {
          port.postMessage({ type: 'error', message: 'a batch arrived before init and state' });
          return;
        }
        if (request.reply) {
          try {
            applySlices(state, request.qubits, request.steps, part, parts);
            port.postMessage({ type: 'done' });
          } catch (error) {
            port.postMessage({ type: 'error', message: describe(error) });
          }
        } else {
          applySlices(state, request.qubits, request.steps, part, parts, control);
        }
        return;
      default:
        port.postMessage({ type: 'error', message: `unknown request ${JSON.stringify(request)?.slice(0, 80)}` });
    }
  });
}
