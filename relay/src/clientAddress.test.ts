import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createClientAddress } from './clientAddress.ts';

const request = (peer: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  }) as unknown as IncomingMessage;

describe('createClientAddress', () => {
  it('uses the socket peer when no proxy is trusted, whatever X-Forwarded-For claims', () => {
    const address = createClientAddress([]);
    expect(address(request('::ffff:127.0.0.1', '203.0.113.9'))).toBe('127.0.0.1');
  });

  it('behind trusted proxies, takes the right-most address that is not a trusted proxy', () => {
    const address = createClientAddress(['127.0.0.1', '198.51.100.2']);
    expect(address(request('127.0.0.1', '203.0.113.7'))).toBe('203.0.113.7');
    expect(address(request('127.0.0.1', '192.0.2.66, 203.0.113.7, 198.51.100.2'))).toBe('203.0.113.7');
    expect(address(request('198.51.100.3', '203.0.113.7'))).toBe('198.51.100.3');
    expect(address(request('127.0.0.1'))).toBe('127.0.0.1');
  });
});
