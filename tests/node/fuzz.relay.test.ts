/**
 * Property tests of the relay under hostile HTTP: random and malformed JSON-RPC bodies, headers,
 * methods, paths and oversized payloads against a real relay with a live Node host, while a
 * well-behaved SDK client keeps its own session. Whatever arrives, the relay must not crash,
 * must answer every request in time with a 2xx/4xx status and a JSON-RPC body, and must leave
 * the other session and its own health untouched.
 */
import { isJSONRPCRequest, type Client, type StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonRpcMessagesIn, rawRequest, type RawReply, type RawRequest } from '../support/fuzzHttp.ts';
import { assertNoCrash, fuzzSeed, hostileString, jsonRpcPayload, notJson, toJsonText } from '../support/fuzzJsonRpc.ts';
import { connectClient, nodeToolPacks, startStack } from '../support/relay.ts';
import { createTestPack, INITIALIZE_BODY, mcpHeaders, rawInitialize } from '../support/testPack.ts';

const SEED = fuzzSeed(20_260_101);
/** A property runs hundreds of cases: seconds alone, more beside the rest of the suite on a small machine. */
const PROPERTY_TIMEOUT_MS = 60_000;
const MAX_BODY_BYTES = 64 * 1024;
/** Low, so that the fuzzer's sessions reach the per-host cap. */
const MAX_SESSIONS = 8;
/** A reply may stream a tool's answer; none of these calls does real work, so 5 s means it hung. */
const REPLY_TIMEOUT_MS = 5000;

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let goodClient: Client;
let fuzzToken: string;
/** The fuzzer's own session; a case that ends it (DELETE) gets a fresh one for the next. */
let liveSession: string;
let endedSession: string;
let cases = 0;

beforeAll(async () => {
  stack = await startStack({
    packs: [...nodeToolPacks(), createTestPack({ started: 0, aborted: [] })],
    env: {
      VIAL_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      // The failed-auth limit is per client address, and every request here comes from 127.0.0.1:
      // left on, the fuzzer's bad tokens would lock the well-behaved client out (as designed).
      VIAL_AUTH_FAILURES_PER_MIN: '0',
      VIAL_ABANDON_GRACE_MS: '100',
      VIAL_MAX_SESSIONS_PER_HOST: String(MAX_SESSIONS),
    },
  });
  goodClient = await connectClient(stack.mcpUrl, stack.token, 'well-behaved');
  fuzzToken = (await stack.host.mintToken({ name: 'fuzzer', scopes: ['quantum'] })).token;
  endedSession = await rawInitialize(stack.mcpUrl, fuzzToken);
  await fetch(stack.mcpUrl, { method: 'DELETE', headers: mcpHeaders(fuzzToken, { 'mcp-session-id': endedSession }) });
  liveSession = await rawInitialize(stack.mcpUrl, fuzzToken);
});

afterAll(async () => {
  console.log(`fuzz: ${cases} relay cases (seed ${SEED})`);
  await goodClient?.close();
  await stack?.close();
});

const port = () => new URL(stack.relay.url).port;
const goodSession = () => (goodClient.transport as StreamableHTTPClientTransport).sessionId!;

/** Session ids are chosen symbolically and resolved when the case runs, since the live one changes. */
type SessionChoice = 'live' | 'ended' | 'other-client' | { literal: string };

function sessionIdFor(choice: SessionChoice): string {
  if (choice === 'live') return liveSession;
  if (choice === 'ended') return endedSession;
  if (choice === 'other-client') return goodSession();
  return choice.literal;
}

const headerText = fc.string({ maxLength: 200 });
const sessionChoice: fc.Arbitrary<SessionChoice> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('live' as const) },
  fc.constantFrom('ended' as const, 'other-client' as const),
  headerText.map((literal) => ({ literal })),
);

/** A header's value: mostly the right one (undefined: not sent), else absent or wrong. */
function mostly(right: string | undefined, wrong: fc.Arbitrary<string>): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 9, arbitrary: fc.constant(right) },
    { weight: 1, arbitrary: fc.oneof(fc.constant(undefined), wrong, headerText) },
  );
}

