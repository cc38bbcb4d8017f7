import { describe, expect, it } from 'vitest';
import { codePointChunks } from './modernRequests.ts';

describe('codePointChunks', () => {
  it('never splits a surrogate pair, and loses nothing', () => {
    const text = `a${'😀'.repeat(10)}b`;
    for (const max of [2, 3, 4, 5]) {
      const chunks = codePointChunks(text, max);
      expect(chunks.join('')).toBe(text);
      for (const chunk of chunks) {
        expect(chunk.length).toBeLessThanOrEqual(max);
        expect(chunk).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
      }
    }
  });

  it('gives one chunk for short text and none for empty text', () => {
    expect(codePointChunks('abc', 8)).toEqual(['abc']);
    expect(codePointChunks('', 8)).toEqual([]);
  });
});
