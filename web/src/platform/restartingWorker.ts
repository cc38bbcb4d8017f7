/**
 * A comlink handle on a dedicated Worker that survives the Worker dying: calls in flight fail
 * with an error naming the Worker (it crashed or ran out of memory), and the next call starts a
 * fresh one, so the tab keeps serving.
 */
import { releaseProxy, wrap, type Remote } from 'comlink';
import { carryVialErrors } from './errorTransfer.ts';

interface Live<T> {
  remote: Remote<T>;
  /** Rejects every call in flight when the Worker dies. */
  died: Promise<never>;
}

/** `start` creates the Worker (a `new Worker(new URL(…))` Vite can see); `what` names it in errors. */
export function restartingWorker<T>(start: () => Worker, what: string) {
  // The Workers' errors that say what to do arrive as VialErrors, not plain Errors.
  carryVialErrors();
  let live: Live<T> | undefined;

  function ensure(): Live<T> {
    if (live) return live;
    const worker = start();
    const remote = wrap<T>(worker);
    const current: Live<T> = {
      remote,
      died: new Promise<never>((_, reject) => {
        worker.addEventListener('error', (event) => {
          event.preventDefault();
          if (live === current) live = undefined;
          remote[releaseProxy]();
          worker.terminate();
          reject(
            new Error(
              `the ${what} stopped (${event.message || 'it crashed or ran out of memory'}); the next call starts a new one`,
            ),
          );
        });
      }),
    };
    current.died.catch(() => undefined);
    live = current;
    return current;
  }

  return <R>(use: (remote: Remote<T>) => Promise<R>): Promise<R> => {
    const { remote, died } = ensure();
    return Promise.race([use(remote), died]);
  };
}
