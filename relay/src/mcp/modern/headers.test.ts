/**
 * The relay's header-presence and `Mcp-Name` check against the SDK's own handler (the check it
 * ports, which the SDK does not export): for each case both must agree on whether it is a 400
 * -32020, so an SDK upgrade that changes the rule shows here.
 */
import { describe, expect, it } from 'vitest';
import {
  classifyInboundRequest,
  createMcpHandler,
  McpServer,
  type InboundModernRoute,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { standardHeaderMismatch } from './headers.ts';

const VERSION = '2026-07-28';
const META = {
  'io.modelcontextprotocol/protocolVersion': VERSION,
  'io.modelcontextprotocol/clientInfo': { name: 'diff', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

const handler = createMcpHandler(
  () => {
    const server = new McpServer({ name: 'diff', version: '1' });
    server.registerTool('echo', { inputSchema: z.object({ text: z.string() }) }, ({ text }) => ({
      content: [{ type: 'text', text }],
    }));
    server.registerResource('thing', 'vial://thing', {}, (uri) => ({ contents: [{ uri: uri.href, text: 'x' }] }));
    return server;
  },
  { legacy: 'reject' },
);

const base64 = (text: string) => `=?base64?${Buffer.from(text).toString('base64')}?=`;

const CASES: { name: string; method: string; params: Record<string, unknown>; headers: Record<string, string> }[] = [
  {
    name: 'all present',
    method: 'tools/call',
    params: { name: 'echo', arguments: { text: 'x' } },
    headers: { 'mcp-method': 'tools/call', 'mcp-name': 'echo' },
  },
  { name: 'no Mcp-Method', method: 'tools/list', params: {}, headers: {} },
  {
    name: 'no Mcp-Name on tools/call',
    method: 'tools/call',
    params: { name: 'echo', arguments: { text: 'x' } },
    headers: { 'mcp-method': 'tools/call' },
  },
  {
    name: 'no Mcp-Name on resources/read',
    method: 'resources/read',
    params: { uri: 'vial://thing' },
    headers: { 'mcp-method': 'resources/read' },
  },
  {
    name: 'Base64 Mcp-Name that matches',
    method: 'resources/read',
    params: { uri: 'vial://thing' },
    headers: { 'mcp-method': 'resources/read', 'mcp-name': base64('vial://thing') },
  },
  {
    name: 'broken Base64 Mcp-Name',
    method: 'resources/read',
    params: { uri: 'vial://thing' },
    headers: { 'mcp-method': 'resources/read', 'mcp-name': '=?base64?***?=' },
  },
  {
    name: 'Base64 Mcp-Name naming another',
    method: 'resources/read',
    params: { uri: 'vial://thing' },
    headers: { 'mcp-method': 'resources/read', 'mcp-name': base64('vial://other') },
  },
  {
    name: 'Mcp-Name with spaces around',
    method: 'tools/call',
    params: { name: 'echo', arguments: { text: 'x' } },
    headers: { 'mcp-method': 'tools/call', 'mcp-name': ' echo\t' },
  },
  { name: 'tools/list needs no Mcp-Name', method: 'tools/list', params: {}, headers: { 'mcp-method': 'tools/list' } },
];

describe('standardHeaderMismatch agrees with the SDK', () => {
  it.each(CASES)('$name', async ({ method, params, headers }) => {
    const body = { jsonrpc: '2.0', id: 1, method, params: { ...params, _meta: META } };
    const all: Record<string, string> = { 'mcp-protocol-version': VERSION, ...headers };
    const route = classifyInboundRequest({
      httpMethod: 'POST',
      body,
      protocolVersionHeader: VERSION,
      mcpMethodHeader: all['mcp-method'],
      mcpNameHeader: all['mcp-name'],
    });
    // The classifier leaves presence and Mcp-Name to this check: every case reaches it.
    expect(route.kind).toBe('modern');
    const relay = standardHeaderMismatch(all, method, (route as InboundModernRoute).message.params);
    const response = await handler.fetch(
      new Request('http://sdk.invalid/mcp', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...all },
        body: JSON.stringify(body),
      }),
    );
    const answer = (await response.json()) as { error?: { code: number } };
    const sdk = response.status === 400 && answer.error?.code === -32020;
    expect(relay !== undefined).toBe(sdk);
  });
});
