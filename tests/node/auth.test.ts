import { afterEach, describe, expect, it } from 'vitest';
import { connectClient, startStack, nodeToolPacks } from '../support/relay.ts';
import { INITIALIZE_BODY, mcpHeaders, rawInitialize } from '../support/testPack.ts';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function post(url: string, headers: Record<string, string>, body: unknown = INITIALIZE_BODY) {
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('auth', () => {
  it('answers a missing or wrong token with 401 and WWW-Authenticate', async () => {
    stack = await startStack();
    const { authorization: _authorization, ...noAuth } = mcpHeaders('x');
    for (const headers of [noAuth, mcpHeaders('vial_wrong'), { ...noAuth, authorization: 'Basic abc' }]) {
      const res = await post(stack.mcpUrl, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="vial"/);
      expect(JSON.parse(res.text).error.message).toMatch(/Authorization: Bearer/);
    }
  });

  it('answers an unknown host with 404', async () => {
    stack = await startStack();
    const res = await post(`${stack.relay.url}/mcp/AAAAAAAAAAAAAAAAAAAAAA`, mcpHeaders(stack.token));
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text).error.message).toMatch(/Unknown Vial host/);
  });

  it('rejects a revoked token at once and ends its sessions', async () => {
    stack = await startStack();
    const client = await connectClient(stack.mcpUrl, stack.token);
    await client.listTools();
    await stack.host.revokeToken(stack.tokenRecord.id);
    await expect(client.listTools()).rejects.toThrow(/Unauthorized/);
    const res = await post(stack.mcpUrl, mcpHeaders(stack.token));
    expect(res.status).toBe(401);
    await client.close();
  });

  it('rejects an expired token', async () => {
    stack = await startStack();
    const { token } = await stack.host.mintToken({ name: 'short', scopes: [], expiresInMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await post(stack.mcpUrl, mcpHeaders(token))).status).toBe(401);
  });

  it('keeps a session to the token that opened it', async () => {
    stack = await startStack();
    const sessionId = await rawInitialize(stack.mcpUrl, stack.token);
    const { token: other } = await stack.host.mintToken({ name: 'other', scopes: [] });
    const res = await post(stack.mcpUrl, mcpHeaders(other, { 'mcp-session-id': sessionId }), {
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/list',
    });
    expect(res.status).toBe(404);
  });

  it('checks the token scopes of each call in the tab', async () => {
    const { createTestPack } = await import('../support/testPack.ts');
    stack = await startStack({
      packs: [...nodeToolPacks(), createTestPack({ started: 0, aborted: [] })],
      scopes: ['ml'],
    });
    const client = await connectClient(stack.mcpUrl, stack.token);
    const denied = await client.callTool({ name: 'test_needs_quantum', arguments: {} });
    expect(denied.isError).toBe(true);
    expect(JSON.stringify(denied.content)).toMatch(/lacks the scope quantum/);
    const { token } = await stack.host.mintToken({ name: 'q', scopes: ['quantum'] });
    const allowedClient = await connectClient(stack.mcpUrl, token);
    const allowed = await allowedClient.callTool({ name: 'test_needs_quantum', arguments: {} });
    expect(allowed.isError).toBeFalsy();
    await client.close();
    await allowedClient.close();
  });
});
