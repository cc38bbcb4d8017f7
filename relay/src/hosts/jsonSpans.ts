/**
 * A validating scan of a JSON object's UTF-8 bytes that builds nothing: it accepts exactly what
 * `JSON.parse` accepts (RFC 8259, as ECMAScript reads it) and says where the root object's members
 * lie, and the members of one of them. The tab socket uses it to read a large frame's envelope
 * without turning the whole frame into objects: a 256 KiB `[{},{},…]` is about 87,000 of them,
 * which `JSON.parse` makes and the garbage collector then has to sweep, frame after frame.
 *
 * The scan runs in a loop with a stack of its own, so nesting of any depth costs no call stack.
 */

/** A member of an object: its key, decoded, and where its value's bytes start and end (exclusive). */
export interface MemberSpan {
  key: string;
  start: number;
  end: number;
}

export interface ObjectSpans {
  /** The root object's members in the order they appear, repeated keys included. */
  members: MemberSpan[];
  /**
   * The members of the object that is the value of the root's last `nestedKey` member; undefined
   * when there is no such member or its value is not an object.
   */
  nested: MemberSpan[] | undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/*
 * Every read is within the bytes: V8 makes a load that has once gone past the end of a typed
 * array several times slower from then on.
 */

/** The byte at `i`, or -1 past the end. */
const at = (bytes: Uint8Array, i: number): number => (i < bytes.length ? bytes[i]! : -1);

/**
 * Scans `bytes` as one JSON text whose root is an object. Undefined when it is not valid JSON or
 * its root is not an object; then `JSON.parse` of the same text would throw, or give no object.
 */
export function scanObject(bytes: Uint8Array, nestedKey: string): ObjectSpans | undefined {
  const members: MemberSpan[] = [];
  let nested: MemberSpan[] | undefined;
  const end = readObject(bytes, skipWhitespace(bytes, 0), members, (member) => {
    if (member.key !== nestedKey) return skipValue(bytes, member.start);
    nested = undefined;
    if (at(bytes, member.start) !== OPEN_OBJECT) return skipValue(bytes, member.start);
    const inner: MemberSpan[] = [];
    const after = readObject(bytes, member.start, inner, (innerMember) => skipValue(bytes, innerMember.start));
    nested = inner;
    return after;
  });
  return end >= 0 && skipWhitespace(bytes, end) === bytes.length ? { members, nested } : undefined;
}

/**
 * Reads the object whose `{` is at `i`, adding its members to `members`; `readValue` checks each
 * member's value and says where it ends. The index after the object's `}`, or -1.
 */
function readObject(
  bytes: Uint8Array,
  i: number,
  members: MemberSpan[],
  readValue: (member: MemberSpan) => number,
): number {
  if (at(bytes, i) !== OPEN_OBJECT) return -1;
  i = skipWhitespace(bytes, i + 1);
  if (at(bytes, i) === CLOSE_OBJECT) return i + 1;
  for (;;) {
    const keyEnd = at(bytes, i) === QUOTE ? skipString(bytes, i) : -1;
    if (keyEnd < 0) return -1;
    const colon = skipWhitespace(bytes, keyEnd);
    if (at(bytes, colon) !== COLON) return -1;
    const member = { key: decodeKey(bytes, i, keyEnd), start: skipWhitespace(bytes, colon + 1), end: -1 };
    members.push(member);
    member.end = readValue(member);
    if (member.end < 0) return -1;
    i = skipWhitespace(bytes, member.end);
    const next = at(bytes, i);
    if (next === CLOSE_OBJECT) return i + 1;
    if (next !== COMMA) return -1;
    i = skipWhitespace(bytes, i + 1);
  }
}

/** From `i`, where a key's opening quote should be, past the key, its colon and the whitespace after: where its value starts, or -1. */
function skipKey(bytes: Uint8Array, i: number): number {
  const keyEnd = at(bytes, i) === QUOTE ? skipString(bytes, i) : -1;
  if (keyEnd < 0) return -1;
  const colon = skipWhitespace(bytes, keyEnd);
  return at(bytes, colon) === COLON ? skipWhitespace(bytes, colon + 1) : -1;
}

/**
 * Checks the value that starts at `i`, however deep, in a loop with a stack of its own (the
 * opening bracket of each container it is in): the index after it, or -1.
 */
function skipValue(bytes: Uint8Array, i: number): number {
  const end = bytes.length;
  let open = new Uint8Array(64);
  let depth = 0;
  for (;;) {
    // A value starts at i.
    let c = i < end ? bytes[i]! : -1;
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (depth === open.length) {
        const grown = new Uint8Array(depth * 2);
        grown.set(open);
        open = grown;
      }
      open[depth++] = c;
      i = skipWhitespace(bytes, i + 1);
      // `}` and `]` are two after `{` and `[`.
      if (at(bytes, i) === c + 2) {
        i++;
        depth--;
      } else {
        if (c === OPEN_OBJECT) i = skipKey(bytes, i);
        if (i < 0) return -1;
        continue;
      }
    } else if (c === QUOTE) {
      i = skipString(bytes, i);
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      i = skipNumber(bytes, i);
    } else {
      i = skipLiteral(bytes, i);
    }
    if (i < 0) return -1;
    // A value ended at i: close the containers it completes, then go on to the next value.
    for (;;) {
      if (depth === 0) return i;
      i = skipWhitespace(bytes, i);
      c = at(bytes, i);
      const container = open[depth - 1]!;
      if (c === COMMA) {
        i = skipWhitespace(bytes, i + 1);
        if (container === OPEN_OBJECT) i = skipKey(bytes, i);
        if (i < 0) return -1;
        break;
      }
      if (c !== container + 2) return -1;
      i++;
      depth--;
    }
  }
}

