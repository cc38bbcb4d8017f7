/**
 * The Quantum view's state as Svelte runes: the QASM being edited, the run options, the run in
 * progress and its result, and the circuit history. Runs go through `runSimulation` with the same
 * engine and history the `quantum_simulate` tool uses, so what the view shows is what a client gets.
 */
import { runSimulation, type QuantumPackDependencies } from '../quantum/runSimulation.ts';
import type { CircuitRecord } from '../quantum/circuitHistory.ts';
import { circuitHash, drawCircuit, parseQasm } from '../quantum/qasm/index.ts';
import type { BackendChoice, EngineReport, SimulateReply } from '../quantum/simulatorService.ts';
import { DEFAULT_SHOTS, MAX_SHOTS } from '../quantum/simulate.ts';
import { DEFAULT_EXAMPLE, EXAMPLES, exampleById, type QuantumExample } from './quantum/examples.ts';

/** The history list shows this many circuits. */
export const HISTORY_LIMIT = 12;

export interface RunProgress {
  done: number;
  total: number;
}

export interface RunFailure {
  /** `cancelled` when the person stopped the run; `error` for everything else. */
  kind: 'error' | 'cancelled';
  message: string;
  /** Where in the QASM source the error is, when it is a QASM error. */
  line?: number;
  column?: number;
}

/** A circuit from the history, with the example it is, if it is one. */
export interface HistoryEntry {
  record: CircuitRecord;
  example?: QuantumExample;
}

/** A finished run, with what the view draws from it. */
export interface RunOutcome {
  reply: SimulateReply;
  /** The circuit as a text diagram (empty when it cannot be drawn). */
  diagram: string;
  /** The example the circuit is, if it is one. */
  example?: QuantumExample;
}

export class QuantumState {
  source = $state(DEFAULT_EXAMPLE.qasm);
  /** Counts circuits loaded into the editor from an example or the history (not typed). */
  loaded = $state(0);
  backend: BackendChoice = $state('auto');
  /** Undefined while the field is empty or not a number. */
  shots: number | undefined = $state(DEFAULT_SHOTS);
  /** Empty for a fresh random seed per run. */
  seed: number | undefined = $state();
  running = $state(false);
  progress: RunProgress | undefined = $state.raw();
  outcome: RunOutcome | undefined = $state.raw();
  failure: RunFailure | undefined = $state.raw();
  history: HistoryEntry[] = $state.raw([]);
  historyError: string | undefined = $state();
  engines: EngineReport | undefined = $state.raw();
  /** The example the editor holds, unchanged; undefined once edited. */
  readonly example: QuantumExample | undefined = $derived(EXAMPLES.find((example) => example.qasm === this.source));

  private controller: AbortController | undefined;
  private exampleHashes: Promise<Partial<Record<string, QuantumExample>>> | undefined;

  constructor(private readonly deps: QuantumPackDependencies) {}

  /** Shots must be a whole number the simulator accepts; the Run button waits until they are. */
  get shotsValid(): boolean {
    return this.shots !== undefined && Number.isInteger(this.shots) && this.shots >= 0 && this.shots <= MAX_SHOTS;
  }

  loadExample(id: string): void {
    const example = exampleById(id);
    if (example) this.load(example.qasm);
  }

  /** Loads a circuit from the history: the example's own text when it is one, else its canonical QASM. */
  loadCircuit({ record, example }: HistoryEntry): void {
    this.load(example?.qasm ?? record.qasm);
  }

  async run(): Promise<void> {
    if (this.running || !this.shotsValid) return;
    const controller = new AbortController();
    this.controller = controller;
    this.running = true;
    this.failure = undefined;
    this.progress = undefined;
    try {
      const reply = await runSimulation(
        this.deps,
        { qasm: this.source, backend: this.backend, shots: this.shots, seed: this.seed },
        { signal: controller.signal, onProgress: (done, total) => (this.progress = { done, total }) },
      );
      this.outcome = { reply, diagram: diagramOf(reply.qasm), example: (await this.examplesByHash())[reply.hash] };
    } catch (error) {
      this.failure = controller.signal.aborted ? { kind: 'cancelled', message: 'Run cancelled.' } : failureOf(error);
    } finally {
      this.running = false;
      this.controller = undefined;
    }
    await this.refreshHistory();
  }

  cancel(): void {
    this.controller?.abort();
  }

  async refreshHistory(): Promise<void> {
    try {
      const records = await this.deps.circuits.list(HISTORY_LIMIT);
      const examples = await this.examplesByHash();
      this.history = records.map((record) => ({ record, example: examples[record.hash] }));
      this.historyError = undefined;
    } catch (error) {
      this.historyError = `The circuit history could not be read: ${(error as Error).message}`;
    }
  }

  /** What each engine can hold here (and which GPU adapter there is), for the engine picker. */
  async loadEngines(): Promise<void> {
    try {
      this.engines ??= await this.deps.quantum.engines();
    } catch {
      // The picker then just says nothing about the engines; a run reports any real problem.
    }
  }

  private load(qasm: string): void {
    this.source = qasm;
    this.loaded++;
    this.failure = undefined;
  }

  /** The examples by circuit hash, so a history entry or a result can say which example it is. */
  private examplesByHash(): Promise<Partial<Record<string, QuantumExample>>> {
    this.exampleHashes ??= Promise.all(
      EXAMPLES.map(async (example) => [await circuitHash(parseQasm(example.qasm)), example] as const),
    ).then((entries) => Object.fromEntries(entries));
    return this.exampleHashes;
  }
}

function diagramOf(qasm: string): string {
  try {
    return drawCircuit(parseQasm(qasm));
  } catch {
    return '';
  }
}

/** QASM errors say "QASM line 4, col 7: …"; the editor marks that line. */
const QASM_POSITION = /^QASM line (\d+), col (\d+):/;

function failureOf(error: unknown): RunFailure {
  const message = error instanceof Error ? error.message : String(error);
  const position = QASM_POSITION.exec(message);
  return position
    ? { kind: 'error', message, line: Number(position[1]), column: Number(position[2]) }
    : { kind: 'error', message };
}
