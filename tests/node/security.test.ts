/**
 * The relay's access rules as a matrix: every authenticated route (the MCP endpoint for clients,
 * the LLM gateway for tabs) against every way a request can lack the right to be there, and the
 * tab socket against a tab that claims a host it does not own. Each row says what it sends and
 * what must come back; none may reach a tab.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  CLOSE_CODES,
  deriveHostId,
  LLM_CHAT_PATH,
  LLM_PROVIDERS_PATH,
  randomSecret,
  type RelayFrame,
} from '@vial/shared';
import { MemoryHostStore } from '../../web/src/server/identity.ts';
import type { HostRuntime } from '../../web/src/server/runtime.ts';
import { jsonRpcMessagesIn, rawRequest, type RawReply } from '../support/fuzzHttp.ts';
import { startNodeHost, startStack } from '../support/relay.ts';
import { mcpHeaders, rawInitialize } from '../support/testPack.ts';
import { until } from '../support/until.ts';

type Stack = Awaited<ReturnType<typeof startStack>>;

/** One host as the matrix uses it: its runtime, URL path, a live token and that token's session. */
interface HostUnderTest {
  runtime: HostRuntime;
  path: string;
  token: string;
  session: string;
}

interface World {
  relayUrl: string;
  port: string;
  a: HostUnderTest;
  b: HostUnderTest;
  /** A second live token of host A, with no session of its own. */
  aOtherToken: string;
  expiredToken: string;
  revokedToken: string;
}

let stack: Stack;
let world: World;
const storeA = new MemoryHostStore();

beforeAll(async () => {
  // Every request here comes from 127.0.0.1 and most fail authentication on purpose: with the
  // failed-auth limit on, the rows after the twentieth would get 429 instead of their answer.
  stack = await startStack({ store: storeA, env: { VIAL_AUTH_FAILURES_PER_MIN: '0' } });
  const runtimeB = await startNodeHost(stack.relay.url);
  const tokenB = (await runtimeB.mintToken({ name: 'b', scopes: [] })).token;
  const expired = await stack.host.mintToken({ name: 'expired', scopes: [], expiresInMs: 1 });
  const revoked = await stack.host.mintToken({ name: 'revoked', scopes: [] });
  await stack.host.revokeToken(revoked.record.id);
  world = {
    relayUrl: stack.relay.url,
    port: new URL(stack.relay.url).port,
    a: {
      runtime: stack.host,
      path: new URL(stack.mcpUrl).pathname,
      token: stack.token,
      session: await rawInitialize(stack.mcpUrl, stack.token),
    },
    b: {
      runtime: runtimeB,
      path: new URL(runtimeB.mcpUrl!).pathname,
      token: tokenB,
      session: await rawInitialize(runtimeB.mcpUrl!, tokenB),
    },
    aOtherToken: (await stack.host.mintToken({ name: 'a2', scopes: [] })).token,
    expiredToken: expired.token,
    revokedToken: revoked.token,
  };
  await until(() => Date.now() > expired.record.expiresAt!);
});

afterAll(async () => {
  world?.b.runtime.stop();
  await stack?.close();
});

/** What a row changes about an otherwise valid request to host A, on A's live session. */
interface Variation {
  path?: string;
  /** Header values to use instead; undefined removes the header. */
  headers?: Record<string, string | undefined>;
}

interface Row {
  case: string;
  status: 401 | 403 | 404;
  vary(world: World): Variation;
}

const bearer = (token: string) => `Bearer ${token}`;

const rows: Row[] = [
  { case: 'no token', status: 401, vary: () => ({ headers: { authorization: undefined } }) },
  { case: 'a Basic credential', status: 401, vary: (w) => ({ headers: { authorization: `Basic ${w.a.token}` } }) },
  {
    case: 'an unknown token',
    status: 401,
    vary: () => ({ headers: { authorization: bearer(`vial_${randomSecret()}`) } }),
  },
  { case: 'an expired token', status: 401, vary: (w) => ({ headers: { authorization: bearer(w.expiredToken) } }) },
  { case: 'a revoked token', status: 401, vary: (w) => ({ headers: { authorization: bearer(w.revokedToken) } }) },
  {
    case: "another host's token",
    status: 401,
    vary: (w) => ({ headers: { authorization: bearer(w.b.token) } }),
  },
  {
    case: "another host's token and session",
    status: 401,
    vary: (w) => ({ headers: { authorization: bearer(w.b.token), 'mcp-session-id': w.b.session } }),
  },
  {
    case: "this host's token at another host's URL",
    status: 401,
    vary: (w) => ({ path: w.b.path, headers: { 'mcp-session-id': w.b.session } }),
  },
  {
    case: "another host's session",
    status: 404,
    vary: (w) => ({ headers: { 'mcp-session-id': w.b.session } }),
  },
  {
    case: "another token's session on this host",
    status: 404,
    vary: (w) => ({ headers: { authorization: bearer(w.aOtherToken) } }),
  },
  { case: 'an unknown host id', status: 404, vary: () => ({ path: '/mcp/AAAAAAAAAAAAAAAAAAAAAA' }) },
  { case: 'a malformed host id', status: 404, vary: (w) => ({ path: `${w.a.path}x` }) },
  { case: 'a foreign Origin', status: 403, vary: () => ({ headers: { origin: 'https://evil.example' } }) },
  { case: 'a foreign Host', status: 403, vary: () => ({ headers: { host: 'evil.example' } }) },
];