/** Every header a Streamable HTTP client sends, each mostly right, sometimes absent or wrong. */
function headersArbitrary(): fc.Arbitrary<{ headers: Record<string, string>; session: SessionChoice | undefined }> {
  const hostPort = port();
  const headers = fc.record({
    authorization: mostly(
      `Bearer ${fuzzToken}`,
      fc.oneof(
        fc.constantFrom(
          `bearer   ${fuzzToken}  `,
          'Bearer',
          'Bearer ',
          `Basic ${Buffer.from(`user:${fuzzToken}`).toString('base64')}`,
          `Bearer ${fuzzToken}x`,
          `Bearer ${fuzzToken}, Bearer ${stack.token}`,
          `Bearer ${fuzzToken.toUpperCase()}`,
        ),
        headerText.map((text) => `Bearer vial_${text}`),
      ),
    ),
    'content-type': mostly(
      'application/json',
      fc.constantFrom('application/json; charset=utf-8', 'text/plain', '', 'APPLICATION/JSON', 'application/jsonx'),
    ),
    accept: mostly(
      'application/json, text/event-stream',
      fc.constantFrom('application/json', 'text/event-stream', '*/*', ''),
    ),
    'mcp-protocol-version': mostly('2025-11-25', fc.constantFrom('2025-06-18', '2025-03-26', '1999-01-01', '')),
    origin: mostly(
      undefined,
      fc.constantFrom(`http://localhost:${hostPort}`, 'https://evil.example', 'null', `http://localhost:${hostPort}/`),
    ),
    host: mostly(
      undefined,
      fc.constantFrom(
        `127.0.0.1:${hostPort}`,
        `[::1]:${hostPort}`,
        'LOCALHOST',
        'localhost:',
        'evil.example',
        'localhost:abc',
        `localhost:${hostPort}:1`,
        'localhost:99999',
        '[::1]junk',
      ),
    ),
    'last-event-id': mostly(undefined, fc.constantFrom('1', '0', '-1', '99999999')),
    'x-request-id': mostly(undefined, headerText),
    'x-forwarded-for': mostly(undefined, headerText),
  });
  return fc.record({
    headers: headers.map(
      (all) =>
        Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined)) as Record<string, string>,
    ),
    session: fc.option(sessionChoice, { freq: 5, nil: undefined }),
  });
}

function pathArbitrary(): fc.Arbitrary<string> {
  const hostId = stack.host.hostId;
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(`/mcp/${hostId}`) },
    fc.constantFrom(
      `/mcp/${hostId}/`,
      `/mcp/${hostId}?x=1&x=2`,
      `/mcp/${hostId}/extra`,
      `/mcp//${hostId}`,
      `/mcp/${hostId.toLowerCase()}`,
      `/mcp/${hostId}#fragment`,
      `/mcp/%2e%2e/${hostId}`,
      '/mcp/',
      '/mcp',
      '/mcp/AAAAAAAAAAAAAAAAAAAAAA',
      `http://localhost:${port()}/mcp/${hostId}`,
      'http://[bad',
      'http://localhost:99999/mcp',
      '*',
      '/healthz',
      '/tab',
    ),
    fc.webPath().map((path) => `/mcp${path}`),
    // Every byte percent-encoded: lone surrogates and all (encodeURIComponent throws on those).
    hostileString.map((text) => `/mcp/${Buffer.from(text.slice(0, 500)).toString('hex').replace(/../g, '%$&')}`),
  );
}

const methodArbitrary = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('POST', 'GET', 'DELETE') },
  fc.constantFrom('PUT', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'FUZZ', 'M-SEARCH'),
);

/** A body a client might send: JSON-RPC (valid, broken or batched), or not JSON at all, or none. */
const bodyArbitrary: fc.Arbitrary<{ text: string | undefined; payload: unknown }> = fc.oneof(
  { weight: 6, arbitrary: jsonRpcPayload.map((payload) => ({ text: toJsonText(payload), payload })) },
  { weight: 2, arbitrary: notJson.map((text) => ({ text, payload: undefined })) },
  { weight: 1, arbitrary: fc.constant({ text: undefined, payload: undefined }) },
);

/** A case may have ended the fuzzer's session (DELETE); the next one gets a fresh session. */
async function ensureLiveSession(): Promise<void> {
  if (stack.relay.relay.registry.get(stack.host.hostId)?.sessions.has(liveSession)) return;
  liveSession = await rawInitialize(stack.mcpUrl, fuzzToken);
}

/** Sends one case and checks what every reply must be; returns the reply for stricter checks. */
async function sendCase(request: RawRequest): Promise<RawReply> {
  cases++;
  const reply = await rawRequest(stack.relay.url, request, REPLY_TIMEOUT_MS);
  const where = `${request.method} ${request.path} -> ${reply.status} ${reply.body.slice(0, 300)}`;
  // 2xx or 4xx; 5xx only as 503 while draining, and this relay never drains here.
  expect([2, 4], where).toContain(Math.floor(reply.status / 100));
  if (reply.status === 401) expect(reply.headers['www-authenticate'], where).toMatch(/^Bearer realm="vial"/);
  // /healthz, the web app and the like have bodies of their own; the MCP endpoint speaks only JSON-RPC.
  if (!routedToMcp(request.path)) return reply;
  const messages = await jsonRpcMessagesIn(reply);
  if (reply.status >= 400 && reply.body !== '') {
    expect(messages, where).toHaveLength(1);
    expect(messages[0], where).toHaveProperty('error');
  }
  return reply;
}

/** Whether the relay answers this target in JSON-RPC: the MCP endpoint, or a refusal of a target that is no path. */
function routedToMcp(target: string): boolean {
  if (!target.startsWith('/') || !URL.canParse(target, 'http://relay')) return true;
  return new URL(target, 'http://relay').pathname.startsWith('/mcp/');
}

/** The ids of the requests in a payload, as the relay counts them: a 200 stream must answer each of them. */
function requestIdsIn(payload: unknown): unknown[] {
  const messages: unknown[] = Array.isArray(payload) ? payload : [payload];
  return messages.filter(isJSONRPCRequest).map((request) => request.id);
}

