/**
 * Which kind of address a URL points at, for deciding what remote clients may make the tab fetch.
 * Pure: it reads the URL as the WHATWG parser left it (`new URL` turns `2130706433`, `0x7f.1`
 * and `0177.0.0.1` into `127.0.0.1`, and `[::ffff:127.0.0.1]` into `[::ffff:7f00:1]`), so every
 * spelling of an address lands on one form before it is classified.
 *
 * The browser cannot resolve names, so a public name is classified as `public` whatever it
 * resolves to (a name pointing at a private address, or DNS rebinding, is left to the person's
 * approval of that origin).
 */

export type AddressKind =
  /** This machine: 127/8, ::1, `localhost`, `*.localhost`. */
  | 'loopback'
  /** A private network: RFC 1918, 100.64/10 (carrier-grade NAT), fc00::/7, fec0::/10, 64:ff9b:1::/48. */
  | 'private'
  /** The local link: 169.254/16 (cloud metadata services live here), fe80::/10. */
  | 'link-local'
  /** 0.0.0.0/8 and `::`, which reach this machine on Linux and macOS. */
  | 'unspecified'
  /** Not for hosts on the internet: documentation, benchmarking, multicast, broadcast, reserved. */
  | 'reserved'
  /** A name only the local network resolves: one label (`router`), `.local`, `.internal`, `.lan`, `.home.arpa`, … */
  | 'local-name'
  | 'public';

/** Words for an address kind, as error messages and the approval panel use them. */
export const ADDRESS_KIND_WORDS: Record<AddressKind, string> = {
  loopback: 'a loopback address (this machine)',
  private: 'a private-network address',
  'link-local': 'a link-local address',
  unspecified: 'an unspecified address (it reaches this machine)',
  reserved: 'a reserved or special-purpose address',
  'local-name': 'a name only the local network resolves',
  public: 'a public address',
};

type Ipv4Range = readonly [base: number, prefix: number, kind: Exclude<AddressKind, 'public'>];

/** Special-purpose IPv4 blocks (IANA registry, RFC 6890 and successors); the rest is public. */
const IPV4_RANGES: readonly Ipv4Range[] = [
  [ipv4('0.0.0.0'), 8, 'unspecified'],
  [ipv4('10.0.0.0'), 8, 'private'],
  [ipv4('100.64.0.0'), 10, 'private'],
  [ipv4('127.0.0.0'), 8, 'loopback'],
  [ipv4('169.254.0.0'), 16, 'link-local'],
  [ipv4('172.16.0.0'), 12, 'private'],
  [ipv4('192.0.0.0'), 24, 'reserved'],
  [ipv4('192.0.2.0'), 24, 'reserved'],
  [ipv4('192.88.99.0'), 24, 'reserved'],
  [ipv4('192.168.0.0'), 16, 'private'],
  [ipv4('198.18.0.0'), 15, 'reserved'],
  [ipv4('198.51.100.0'), 24, 'reserved'],
  [ipv4('203.0.113.0'), 24, 'reserved'],
  [ipv4('224.0.0.0'), 4, 'reserved'],
  [ipv4('240.0.0.0'), 4, 'reserved'],
];

/** Name suffixes that only a local network resolves (RFC 6762, RFC 8375, ICANN's `.internal`, common LAN habits). */
const LOCAL_SUFFIXES = [
  '.local',
  '.internal',
  '.lan',
  '.home.arpa',
  '.home',
  '.corp',
  '.intranet',
  '.private',
  '.localdomain',
];

/** The kind of address `url` points at. */
export function classifyUrl(url: URL): AddressKind {
  return classifyHostname(url.hostname);
}

/**
 * The kind of a hostname as a `URL` serialises it: a dotted IPv4, a bracketed IPv6 or a
 * lower-case name. Other spellings are not recognised here; parse them with `new URL` first.
 */
export function classifyHostname(hostname: string): AddressKind {
  if (hostname.startsWith('[') && hostname.endsWith(']')) {
    const pieces = parseIpv6(hostname.slice(1, -1));
    return pieces ? classifyIpv6(pieces) : 'reserved';
  }
  const v4 = parseDottedIpv4(hostname);
  if (v4 !== undefined) return classifyIpv4(v4);
  return classifyName(hostname);
}

