import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryHostStore } from '../../web/src/server/identity.ts';
import { connectClient, nodeToolPacks, startStack } from '../support/relay.ts';
import { mcpHeaders } from '../support/testPack.ts';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Collects the relay's JSON log lines. */
function logSink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('request ids', () => {
  it('echoes a sane x-request-id, replaces anything else, and logs lines with it', async () => {
    const sink = logSink();
    stack = await startStack({ env: { VIAL_LOG_LEVEL: 'debug' }, logTo: sink.stream });
    const kept = await fetch(`${stack.relay.url}/healthz`, { headers: { 'x-request-id': 'trace-abc.123' } });
    expect(kept.headers.get('x-request-id')).toBe('trace-abc.123');
    const replaced = await fetch(`${stack.relay.url}/healthz`, { headers: { 'x-request-id': 'bad id\twith <junk>' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const generated = await fetch(stack.mcpUrl, {
      method: 'POST',
      headers: mcpHeaders('vial_wrong', { 'x-request-id': 'auth-fail-1' }),
      body: '{}',
    });
    expect(generated.status).toBe(401);
    expect(generated.headers.get('x-request-id')).toBe('auth-fail-1');
    const forRequest = sink.records().filter((record) => record.requestId === 'auth-fail-1');
    expect(forRequest.map((record) => record.msg)).toEqual(
      expect.arrayContaining(['authentication failed', 'request']),
    );
    expect(forRequest.find((record) => record.msg === 'request')).toMatchObject({ status: 401, method: 'POST' });
  });
});

describe('secrets in logs', () => {
  it('never logs the bearer token or the host secret, even at trace level', async () => {
    const sink = logSink();
    const store = new MemoryHostStore();
    stack = await startStack({ env: { VIAL_LOG_LEVEL: 'trace' }, logTo: sink.stream, packs: nodeToolPacks(), store });
    const client = await connectClient(stack.mcpUrl, stack.token);
    await client.listTools();
    await fetch(stack.mcpUrl, { method: 'POST', headers: mcpHeaders(`${stack.token}x`), body: '{}' });
    await client.close();
    const identity = (await store.loadIdentity())!;
    expect(sink.lines.some((line) => line.includes('tab registered'))).toBe(true);
    expect(sink.lines.length).toBeGreaterThan(3);
    const all = sink.lines.join('\n');
    expect(all).not.toContain(stack.token);
    expect(all).not.toContain(identity.secret);
  });
});
