/** The tab's handle on the quantum Worker, restarted if it dies (see `restartingWorker`). */
import { proxy } from 'comlink';
import { restartingWorker } from '../platform/restartingWorker.ts';
import type { QuantumEngine } from './engine.ts';
import type { QuantumService } from './simulatorService.ts';

export function createQuantumWorker(): QuantumEngine {
  const call = restartingWorker<QuantumService>(
    () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'vial-quantum' }),
    'quantum worker',
  );
  return {
    simulate: (runId, request, onProgress) =>
      call((remote) => remote.simulate(runId, request, onProgress ? proxy(onProgress) : undefined)),
    cancel: (runId) => call((remote) => remote.cancel(runId)),
    engines: () => call((remote) => remote.engines()),
  };
}
