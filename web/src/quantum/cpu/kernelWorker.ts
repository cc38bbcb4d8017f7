/** A CPU engine kernel thread in the browser: a nested module Worker started by the quantum Worker. */
import { serveKernels } from './threads.ts';

serveKernels({
  postMessage: (reply) => self.postMessage(reply),
  onMessage: (listener) => {
    self.onmessage = (event: MessageEvent) => listener(event.data);
  },
});
