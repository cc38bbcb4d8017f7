/**
 * The part every stand-in shares: a node:http server that records each request (headers, JSON
 * body, whether the client closed the connection before the response ended), answers it with
 * the next scripted scenario, and writes SSE frames with the scenario's timing and faults.
 * What the frames and error bodies say is each provider's own module.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  deltaAt,
  deltaCount,
  DEFAULT_USAGE,
  type ProviderError,
  type Scenario,
  type StandInUsage,
} from './scenario.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  scenario: Scenario['kind'];
  /** Resolves when the connection closes; `clientClosedEarly` then says who ended it. */
  closed: Promise<void>;
  /** The client went away before the stand-in finished the response (e.g. the relay aborted). */
  clientClosedEarly: boolean;
  /** Deltas handed to the socket so far: it stops climbing while the client is not reading. */
  deltasSent: number;
}

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface StreamFrames {
  /** Frames before the first delta. */
  open: string[];
  delta(text: string): string;
  /** Frames after the last delta, ending with the end-of-message marker. */
  close(finish: 'stop' | 'length'): string[];
}

/** What a provider module supplies: its paths, auth check, error bodies and SSE frames. */
export interface WireFormat {
  /** Whether this is the provider's streaming endpoint. */
  matches(method: string, url: URL): boolean;
  /** The key the request carries, in this provider's header. */
  keyOf(req: IncomingMessage): string | undefined;
  error(kind: ProviderError, options: { retryAfter?: string; retryAfterMs?: string; key?: string }): ErrorResponse;
  /** Headers of a 200 stream (beyond content-type). */
  streamHeaders: Record<string, string>;
  /** The frames of one response to this request body. */
  stream(body: Record<string, unknown>, usage: StandInUsage): StreamFrames;
  streamError(kind: 'overloaded' | 'server_error'): string;
  /** Comment or unknown-event frames a real provider may interleave; sent between deltas when `noise` is on. */
  noise?: string;
}

export interface StandInOptions {
  /** The key the stand-in accepts; any other gets the provider's 401 (which quotes the key it got). */
  apiKey?: string;
  /** Interleave the format's `noise` frames (comments, unknown events) with the deltas. */
  noise?: boolean;
  /** How to answer when no scenario is queued (default: a plain reply), e.g. for a benchmark that cannot script each request. */
  unscripted?: Scenario;
}

export interface StandIn {
  /** The base URL the relay is configured with for this provider. */
  baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Queues scenarios for the next requests, in order. */
  script(...scenarios: Scenario[]): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startStandIn(
  format: WireFormat,
  basePath: string,
  options: StandInOptions = {},
): Promise<StandIn> {
  const queue: Scenario[] = [];
  const requests: RecordedRequest[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      if (!format.matches(req.method ?? '', url)) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('stand-in: unknown path');
        return;
      }
      const scenario = queue.shift() ?? options.unscripted ?? { kind: 'reply' };
      const record: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname + url.search,
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>,
        scenario: scenario.kind,
        clientClosedEarly: false,
        deltasSent: 0,
        closed: new Promise((resolve) =>
          res.once('close', () => {
            // A `cut` scenario destroys the socket itself; any other close before the end is the client's doing.
            record.clientClosedEarly = !res.writableFinished && scenario.kind !== 'cut';
            resolve();
          }),
        ),
      };
      requests.push(record);
      void answer(record, scenario, req, res);
    });
  });

  async function answer(record: RecordedRequest, scenario: Scenario, req: IncomingMessage, res: ServerResponse) {
    const key = format.keyOf(req);
    if (options.apiKey !== undefined && key !== options.apiKey) {
      return sendError(res, format.error('auth', { key }));
    }
    if (scenario.kind === 'http-error') {
      return sendError(res, format.error(scenario.error, scenario));
    }
    const usage = scenario.usage ?? DEFAULT_USAGE;
    const count = deltaCount(scenario);
    const stopAt = scenario.kind === 'reply' ? count : scenario.afterDeltas;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...format.streamHeaders });
    /** Resolves once the frame is handed to the socket, so a `cut` after it cannot discard it. */
    const send = (text: string) =>
      new Promise<void>((resolve) => (res.destroyed ? resolve() : res.write(text, () => resolve())));
    const write = async (frame: string) => {
      if (!scenario.splitFrames) return send(frame);
      const half = Math.floor(frame.length / 2);
      await send(frame.slice(0, half));
      await sleep(1);
      await send(frame.slice(half));
    };
    const frames = format.stream(record.body, usage);
    for (const frame of frames.open) await write(frame);
    for (let index = 0; index < stopAt; index++) {
      const delay = index === 0 ? scenario.firstDelayMs : scenario.chunkDelayMs;
      if (delay) await sleep(delay);
      if (res.destroyed) return;
      if (options.noise && format.noise) await write(format.noise);
      await write(frames.delta(deltaAt(scenario, index)));
      record.deltasSent++;
    }
    switch (scenario.kind) {
      case 'reply':
        for (const frame of frames.close(scenario.finish ?? 'stop')) await write(frame);
        res.end();
        return;
      case 'cut':
        res.socket?.destroy();
        return;
      case 'end-early':
        res.end();
        return;
      case 'stream-error':
        await write(format.streamError(scenario.error));
        res.end();
        return;
      case 'stall':
        // The client must give up (idle timeout) or abort; `closed` tells the test when it did.
        return;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${basePath}`,
    requests,
    script: (...scenarios) => queue.push(...scenarios),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendError(res: ServerResponse, error: ErrorResponse): void {
  res.writeHead(error.status, error.headers);
  res.end(error.body);
}
