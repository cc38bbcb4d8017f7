import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { addressBlock, createClientAddress, parseTrustedProxies } from './clientAddress.ts';

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

  it('trusts CIDR ranges of either family', () => {
    const address = createClientAddress(['172.18.0.0/16', 'fd00::/8']);
    expect(address(request('172.18.4.2', '203.0.113.7'))).toBe('203.0.113.7');
    expect(address(request('::ffff:172.18.0.9', '198.51.100.1, 172.18.0.3'))).toBe('198.51.100.1');
    expect(address(request('fd12::1', '2001:db8::7'))).toBe('2001:db8::7');
    expect(address(request('172.19.0.1', '203.0.113.7'))).toBe('172.19.0.1');
  });

  it('names an entry that is neither an address nor a range', () => {
    for (const bad of ['proxy.internal', '10.0.0.0/33', '10.0.0.0/8/1', 'fd00::/129', '10.0.0.0/x']) {
      expect(() => parseTrustedProxies([bad])).toThrow(`'${bad}' is not an IP address or CIDR range`);
    }
  });
});

describe('addressBlock', () => {
  it('counts an IPv6 address by its /64, however it is written, and an IPv4 address alone', () => {
    expect(addressBlock('2001:db8:1:2::a')).toBe('2001:db8:1:2::/64');
    expect(addressBlock('2001:0db8:0001:0002:ffff:0:0:1')).toBe('2001:db8:1:2::/64');
    expect(addressBlock('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressBlock('::1')).toBe('0:0:0:0::/64');
    expect(addressBlock('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBlock('unknown')).toBe('unknown');
  });
});
