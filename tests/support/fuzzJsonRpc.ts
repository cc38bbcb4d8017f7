/**
 * fast-check arbitraries for hostile JSON-RPC traffic, shared by the relay and host-runtime fuzz
 * suites: messages that are almost right (wrong version, ids of every type, unknown methods,
 * params of the wrong shape), deeply nested values, odd unicode and huge strings.
 */
import fc from 'fast-check';
import { MCP_REQUEST_METHODS } from '@vial/shared';
import { z } from 'zod';

/** Methods both sides know, so that many messages get past "method not found" into real handlers. */
export const MCP_METHODS = [
  ...MCP_REQUEST_METHODS,
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
] as const;

/** Strings a parser may trip on: unicode of every plane, lone surrogates, NULs, prototype keys, long runs. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', '\u0000', '\ud800', '\u202e\u0301', '__proto__', 'constructor', 'toString', '💥'.repeat(500)),
  fc.integer({ min: 10_000, max: 200_000 }).map((length) => 'x'.repeat(length)),
);

/**
 * Arrays or objects nested `depth` levels deep: past what a recursive walker or `JSON.stringify`
 * survives. Kept as a marker and written out by `toJsonText`, since this test process could not
 * stringify them either.
 */
class DeeplyNested {
  constructor(
    readonly depth: number,
    readonly asObject: boolean,
  ) {}

  text(): string {
    const [open, close] = this.asObject ? ['{"a":', '}'] : ['[', ']'];
    return `${open.repeat(this.depth)}"bottom"${close.repeat(this.depth)}`;
  }
}

const deeplyNested: fc.Arbitrary<DeeplyNested> = fc
  .tuple(fc.integer({ min: 100, max: 20_000 }), fc.boolean())
  .map(([depth, asObject]) => new DeeplyNested(depth, asObject));

/** `JSON.stringify`, except that `DeeplyNested` markers become their nested text. */
export function toJsonText(value: unknown): string {
  const nested: DeeplyNested[] = [];
  const text = JSON.stringify(value, (_key, item: unknown) =>
    item instanceof DeeplyNested ? `\u0000nested:${nested.push(item) - 1}` : item,
  );
  return text.replace(/"\\u0000nested:(\d+)"/g, (_match, index: string) => nested[Number(index)]!.text());
}

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: deeplyNested },
);

/** JSON-RPC ids of every type, including ones JSON-RPC forbids and numbers past 2^53. */
export const anyId: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.string(),
  fc.constantFrom(null, 0, -1, 1.5, 2 ** 53 + 2, 1e308, true, ''),
  fc.jsonValue({ maxDepth: 2 }),
);

const method: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...MCP_METHODS) },
  { weight: 1, arbitrary: hostileString },
);

/** Params with the right shape for some methods (`name`, `arguments`, `uri`) but random contents. */
export const mcpParams: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    name: fc.oneof(fc.constantFrom('system_diagnostics', 'quantum_circuit_build', 'test_echo'), hostileString),
    arguments: fc.oneof(fc.dictionary(fc.string(), hostileValue), hostileValue),
    uri: fc.oneof(fc.constantFrom('vial://system/diagnostics', 'vial://quantum/circuits/x'), hostileString),
    protocolVersion: fc.oneof(fc.constantFrom('2025-11-25', '2025-06-18', '1999-01-01'), fc.string()),
    capabilities: fc.oneof(fc.constant({}), hostileValue),
    clientInfo: fc.oneof(fc.record({ name: hostileString, version: fc.string() }), hostileValue),
    requestId: anyId,
    level: fc.oneof(fc.constantFrom('debug', 'error'), fc.string()),
    _meta: fc.oneof(fc.record({ progressToken: anyId }), hostileValue),
  },
  { requiredKeys: [] },
);

/** Ids JSON-RPC allows, including the prefix the relay uses for the `initialize` it replays to a reloaded tab. */
const validId = fc.oneof(
  fc.integer(),
  fc.string(),
  fc.constantFrom(0, -1, Number.MAX_SAFE_INTEGER, '', 'vial-replay-1', 'vial-replay-'),
);

const request = fc.record(
  { jsonrpc: fc.constant('2.0'), id: validId, method, params: mcpParams },
  { requiredKeys: ['jsonrpc', 'id', 'method'] },
);
const notification = fc.record(
  { jsonrpc: fc.constant('2.0'), method, params: mcpParams },
  { requiredKeys: ['jsonrpc', 'method'] },
);
const initialize = fc.record({
  jsonrpc: fc.constant('2.0'),
  id: validId,
  method: fc.constant('initialize'),
  params: fc.record({
    protocolVersion: fc.oneof(fc.constantFrom('2025-11-25', '2025-06-18', '2025-03-26'), fc.string()),
    capabilities: fc.oneof(fc.constant({}), fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }))),
    clientInfo: fc.record({ name: hostileString, version: fc.string() }),
  }),
});

