/**
 * Property tests of the host runtime (the tab's side) under hostile input: (a) a fake relay that
 * registers the runtime properly, then sends it malformed and random frames, for sessions it
 * knows and ones it does not; (b) random tool names and arguments, through a real relay, against
 * the real tool packs. The runtime must not crash, must ignore what it cannot use or answer it
 * with a JSON-RPC error, and must go on serving well-formed calls.
 */
import { isJSONRPCRequest, ProtocolError, type Client } from '@modelcontextprotocol/client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClientIdentity } from '@vial/shared';
import { WebSocket } from 'ws';
import { createIdentity } from '../../web/src/server/identity.ts';
import { RelayConnection, type SocketLike } from '../../web/src/server/relayConnection.ts';
import type { HostRuntime } from '../../web/src/server/runtime.ts';
import { startFakeRelay, type FakeRelay } from '../support/fuzzFakeRelay.ts';
import {
  anyId,
  assertNoCrash,
  fuzzSeed,
  hostileString,
  hostileValue,
  jsonRpcPayload,
  jsonRpcReplySchema,
  MCP_METHODS,
  mcpParams,
  notJson,
  toJsonText,
} from '../support/fuzzJsonRpc.ts';
import { ALL_SCOPES, connectClient, nodeToolPacks, startNodeHost, startStack } from '../support/relay.ts';
import { anyArguments, argumentsFor } from '../support/fuzzToolArguments.ts';
import { createTestPack } from '../support/testPack.ts';
import { resultText } from '../support/toolResults.ts';
import { until } from '../support/until.ts';

const SEED = fuzzSeed(20_260_202);
/** A property runs hundreds of cases: seconds alone, more beside the rest of the suite on a small machine. */
const PROPERTY_TIMEOUT_MS = 60_000;
const ANSWER_TIMEOUT_MS = 5000;
const PING_INTERVAL_MS = 20;
let frameCases = 0;
let toolCases = 0;

afterAll(() => {
  console.log(`fuzz: ${frameCases} host frame cases, ${toolCases} tool calls (seed ${SEED})`);
});

const GOOD_CLIENT: ClientIdentity = { tokenId: 'good-token', tokenName: 'good', scopes: ALL_SCOPES };
const FUZZ_CLIENT: ClientIdentity = { tokenId: 'fuzz-token', tokenName: 'fuzzer', scopes: ['quantum'] };

describe('the host runtime under a hostile relay', { timeout: PROPERTY_TIMEOUT_MS }, () => {
  let relay: FakeRelay;
  let host: HostRuntime;

  beforeAll(async () => {
    relay = await startFakeRelay(['test']);
    const testPack = createTestPack({ started: 0, aborted: [] });
    host = await startNodeHost(relay.url, { packs: nodeToolPacks(), fixturePacks: { test: async () => testPack } });
    await relay.openSession('good', GOOD_CLIENT);
    await relay.openSession('fuzz', FUZZ_CLIENT);
  });

  afterAll(async () => {
    host?.stop();
    await relay?.close();
  });

  /** Sessions a frame may name: the fuzzer's own, ones the tab never opened, junk. Never 'good'. */
  const sessionId = fc
    .oneof({ weight: 4, arbitrary: fc.constant('fuzz') }, fc.constantFrom('never-opened', ''), hostileString)
    .filter((id) => id !== 'good');

  /** Fixture names the relay may ask for, Object.prototype members included (they must find nothing). */
  const fixtureName = fc.oneof(
    fc.constant('test'),
    fc.constantFrom('constructor', '__proto__', 'toString'),
    fc.string(),
  );

  /** Frames of every type the relay sends, and some it does not, each field right or wrong. */
  function frameShaped(hostId: string) {
    return fc.record(
      {
        type: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom('mcp', 'session-open', 'session-close', 'ping', 'pong', 'error') },
          fc.constantFrom('registered', 'register', 'tokens'),
          hostileString,
        ),
        sessionId,
        message: jsonRpcPayload,
        client: fc.oneof(fc.constant(FUZZ_CLIENT), hostileValue),
        reason: hostileString,
        id: anyId,
        hostId: fc.oneof(fc.constant(hostId), hostileString),
        mcpUrl: hostileString,
        fixtures: fc.oneof(fc.array(fixtureName, { maxLength: 3 }), hostileValue),
        relayVersion: fc.string(),
        streamClosable: fc.oneof(fc.boolean(), hostileValue),
        requestId: anyId,
      },
      { requiredKeys: ['type'] },
    );
  }

  /** What the fake relay sends: text that is no frame, bytes, frames, and calls on the good session. */
  type Sent =
    | { raw: string }
    | { bytes: Uint8Array }
    | { frame: Record<string, unknown> }
    | { good: { method: string; params: unknown; notify: boolean } };
  function sentArbitrary(hostId: string): fc.Arbitrary<Sent> {
    return fc.oneof(
      { weight: 2, arbitrary: fc.oneof(notJson, hostileString).map((raw) => ({ raw })) },
      { weight: 1, arbitrary: hostileValue.map((value) => ({ raw: toJsonText(value) })) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ bytes })) },
      { weight: 8, arbitrary: frameShaped(hostId).map((frame) => ({ frame })) },
      {
        weight: 3,
        arbitrary: fc
          .record({ method: fc.constantFrom(...MCP_METHODS), params: mcpParams, notify: fc.boolean() })
          .map((good) => ({ good })),
      },
    );
  }

  let goodRequests = 0;

  /** Sends one item; returns the id of a request on the good session, which must be answered. */
  function send(item: Sent): string | undefined {
    frameCases++;
    if ('raw' in item) return void relay.send(item.raw);
    if ('bytes' in item) return void relay.send(Buffer.from(item.bytes));
    if ('frame' in item) return void relay.send(toJsonText(item.frame));
    const { method, params, notify } = item.good;
    // Ids of its own, so that answers can be matched and none is cancelled by a random requestId.
    const id = notify ? undefined : `good-${++goodRequests}`;
    const text = toJsonText({ type: 'mcp', sessionId: 'good', message: { jsonrpc: '2.0', id, method, params } });
    relay.send(text);
    // What the MCP SDK does not take for a request (params of the wrong shape) it ignores.
    const { message } = JSON.parse(text) as { message: unknown };
    return isJSONRPCRequest(message) ? id : undefined;
  }

  it('ignores or answers every frame with a JSON-RPC error, and keeps serving the open session', async () => {
    // The runtime logs every frame it drops; hundreds of those lines would bury the report.
    const quiet = [vi.spyOn(console, 'warn'), vi.spyOn(console, 'error')].map((spy) =>
      spy.mockImplementation(() => undefined),
    );
    try {
      await assertNoCrash(
        fc.asyncProperty(fc.array(sentArbitrary(host.hostId), { minLength: 1, maxLength: 6 }), async (items) => {
          const awaited = items.map(send).filter((id) => id !== undefined);
          await relay.sync();
          for (const id of awaited) {
            const answer = await relay.answer('good', id, ANSWER_TIMEOUT_MS);
            expect(jsonRpcReplySchema.safeParse(answer).success, JSON.stringify(answer)).toBe(true);
          }
        }),
        { seed: SEED, numRuns: 200 },
      );
    } finally {
      for (const spy of quiet) spy.mockRestore();
    }
    expect(relay.open).toBe(true);
    expect(relay.invalid).toEqual([]);
    for (const frame of relay.received) {
      if (frame.type !== 'mcp') continue;
      expect(jsonRpcReplySchema.safeParse(frame.message).success, JSON.stringify(frame.message)).toBe(true);
    }

    relay.send(
      toJsonText({
        type: 'mcp',
        sessionId: 'good',
        message: { jsonrpc: '2.0', id: 'after', method: 'tools/call', params: { name: 'system_diagnostics' } },
      }),
    );
    expect(await relay.answer('good', 'after')).toMatchObject({ result: { structuredContent: expect.any(Object) } });
    await relay.openSession('fresh', GOOD_CLIENT);
    relay.send(
      toJsonText({ type: 'mcp', sessionId: 'fresh', message: { jsonrpc: '2.0', id: 'list', method: 'tools/list' } }),
    );
    expect(await relay.answer('fresh', 'list')).toMatchObject({ result: { tools: expect.any(Array) } });
  });
});

