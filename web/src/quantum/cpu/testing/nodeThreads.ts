/**
 * CPU engine threads in Node: kernel workers on `node:worker_threads`, running the TypeScript
 * entry through tsx, for tests and `bench/quantum.bench.ts`. (On Node 20 a worker given `execArgv: ['--import', 'tsx']`
 * still fails on its `.ts` entry — "Unknown file extension .ts" — so the worker starts from a
 * one-line script that registers tsx's ESM hooks and then imports the entry.)
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const TSX_ESM_API = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs'),
).href;
const ENTRY = new URL('./kernelWorker.node.ts', import.meta.url).href;
const BOOTSTRAP = `import(${JSON.stringify(TSX_ESM_API)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(ENTRY)}); });`;
import type { KernelThreads, KernelWorker } from '../threads.ts';

export function nodeKernelThreads(count: number, options: Omit<KernelThreads, 'count' | 'spawn'> = {}): KernelThreads {
  return {
    ...options,
    count,
    spawn(): KernelWorker {
      const worker = new Worker(BOOTSTRAP, { eval: true });
      // A pool left undisposed must not keep the process alive.
      worker.unref();
      return {
        postMessage: (message) => worker.postMessage(message),
        listen: (onMessage, onError) => {
          worker.on('message', onMessage);
          worker.on('error', onError);
          worker.on('exit', (code) => onError(new Error(`the worker exited with code ${code}`)));
        },
        terminate: () => void worker.terminate(),
      };
    },
  };
}
