/**
 * How long a proxy process (the relay, the pipe proxy) takes from a request arriving to the
 * request it makes upstream leaving (handed whole to the socket: Node publishes
 * `http.client.request.start` then): its own work on the way to the provider, without the hops
 * between processes that end-to-end figures include. Read from Node's built-in http diagnostics
 * channels, so the code measured carries no probes.
 *
 * Only measured while one incoming request is open at a time: with several, which one caused an
 * outgoing request is not known. A retry's second upstream request is not counted.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface HandoffMeter {
  /** The handoffs (ms) since the last call. */
  take(): number[];
}

export function startHandoffMeter(): HandoffMeter {
  let open = 0;
  /** When the one open request arrived; undefined once it has been handed off (or when several are open). */
  let arrivedAt: number | undefined;
  let samples: number[] = [];
  subscribe('http.server.request.start', (message) => {
    const { response } = message as { response: ServerResponse };
    open++;
    arrivedAt = open === 1 ? performance.now() : undefined;
    response.once('close', () => open--);
  });
  subscribe('http.client.request.start', () => {
    if (open !== 1 || arrivedAt === undefined) return;
    samples.push(performance.now() - arrivedAt);
    arrivedAt = undefined;
  });
  return {
    take() {
      const taken = samples;
      samples = [];
      return taken;
    },
  };
}