describe('a relay that repeats itself', () => {
  it('does not multiply the round-trip pings by repeating `registered`', async () => {
    const relay = await startFakeRelay();
    const identity = await createIdentity();
    let online = 0;
    const connection = new RelayConnection({
      relayUrl: relay.url,
      identity,
      tokens: () => [],
      onFrame: () => undefined,
      onStatus: (status) => void (status.state === 'online' && online++),
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      rttIntervalMs: PING_INTERVAL_MS,
    });
    connection.start();
    await until(() => online === 1);
    const registered = { type: 'registered', hostId: identity.hostId, mcpUrl: 'x', fixtures: [], relayVersion: '0' };
    for (let i = 0; i < 10; i++) relay.send(JSON.stringify(registered));
    await relay.sync();
    const pings = () => relay.received.filter((frame) => frame.type === 'ping').length;
    const before = pings();
    await new Promise((resolve) => setTimeout(resolve, 10 * PING_INTERVAL_MS));
    // One timer: about ten pings in ten intervals; a timer per `registered` would send a hundred.
    expect(pings() - before).toBeLessThan(20);
    connection.stop();
    await relay.close();
  });
});

describe('the real tools under random calls', { timeout: PROPERTY_TIMEOUT_MS }, () => {
  type Stack = Awaited<ReturnType<typeof startStack>>;
  let stack: Stack;
  let client: Client;
  let toolNames: string[];

  beforeAll(async () => {
    stack = await startStack();
    client = await connectClient(stack.mcpUrl, stack.token, 'tool-fuzzer');
    toolNames = (await client.listTools()).tools.map((tool) => tool.name);
  });

  afterAll(async () => {
    await client?.close();
    await stack?.close();
  });

  it('answers every call with a result or an error that says what went wrong', async () => {
    const call = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.constantFrom(...toolNames).chain((name) => fc.tuple(fc.constant(name), argumentsFor(name))),
      },
      { weight: 1, arbitrary: fc.tuple(hostileString, anyArguments) },
    );
    await assertNoCrash(
      fc.asyncProperty(call, async ([tool, input]) => {
        toolCases++;
        try {
          const result = await client.callTool(
            { name: tool, arguments: input },
            {
              timeout: ANSWER_TIMEOUT_MS * 2,
            },
          );
          expect(Array.isArray(result.content), JSON.stringify(result)).toBe(true);
          if (result.isError) {
            expect(resultText(result), JSON.stringify(result)).toMatch(/\S/);
          }
        } catch (error) {
          // An error the server answered with; a timeout would be an SdkError (REQUEST_TIMEOUT) instead.
          expect(error, String(error)).toBeInstanceOf(ProtocolError);
          expect((error as ProtocolError).message).toMatch(/\S/);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
    const echo = await client.callTool({
      name: 'quantum_circuit_build',
      arguments: { circuit: { qubits: 1, gates: [] } },
    });
    expect(echo.isError).toBeFalsy();
  });
});
