/**
 * The tab's handle on the ML Worker (restarted if it dies, see `restartingWorker`). The Worker
 * starts on the first ML call or Models view visit, never at page load.
 */
import { proxy } from 'comlink';
import { restartingWorker } from '../platform/restartingWorker.ts';
import type { MlEngine } from './engine.ts';
import type { MlService } from './mlService.ts';

export function createMlWorker(): MlEngine {
  const call = restartingWorker<MlService>(
    () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'vial-ml' }),
    'ML worker',
  );
  return {
    list: () => call((remote) => remote.list()),
    samples: () => call((remote) => remote.samplesList()),
    remove: (id) => call((remote) => remote.remove(id)),
    load: (request, settings) => call((remote) => remote.load(request, settings)),
    infer: (kind, request, settings) => call((remote) => remote.infer(kind, request, settings)),
    pipeline: (request, settings) => call((remote) => remote.pipeline(request, settings)),
    train: (runId, request, onEpoch) =>
      call((remote) => remote.train(runId, request, onEpoch ? proxy(onEpoch) : undefined)),
    cancel: (runId) => call((remote) => remote.cancel(runId)),
  };
}
