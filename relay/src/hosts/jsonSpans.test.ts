import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanObject, type ObjectSpans } from './jsonSpans.ts';

/** What JSON.parse makes of the bytes, or undefined where it throws. */
function parsed(bytes: Buffer): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(bytes.toString()) as unknown };
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value of each member as JSON.parse reads its bytes, keyed as the last of repeated keys wins. */
function memberValues(bytes: Buffer, members: ObjectSpans['members']): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const { key, start, end } of members) {
    Object.defineProperty(values, key, {
      value: JSON.parse(bytes.toString('utf8', start, end)),
      enumerable: true,
      configurable: true,
    });
  }
  return values;
}

/** The scan agrees with JSON.parse: it accepts the same texts, and its spans hold the same values. */
function expectAgreement(text: string): void {
  const bytes = Buffer.from(text);
  const spans = scanObject(bytes, 'message');
  const reference = parsed(bytes);
  if (!reference || !isObject(reference.value)) {
    expect(spans, text).toBeUndefined();
    return;
  }
  expect(spans, text).toBeDefined();
  expect(memberValues(bytes, spans!.members)).toStrictEqual(reference.value);
  const message = reference.value.message;
  if (isObject(message)) expect(memberValues(bytes, spans!.nested!)).toStrictEqual(message);
  else expect(spans!.nested).toBeUndefined();
}

/** JSON texts of objects, indented or not, sometimes with a `message` object. */
const objectTexts = fc
  .tuple(
    fc.dictionary(fc.string(), fc.jsonValue()),
    fc.option(fc.dictionary(fc.string(), fc.jsonValue())),
    fc.constantFrom(undefined, 1, '\t'),
  )
  .map(([object, message, indent]) => JSON.stringify(message ? { ...object, message } : object, null, indent));

/** Pieces that make JSON and almost-JSON when strung together. */
const tokens = fc.constantFrom(
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  ' ',
  '\n',
  '\u00a0',
  '\ufeff',
  '"message"',
  '"params"',
  '"a"',
  '"m\\u0065ssage"',
  '"\\ud800"',
  '"é"',
  '"\\x"',
  '"\\u12"',
  '"\\u12G4"',
  '"\u0001"',
  '"\\/\\b\\f\\n\\r\\t\\"\\\\"',
  '"',
  '0',
  '-0',
  '01',
  '1.',
  '.5',
  '-',
  '1e',
  '1e+',
  '2.5E-3',
  '123',
  '-12.5e+10',
  'true',
  'tru',
  'false',
  'null',
  'nul',
  'NaN',
);

describe('scanObject', () => {
  it('reads the members of objects, and of their message, as JSON.parse does', () => {
    fc.assert(fc.property(objectTexts, expectAgreement), { numRuns: 500 });
  });

  it('accepts exactly what JSON.parse accepts, whatever the text', () => {
    fc.assert(
      fc.property(fc.array(tokens, { maxLength: 24 }), (pieces) => expectAgreement(`{${pieces.join('')}`)),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.array(tokens, { maxLength: 24 }), (pieces) => expectAgreement(pieces.join(''))),
      { numRuns: 5000 },
    );
  });

  it('agrees with JSON.parse on valid objects with one character changed', () => {
    const edits = fc.tuple(objectTexts, fc.nat(), fc.constantFrom('delete', 'insert', 'replace'), tokens);
    fc.assert(
      fc.property(edits, ([text, position, edit, token]) => {
        const at = position % (text.length + 1);
        const tail = edit === 'insert' ? text.slice(at) : text.slice(at + 1);
        expectAgreement(text.slice(0, at) + (edit === 'delete' ? '' : token) + tail);
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    '{}',
    ' \t\r\n{ } ',
    '{"a":1,}',
    '{"a":1 "b":2}',
    '{"a" 1}',
    '{a:1}',
    "{'a':1}",
    '{"a":[1,]}',
    '{"a":[,1]}',
    '{"a":01}',
    '{"a":-}',
    '{"a":1.e5}',
    '{"a":"\t"}',
    '{"a":"\\u00"}',
    '{"a":1}}',
    '{"a":1} x',
    '{"a":{"b":[{"c":null}]}}',
    '{"message":{"jsonrpc":"2.0","params":{"x":[1,2]}},"message":[1]}',
    '{"message":[1],"message":{"params":{}}}',
    '{"message":{"params":1,"params":2}}',
    '{"__proto__":{"a":1},"message":{"__proto__":[]}}',
    '[1]',
    '"text"',
    '',
  ])('agrees with JSON.parse on %j', (text) => expectAgreement(text));

  it('scans nesting of any depth without using the call stack', () => {
    const depth = 200_000;
    expect(scanObject(Buffer.from(`{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`), 'message')?.members).toEqual([
      { key: 'a', start: 5, end: 5 + 2 * depth },
    ]);
    expect(scanObject(Buffer.from(`{"a":${'['.repeat(depth)}${']'.repeat(depth - 1)}}`), 'message')).toBeUndefined();
  });

  it('gives where the values of a frame and its message lie', () => {
    const text = '{"type":"mcp", "message": {"jsonrpc":"2.0","params":[{},{}]}}';
    const spans = scanObject(Buffer.from(text), 'message')!;
    const slice = ({ start, end }: { start: number; end: number }) => text.slice(start, end);
    expect(spans.members.map((member) => [member.key, slice(member)])).toEqual([
      ['type', '"mcp"'],
      ['message', '{"jsonrpc":"2.0","params":[{},{}]}'],
    ]);
    expect(spans.nested!.map((member) => [member.key, slice(member)])).toEqual([
      ['jsonrpc', '"2.0"'],
      ['params', '[{},{}]'],
    ]);
  });
});
