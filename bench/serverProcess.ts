/**
 * A bench server in a process of its own, as it would be in use, so that its memory figures are
 * its own and the load driver's CPU is not its CPU: `relay` (the Vial relay, configured from
 * `VIAL_*` variables as `relay/src/main.ts` is), `host` (a Node host runtime serving the load
 * pack, the "tab", connected to the relay at the given URL, with a token minted), `direct`
 * (bench/directServer.ts serving the load pack), `llm-stand-in` (the OpenAI-format stand-in of
 * tests/support/llmStandIns answering every request with the given reply, each delta's text the
 * time it was sent by `sharedClockMs`) or `pipe-proxy` (bench/pipeProxy.ts in front of the
 * given target URL). The child is `serverProcessMain.ts`; the two talk over
 * the fork IPC channel with the messages below.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { RELAY_NODE_FLAGS } from '../relay/src/nodeFlags.ts';
import { PIPE_MODES } from './pipeProxy.ts';

export type ServerKind = 'relay' | 'host' | 'direct' | 'llm-stand-in' | 'pipe-proxy';

/** What the child needs besides its kind and environment; sent as its second argument, JSON. */
export const serverArgsSchema = z.object({
  /** Where a `host` connects. */
  relayUrl: z.string().optional(),
  /** Where a `pipe-proxy` forwards to. */
  targetUrl: z.string().optional(),
  /** What a `pipe-proxy` does with a streamed response (bench/pipeProxy.ts). */
  pipeMode: z.enum(PIPE_MODES).optional(),
  /** The answer an `llm-stand-in` streams: how many deltas, how far apart. */
  llmReply: z
    .object({
      deltas: z.number().int().min(1),
      delayMs: z.number().min(0),
      /** The usage each answer reports (the stand-in's default otherwise). */
      usage: z.object({ input: z.number().int().min(0), output: z.number().int().min(0) }).optional(),
    })
    .optional(),
  /** Whether usage reports carry the handoff times of a proxy (bench/handoffMeter.ts). */
  measureHandoff: z.boolean().optional(),
});
export type ServerArgs = z.infer<typeof serverArgsSchema>;

export const parentMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('memory') }),
  z.object({ type: z.literal('usage') }),
  z.object({ type: z.literal('close') }),
]);
export type ParentMessage = z.infer<typeof parentMessageSchema>;

const memorySchema = z.object({ rss: z.number(), heapUsed: z.number() });
export type ServerMemory = z.infer<typeof memorySchema>;

const usageSchema = z.object({
  /** CPU time, user and system. */
  cpuMs: z.number(),
  /** The part of `cpuMs` spent in the kernel (system calls: socket reads and writes, waking other processes). */
  systemCpuMs: z.number(),
  /** Time the event loop spent running code rather than waiting, out of `wallMs`. */
  busyMs: z.number(),
  wallMs: z.number(),
  /** How late the event loop got to a timer, at the 99th percentile and at worst. */
  loopDelayP99Ms: z.number(),
  loopDelayMaxMs: z.number(),
  /** A proxy's (relay, pipe) time from a request arriving to its upstream request leaving, per request (bench/handoffMeter.ts). */
  handoffMs: z.array(z.number()).optional(),
});
export type ProcessUsage = z.infer<typeof usageSchema>;

export const childMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), url: z.string(), token: z.string().optional() }),
  z.object({ type: z.literal('memory'), memory: memorySchema }),
  z.object({ type: z.literal('usage'), usage: usageSchema }),
]);
export type ChildMessage = z.infer<typeof childMessageSchema>;

export interface ServerProcess {
  /** The relay's base URL, the MCP URL of the host or the direct server, or the stand-in's base URL. */
  url: string;
  /** The token a host minted for the bench's clients. */
  token: string | undefined;
  /** The child's process id (its peak RSS is `VmHWM` in /proc/<pid>/status). */
  pid: number;
  /** The child's RSS and heap after two full garbage collections. */
  memory(): Promise<ServerMemory>;
  /** The child's CPU and event-loop figures since the last call; the first call starts the count. */
  usage(): Promise<ProcessUsage>;
  close(): Promise<void>;
}

/** Bundled by bench/standalone.ts, the child is plain JavaScript beside this module and needs no tsx. */
const BUNDLED = import.meta.url.endsWith('.mjs');
const MAIN = fileURLToPath(new URL(BUNDLED ? './serverProcessMain.mjs' : './serverProcessMain.ts', import.meta.url));

/**
 * Milliseconds on a clock every process on this machine shares (performance.now() counts from
 * each process's own start), so a time stamped in one process can be compared in another.
 */
export const sharedClockMs = (): number => performance.timeOrigin + performance.now();

/** How often the event-loop delay is sampled; the histogram's readings include it. */
const LOOP_SAMPLE_MS = 10;

/** Starts measuring this process; each call of the returned function reports since the last and starts again. */
export function startUsageMeter(): () => ProcessUsage {
  const delay = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  delay.enable();
  let cpu = process.cpuUsage();
  let loop = performance.eventLoopUtilization();
  return () => {
    const cpuSince = process.cpuUsage(cpu);
    const loopSince = performance.eventLoopUtilization(loop);
    const lateMs = (ns: number) => Math.max(0, ns / 1e6 - LOOP_SAMPLE_MS);
    const usage = {
      cpuMs: (cpuSince.user + cpuSince.system) / 1000,
      systemCpuMs: cpuSince.system / 1000,
      busyMs: loopSince.active,
      wallMs: loopSince.active + loopSince.idle,
      loopDelayP99Ms: delay.count ? lateMs(delay.percentile(99)) : 0,
      loopDelayMaxMs: delay.count ? lateMs(delay.max) : 0,
    };
    cpu = process.cpuUsage();
    loop = performance.eventLoopUtilization();
    delay.reset();
    return usage;
  };
}

export async function startServerProcess(
  kind: ServerKind,
  options: ServerArgs & { env?: Record<string, string> } = {},
): Promise<ServerProcess> {
  const { env, ...args } = options;
  const child = fork(MAIN, [kind, JSON.stringify(args satisfies ServerArgs)], {
    // The relay runs with the flags its start scripts give it, so the bench measures what users run.
    execArgv: [...(BUNDLED ? [] : ['--import', 'tsx']), '--expose-gc', ...(kind === 'relay' ? RELAY_NODE_FLAGS : [])],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await nextMessage(child, 'ready');
  return {
    url: ready.url,
    token: ready.token,
    pid: child.pid!,
    memory: async () => {
      send(child, { type: 'memory' });
      return (await nextMessage(child, 'memory')).memory;
    },
    usage: async () => {
      send(child, { type: 'usage' });
      return (await nextMessage(child, 'usage')).usage;
    },
    close: async () => {
      send(child, { type: 'close' });
      await exited;
    },
  };
}

function send(child: ChildProcess, message: ParentMessage): void {
  child.send(message);
}

function nextMessage<T extends ChildMessage['type']>(
  child: ChildProcess,
  type: T,
): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`bench server process exited (${code}) before '${type}'`));
    child.once('exit', onExit);
    const onMessage = (raw: unknown) => {
      const message = childMessageSchema.parse(raw);
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as Extract<ChildMessage, { type: T }>);
    };
    child.on('message', onMessage);
  });
}
