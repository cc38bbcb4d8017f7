import { describe, expect, it } from 'vitest';
import { CANONICAL_MAX_DEPTH, TOO_DEEP_MARKER, canonicalJson, canonicalJsonOf } from './canonicalJson.ts';

describe('canonicalJson', () => {
  it('is JSON.stringify with keys sorted at every level', () => {
    const value = { b: [3, { z: 1, y: undefined, x: null }], a: 'é', c: new Date(0), d: undefined };
    expect(canonicalJson(value)).toBe('{"a":"é","b":[3,{"x":null,"z":1}],"c":"1970-01-01T00:00:00.000Z"}');
  });

  it('replaces what is nested deeper than the limit by a marker instead of overflowing the stack', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    const { text, cut } = canonicalJsonOf(deep);
    expect(cut).toBe(true);
    expect(text).toBe(
      `${'['.repeat(CANONICAL_MAX_DEPTH)}${JSON.stringify(TOO_DEEP_MARKER)}${']'.repeat(CANONICAL_MAX_DEPTH)}`,
    );
  });

  it('leaves values within the limit untouched', () => {
    let deep: unknown = 0;
    for (let i = 0; i < CANONICAL_MAX_DEPTH; i++) deep = [deep];
    expect(canonicalJsonOf(deep)).toEqual({ text: JSON.stringify(deep), cut: false });
  });
});
