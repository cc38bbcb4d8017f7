/**
 * How the tab checks a tool's `structuredContent` against its output schema before the SDK sends
 * it (the SDK calls the schema's `~standard.validate` on every result that is not an error).
 *
 * A full zod check costs about three times what serialising the result does, on the tab's main
 * thread: 91 ms for a simulation with 65 536 distinct outcomes (2 MB of JSON) and 502 ms with
 * 262 144, where JSON.stringify takes 28 and 168 ms (Node 24, a 2-core machine at load 7); the
 * top-level check takes under 0.1 ms. So a result whose text form is
 * at most `DEEP_CHECK_CHARS` long is checked whole (a few ms at most); a larger one has its top
 * level checked: an object with no key the schema does not name, so nothing a tool did not
 * declare leaves the tab. Each tool's answer is bound to its schema at compile time
 * (`StructuredTool.run`), the tests check every answer whole, and the SDK client checks the
 * advertised JSON Schema again.
 */
import type { CallToolResult, StandardSchemaV1 } from '@modelcontextprotocol/server';
import type { z } from 'zod';

/** Results whose text form is longer than this (64 KiB of JSON, a few thousand values) get the top-level check. */
export const DEEP_CHECK_CHARS = 64 * 1024;

/** The `structuredContent` of results too large for a full check, told by `noteResultSize`. */
const large = new WeakSet<object>();

/** Called with each result a tool returns, before the SDK checks it: large ones are checked at their top level. */
export function noteResultSize(result: CallToolResult): void {
  const content: unknown = result.structuredContent;
  // An input-required result (2026-07-28) has no content: it is no answer yet.
  if (!isRecord(content) || !Array.isArray(result.content)) return;
  const text = result.content.reduce((length, block) => length + (block.type === 'text' ? block.text.length : 0), 0);
  if (text > DEEP_CHECK_CHARS) large.add(content);
}

/** Makes `schema`'s standard validation check large results at their top level only (see the module comment). */
export function boundOutputCheck(schema: z.ZodObject): void {
  const standard = schema['~standard'];
  const known = new Set(Object.keys(schema.shape));
  const validate: typeof standard.validate = (value, options) =>
    isRecord(value) && large.has(value) ? topLevel(value, known) : standard.validate(value, options);
  schema['~standard'] = { ...standard, validate };
}

function topLevel(
  value: Record<string, unknown>,
  known: Set<string>,
): StandardSchemaV1.Result<Record<string, unknown>> {
  const unknownKeys = Object.keys(value).filter((key) => !known.has(key));
  if (unknownKeys.length > 0) {
    return { issues: [{ message: `keys the output schema does not name: ${unknownKeys.slice(0, 5).join(', ')}` }] };
  }
  return { value };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