function classifyName(hostname: string): AddressKind {
  // `localhost.` is `localhost`: one trailing dot makes a name absolute, not another name.
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (name === '') return 'reserved';
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback';
  if (!name.includes('.')) return 'local-name';
  if (LOCAL_SUFFIXES.some((suffix) => name.endsWith(suffix))) return 'local-name';
  return 'public';
}

export function classifyIpv4(address: number): AddressKind {
  for (const [base, prefix, kind] of IPV4_RANGES) {
    if (inPrefix(address, base, prefix)) return kind;
  }
  return 'public';
}

/** `pieces`: the eight 16-bit groups of an IPv6 address. */
function classifyIpv6(pieces: readonly number[]): AddressKind {
  const [p0, p1, p2, p3, p4, p5, p6, p7] = pieces as [number, number, number, number, number, number, number, number];
  const embeddedLow = ((p6 << 16) | p7) >>> 0;
  const leadingZeros = p0 === 0 && p1 === 0 && p2 === 0 && p3 === 0 && p4 === 0;
  if (leadingZeros && p5 === 0 && p6 === 0) {
    if (p7 === 0) return 'unspecified';
    if (p7 === 1) return 'loopback';
  }
  // ::ffff:a.b.c.d (IPv4-mapped) and ::ffff:0:a.b.c.d (IPv4-translated) reach the IPv4 address.
  if (leadingZeros && p5 === 0xffff) return classifyIpv4(embeddedLow);
  if (p0 === 0 && p1 === 0 && p2 === 0 && p3 === 0 && p4 === 0xffff && p5 === 0) return classifyIpv4(embeddedLow);
  // ::a.b.c.d (IPv4-compatible, deprecated) and the rest of ::/96.
  if (leadingZeros && p5 === 0) return 'reserved';
  // NAT64 (64:ff9b::/96) reaches the embedded IPv4 address; its local-use block is private.
  if (p0 === 0x64 && p1 === 0xff9b && p2 === 0 && p3 === 0 && p4 === 0 && p5 === 0) return classifyIpv4(embeddedLow);
  if (p0 === 0x64 && p1 === 0xff9b && p2 === 1) return 'private';
  // 6to4 (2002::/16) carries an IPv4 address in its next 32 bits.
  if (p0 === 0x2002) return classifyIpv4(((p1 << 16) | p2) >>> 0);
  if (p0 === 0x0100 && p1 === 0 && p2 === 0 && p3 === 0) return 'reserved'; // discard-only 100::/64
  if (p0 === 0x2001 && p1 === 0) return 'reserved'; // Teredo 2001::/32
  if (p0 === 0x2001 && p1 === 0x0db8) return 'reserved'; // documentation
  if ((p0 & 0xfff0) === 0x3ff0) return 'reserved'; // documentation 3fff::/20
  if ((p0 & 0xfe00) === 0xfc00) return 'private'; // unique local fc00::/7
  if ((p0 & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
  if ((p0 & 0xffc0) === 0xfec0) return 'private'; // site-local fec0::/10 (deprecated)
  if ((p0 & 0xff00) === 0xff00) return 'reserved'; // multicast
  return 'public';
}

function inPrefix(address: number, base: number, prefix: number): boolean {
  if (prefix === 0) return true;
  const mask = (~0 << (32 - prefix)) >>> 0;
  return (address & mask) >>> 0 === (base & mask) >>> 0;
}

/** `a.b.c.d` with each part 0-255, as a 32-bit number; undefined for anything else. */
export function parseDottedIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const byte = Number(part);
    if (byte > 255) return undefined;
    value = value * 256 + byte;
  }
  return value;
}

function ipv4(text: string): number {
  return parseDottedIpv4(text)!;
}

/**
 * The eight groups of an IPv6 address in the form a URL serialises (hex groups, at most one
 * `::`), or with a dotted IPv4 tail; undefined when it is not one.
 */
export function parseIpv6(text: string): number[] | undefined {
  let tail: number[] = [];
  let body = text;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseDottedIpv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [v4 >>> 16, v4 & 0xffff];
    body = text.slice(0, lastColon + 1);
    if (body.endsWith(':') && !body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const named = [...head, ...rest];
  if (!named.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return undefined;
  const missing = 8 - named.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const hex = (group: string) => parseInt(group, 16);
  return [...head.map(hex), ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest.map(hex), ...tail];
}
