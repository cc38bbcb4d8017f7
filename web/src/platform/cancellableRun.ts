/**
 * A Worker run the caller can cancel: it gets a fresh run id, and if `signal` aborts while it
 * runs, `cancel(runId)` asks the Worker to stop it (the Worker then ends the run its own way).
 */
export async function cancellableRun<T>(
  signal: AbortSignal | undefined,
  cancel: (runId: string) => unknown,
  work: (runId: string) => Promise<T>,
): Promise<T> {
  const runId = crypto.randomUUID();
  const onAbort = () => void cancel(runId);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await work(runId);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
