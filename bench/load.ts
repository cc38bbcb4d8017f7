/**
 * The load driver both paths share: a number of SDK clients, each calling `bench_echo` one
 * call after another, with per-call latency and overall throughput.
 */
import { setMaxListeners } from 'node:events';
import type { Client } from '@modelcontextprotocol/client';

export interface LoadResult {
  clients: number;
  calls: number;
  seconds: number;
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

/**
 * Node's fetch (undici) adds an abort listener per request to the SDK transport's long-lived
 * AbortSignal and drops it only once the request is garbage-collected, so a few thousand quick
 * calls on one client pass Node's limit of 1500 and every further call prints a "possible
 * EventTarget memory leak" warning with a stack trace, which would skew the timings. Lifting
 * the limit on that one signal (a private field of the SDK transport) keeps the numbers about
 * the paths; if the field is ever renamed this does nothing.
 */
export function liftAbortListenerLimit(client: Client): void {
  const transport = client.transport as unknown as { _abortController?: AbortController } | undefined;
  const signal = transport?._abortController?.signal;
  if (signal) setMaxListeners(0, signal);
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Calls `bench_echo` and checks that it answered exactly `text`. */
export async function callEcho(client: Client, text: string): Promise<void> {
  const result = await client.callTool({ name: 'bench_echo', arguments: { text } });
  const content = result.content as { type: string; text?: string }[];
  if (result.isError || content[0]?.text !== text) {
    throw new Error(`bench_echo returned something other than its input: ${JSON.stringify(result)}`);
  }
}

export interface LoadRun {
  latenciesMs: Float64Array;
  seconds: number;
}

/** Every client makes `callsPerClient` calls in sequence; the clients run concurrently. */
export async function runLoad(clients: readonly Client[], callsPerClient: number): Promise<LoadRun> {
  const latenciesMs = new Float64Array(clients.length * callsPerClient);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, c) => {
      for (let i = 0; i < callsPerClient; i++) {
        const t0 = performance.now();
        await callEcho(client, `client ${c} call ${i}`);
        latenciesMs[next++] = performance.now() - t0;
      }
    }),
  );
  return { latenciesMs, seconds: (performance.now() - started) / 1000 };
}

/** Pools several runs of the same scenario: throughput over their summed time, latency over all calls. */
export function summarize(clients: number, runs: readonly LoadRun[]): LoadResult {
  const sorted = runs.flatMap((run) => [...run.latenciesMs]).sort((a, b) => a - b);
  const seconds = runs.reduce((sum, run) => sum + run.seconds, 0);
  return {
    clients,
    calls: sorted.length,
    seconds,
    callsPerSecond: sorted.length / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    meanMs: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
  };
}
