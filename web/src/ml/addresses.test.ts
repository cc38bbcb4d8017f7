import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyHostname, classifyIpv4, classifyUrl, parseIpv6, type AddressKind } from './addresses.ts';

const kindOf = (url: string): AddressKind => classifyUrl(new URL(url));

/** Every way a URL may spell the IPv4 address `value` (the WHATWG parser reads them all). */
function spellings(value: number): string[] {
  const bytes = [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255];
  const [a, b, c, d] = bytes as [number, number, number, number];
  const hexPairs = [(a << 8) | b, (c << 8) | d].map((pair) => pair.toString(16));
  return [
    bytes.join('.'),
    String(value),
    `0x${value.toString(16)}`,
    `0${value.toString(8)}`,
    bytes.map((byte) => `0${byte.toString(8)}`).join('.'),
    bytes.map((byte) => `0x${byte.toString(16)}`).join('.'),
    `${a}.${(b << 16) | (c << 8) | d}`,
    `${a}.${b}.${(c << 8) | d}`,
    `${bytes.join('.')}.`,
    `[::ffff:${bytes.join('.')}]`,
    `[::ffff:${hexPairs.join(':')}]`,
    `[0:0:0:0:0:ffff:${bytes.join('.')}]`,
    `[64:ff9b::${bytes.join('.')}]`,
  ];
}

const ipv4In = (base: string, prefix: number) => {
  const start = base.split('.').reduce((total, byte) => total * 256 + Number(byte), 0);
  return fc.integer({ min: 0, max: 2 ** (32 - prefix) - 1 }).map((offset) => start + offset);
};

const SPECIAL_IPV4: Array<[string, number, AddressKind]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.168.0.0', 16, 'private'],
  ['192.0.2.0', 24, 'reserved'],
  ['198.18.0.0', 15, 'reserved'],
  ['224.0.0.0', 4, 'reserved'],
  ['240.0.0.0', 4, 'reserved'],
];

