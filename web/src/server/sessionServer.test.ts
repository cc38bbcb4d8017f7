import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CallGate } from './callGate.ts';
import { createSessionServer } from './sessionServer.ts';
import { defineContentTool, type HostServices, type SessionInfo, type ToolPack } from './toolRegistry.ts';

const input = { text: z.string().describe('the text to echo') };
const echo = defineContentTool({
  name: 'echo',
  description: 'Returns its text.',
  scopes: [],
  access: 'read',
  input,
  run: async ({ text }) => ({ content: [{ type: 'text', text }] }),
});
const pack: ToolPack = { name: 'test', tools: [echo] };
const session: SessionInfo = {
  sessionId: 'test',
  client: { tokenId: 'test', tokenName: 'test', scopes: [] },
  // Building a server touches no service; calling a tool is covered by the end-to-end tests.
  services: {} as HostServices,
  gate: CallGate.withDefaults(),
  report: () => undefined,
};

describe('createSessionServer', () => {
  it("converts a tool's arguments to JSON Schema once, for every server built after", () => {
    const first = createSessionServer([pack], session).toolInputSchemaJson('echo');
    const second = createSessionServer([pack], session, 'echo').toolInputSchemaJson('echo');
    expect(first).toMatchObject({
      type: 'object',
      properties: { text: { type: 'string', description: 'the text to echo' } },
      required: ['text'],
    });
    expect(second).toEqual(first);
    // The same conversion, not a second one that came out equal.
    expect(second!.properties).toBe(first!.properties);
  });
});