/** Well-formed requests and notifications whose contents are anything: they reach the MCP server. */
const wellFormed: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 4, arbitrary: request },
  { weight: 2, arbitrary: notification },
  { weight: 1, arbitrary: initialize },
);

/** Messages with every field present or not, right or wrong: version, id type, result and error together. */
const anyShape: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    jsonrpc: fc.oneof({ weight: 3, arbitrary: fc.constant('2.0') }, fc.constantFrom('1.0', 2, null, '2.0 ')),
    id: anyId,
    method,
    params: fc.oneof(mcpParams, hostileValue),
    result: hostileValue,
    error: fc.oneof(fc.record({ code: fc.integer(), message: fc.string() }), hostileValue),
  },
  { requiredKeys: [] },
);

/** One message that may or may not be valid JSON-RPC; most are well-formed, so they get past the parser. */
const jsonRpcLike: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 3, arbitrary: wellFormed },
  { weight: 1, arbitrary: anyShape },
);

/** What a peer may put on the wire: one message, a batch, or any other JSON value. */
export const jsonRpcPayload: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: jsonRpcLike },
  { weight: 2, arbitrary: fc.array(jsonRpcLike, { maxLength: 5 }) },
  { weight: 1, arbitrary: hostileValue },
);

/** Text that is not JSON, or JSON with a twist a lenient parser might accept. */
export const notJson: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '',
    '{',
    '{"jsonrpc": "2.0", "id": ',
    "{'jsonrpc': '2.0'}",
    '\ufeff{"jsonrpc":"2.0","id":1,"method":"ping"}',
    '{"jsonrpc":"2.0","id":1,"method":"ping"}{"jsonrpc":"2.0","id":2,"method":"ping"}',
    'NaN',
    '[1,]',
    '{"a":1,"a":2,}',
  ),
  fc.integer({ min: 10, max: 5000 }).map((depth) => '['.repeat(depth)),
);

const jsonRpcId = z.union([z.string(), z.number()]);
const jsonRpcError = z.object({ code: z.number().int(), message: z.string().min(1), data: z.unknown().optional() });

/** What a server may send its client (the relay over HTTP, the tab over its socket): responses, errors (id null when none applies), requests, notifications. */
export const jsonRpcReplySchema = z.union([
  z.object({ jsonrpc: z.literal('2.0'), id: jsonRpcId, result: z.record(z.string(), z.unknown()) }),
  z.object({ jsonrpc: z.literal('2.0'), id: jsonRpcId.nullable().optional(), error: jsonRpcError }),
  z.object({ jsonrpc: z.literal('2.0'), id: jsonRpcId.optional(), method: z.string().min(1) }),
]);
export type JsonRpcReply = z.infer<typeof jsonRpcReplySchema>;

/**
 * `fc.assert`, which also fails when anything reached the process-level `unhandledRejection` or
 * `uncaughtException` handlers meanwhile: what would have crashed a relay or a Node-hosted tab.
 */
export async function assertNoCrash<Ts extends [unknown, ...unknown[]]>(
  property: fc.IAsyncProperty<Ts>,
  parameters: fc.Parameters<Ts>,
): Promise<void> {
  const failures: unknown[] = [];
  const record = (error: unknown) => failures.push(error);
  process.on('unhandledRejection', record);
  process.on('uncaughtException', record);
  let propertyFailure: unknown;
  try {
    await fc.assert(property, parameters);
  } catch (error) {
    propertyFailure = error;
  } finally {
    process.off('unhandledRejection', record);
    process.off('uncaughtException', record);
  }
  // A crash usually also fails the property (a reply that never comes); the crash is the news.
  if (failures.length > 0) {
    const first = failures[0] instanceof Error ? failures[0].stack : String(failures[0]);
    throw new Error(`${failures.length} process-level failure(s); the first: ${first}`, { cause: propertyFailure });
  }
  if (propertyFailure !== undefined) throw propertyFailure;
}

/** The seed of a fuzz run: fixed so CI is repeatable, `FUZZ_SEED=<n>` to explore others. */
export function fuzzSeed(fallback: number): number {
  const fromEnv = Number(process.env.FUZZ_SEED);
  return Number.isInteger(fromEnv) ? fromEnv : fallback;
}
