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
  const listeners = new Set<() => void>();
  /** `reply`, once the registry has changed with it: the listeners are told first. */
  const changed = async <T>(reply: Promise<T>, didChange: (value: T) => boolean = () => true): Promise<T> => {
    const value = await reply;
    if (didChange(value)) for (const listener of listeners) listener();
    return value;
  };
  return {
    list: () => call((remote) => remote.list()),
    samples: () => call((remote) => remote.samplesList()),
    remove: (id) => changed(call((remote) => remote.remove(id))),
    load: (request, settings) => changed(call((remote) => remote.load(request, settings))),
    infer: (kind, request, settings) => call((remote) => remote.infer(kind, request, settings)),
    // A pipeline's model is in the registry from its first use on.
    pipeline: (request, settings) => changed(call((remote) => remote.pipeline(request, settings))),
    train: (runId, request, onEpoch) =>
      changed(
        call((remote) => remote.train(runId, request, onEpoch ? proxy(onEpoch) : undefined)),
        (reply) => reply.model !== undefined,
      ),
    cancel: (runId) => call((remote) => remote.cancel(runId)),
    onChange: (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
