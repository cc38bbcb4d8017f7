import { afterEach, describe, expect, it } from 'vitest';
import { MemoryHostStore, loadOrCreateIdentity } from '../../web/src/server/identity.ts';
import { startStack } from '../support/relay.ts';
import { INITIALIZE_BODY, mcpHeaders } from '../support/testPack.ts';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function post(url: string, headers: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(INITIALIZE_BODY) });
  const text = await res.text();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), text };
}

describe('rate limits', () => {
  it('answers a token past its rate with 429, Retry-After and a JSON-RPC error naming the limit', async () => {
    stack = await startStack({ env: { VIAL_TOKEN_RATE: '1', VIAL_TOKEN_BURST: '3' } });
    for (let i = 0; i < 3; i++) expect((await post(stack.mcpUrl, mcpHeaders(stack.token))).status).toBe(200);
    const limited = await post(stack.mcpUrl, mcpHeaders(stack.token));
    expect(limited.status).toBe(429);
    expect(limited.retryAfter).toBe('1');
    const body = JSON.parse(limited.text);
    expect(body).toMatchObject({
      jsonrpc: '2.0',
      id: null,
      error: { data: { limit: 'token-rate', retryAfterSeconds: 1 } },
    });
    expect(body.error.message).toMatch(/1 requests per second.*retry after 1 s/);
    // Another token of the same host has its own bucket.
    const { token: other } = await stack.host.mintToken({ name: 'other', scopes: [] });
    expect((await post(stack.mcpUrl, mcpHeaders(other))).status).toBe(200);
  });

  it('refuses an address with too many failed authentications before checking its token', async () => {
    stack = await startStack({ env: { VIAL_AUTH_FAILURES_PER_MIN: '3' } });
    for (let i = 0; i < 3; i++) expect((await post(stack.mcpUrl, mcpHeaders(`vial_wrong${i}`))).status).toBe(401);
    const limited = await post(stack.mcpUrl, mcpHeaders(stack.token));
    expect(limited.status).toBe(429);
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    expect(Number(limited.retryAfter)).toBeLessThanOrEqual(60);
    expect(JSON.parse(limited.text).error).toMatchObject({ data: { limit: 'auth-failures' } });
    const metrics = await (await fetch(`${stack.relay.url}/metrics`)).text();
    expect(metrics).toMatch(/^vial_relay_errors_total\{class="rate_limited"\} 1$/m);
    expect(metrics).toMatch(/^vial_relay_errors_total\{class="auth_failed"\} 3$/m);
  });

  it('behind a trusted proxy, limits each forwarded client separately', async () => {
    // A relay behind a proxy is exposed, so it admits hosts: this one admits the test's host by id.
    const store = new MemoryHostStore();
    const identity = await loadOrCreateIdentity(store);
    stack = await startStack({
      store,
      env: {
        VIAL_AUTH_FAILURES_PER_MIN: '2',
        VIAL_TRUSTED_PROXIES: '127.0.0.1,::1',
        VIAL_HOST_ADMISSION: 'enrolment',
        VIAL_ADMISSION_SECRET: 'a-test-secret-of-at-least-32-chars',
        VIAL_ADMITTED_HOSTS: identity.hostId,
      },
    });
    const from = (client: string, token: string) => mcpHeaders(token, { 'x-forwarded-for': client });
    for (let i = 0; i < 2; i++)
      expect((await post(stack.mcpUrl, from('203.0.113.7', `vial_wrong${i}`))).status).toBe(401);
    expect((await post(stack.mcpUrl, from('203.0.113.7', stack.token))).status).toBe(429);
    expect((await post(stack.mcpUrl, from('203.0.113.8', stack.token))).status).toBe(200);
  });
});