function send(method: string, variation: Variation): Promise<RawReply> {
  const base = mcpHeaders(world.a.token, { 'mcp-session-id': world.a.session, 'mcp-protocol-version': '2025-11-25' });
  const headers = Object.fromEntries(
    Object.entries({ ...base, ...variation.headers }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
  const body = method === 'POST' ? JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) : undefined;
  return rawRequest(world.relayUrl, { method, path: variation.path ?? world.a.path, headers, body });
}

// The control: the request the rows vary is served. (Not DELETE: it would end the rows' session.)
it.each(['POST', 'GET'])('%s /mcp/<hostId> as sent, with nothing changed: 200', async (method) => {
  expect((await send(method, {})).status).toBe(200);
});

describe.each(['POST', 'GET', 'DELETE'])('%s /mcp/<hostId>', (method) => {
  it.each(rows)('with $case: $status', async (row) => {
    const reply = await send(method, row.vary(world));
    expect(reply.status, reply.body).toBe(row.status);
    const [error, ...more] = await jsonRpcMessagesIn(reply);
    expect(more).toEqual([]);
    expect(error).toMatchObject({ jsonrpc: '2.0', error: { message: expect.any(String) } });
    if (row.status === 401) expect(reply.headers['www-authenticate']).toMatch(/^Bearer realm="vial"/);
  });
});

/** The LLM gateway is for tabs: only the `llmKey` of a live tab connection opens it. */
const llmRows: Array<{ case: string; authorization(world: World): string | undefined }> = [
  { case: 'no key', authorization: () => undefined },
  { case: 'a client token of this host (an MCP token, not an llmKey)', authorization: (w) => bearer(w.a.token) },
  { case: 'an unknown key', authorization: () => bearer(randomSecret()) },
];

describe.each([
  { method: 'GET', path: LLM_PROVIDERS_PATH },
  { method: 'POST', path: LLM_CHAT_PATH },
])('$method $path', ({ method, path }) => {
  it.each(llmRows)('with $case: 401', async (row) => {
    const authorization = row.authorization(world);
    const reply = await rawRequest(world.relayUrl, {
      method,
      path,
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body:
        method === 'POST' ? JSON.stringify({ model: 'any', messages: [{ role: 'user', content: 'hi' }] }) : undefined,
    });
    expect(reply.status, reply.body).toBe(401);
    expect(reply.headers['www-authenticate']).toMatch(/^Bearer realm="vial-llm"/);
    expect(JSON.parse(reply.body)).toMatchObject({ error: { class: 'unauthorized', message: expect.any(String) } });
  });
});

function liveLlmKey(host: HostUnderTest): string {
  const status = host.runtime.status;
  const llmKey = status.state === 'online' ? status.llmKey : undefined;
  expect(llmKey).toBeDefined();
  return llmKey!;
}

// Even the tab's own key is refused from a page on another origin, or under a foreign Host.
it.each<{ case: string; headers: Record<string, string> }>([
  { case: 'a foreign Origin', headers: { origin: 'https://evil.example' } },
  { case: 'a foreign Host', headers: { host: 'evil.example' } },
])(`GET ${LLM_PROVIDERS_PATH} with the tab's llmKey from $case: 403`, async ({ headers }) => {
  const reply = await rawRequest(world.relayUrl, {
    method: 'GET',
    path: LLM_PROVIDERS_PATH,
    headers: { authorization: bearer(liveLlmKey(world.a)), ...headers },
  });
  expect(reply.status, reply.body).toBe(403);
  expect(JSON.parse(reply.body)).toMatchObject({ error: { class: 'forbidden', message: expect.any(String) } });
});

// The control: the tab's own key opens the gateway.
it(`GET ${LLM_PROVIDERS_PATH} with the tab's llmKey: 200`, async () => {
  const reply = await rawRequest(world.relayUrl, {
    method: 'GET',
    path: LLM_PROVIDERS_PATH,
    headers: { authorization: bearer(liveLlmKey(world.a)) },
  });
  expect(reply.status, reply.body).toBe(200);
});

describe('after the matrix', () => {
  it('no refused request reached a tab: each host still has only its own session, and it works', async () => {
    expect(world.a.runtime.listSessions().map((session) => session.sessionId)).toEqual([world.a.session]);
    expect(world.b.runtime.listSessions().map((session) => session.sessionId)).toEqual([world.b.session]);
    for (const host of [world.a, world.b]) {
      const reply = await rawRequest(world.relayUrl, {
        method: 'POST',
        path: host.path,
        headers: mcpHeaders(host.token, { 'mcp-session-id': host.session, 'mcp-protocol-version': '2025-11-25' }),
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      });
      expect(reply.status).toBe(200);
      expect(await jsonRpcMessagesIn(reply)).toMatchObject([{ id: 2, result: { tools: expect.any(Array) } }]);
    }
  });

  it('the unauthenticated operations routes give away no token, token hash or host secret', async () => {
    const identity = (await storeA.loadIdentity())!;
    const secrets = [world.a.token, stack.tokenRecord.hash, identity.secret, world.b.token];
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const reply = await rawRequest(world.relayUrl, { method: 'GET', path });
      expect(reply.status, path).toBe(200);
      for (const secret of secrets) expect(reply.body, path).not.toContain(secret);
    }
  });
});

