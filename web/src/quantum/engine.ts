import type { EngineReport, SimulateReply, SimulateRequest } from './simulatorService.ts';

/**
 * What the quantum tools need from the simulator. `QuantumService` is one (in-process, for Node
 * hosts); in the tab, `createQuantumWorker()` gives the same calls running in a dedicated Worker.
 */
export interface QuantumEngine {
  simulate(
    runId: string,
    request: SimulateRequest,
    onProgress?: (done: number, total: number) => void,
  ): Promise<SimulateReply>;
  cancel(runId: string): Promise<void> | void;
  engines(): Promise<EngineReport>;
}
