import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestPath } from './requestPath.ts';

/** What the relay did before plain paths skipped the parser, and must still agree with. */
const parsedPath = (target: string) => {
  if (!target.startsWith('/')) return undefined;
  try {
    return new URL(target, 'http://relay').pathname;
  } catch {
    return undefined;
  }
};

describe('requestPath', () => {
  it('reads the relay paths, without their query or fragment', () => {
    expect(requestPath('/llm/chat')).toBe('/llm/chat');
    expect(requestPath('/mcp/AbC_-12?x=1')).toBe('/mcp/AbC_-12');
    expect(requestPath('/')).toBe('/');
    expect(requestPath('/healthz#top')).toBe('/healthz');
  });

  it('resolves what only a URL parser can, and refuses what is not origin-form', () => {
    expect(requestPath('/llm/../mcp/x')).toBe('/mcp/x');
    expect(requestPath('/a%2Fb')).toBe('/a%2Fb');
    expect(requestPath('//other/mcp/x')).toBe('/mcp/x');
    expect(requestPath('http://other/mcp/x')).toBeUndefined();
    expect(requestPath('*')).toBeUndefined();
  });

  it('agrees with the URL parser on any target', () => {
    // Mostly the plain segments the fast path takes, with the characters a URL parser treats specially.
    const segment = fc.oneof(
      { arbitrary: fc.stringMatching(/^[\w-]{0,8}$/), weight: 3 },
      fc.stringMatching(/^[\w\-.%~:@!$&'()*+,;= /\\?#[\]]{0,8}$/),
    );
    const target = fc.array(segment, { maxLength: 5 }).map((parts) => `/${parts.join('/')}`);
    fc.assert(
      fc.property(fc.oneof(target, fc.string()), (t) => {
        expect(requestPath(t)).toBe(parsedPath(t));
      }),
      { numRuns: 2000 },
    );
  });
});
