import fc from 'fast-check';
import { parseFrame, tabFrameSchema } from '@vial/shared';
import { describe, expect, it } from 'vitest';
import { messageJson } from '../mcp/messageJson.ts';
import { readTabFrame, SCAN_FROM_BYTES } from './tabFrame.ts';

/** Enough `{}` to make a frame that is scanned. */
const flood = (): unknown[] => new Array(Math.ceil(SCAN_FROM_BYTES / 3) + 10).fill({});

const paramsDeferred = (message: object): boolean =>
  Object.getOwnPropertyDescriptor(message, 'params')?.get !== undefined;

/** readTabFrame's reading of a frame, next to the reading of JSON.parse and the schema. */
function readBoth(text: string) {
  return { read: readTabFrame(Buffer.from(text)), reference: parseFrame(tabFrameSchema, text) };
}

describe('readTabFrame', () => {
  it('reads large frames, valid or not, as parsing them whole does, errors included', () => {
    const absent = undefined;
    /** `usual` three times in four, else one of the others: enough frames are valid to take every path. */
    const mostly = <T>(usual: T, ...others: T[]) =>
      fc.oneof({ arbitrary: fc.constant(usual), weight: 3 }, { arbitrary: fc.constantFrom(...others), weight: 1 });
    const frames = fc.record(
      {
        type: mostly<unknown>('mcp', 'ping', 'close-sse-stream', 'nope', 1, absent),
        sessionId: mostly<unknown>('s1', '', 'x'.repeat(200), 5, absent),
        relatedRequestId: mostly<unknown>(absent, 7, 'r', null),
        extra: mostly<unknown>(absent, flood()),
        message: fc.oneof(
          {
            weight: 3,
            arbitrary: fc.record({
              jsonrpc: mostly<unknown>('2.0', '1.0', absent),
              id: mostly<unknown>(absent, 1, 'a', null, 1.5),
              method: mostly<unknown>('notifications/message', 3, absent),
              params: mostly<unknown>(
                { level: 'info', data: flood() },
                flood(),
                'x'.repeat(SCAN_FROM_BYTES),
                1,
                absent,
              ),
              result: mostly<unknown>(absent, {}),
            }),
          },
          { weight: 1, arbitrary: fc.constantFrom<unknown>(flood(), 'text', null) },
        ),
      },
      { requiredKeys: [] },
    );
    let deferred = 0;
    fc.assert(
      fc.property(frames, fc.constantFrom(undefined, 1), (frame, indent) => {
        const { read, reference } = readBoth(JSON.stringify(frame, null, indent));
        if (read.ok && read.frame.type === 'mcp' && paramsDeferred(read.frame.message)) deferred++;
        expect(read).toEqual(reference);
        expect(JSON.stringify(read)).toBe(JSON.stringify(reference));
      }),
      { numRuns: 300 },
    );
    // Some of them took the scanned path.
    expect(deferred).toBeGreaterThan(0);
  });

  it('leaves a large message params as the JSON they came in, until they are read', () => {
    const message = { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: flood() } };
    const text = `{"type":"mcp","sessionId":"s1","message":${JSON.stringify(message, null, 1)}}`;
    const read = readTabFrame(Buffer.from(text));
    if (!read.ok || read.frame.type !== 'mcp') throw new Error(`not an mcp frame: ${JSON.stringify(read)}`);
    const kept = read.frame.message;
    expect(paramsDeferred(kept)).toBe(true);
    // What the event store keeps is the message as it arrived, whitespace and all.
    expect(messageJson(kept).toString()).toBe(JSON.stringify(message, null, 1));
    expect(paramsDeferred(kept)).toBe(true);

    expect(kept).toEqual(message);
    expect(paramsDeferred(kept)).toBe(false);
    // Once read, the params may have been changed: the message is serialized as it is now.
    (kept.params as { level: string }).level = 'debug';
    expect(JSON.parse(messageJson(kept).toString())).toEqual({
      ...message,
      params: { ...message.params, level: 'debug' },
    });
  });

  it('gives a deferred member a value set on it', () => {
    const text = JSON.stringify({
      type: 'mcp',
      sessionId: 's1',
      message: { jsonrpc: '2.0', method: 'm', params: flood() },
    });
    const read = readTabFrame(Buffer.from(text));
    if (!read.ok || read.frame.type !== 'mcp') throw new Error('not an mcp frame');
    read.frame.message.params = { replaced: true };
    expect(JSON.parse(messageJson(read.frame.message).toString())).toEqual({
      jsonrpc: '2.0',
      method: 'm',
      params: { replaced: true },
    });
  });

  it.each([
    ['small frames', JSON.stringify({ type: 'mcp', sessionId: 's1', message: { jsonrpc: '2.0', params: [1] } })],
    [
      'repeated keys in the frame',
      `{"type":"mcp","sessionId":"s1","sessionId":"s2","message":${JSON.stringify({ jsonrpc: '2.0', params: flood() })}}`,
    ],
    [
      'repeated keys in the message',
      `{"type":"mcp","sessionId":"s1","message":{"jsonrpc":"2.0","method":"a","method":"b","params":${JSON.stringify(flood())}}}`,
    ],
    [
      'a message key __proto__',
      `{"type":"mcp","sessionId":"s1","message":{"jsonrpc":"2.0","__proto__":{"x":1},"params":${JSON.stringify(flood())}}}`,
    ],
    [
      'a type spelled with escapes',
      JSON.stringify({ type: 'mcp', sessionId: 's1', message: { jsonrpc: '2.0', params: flood() } }).replace(
        '"mcp"',
        '"m\\u0063p"',
      ),
    ],
    [
      'scalar params',
      JSON.stringify({
        type: 'mcp',
        sessionId: 's1',
        message: { jsonrpc: '2.0', params: 'x'.repeat(SCAN_FROM_BYTES) },
      }),
    ],
  ])('parses %s whole, as before', (_, text) => {
    const { read, reference } = readBoth(text);
    expect(read).toEqual(reference);
    if (read.ok && read.frame.type === 'mcp') expect(paramsDeferred(read.frame.message)).toBe(false);
  });

  it('refuses large frames that are not JSON with the error of a frame parsed whole', () => {
    const text = JSON.stringify({ type: 'mcp', sessionId: 's1', message: { jsonrpc: '2.0', params: flood() } });
    for (const broken of [
      text.slice(0, -1),
      text.replace('{},{}', '{},,{}'),
      `${text}x`,
      text.replace('{}', '{\u0001}'),
    ]) {
      expect(readTabFrame(Buffer.from(broken))).toEqual({ ok: false, error: 'frame is not valid JSON' });
    }
  });
});
