/** Tools used only by tests: a slow tool that reports progress and records how it ended. */
import { z } from 'zod';
import {
  defineContentTool,
  defineToolWithOutput,
  jsonResult,
  type ToolPack,
} from '../../web/src/server/toolRegistry.ts';

export interface SlowToolProbe {
  started: number;
  aborted: string[];
}

export function createTestPack(probe: SlowToolProbe): ToolPack {
  const slow = defineToolWithOutput({
    name: 'test_slow',
    description: 'Reports progress every `stepMs` for `steps` steps, then answers; honours cancellation.',
    scopes: [],
    access: 'compute',
    input: { steps: z.number().int().min(1).max(1000), stepMs: z.number().int().min(1).max(10_000), label: z.string() },
    output: z.strictObject({ label: z.string(), steps: z.number().int() }),
    run: async ({ steps, stepMs, label }, { signal, progress }) => {
      probe.started++;
      for (let step = 1; step <= steps; step++) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, stepMs);
          signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              probe.aborted.push(label);
              reject(new Error('aborted'));
            },
            { once: true },
          );
        });
        await progress(step, steps, `step ${step} of ${steps}`);
      }
      return jsonResult({ label, steps });
    },
  });
  const echo = defineContentTool({
    name: 'test_echo',
    description: 'Returns its text.',
    scopes: [],
    access: 'read',
    input: { text: z.string() },
    run: async ({ text }) => ({ content: [{ type: 'text', text }] }),
  });
  const needsQuantum = defineContentTool({
    name: 'test_needs_quantum',
    description: 'Needs the quantum scope.',
    scopes: ['quantum'],
    access: 'compute',
    input: {},
    run: async () => ({ content: [{ type: 'text', text: 'ran' }] }),
  });
  return { name: 'test', tools: [slow, echo, needsQuantum] };
}

export const INITIALIZE_BODY = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

/** Headers a Streamable HTTP client sends. */
export function mcpHeaders(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...extra,
  };
}

/** Initializes a session with plain fetch and returns its id. */
export async function rawInitialize(mcpUrl: string, token: string): Promise<string> {
  const res = await fetch(mcpUrl, {
    method: 'POST',
    headers: mcpHeaders(token),
    body: JSON.stringify(INITIALIZE_BODY),
  });
  if (res.status !== 200) throw new Error(`initialize failed: ${res.status} ${await res.text()}`);
  await res.text();
  const sessionId = res.headers.get('mcp-session-id');
  if (!sessionId) throw new Error('no session id');
  await fetch(mcpUrl, {
    method: 'POST',
    headers: mcpHeaders(token, { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' }),
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  return sessionId;
}
