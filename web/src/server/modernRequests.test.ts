import { describe, expect, it } from 'vitest';
import { calledTool, codePointChunks, parseJson } from './modernRequests.ts';

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

describe('calledTool', () => {
  it('names the tool of a tools/call, and nothing for any other message or a body that is not JSON', () => {
    expect(calledTool(parseJson('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo"}}'))).toBe(
      'echo',
    );
    expect(calledTool(parseJson('{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"name":"echo"}}'))).toBe(
      undefined,
    );
    expect(calledTool(parseJson('{"method":"tools/call","params":{"name":7}}'))).toBe(undefined);
    expect(calledTool(parseJson('{"method":"tools/call","params":null}'))).toBe(undefined);
    expect(calledTool(parseJson('null'))).toBe(undefined);
    expect(parseJson('{"method":')).toBe(undefined);
    expect(calledTool(parseJson('{"method":'))).toBe(undefined);
  });
});
