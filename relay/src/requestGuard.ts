/**
 * Origin and Host validation (DNS-rebinding protection) for the MCP endpoint, the LLM gateway
 * and the tab socket. Non-browser clients send no Origin and pass; browser pages must be
 * same-origin or explicitly allowed.
 */
import type { IncomingMessage } from 'node:http';

/** Names that reach only this machine: always accepted as Host, and what a loopback relay is reached by. */
export const LOCAL_HOSTNAMES: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export interface RequestGuardOptions {
  allowedOrigins: string[];
  allowedHosts: string[];
  publicUrl: string | undefined;
}

/** Distinct accepted Host values remembered, so a valid one is parsed once rather than per request. */
const ACCEPTED_HOSTS_KEPT = 256;

/** Returns why a request must be refused with 403, or undefined when it may proceed. */
export type RequestGuard = (req: IncomingMessage) => string | undefined;

export function createRequestGuard(options: RequestGuardOptions): RequestGuard {
  const publicUrl = options.publicUrl ? new URL(options.publicUrl) : undefined;
  const hostnames = new Set([...LOCAL_HOSTNAMES, ...options.allowedHosts.map(hostnameOf)]);
  if (publicUrl) hostnames.add(publicUrl.hostname);
  const origins = new Set(options.allowedOrigins.map((origin) => origin.replace(/\/$/, '')));
  if (publicUrl) origins.add(publicUrl.origin);

  /** Host values found valid and allowed before: clients send the same one on every request. */
  const acceptedHosts = new Set<string>();

  function hostRefusal(host: string | undefined): string | undefined {
    // The MCP endpoint builds the request's URL from Host: one that is no valid authority
    // (`localhost:abc`, `localhost:1:2`) made that throw, and the client got a 500.
    if (host && !URL.canParse(`http://${host}`)) return `Host header '${host}' is not a valid host[:port]`;
    if (!host || !hostnames.has(hostnameOf(host))) {
      return `Host header '${host ?? ''}' is not allowed; add it to VIAL_ALLOWED_HOSTS if this relay is reached by that name`;
    }
    // Bounded: an allowed name with every port is still only so many entries before a fresh start.
    if (acceptedHosts.size >= ACCEPTED_HOSTS_KEPT) acceptedHosts.clear();
    acceptedHosts.add(host);
    return undefined;
  }

  return (req) => {
    const host = req.headers.host;
    if (host === undefined || !acceptedHosts.has(host)) {
      const refusal = hostRefusal(host);
      if (refusal !== undefined) return refusal;
    }
    const origin = req.headers.origin;
    if (origin === undefined) return undefined;
    const sameOrigin = origin === `http://${host}` || origin === `https://${host}`;
    if (sameOrigin || origins.has(origin)) return undefined;
    return `Origin '${origin}' is not allowed; add it to VIAL_ALLOWED_ORIGINS to let that web page call this relay`;
  };
}

function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.split(':')[0]!.toLowerCase();
}