/**
 * A request cancelled in its own batch gets no response (the MCP spec says the receiver SHOULD
 * NOT answer it), so its stream only ends when the client closes it: not a hang of the relay's.
 */
function cancelsOwnRequest(payload: unknown): boolean {
  const messages = Array.isArray(payload) ? payload : [payload];
  const ids = requestIdsIn(payload);
  return messages.some((message: { method?: unknown; params?: { requestId?: unknown } }) => {
    if (message?.method !== 'notifications/cancelled') return false;
    return ids.some((id) => id === message.params?.requestId);
  });
}

async function expectRelayHealthy(): Promise<void> {
  const health = await fetch(`${stack.relay.url}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ ok: true });
  const tools = await goodClient.listTools();
  expect(tools.tools.map((tool) => tool.name)).toContain('test_echo');
  const echo = await goodClient.callTool({ name: 'test_echo', arguments: { text: 'still mine' } });
  expect(echo.content).toEqual([{ type: 'text', text: 'still mine' }]);
  // Nothing the fuzzer sent may stay pending at the relay: a leak would also hold up draining.
  const deadline = Date.now() + 3000;
  while ((await pendingRequests()) > 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  expect(await pendingRequests()).toBe(0);
}

async function pendingRequests(): Promise<number> {
  const metrics = await (await fetch(`${stack.relay.url}/metrics`)).text();
  return Number(/^vial_pending_requests (\d+)$/m.exec(metrics)?.[1]);
}

describe('the relay under hostile HTTP', { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it('answers malformed JSON-RPC on a live session with a JSON-RPC error or a full answer', async () => {
    await assertNoCrash(
      fc.asyncProperty(bodyArbitrary, async ({ text, payload }) => {
        fc.pre(!cancelsOwnRequest(payload));
        await ensureLiveSession();
        const headers = mcpHeaders(fuzzToken, {
          'mcp-session-id': liveSession,
          'mcp-protocol-version': '2025-11-25',
        });
        const reply = await sendCase({ method: 'POST', path: new URL(stack.mcpUrl).pathname, headers, body: text });
        if (reply.status !== 200) return;
        const answered = (await jsonRpcMessagesIn(reply)).flatMap((message) =>
          'result' in message || 'error' in message ? [message.id] : [],
        );
        for (const id of requestIdsIn(payload)) expect(answered).toContainEqual(id);
      }),
      { seed: SEED, numRuns: 400 },
    );
    await expectRelayHealthy();
  });

  it('answers random methods, paths and headers with a 2xx/4xx and never disturbs another session', async () => {
    await assertNoCrash(
      fc.asyncProperty(
        methodArbitrary,
        pathArbitrary(),
        headersArbitrary(),
        fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, fc.constant(true)),
        bodyArbitrary,
        async (method, path, { headers, session }, omitHost, { text, payload }) => {
          fc.pre(!cancelsOwnRequest(payload));
          await ensureLiveSession();
          const sent = session === undefined ? headers : { ...headers, 'mcp-session-id': sessionIdFor(session) };
          await sendCase({ method, path, headers: sent, omitHost: omitHost && !headers.host, body: text });
        },
      ),
      { seed: SEED, numRuns: 700 },
    );
    await expectRelayHealthy();
  });

  it("never ends another token's session, however many sessions a token opens", async () => {
    await assertNoCrash(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 * MAX_SESSIONS }), async (opened) => {
        for (let i = 0; i < opened; i++) {
          cases++;
          await rawInitialize(stack.mcpUrl, fuzzToken);
        }
        const echo = await goodClient.callTool({ name: 'test_echo', arguments: { text: 'still mine' } });
        expect(echo.content).toEqual([{ type: 'text', text: 'still mine' }]);
        expect(stack.relay.relay.registry.get(stack.host.hostId)!.sessions.size).toBeLessThanOrEqual(MAX_SESSIONS);
      }),
      { seed: SEED, numRuns: 10 },
    );
    await expectRelayHealthy();
  });

  it('answers bodies over the limit with 413, on new and existing sessions, declared or streamed', async () => {
    await assertNoCrash(
      fc.asyncProperty(
        fc.integer({ min: MAX_BODY_BYTES + 1, max: 4 * MAX_BODY_BYTES }),
        fc.boolean(),
        fc.boolean(),
        async (size, inSession, declared) => {
          await ensureLiveSession();
          const body = JSON.stringify({ ...INITIALIZE_BODY, params: { pad: 'x'.repeat(size) } });
          const headers = mcpHeaders(fuzzToken, inSession ? { 'mcp-session-id': liveSession } : {});
          // Without a Content-Length the body arrives chunked and the limit has to be counted.
          if (!declared) headers['transfer-encoding'] = 'chunked';
          const reply = await sendCase({ method: 'POST', path: new URL(stack.mcpUrl).pathname, headers, body });
          expect(reply.status).toBe(413);
          expect(reply.body).toMatch(new RegExp(`larger than the relay's limit of ${MAX_BODY_BYTES} bytes`));
        },
      ),
      { seed: SEED, numRuns: 30 },
    );
    await expectRelayHealthy();
  });
});