describe('classifyUrl: IPv4 in every spelling', () => {
  it.each(SPECIAL_IPV4)('%s/%i is %s however the address is written', (base, prefix, kind) => {
    fc.assert(
      fc.property(ipv4In(base, prefix), (address) => {
        for (const host of spellings(address)) expect(kindOf(`http://${host}:8080/x`), host).toBe(kind);
      }),
      { numRuns: 200 },
    );
  });

  it('calls every other IPv4 address public, in every spelling', () => {
    const publicAddress = fc
      .integer({ min: 0, max: 2 ** 32 - 1 })
      .filter((address) => classifyIpv4(address) === 'public');
    fc.assert(
      fc.property(publicAddress, (address) => {
        for (const host of spellings(address)) expect(kindOf(`https://${host}/`), host).toBe('public');
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['http://2130706433/', 'loopback'],
    ['http://0x7f.1/', 'loopback'],
    ['http://0177.0.0.1/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://0/', 'unspecified'],
    ['http://0.0.0.0:8787/', 'unspecified'],
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['http://100.100.100.200/', 'private'],
    ['http://172.31.255.255/', 'private'],
    ['http://172.32.0.1/', 'public'],
    ['http://255.255.255.255/', 'reserved'],
    ['http://8.8.8.8/', 'public'],
  ] as const)('%s is %s', (url, kind) => {
    expect(kindOf(url)).toBe(kind);
  });
});

describe('classifyUrl: IPv6', () => {
  const group = fc.integer({ min: 0, max: 0xffff });
  const address = (first: fc.Arbitrary<number>) =>
    fc
      .tuple(first, fc.array(group, { minLength: 7, maxLength: 7 }))
      .map(([head, rest]) => [head, ...rest].map((piece) => piece.toString(16)).join(':'));

  it.each([
    ['fc00::/7 (unique local)', fc.integer({ min: 0xfc00, max: 0xfdff }), 'private'],
    ['fe80::/10 (link-local)', fc.integer({ min: 0xfe80, max: 0xfebf }), 'link-local'],
    ['fec0::/10 (site-local)', fc.integer({ min: 0xfec0, max: 0xfeff }), 'private'],
    ['ff00::/8 (multicast)', fc.integer({ min: 0xff00, max: 0xffff }), 'reserved'],
  ] as const)('%s is %s', (_, first, kind) => {
    fc.assert(
      fc.property(address(first), (text) => {
        expect(kindOf(`http://[${text}]:80/`), text).toBe(kind);
      }),
      { numRuns: 200 },
    );
  });

  it('calls global unicast addresses outside the special blocks public', () => {
    const first = fc.integer({ min: 0x2000, max: 0x3fef }).filter((piece) => piece !== 0x2001 && piece !== 0x2002);
    fc.assert(
      fc.property(address(first), (text) => {
        expect(kindOf(`http://[${text}]/`), text).toBe('public');
      }),
    );
  });

  it.each([
    ['http://[::1]/', 'loopback'],
    ['http://[0:0:0:0:0:0:0:1]/', 'loopback'],
    ['http://[::]/', 'unspecified'],
    ['http://[::127.0.0.1]/', 'reserved'],
    ['http://[::ffff:7f00:1]/', 'loopback'],
    ['http://[::ffff:0:a00:1]/', 'private'],
    ['http://[::ffff:8.8.8.8]/', 'public'],
    ['http://[2002:c0a8:0101::1]/', 'private'],
    ['http://[2002:0808:0808::1]/', 'public'],
    ['http://[64:ff9b:1::1]/', 'private'],
    ['http://[2001:db8::1]/', 'reserved'],
    ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', 'reserved'],
    ['http://[100::1]/', 'reserved'],
    ['http://[3fff::1]/', 'reserved'],
    ['http://[2606:4700:4700::1111]/', 'public'],
  ] as const)('%s is %s', (url, kind) => {
    expect(kindOf(url)).toBe(kind);
  });
});

describe('classifyUrl: names', () => {
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);

  it('calls localhost and any *.localhost loopback, in any case, with or without the final dot', () => {
    fc.assert(
      fc.property(fc.array(label, { maxLength: 3 }), fc.boolean(), fc.boolean(), (labels, upper, dot) => {
        const name = [...labels, 'localhost'].join('.');
        const host = `${upper ? name.toUpperCase() : name}${dot ? '.' : ''}`;
        expect(kindOf(`http://${host}:3000/`), host).toBe('loopback');
      }),
    );
  });

  it.each([
    ['http://router/', 'local-name'],
    ['http://printer.local/', 'local-name'],
    ['http://metadata.google.internal/', 'local-name'],
    ['http://nas.lan/', 'local-name'],
    ['http://nas.home.arpa/', 'local-name'],
    ['http://LOCALHOST./', 'loopback'],
    ['http://ｌｏｃａｌｈｏｓｔ/', 'loopback'],
    ['https://huggingface.co/', 'public'],
    ['https://models.example.com/', 'public'],
    ['https://localhost.example.com/', 'public'],
    ['https://local.example.com/', 'public'],
  ] as const)('%s is %s', (url, kind) => {
    expect(kindOf(url)).toBe(kind);
  });

  it('classifies every hostname a URL can have without throwing', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true }), (url) => {
        expect(typeof classifyUrl(new URL(url))).toBe('string');
      }),
    );
  });
});

describe('parseIpv6', () => {
  it.each([
    ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
    ['fe80::1:2', [0xfe80, 0, 0, 0, 0, 0, 1, 2]],
    ['1:2:3:4:5:6:7:8', [1, 2, 3, 4, 5, 6, 7, 8]],
    ['::ffff:1.2.3.4', [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]],
  ])('reads %s', (text, pieces) => {
    expect(parseIpv6(text)).toEqual(pieces);
  });

  it.each(['1:2:3', '1::2::3', 'g::1', '1:2:3:4:5:6:7:8:9', '::1.2.3'])('refuses %s', (text) => {
    expect(parseIpv6(text)).toBeUndefined();
  });

  it('reads back every address a URL serialises', () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const host = new URL(`http://[${text}]/`).hostname;
        expect(parseIpv6(host.slice(1, -1))).toHaveLength(8);
        expect(classifyHostname(host)).not.toBeUndefined();
      }),
    );
  });
});
