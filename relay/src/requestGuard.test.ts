import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createRequestGuard } from './requestGuard.ts';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('the request guard', () => {
  const guard = createRequestGuard({ allowedOrigins: [], allowedHosts: ['relay.example'], publicUrl: undefined });

  it('checks Origin on every request, also once its Host was accepted before', () => {
    expect(guard(request({ host: 'relay.example' }))).toBeUndefined();
    expect(guard(request({ host: 'relay.example', origin: 'https://evil.example' }))).toMatch(
      /Origin 'https:\/\/evil.example' is not allowed/,
    );
    expect(guard(request({ host: 'relay.example', origin: 'https://relay.example' }))).toBeUndefined();
  });

  it('refuses a Host it refused before, and a malformed or missing one, every time', () => {
    for (let i = 0; i < 2; i++) {
      expect(guard(request({ host: 'evil.example' }))).toMatch(/Host header 'evil.example' is not allowed/);
      expect(guard(request({ host: 'relay.example:abc' }))).toMatch(/not a valid host\[:port\]/);
      expect(guard(request({}))).toMatch(/Host header '' is not allowed/);
    }
  });

  it('still decides right after more distinct accepted Hosts than it remembers', () => {
    for (let port = 1; port <= 1000; port++) expect(guard(request({ host: `relay.example:${port}` }))).toBeUndefined();
    expect(guard(request({ host: 'relay.example:1' }))).toBeUndefined();
    expect(guard(request({ host: 'evil.example:1' }))).toMatch(/is not allowed/);
  });
});
