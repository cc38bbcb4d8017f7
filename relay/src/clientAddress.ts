/**
 * The address a request comes from, for per-address limits. Behind reverse proxies every request
 * arrives from the proxy; when the socket's peer is one of `VIAL_TRUSTED_PROXIES` (addresses or
 * CIDR ranges), the client is the right-most `X-Forwarded-For` entry that is not itself a trusted
 * proxy. Entries further left are the client's own claims and are never believed.
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

export type ClientAddress = (req: IncomingMessage) => string;

/** `::ffff:127.0.0.1` (an IPv4 peer on a dual-stack socket) and `127.0.0.1` are one address. */
function normalise(address: string): string {
  const trimmed = address.trim();
  return trimmed.startsWith('::ffff:') && trimmed.includes('.') ? trimmed.slice(7) : trimmed;
}

function familyOf(address: string): 'ipv4' | 'ipv6' | undefined {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

/**
 * The trusted proxies as a block list: `10.0.0.5`, `172.18.0.0/16`, `fd00::/8`. Throws naming
 * the first entry that is neither an address nor a range, so config loading can say which.
 */
export function parseTrustedProxies(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix, extra] = normalise(entry).split('/');
    const family = familyOf(address);
    const bits = prefix === undefined ? undefined : Number(prefix);
    const maxBits = family === 'ipv4' ? 32 : 128;
    if (
      !family ||
      extra !== undefined ||
      (bits !== undefined && !(Number.isInteger(bits) && bits >= 0 && bits <= maxBits))
    ) {
      throw new Error(`'${entry}' is not an IP address or CIDR range (e.g. 10.0.0.5, 172.18.0.0/16, fd00::/8)`);
    }
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, bits, family);
  }
  return list;
}

export function createClientAddress(trustedProxies: readonly string[]): ClientAddress {
  const list = parseTrustedProxies(trustedProxies);
  // With no proxy trusted, the peer is the client; the block list's check costs a native
  // SocketAddress per call, on every MCP request.
  if (trustedProxies.length === 0) return (req) => normalise(req.socket.remoteAddress ?? 'unknown');
  const trusted = (address: string) => {
    const family = familyOf(address);
    return family !== undefined && list.check(address, family);
  };
  return (req) => {
    let address = normalise(req.socket.remoteAddress ?? 'unknown');
    if (!trusted(address)) return address;
    const header = req.headers['x-forwarded-for'];
    const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map(normalise);
    for (let i = forwarded.length - 1; i >= 0 && trusted(address); i--) {
      if (forwarded[i]) address = forwarded[i]!;
    }
    return address;
  };
}

/**
 * The block a per-address limit counts an address in: an IPv4 address alone, an IPv6 address by
 * its /64, the least any one subscriber is given (a client holding a /64 could otherwise present
 * 2^64 addresses to every per-address limit). Anything else is returned as it is.
 */
export function addressBlock(address: string): string {
  if (familyOf(address) !== 'ipv6') return address;
  const [head = '', tail] = address.split('::');
  const hextets = (part: string) => (part === '' ? [] : part.split(':'));
  const left = hextets(head);
  const right = tail === undefined ? [] : hextets(tail);
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}