function skipWhitespace(bytes: Uint8Array, i: number): number {
  const end = bytes.length;
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
  }
  return i;
}

const isHex = (c: number): boolean => (c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/** The escapes JSON allows after a backslash besides `u`: `" \ / b f n r t`. */
const SIMPLE_ESCAPES = new Set([QUOTE, BACKSLASH, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

/** From the opening quote at `i`, the index after the closing one, or -1. Bytes of 0x80 and up are UTF-8 the socket already checked. */
function skipString(bytes: Uint8Array, i: number): number {
  const end = bytes.length;
  for (i++; i < end; i++) {
    const c = bytes[i]!;
    if (c === QUOTE) return i + 1;
    if (c < 0x20) return -1;
    if (c !== BACKSLASH) continue;
    const escape = at(bytes, ++i);
    if (escape === 0x75) {
      if (
        !isHex(at(bytes, i + 1)) ||
        !isHex(at(bytes, i + 2)) ||
        !isHex(at(bytes, i + 3)) ||
        !isHex(at(bytes, i + 4))
      ) {
        return -1;
      }
      i += 4;
    } else if (!SIMPLE_ESCAPES.has(escape)) {
      return -1;
    }
  }
  return -1;
}

function skipDigits(bytes: Uint8Array, i: number): number {
  const end = bytes.length;
  while (i < end && bytes[i]! >= ZERO && bytes[i]! <= NINE) i++;
  return i;
}

/** `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` from `i`: the index after it, or -1. */
function skipNumber(bytes: Uint8Array, i: number): number {
  if (at(bytes, i) === MINUS) i++;
  const first = at(bytes, i);
  if (first === ZERO) i++;
  else if (first > ZERO && first <= NINE) i = skipDigits(bytes, i);
  else return -1;
  if (at(bytes, i) === DOT) {
    const digits = skipDigits(bytes, i + 1);
    if (digits === i + 1) return -1;
    i = digits;
  }
  const exponent = at(bytes, i);
  if (exponent === 0x65 || exponent === 0x45) {
    i++;
    const sign = at(bytes, i);
    if (sign === PLUS || sign === MINUS) i++;
    const digits = skipDigits(bytes, i);
    if (digits === i) return -1;
    i = digits;
  }
  return i;
}

const LITERALS = ['true', 'false', 'null'].map((word) => Buffer.from(word));

/** `true`, `false` or `null` at `i`: the index after it, or -1. */
function skipLiteral(bytes: Uint8Array, i: number): number {
  const first = at(bytes, i);
  for (const literal of LITERALS) {
    if (first !== literal[0]) continue;
    for (let k = 1; k < literal.length; k++) if (at(bytes, i + k) !== literal[k]) return -1;
    return i + literal.length;
  }
  return -1;
}

/** The key of the string token from `start` (its opening quote) to `end` (after its closing one). */
function decodeKey(bytes: Uint8Array, start: number, end: number): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
  return text.includes('\\') ? (JSON.parse(text) as string) : text.slice(1, -1);
}
