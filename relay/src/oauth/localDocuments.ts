/**
 * The one deliberate way past the SSRF guard on Client ID Metadata Document fetches, for tests
 * and local development (`VIAL_OAUTH_CIMD_LOCAL_ORIGINS`, empty by default). oidc-provider fetches
 * every document through a dispatcher that cuts connections to special-use addresses, loopback
 * and private networks included, so a client whose document is served on the developer's own
 * machine could never sign in. For exactly the listed origins (scheme, host and port), the fetch
 * goes through a dispatcher of this module instead, which:
 *
 * - still refuses link-local addresses (169.254.0.0/16, fe80::/10), where cloud metadata
 *   services answer, whatever the name resolves to;
 * - trusts `VIAL_OAUTH_CIMD_LOCAL_CA`'s certificates besides the system ones, and only here;
 * - is never handed a redirect to follow (the caller fetches with `redirect: 'manual'`, and
 *   oidc-provider refuses any answer but 200), so a listed origin cannot lead elsewhere.
 *
 * Every other URL keeps oidc-provider's guard.
 */
import { lookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { rootCertificates } from 'node:tls';

const LINK_LOCAL = new BlockList();
LINK_LOCAL.addSubnet('169.254.0.0', 16, 'ipv4');
LINK_LOCAL.addSubnet('fe80::', 10, 'ipv6');

/** Whether `address` (an IP literal) is link-local, IPv4-mapped IPv6 included. */
export function isLinkLocal(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare)?.[1];
  if (mapped) return LINK_LOCAL.check(mapped, 'ipv4');
  const family = isIP(bare);
  return family !== 0 && LINK_LOCAL.check(bare, family === 6 ? 'ipv6' : 'ipv4');
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  addresses: LookupAddress[] | string,
  family?: number,
) => void;

/** dns.lookup, refusing a name that resolves to a link-local address. */
export function lookupNotLinkLocal(hostname: string, options: LookupAllOptions, callback: LookupCallback): void {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const refused = addresses.find(({ address }) => isLinkLocal(address));
    if (refused) {
      const problem = new Error(
        `${hostname} resolves to the link-local address ${refused.address}, which VIAL_OAUTH_CIMD_LOCAL_ORIGINS never allows`,
      ) as NodeJS.ErrnoException;
      problem.code = 'ECONNREFUSED';
      return callback(problem, []);
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

/** The class of Node's own undici dispatcher (fetch's), as oidc-provider takes it for its guard. */
function undiciAgent(): new (options: object) => object {
  // Reading Response loads Node's undici, which sets the global dispatcher.
  void Response;
  const global = (globalThis as Record<symbol, { constructor: new (options: object) => object } | undefined>)[
    Symbol.for('undici.globalDispatcher.1')
  ];
  if (!global) throw new Error("cannot reach Node's fetch dispatcher to build the local metadata document one");
  return global.constructor;
}

/**
 * The dispatcher for a metadata document at `href` when its origin is listed, else undefined
 * (the caller then keeps oidc-provider's guarded one). An origin whose host is a link-local
 * literal is never allowed.
 */
export function localDocumentDispatcher(origins: readonly string[], ca?: string): (href: string) => object | undefined {
  if (origins.length === 0) return () => undefined;
  const listed = new Set(origins.filter((origin) => !isLinkLocal(new URL(origin).hostname)));
  const Agent = undiciAgent();
  const dispatcher = new Agent({
    connect: { lookup: lookupNotLinkLocal, ...(ca ? { ca: [...rootCertificates, ca] } : {}) },
  });
  return (href) => {
    const url = URL.parse(href);
    return url && listed.has(url.origin) ? dispatcher : undefined;
  };
}
