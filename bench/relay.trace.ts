/**
 * `tsx bench/relay.trace.ts`: where one sequential tools/call spends its time on the relay
 * path. It timestamps each stage from the outside (an extra `request` listener on the relay's
 * HTTP server, wrappers on `ClientSession` and on the host's socket), without changing relay
 * or host code, and prints the median of each segment over `--calls` calls (default 2000),
 * plus how many zero-delay timers each call arms. It traces the relay as configured by
 * default, the relay with `VIAL_EVENT_BUFFER=0` (no resumability, hence no SSE priming event),
 * and the direct baseline.
 */
import type { Server } from 'node:http';
import { WebSocket } from 'ws';
import { ClientSession } from '../relay/src/mcp/session.ts';
import { connectClient, startRelay } from '../tests/support/relay.ts';
import { MemoryHostStore } from '../web/src/server/identity.ts';
import { ToolRegistry } from '../web/src/server/toolRegistry.ts';
import type { SocketLike } from '../web/src/server/relayConnection.ts';
import { HostRuntime } from '../web/src/server/runtime.ts';
import { startDirectServer } from './directServer.ts';
import { benchPack } from './echoPack.ts';
import { liftAbortListenerLimit, percentile } from './load.ts';

const calls = Number(process.argv.find((arg) => arg.startsWith('--calls='))?.slice(8) ?? 2000);
const warmup = 500;

/** Stage name -> time of the current call; reset before each call. */
let marks: Record<string, number> = {};
const mark = (stage: string) => {
  marks[stage] ??= performance.now();
};

/** Counts timers armed with no delay (Node runs them after >= 1 ms) while tracing. */
let zeroDelayTimers = 0;
const setTimeoutOriginal = globalThis.setTimeout;
globalThis.setTimeout = ((handler: () => void, delay?: number, ...args: unknown[]) => {
  if (!delay) zeroDelayTimers++;
  return setTimeoutOriginal(handler, delay, ...args);
}) as typeof setTimeout;

function instrumentSession(): void {
  const { fromClient, fromTab } = ClientSession.prototype;
  ClientSession.prototype.fromClient = function (this: ClientSession, ...args: Parameters<typeof fromClient>) {
    mark('relay: session.fromClient');
    return fromClient.apply(this, args);
  };
  ClientSession.prototype.fromTab = function (this: ClientSession, ...args: Parameters<typeof fromTab>) {
    mark('relay: session.fromTab');
    return fromTab.apply(this, args);
  };
}

function instrumentedSocket(url: string): SocketLike {
  const socket = new WebSocket(url);
  socket.on('message', () => mark('tab: frame received'));
  const send = socket.send.bind(socket);
  socket.send = ((data: string) => {
    if (data.includes('"result"')) mark('tab: result frame sent');
    send(data);
  }) as typeof socket.send;
  return socket as unknown as SocketLike;
}

interface Trace {
  samples: Record<string, number>[];
  zeroDelayTimersPerCall: number;
}

async function trace(url: string, token: string, server: Server): Promise<Trace> {
  server.prependListener('request', (_req, res) => {
    mark('server: request event');
    res.on('finish', () => mark('server: response finished'));
  });
  const client = await connectClient(url, token, 'trace');
  liftAbortListenerLimit(client);
  const samples: Record<string, number>[] = [];
  let timersBefore = 0;
  for (let i = 0; i < warmup + calls; i++) {
    if (i === warmup) timersBefore = zeroDelayTimers;
    marks = {};
    const t0 = performance.now();
    marks['client: callTool'] = t0;
    await client.callTool({ name: 'bench_echo', arguments: { text: `call ${i}` } });
    mark('client: result');
    if (i >= warmup) samples.push(Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, v - t0])));
  }
  await client.close();
  return { samples, zeroDelayTimersPerCall: (zeroDelayTimers - timersBefore) / calls };
}

function print(title: string, { samples, zeroDelayTimersPerCall }: Trace): void {
  const median = (stage: string) =>
    percentile(
      samples.map((sample) => sample[stage]!).sort((a, b) => a - b),
      50,
    );
  const stages = Object.keys(samples[0]!).sort((a, b) => median(a) - median(b));
  console.log(`\n${title} (median ms since callTool, and the step from the previous stage)`);
  let previous = 0;
  for (const stage of stages) {
    const at = median(stage);
    console.log(`  ${stage.padEnd(30)} ${at.toFixed(3).padStart(8)}  +${(at - previous).toFixed(3)}`);
    previous = at;
  }
  console.log(`  zero-delay setTimeout calls per tools/call: ${zeroDelayTimersPerCall.toFixed(2)}`);
}

async function traceRelay(env: Record<string, string>): Promise<Trace> {
  const relay = await startRelay(env);
  const host = new HostRuntime({
    relayUrl: relay.url,
    registry: new ToolRegistry([benchPack]),
    store: new MemoryHostStore(),
    createSocket: instrumentedSocket,
  });
  await host.start();
  await host.whenOnline();
  const { token } = await host.mintToken({ name: 'trace', scopes: [] });
  try {
    return await trace(host.mcpUrl!, token, relay.relay.server);
  } finally {
    host.stop();
    await relay.close();
  }
}

async function traceDirect(): Promise<Trace> {
  const direct = await startDirectServer(new ToolRegistry([benchPack]));
  try {
    return await trace(direct.url, 'unused', direct.server);
  } finally {
    await direct.close();
  }
}

instrumentSession();
print('relay', await traceRelay({}));
print(
  'relay with VIAL_EVENT_BUFFER=0 (no event store, so no SSE priming event)',
  await traceRelay({ VIAL_EVENT_BUFFER: '0' }),
);
print('direct', await traceDirect());
