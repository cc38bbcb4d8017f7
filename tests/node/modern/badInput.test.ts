/**
 * Bad input on the shared endpoint gets the status and JSON-RPC error the 2026-07-28 revision
 * names, and the clients beside it, of either era, keep working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { connectClient } from '../../support/relay.ts';
import { mcpHeaders, rawInitialize } from '../../support/testPack.ts';
import { envelope, MODERN, modernHeaders, post, rpc, startModernStack, type ModernStack } from './support.ts';

let stack: ModernStack;
let modernClient: Client;
let legacyClient: Client;

beforeAll(async () => {
  stack = await startModernStack();
  modernClient = await connectClient(stack.mcpUrl, stack.token, 'bystander-modern', {
    versionNegotiation: { pin: MODERN },
  });
  legacyClient = await connectClient(stack.mcpUrl, stack.token, 'bystander-legacy');
});
afterAll(async () => {
  await modernClient?.close();
  await legacyClient?.close();
  await stack?.close();
});

async function bystandersStillWork(): Promise<void> {
  for (const client of [modernClient, legacyClient]) {
    const result = await client.callTool({ name: 'test_echo', arguments: { text: 'fine' } });
    expect(result.content).toEqual([{ type: 'text', text: 'fine' }]);
  }
}

describe('bad input', () => {
  it('a modern request missing its Mcp-Method header: 400 -32020', async () => {
    const { 'mcp-method': _method, ...headers } = modernHeaders(stack.token, 'tools/list');
    const answer = await post(stack.mcpUrl, rpc('tools/list'), headers);
    expect([answer.status, answer.last?.error.code]).toEqual([400, -32020]);
    await bystandersStillWork();
  });

  it('a modern request whose header contradicts its body: 400 -32020', async () => {
    const answer = await post(stack.mcpUrl, rpc('tools/list'), modernHeaders(stack.token, 'prompts/list'));
    expect([answer.status, answer.last?.error.code]).toEqual([400, -32020]);
    await bystandersStillWork();
  });

  it('a bad _meta envelope: 400 -32602', async () => {
    const answer = await post(
      stack.mcpUrl,
      rpc('tools/list', {
        _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientInfo': 7 },
      }),
      modernHeaders(stack.token, 'tools/list'),
    );
    expect(answer.status).toBe(400);
    expect(answer.last?.error.code).toBe(-32602);
    await bystandersStillWork();
  });

  it('a legacy request carrying a modern header: 400', async () => {
    const answer = await post(
      stack.mcpUrl,
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} },
      modernHeaders(stack.token, 'tools/list'),
    );
    expect(answer.status).toBe(400);
    expect(answer.last?.error.code).toBe(-32602);
    await bystandersStillWork();
  });

  it('initialize carrying a modern header: 400 -32020', async () => {
    const answer = await post(
      stack.mcpUrl,
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
      },
      modernHeaders(stack.token, 'initialize'),
    );
    expect([answer.status, answer.last?.error.code]).toEqual([400, -32020]);
    await bystandersStillWork();
  });

  it('a modern method on a legacy session: -32601, and the session goes on', async () => {
    const sessionId = await rawInitialize(stack.mcpUrl, stack.token);
    const headers = mcpHeaders(stack.token, { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' });
    const answer = await post(stack.mcpUrl, { jsonrpc: '2.0', id: 5, method: 'server/discover', params: {} }, headers);
    expect(answer.last?.error.code).toBe(-32601);
    const list = await post(stack.mcpUrl, { jsonrpc: '2.0', id: 6, method: 'tools/list', params: {} }, headers);
    expect(list.last?.result.tools.length).toBeGreaterThan(0);
    await bystandersStillWork();
  });

  it('a batch with a modern element: 400 -32600', async () => {
    const answer = await post(
      stack.mcpUrl,
      [rpc('tools/list'), rpc('tools/list', {}, 2)],
      modernHeaders(stack.token, 'tools/list'),
    );
    expect(answer.status).toBe(400);
    expect(answer.last?.error.code).toBe(-32600);
    await bystandersStillWork();
  });

  it('a modern request that is not sent as JSON: 415', async () => {
    const answer = await post(stack.mcpUrl, rpc('tools/list'), {
      ...modernHeaders(stack.token, 'tools/list'),
      'content-type': 'text/plain',
    });
    expect(answer.status).toBe(415);
    await bystandersStillWork();
  });

  it('a modern request with no token: 401, before anything else', async () => {
    const { authorization: _authorization, ...headers } = modernHeaders(stack.token, 'tools/list');
    const answer = await post(stack.mcpUrl, rpc('tools/list', { _meta: envelope() }), headers);
    expect(answer.status).toBe(401);
    await bystandersStillWork();
  });
});
