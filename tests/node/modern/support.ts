/**
 * What the modern-era tests share: a relay and a Node host whose socket frames are counted, a
 * pack with the tools the transport's rules need (an `x-mcp-header` parameter, an envelope
 * echo), and raw POSTs with the 2026-07-28 headers and `_meta` envelope.
 */
import { WebSocket } from 'ws';
import { z } from 'zod';
import type { RelayFrame, TabFrame } from '@vial/shared';
import { MemoryHostStore } from '../../../web/src/server/identity.ts';
import type { SocketLike } from '../../../web/src/server/relayConnection.ts';
import { HostRuntime } from '../../../web/src/server/runtime.ts';
import { defineContentTool, ToolRegistry, type ToolPack } from '../../../web/src/server/toolRegistry.ts';
import { ALL_SCOPES, nodeToolPacks, startRelay, type StartedRelay } from '../../support/relay.ts';
import { createTestPack, type SlowToolProbe } from '../../support/testPack.ts';

export const MODERN = '2026-07-28';

/** Tools for the header rules: `Mcp-Param-Region` mirrors `region`; `test_envelope` answers with its request's `_meta` envelope. */
export function createModernTestPack(): ToolPack {
  const regional = defineContentTool({
    name: 'test_regional',
    description: 'Answers region:query; its region travels in the Mcp-Param-Region header too.',
    scopes: [],
    access: 'read',
    input: z.object({
      region: z.string().optional().meta({ 'x-mcp-header': 'Region' }),
      query: z.string().optional(),
    }),
    run: async ({ region, query }) => ({ content: [{ type: 'text', text: `${region}:${query}` }] }),
  });
  const envelope = defineContentTool({
    name: 'test_envelope',
    description: "Answers with this request's _meta envelope as the SDK handed it over.",
    scopes: [],
    access: 'read',
    input: {},
    run: async (_input, { mcp }) => ({
      content: [{ type: 'text', text: JSON.stringify(mcp.mcpReq.envelope ?? null) }],
    }),
  });
  return { name: 'modern-test', tools: [regional, envelope] };
}

export interface ModernStack {
  relay: StartedRelay;
  host: HostRuntime;
  token: string;
  mcpUrl: string;
  probe: SlowToolProbe;
  /** Every frame the host sent and received, in order. */
  sent: TabFrame[];
  received: RelayFrame[];
  /** Starts the host again after `host.stop()`, as the same host. */
  restartHost(): Promise<void>;
  close(): Promise<void>;
}

export async function startModernStack(env: Record<string, string> = {}): Promise<ModernStack> {
  const relay = await startRelay(env);
  const probe: SlowToolProbe = { started: 0, aborted: [] };
  const sent: TabFrame[] = [];
  const received: RelayFrame[] = [];
  const store = new MemoryHostStore();
  const packs = [...nodeToolPacks(), createTestPack(probe), createModernTestPack()];
  const createSocket = (url: string) => {
    const ws = new WebSocket(url);
    const send = ws.send.bind(ws);
    ws.send = ((data: string) => {
      sent.push(JSON.parse(data) as TabFrame);
      send(data);
    }) as typeof ws.send;
    ws.on('message', (data) => received.push(JSON.parse(String(data)) as RelayFrame));
    return ws as unknown as SocketLike;
  };
  const startHost = async () => {
    const runtime = new HostRuntime({
      relayUrl: relay.url,
      registry: new ToolRegistry(packs),
      store,
      createSocket,
      backoff: { initialMs: 50, maxMs: 500 },
    });
    await runtime.start();
    await runtime.whenOnline();
    return runtime;
  };
  const stack: ModernStack = {
    relay,
    host: await startHost(),
    token: '',
    mcpUrl: '',
    probe,
    sent,
    received,
    async restartHost() {
      stack.host = await startHost();
    },
    async close() {
      stack.host.stop();
      await relay.close();
    },
  };
  stack.token = (await stack.host.mintToken({ name: 'modern', scopes: ALL_SCOPES })).token;
  stack.mcpUrl = stack.host.mcpUrl!;
  return stack;
}

/** The `_meta` envelope of a 2026-07-28 request. */
export function envelope(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'io.modelcontextprotocol/protocolVersion': MODERN,
    'io.modelcontextprotocol/clientInfo': { name: 'raw-modern', version: '1' },
    'io.modelcontextprotocol/clientCapabilities': {},
    ...extra,
  };
}

export function rpc(method: string, params: Record<string, unknown> = {}, id: number | string = 1) {
  return { jsonrpc: '2.0', id, method, params: { ...params, _meta: params._meta ?? envelope() } };
}

/** The headers of a modern POST for `method` (and `Mcp-Name`, when given). */
export function modernHeaders(token: string, method: string, name?: string): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': MODERN,
    'mcp-method': method,
    ...(name === undefined ? {} : { 'mcp-name': name }),
  };
}

/** A JSON-RPC message off the wire, read loosely: each test checks the fields it needs with `expect`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON, checked field by field by the tests
export type Reply = Record<string, any>;

export interface Posted {
  status: number;
  contentType: string;
  headers: Headers;
  text: string;
  /** The JSON-RPC messages of the answer, in order (one for JSON, each SSE event's for a stream). */
  messages: Reply[];
  last: Reply | undefined;
}

export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<Posted> {
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
  const text = await res.text();
  const contentType = res.headers.get('content-type') ?? '';
  const messages = contentType.startsWith('text/event-stream')
    ? text
        .split('\n\n')
        .map((event) => event.split('\n').find((line) => line.startsWith('data:')))
        .map((line) => line?.slice(5).trim())
        .filter((data): data is string => Boolean(data))
        .map((data) => JSON.parse(data) as Reply)
    : text
      ? [JSON.parse(text) as Reply]
      : [];
  return { status: res.status, contentType, headers: res.headers, text, messages, last: messages.at(-1) };
}

/** Waits until `test` holds, checking every 10 ms, for at most `ms`. */
export async function until(test: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
