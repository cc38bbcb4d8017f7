/**
 * A bench server in a process of its own, as it would be in use, so that its memory figures are
 * its own and the load driver's CPU is not its CPU: `relay` (the Vial relay, configured from
 * `VIAL_*` variables as `relay/src/main.ts` is), `host` (a Node host runtime serving the load
 * pack, the "tab", connected to the relay at the given URL, with a token minted) or `direct`
 * (bench/directServer.ts serving the load pack). The child is `serverProcessMain.ts`; the two talk
 * over the fork IPC channel with the messages below.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export type ServerKind = 'relay' | 'host' | 'direct';

export const parentMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('memory') }),
  z.object({ type: z.literal('close') }),
]);
export type ParentMessage = z.infer<typeof parentMessageSchema>;

const memorySchema = z.object({ rss: z.number(), heapUsed: z.number() });
export type ServerMemory = z.infer<typeof memorySchema>;

export const childMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), url: z.string(), token: z.string().optional() }),
  z.object({ type: z.literal('memory'), memory: memorySchema }),
]);
export type ChildMessage = z.infer<typeof childMessageSchema>;

export interface ServerProcess {
  /** The relay's base URL, or the MCP URL of the host or the direct server. */
  url: string;
  /** The token a host minted for the bench's clients. */
  token: string | undefined;
  /** The child's RSS and heap after two full garbage collections. */
  memory(): Promise<ServerMemory>;
  close(): Promise<void>;
}

const MAIN = fileURLToPath(new URL('./serverProcessMain.ts', import.meta.url));

/** `relayUrl` is where a `host` connects. */
export async function startServerProcess(
  kind: ServerKind,
  options: { env?: Record<string, string>; relayUrl?: string } = {},
): Promise<ServerProcess> {
  const child = fork(MAIN, [kind, ...(options.relayUrl ? [options.relayUrl] : [])], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await nextMessage(child, 'ready');
  return {
    url: ready.url,
    token: ready.token,
    memory: async () => {
      send(child, { type: 'memory' });
      return (await nextMessage(child, 'memory')).memory;
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
