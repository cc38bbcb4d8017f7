/**
 * CPU engine threads in the browser: nested module Workers (`kernelWorker.ts`) started from the
 * quantum Worker. They need SharedArrayBuffer, so only a cross-origin isolated page gets them.
 */
import type { KernelThreads, KernelWorker } from './threads.ts';

/** More threads than this only contend for memory bandwidth, which bounds the kernels. */
export const MAX_KERNEL_THREADS = 8;

/**
 * Threads for this context: one per reported core (`navigator.hardwareConcurrency`, at most
 * `MAX_KERNEL_THREADS`) when it is cross-origin isolated and has SharedArrayBuffer and more than
 * one core; otherwise undefined, and the CPU engine runs on one thread.
 */
export function browserKernelThreads(scope: typeof globalThis = globalThis): KernelThreads | undefined {
  const cores = scope.navigator?.hardwareConcurrency ?? 1;
  if (!scope.crossOriginIsolated || typeof scope.SharedArrayBuffer !== 'function' || cores <= 1) return undefined;
  return {
    count: Math.min(cores, MAX_KERNEL_THREADS),
    spawn(): KernelWorker {
      const worker = new Worker(new URL('./kernelWorker.ts', import.meta.url), {
        type: 'module',
        name: 'vial-quantum-kernels',
      });
      return {
        postMessage: (message) => worker.postMessage(message),
        listen: (onMessage, onError) => {
          worker.onmessage = (event) => onMessage(event.data);
          worker.onerror = (event) => {
            event.preventDefault();
            onError(new Error(event.message || 'the kernel worker failed to load or crashed'));
          };
        },
        terminate: () => worker.terminate(),
      };
    },
  };
}
