/**
 * The address a request comes from, for per-address limits. Behind reverse proxies every request
 * arrives from the proxy; when the socket's peer is one of `VIAL_TRUSTED_PROXIES`, the client is
 * the right-most `X-Forwarded-For` entry that is not itself a trusted proxy. Entries further left
 * are the client's own claims and are never believed.
 */
import type { IncomingMessage } from 'node:http';

export type ClientAddress = (req: IncomingMessage) => string;

/** `::ffff:127.0.0.1` (an IPv4 peer on a dual-stack socket) and `127.0.0.1` are one address. */
function normalise(address: string): string {
  const trimmed = address.trim();
  return trimmed.startsWith('::ffff:') && trimmed.includes('.') ? trimmed.slice(7) : trimmed;
}

export function createClientAddress(trustedProxies: readonly string[]): ClientAddress {
  const trusted = new Set(trustedProxies.map(normalise));
  return (req) => {
    let address = normalise(req.socket.remoteAddress ?? 'unknown');
    if (!trusted.has(address)) return address;
    const header = req.headers['x-forwarded-for'];
    const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map(normalise);
    for (let i = forwarded.length - 1; i >= 0 && trusted.has(address); i--) {
      if (forwarded[i]) address = forwarded[i]!;
    }
    return address;
  };
}
