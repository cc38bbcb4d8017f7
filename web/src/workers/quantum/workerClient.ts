/**
 * The tab's handle on the quantum Worker. Calls go over comlink; if the Worker dies (out of
 * memory on a huge state, a crash), the calls in flight fail with a clear error and the next
 * call starts a fresh Worker, so the tab keeps serving.
 */
import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import type { QuantumEngine } from './engine.ts';
import type { QuantumService } from './service.ts';

interface Live {
  worker: Worker;
  remote: Remote<QuantumService>;
  /** Rejects every call in flight when the Worker dies. */
  died: Promise<never>;
}

export function createQuantumWorker(): QuantumEngine {
  let live: Live | undefined;

  function ensure(): Live {
    if (live) return live;
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'vial-quantum' });
    const remote = wrap<QuantumService>(worker);
    const current: Live = {
      worker,
      remote,
      died: new Promise<never>((_, reject) => {
        worker.addEventListener('error', (event) => {
          event.preventDefault();
          if (live === current) live = undefined;
          remote[releaseProxy]();
          worker.terminate();
          reject(
            new Error(
              `the quantum worker stopped (${event.message || 'it crashed or ran out of memory'}); the next call starts a new one`,
            ),
          );
        });
      }),
    };
    current.died.catch(() => undefined);
    live = current;
    return current;
  }

  const call = <T>(use: (remote: Remote<QuantumService>) => Promise<T>): Promise<T> => {
    const { remote, died } = ensure();
    return Promise.race([use(remote), died]);
  };

  return {
    simulate: (runId, request, onProgress) =>
      call((remote) => remote.simulate(runId, request, onProgress ? proxy(onProgress) : undefined)),
    cancel: (runId) => call((remote) => remote.cancel(runId)),
    engines: () => call((remote) => remote.engines()),
  };
}
