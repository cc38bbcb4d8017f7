/**
 * Child side of `serverProcess.ts`: starts the server named by the first argument, says where it
 * listens, and answers memory and usage requests until told to close.
 */
import { loadConfig } from '../relay/src/config.ts';
import { createLogger } from '../relay/src/log.ts';
import { createRelay } from '../relay/src/server.ts';
import { startOpenAiStandIn } from '../tests/support/llmStandIns/openai.ts';
import { startNodeHost } from '../tests/support/relay.ts';
import { ToolRegistry } from '../web/src/server/toolRegistry.ts';
import { startDirectServer } from './directServer.ts';
import { startHandoffMeter } from './handoffMeter.ts';
import { loadPack } from './loadPack.ts';
import { startPipeProxy } from './pipeProxy.ts';
import {
  parentMessageSchema,
  serverArgsSchema,
  sharedClockMs,
  startUsageMeter,
  type ChildMessage,
  type ProcessUsage,
  type ServerKind,
} from './serverProcess.ts';

const kind = process.argv[2] as ServerKind;
const args = serverArgsSchema.parse(JSON.parse(process.argv[3] ?? '{}'));
/** Started at the first ask, so that a server nobody asks (bench:load's) runs no sampling timer. */
let usageSinceLastAsked: (() => ProcessUsage) | undefined;

async function start(): Promise<{ url: string; token?: string; close(): Promise<void> }> {
  if (kind === 'direct') return startDirectServer(new ToolRegistry([loadPack]));
  if (kind === 'host') {
    const host = await startNodeHost(args.relayUrl!, { packs: [loadPack] });
    const { token } = await host.mintToken({ name: 'bench', scopes: [] });
    return { url: host.mcpUrl!, token, close: async () => host.stop() };
  }
  if (kind === 'pipe-proxy') return startPipeProxy(args.targetUrl!, args.pipeMode);
  if (kind === 'llm-stand-in') {
    const { deltas, delayMs, usage } = args.llmReply!;
    const standIn = await startOpenAiStandIn({
      unscripted: {
        kind: 'reply',
        deltas: () => sharedClockMs().toFixed(3),
        deltaCount: deltas,
        chunkDelayMs: delayMs,
        ...(usage ? { usage } : {}),
      },
    });
    return { url: standIn.baseUrl, close: () => standIn.close() };
  }
  // As `startRelay` in tests/support/relay.ts, without loading the tab's tools into this process.
  const config = loadConfig({ VIAL_PORT: '0', VIAL_LOG_LEVEL: 'warn', VIAL_WEB_DIR: '', ...process.env });
  const relay = createRelay(config, createLogger(config));
  const port = await relay.listen();
  return { url: `http://localhost:${port}`, close: () => relay.close() };
}

function reply(message: ChildMessage): void {
  process.send!(message);
}

const handoff = args.measureHandoff ? startHandoffMeter() : undefined;
const server = await start();
process.on('message', (raw: unknown) => {
  const message = parentMessageSchema.parse(raw);
  switch (message.type) {
    case 'memory': {
      // Two passes: the first may only queue finalizers that the second collects.
      globalThis.gc?.();
      globalThis.gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      reply({ type: 'memory', memory: { rss, heapUsed } });
      return;
    }
    case 'usage':
      usageSinceLastAsked ??= startUsageMeter();
      reply({ type: 'usage', usage: { ...usageSinceLastAsked(), handoffMs: handoff?.take() } });
      return;
    case 'close':
      void server.close().then(() => process.exit(0));
      return;
  }
});
// A bench that dies without closing its servers closes their IPC channel: leave with it rather than linger.
process.once('disconnect', () => process.exit(1));
reply({ type: 'ready', url: server.url, token: server.token });
