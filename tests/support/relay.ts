/** Starts real relays, Node hosts and SDK clients for tests and benchmarks. */
import type { Client } from '@modelcontextprotocol/client';
import type { Scope } from '@vial/shared';
import type { DestinationStream } from '../../relay/src/log.ts';
import { WebSocket } from 'ws';
import { loadConfig } from '../../relay/src/config.ts';
import { createLogger } from '../../relay/src/log.ts';
import { createRelay, type Relay } from '../../relay/src/server.ts';
import { MemoryHostStore, type HostStore } from '../../web/src/server/identity.ts';
import type { ToolPack } from '../../web/src/server/toolRegistry.ts';
import { ToolRegistry } from '../../web/src/server/toolRegistry.ts';
import type { SocketLike } from '../../web/src/server/relayConnection.ts';
import { HostRuntime, type HostRuntimeOptions } from '../../web/src/server/runtime.ts';
import { createToolPacks } from '../../web/src/tools/index.ts';
import { MemoryConversationStore } from '../../web/src/llm/conversations.ts';
import { MemoryCircuitHistory } from '../../web/src/quantum/circuitHistory.ts';
import { SentTransactionLog } from '../../web/src/wallet/sentTransactions.ts';
import type { WalletService } from '../../web/src/wallet/walletService.ts';
import { QuantumService } from '../../web/src/quantum/simulatorService.ts';
import { FakeWallet } from './fakeWallet.ts';
import { connectMcpClient, type ConnectClientOptions } from './mcpClient.ts';
import { browserOnlyMl } from './browserOnlyMl.ts';

/**
 * The tab's tool packs as a Node host runs them: the simulator in-process, history in memory, and
 * a fake wallet (disconnected unless a test passes its own), sent transactions in memory, and ML
 * tools that say they need the browser (their Worker runtimes are tested in Chromium).
 */
export function nodeToolPacks(options: { wallet?: WalletService; transactions?: SentTransactionLog } = {}): ToolPack[] {
  return createToolPacks({
    quantum: new QuantumService(),
    circuits: new MemoryCircuitHistory(),
    conversations: new MemoryConversationStore(),
    wallet: options.wallet ?? new FakeWallet(),
    transactions: options.transactions ?? new SentTransactionLog(),
    ...browserOnlyMl,
  });
}

export interface StartedRelay {
  relay: Relay;
  url: string;
  close(): Promise<void>;
}

/**
 * A relay on a free port, quiet unless `logTo` is given (then its JSON log lines go there).
 * Tests close relays with calls still running, so draining is off unless `VIAL_DRAIN_MS` is set.
 */
export async function startRelay(env: Record<string, string> = {}, logTo?: DestinationStream): Promise<StartedRelay> {
  const config = loadConfig({ VIAL_PORT: '0', VIAL_LOG_LEVEL: 'silent', VIAL_WEB_DIR: '', VIAL_DRAIN_MS: '0', ...env });
  const relay = createRelay(config, createLogger(config, logTo));
  const port = await relay.listen();
  return { relay, url: `http://localhost:${port}`, close: () => relay.close() };
}

export const ALL_SCOPES: Scope[] = ['quantum', 'ml', 'llm', 'wallet:read', 'wallet:sign', 'audit'];

export interface StartNodeHostOptions {
  packs?: ToolPack[];
  fixturePacks?: Record<string, () => Promise<ToolPack>>;
  /** Reuse a store to come back as the same host (a "reload"). */
  store?: HostStore;
  /** The tab's policy, approval queue and audit log, when a test needs to reach into them. */
  trust?: Pick<HostRuntimeOptions, 'permissions' | 'approvals' | 'audit'>;
}

/** A host runtime in this Node process, connected over a real WebSocket: a tab without a browser. */
export async function startNodeHost(relayUrl: string, options: StartNodeHostOptions = {}): Promise<HostRuntime> {
  const host = new HostRuntime({
    relayUrl,
    registry: new ToolRegistry(options.packs ?? nodeToolPacks()),
    store: options.store ?? new MemoryHostStore(),
    fixturePacks: options.fixturePacks,
    createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    backoff: { initialMs: 50, maxMs: 500 },
    ...options.trust,
  });
  await host.start();
  await host.whenOnline();
  return host;
}

export type { ConnectClientOptions } from './mcpClient.ts';

/** An MCP client (the 2.x SDK's) connected to `mcpUrl` with a bearer token; the legacy era unless `options` pick another. */
export async function connectClient(
  mcpUrl: string,
  token: string,
  name = 'test-client',
  options: ConnectClientOptions = {},
): Promise<Client> {
  return (await connectMcpClient(mcpUrl, token, name, options)).client;
}

/** A relay, a Node host with a token, and the token: the common starting point. */
export async function startStack(
  options: StartNodeHostOptions & { env?: Record<string, string>; scopes?: Scope[]; logTo?: DestinationStream } = {},
) {
  const relay = await startRelay(options.env, options.logTo);
  const host = await startNodeHost(relay.url, options);
  const { token, record } = await host.mintToken({ name: 'test', scopes: options.scopes ?? ALL_SCOPES });
  const mcpUrl = host.mcpUrl!;
  return {
    relay,
    host,
    token,
    tokenRecord: record,
    mcpUrl,
    async close() {
      host.stop();
      await relay.close();
    },
  };
}
