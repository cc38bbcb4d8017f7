/** A CPU engine kernel thread under `node:worker_threads` (tests and the benchmark). */
import { parentPort } from 'node:worker_threads';
import { serveKernels } from '../threads.ts';

const port = parentPort!;
serveKernels({
  postMessage: (reply) => port.postMessage(reply),
  onMessage: (listener) => port.on('message', listener),
});
