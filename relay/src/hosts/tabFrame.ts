/**
 * Reads one frame from a tab socket: JSON, then the frame schema of `@vial/shared`, exactly as
 * `parseFrame(tabFrameSchema, text)` does, with the same errors. What differs is the work for a
 * large `mcp` frame: its bytes are scanned (every byte checked as `JSON.parse` would), only its
 * envelope is parsed and validated, and its message's `params`, which the relay passes on without
 * reading, stay JSON (relay/src/mcp/messageJson.ts), so a flood of large notifications costs a
 * scan and a copy per frame instead of a tree of objects parsed, swept and serialized again.
 */
import { parseFrame, tabFrameSchema, type TabFrame } from '@vial/shared';
import { deferMember } from '../mcp/messageJson.ts';
import { scanObject, type MemberSpan } from './jsonSpans.ts';

export type TabFrameReading = { ok: true; frame: TabFrame } | { ok: false; error: string };

/**
 * Frames from this size on are scanned before they are parsed. Below it, parsing the frame whole
 * costs little, and a tab's usual frames (answers, pongs) take the path they always took.
 */
export const SCAN_FROM_BYTES = 16 * 1024;

const MCP_TYPE = Buffer.from('"mcp"');
const PARAMS_KEY = Buffer.from('"params"');

export function readTabFrame(data: Buffer): TabFrameReading {
  const spans = data.byteLength >= SCAN_FROM_BYTES && mayDefer(data) ? deferrableParams(data) : undefined;
  if (!spans) return parseFrame(tabFrameSchema, data.toString());
  const { message, params } = spans;
  // The frame with its params' value replaced by `null` parses, and validates, as the whole frame
  // would: the schema reads no params.
  const envelope = parseFrame(
    tabFrameSchema,
    `${data.toString('utf8', 0, params.start)}null${data.toString('utf8', params.end)}`,
  );
  if (envelope.ok && envelope.frame.type === 'mcp') {
    deferMember(
      envelope.frame.message,
      'params',
      data.subarray(params.start, params.end),
      data.subarray(message.start, message.end),
    );
  }
  return envelope;
}

/**
 * Whether the frame's bytes hold `"mcp"` and `"params"` unescaped, as a frame with params to
 * defer does (an escaped key only misses the saving). The scan costs more per byte than
 * `JSON.parse` (about three times on plain text), and a frame it cannot defer is parsed whole
 * after it: streamed answers (`http-chunk`) and large results skip it on a native search.
 */
function mayDefer(data: Buffer): boolean {
  return data.includes(MCP_TYPE) && data.includes(PARAMS_KEY);
}

/**
 * Where an `mcp` frame's message and its params lie, when the frame is valid JSON and they can
 * stay unread: undefined for anything else, which is then parsed whole. Repeated keys (JSON.parse
 * keeps the last, other readers may not) and a message key `__proto__` (the schema drops it from
 * what it returns) would make the JSON kept differ from the message validated, so they are parsed
 * whole too.
 */
function deferrableParams(data: Buffer): { message: MemberSpan; params: MemberSpan } | undefined {
  const spans = scanObject(data, 'message');
  if (!spans?.nested || repeatsKeys(spans.members) || repeatsKeys(spans.nested)) return undefined;
  const type = spans.members.find((member) => member.key === 'type');
  if (!type || !MCP_TYPE.equals(data.subarray(type.start, type.end))) return undefined;
  if (spans.nested.some((member) => member.key === '__proto__')) return undefined;
  const message = spans.members.find((member) => member.key === 'message')!;
  const params = spans.nested.find((member) => member.key === 'params');
  const opens = params && data[params.start];
  // Scalars cost nothing to parse; only containers are worth leaving as JSON.
  if (!params || (opens !== 0x7b && opens !== 0x5b)) return undefined;
  return { message, params };
}

function repeatsKeys(members: MemberSpan[]): boolean {
  return new Set(members.map((member) => member.key)).size !== members.length;
}
