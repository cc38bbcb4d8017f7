/**
 * The bench-only tool pack: `bench_echo` does no work of its own, so a benchmark of it measures
 * the path a call takes (transport, relay, JSON-RPC), not the tool. Tool and pack share this
 * file because the pack is nothing but this one tool.
 */
import { z } from 'zod';
import { defineContentTool, type ToolPack } from '../web/src/server/toolRegistry.ts';

export const benchEcho = defineContentTool({
  name: 'bench_echo',
  description: 'Returns its input text unchanged. For benchmarks only.',
  scopes: [],
  access: 'read',
  input: { text: z.string() },
  annotations: { readOnlyHint: true, openWorldHint: false },
  run: async ({ text }) => ({ content: [{ type: 'text', text }] }),
});

export const benchPack: ToolPack = { name: 'bench', tools: [benchEcho] };
