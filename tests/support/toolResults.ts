/**
 * Typed access to tool results, so tests read what a tool returns through its own output schema
 * instead of casting: `callTool(client, 'quantum_simulate', { qasm })` is a `SimulateOutput`.
 */
import {
  isCallToolResult,
  type CallToolResult,
  type Client,
  type ReadResourceResult,
} from '@modelcontextprotocol/client';
import type { z } from 'zod';
import { toolOutputs, type ToolName, type ToolOutput } from '../../web/src/tools/outputs.ts';

export type { ToolName, ToolOutput } from '../../web/src/tools/outputs.ts';

/** Every tool's output schema, typed so that one indexed by a tool name parses to that tool's output. */
const outputSchemas: { [N in ToolName]: z.ZodType<ToolOutput<N>> } = toolOutputs;

/** The text blocks of a tool result, joined by newlines: an error's message, or the JSON form of a result. */
export function resultText(result: Pick<CallToolResult, 'content'>): string {
  return result.content
    .filter((block) => block.type === 'text')
    .map((block) => block.text)
    .join('\n');
}

/** `value` (a JSON-RPC result read off the wire) as a tool result; throws when it is not one. */
export function toolResultOf(value: unknown): CallToolResult {
  if (!isCallToolResult(value)) throw new Error(`not a tool result: ${JSON.stringify(value)?.slice(0, 500)}`);
  return value;
}

/** The text of a resource read's first content: the JSON every `vial://` resource carries. */
export function resourceText(result: ReadResourceResult): string {
  const [first] = result.contents;
  if (!first || !('text' in first)) throw new Error(`the resource read has no text content: ${JSON.stringify(first)}`);
  return first.text;
}

/**
 * The `structuredContent` of a successful call of tool `name`, parsed with that tool's output
 * schema; throws with the tool's error text when the call failed, when the text form says
 * something else, or with what does not match the schema.
 */
export function structuredOf<N extends ToolName>(name: N, result: CallToolResult): ToolOutput<N> {
  if (result.isError) throw new Error(`${name} answered with an error: ${resultText(result)}`);
  // The text form is the same JSON: structuredContent tells a client nothing the text did not.
  if (JSON.stringify(JSON.parse(resultText(result))) !== JSON.stringify(result.structuredContent)) {
    throw new Error(`${name}'s structuredContent is not what its text form says`);
  }
  return outputSchemas[name].parse(result.structuredContent);
}

/** Clients that have listed tools: the SDK client then checks every `structuredContent` against the tool's `outputSchema`. */
const listed = new WeakSet<Client>();

/**
 * Calls tool `name` and returns its result as the client got it. The client lists the tools
 * first (once), so the SDK checks `structuredContent` against the advertised JSON Schema, where
 * every object allows only the keys it names.
 */
export async function callToolResult(
  client: Client,
  name: ToolName,
  args: Record<string, unknown> = {},
  options?: Parameters<Client['callTool']>[1],
): Promise<CallToolResult> {
  if (!listed.has(client)) {
    await client.listTools();
    listed.add(client);
  }
  return client.callTool({ name, arguments: args }, options);
}

/** Calls tool `name`, requires it to succeed and returns its `structuredContent` typed by the tool (see `structuredOf`). */
export async function callTool<N extends ToolName>(
  client: Client,
  name: N,
  args: Record<string, unknown> = {},
  options?: Parameters<Client['callTool']>[1],
): Promise<ToolOutput<N>> {
  return structuredOf(name, await callToolResult(client, name, args, options));
}