/** A raw tab connection: what a page that is not the host's tab could open. */
async function openTab(headers: Record<string, string> = {}) {
  const socket = new WebSocket(`${world.relayUrl.replace('http', 'ws')}/tab`, { headers });
  const frames: RelayFrame[] = [];
  socket.on('message', (data) => frames.push(JSON.parse(String(data)) as RelayFrame));
  // A refused upgrade also ends in an error event; the status is what the rows look at.
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', resolve));
  const refused = new Promise<number>((resolve) =>
    socket.once('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    }),
  );
  const opened = new Promise<void>((resolve) => socket.once('open', () => resolve()));
  return { socket, frames, closed, refused, opened };
}

describe('the tab socket', () => {
  it("refuses to register another host's id without its secret, and that host keeps its tab", async () => {
    const tab = await openTab();
    await tab.opened;
    tab.socket.send(
      JSON.stringify({ type: 'register', hostId: world.a.runtime.hostId, secret: randomSecret(), tokens: [] }),
    );
    expect(await tab.closed).toBe(CLOSE_CODES.rejected);
    expect(tab.frames).toEqual([{ type: 'error', message: 'host id does not match its secret' }]);
    expect(stack.relay.relay.registry.get(world.a.runtime.hostId)!.online).toBe(true);
    expect(world.a.runtime.status.state).toBe('online');
  });

  it("does not let a registered tab reach another host's sessions", async () => {
    const tab = await openTab();
    await tab.opened;
    const secret = randomSecret();
    tab.socket.send(JSON.stringify({ type: 'register', hostId: await deriveHostId(secret), secret, tokens: [] }));
    await until(() => tab.frames.some((frame) => frame.type === 'registered'));
    const intruding = [
      { type: 'mcp', sessionId: world.a.session, message: { jsonrpc: '2.0', id: 1, result: {} } },
      { type: 'close-sse-stream', sessionId: world.a.session, requestId: 1 },
    ];
    for (const frame of intruding) tab.socket.send(JSON.stringify(frame));
    await until(() => tab.frames.filter((frame) => frame.type === 'error').length === intruding.length);
    for (const frame of tab.frames.filter((frame) => frame.type === 'error')) {
      expect(frame).toEqual({ type: 'error', message: `unknown session '${world.a.session}'` });
    }
    tab.socket.close();
  });

  it.each<{ case: string; headers: Record<string, string> }>([
    { case: 'a foreign Origin', headers: { origin: 'https://evil.example' } },
    { case: 'a foreign Host', headers: { host: 'evil.example' } },
  ])('refuses an upgrade with $case: 403', async ({ headers }) => {
    const tab = await openTab(headers);
    expect(await tab.refused).toBe(403);
  });
});
