import { describe, expect, it } from 'vitest';
import { setupSnippets, TOKEN_PLACEHOLDER } from './snippets.ts';

const url = 'http://localhost:8787/mcp/AAAAAAAAAAAAAAAAAAAAAA';

describe('setupSnippets', () => {
  it('fills in the URL and the token for every client', () => {
    const byId = Object.fromEntries(setupSnippets(url, 'vial_secret').map((snippet) => [snippet.id, snippet.code]));
    expect(byId['claude-code']).toBe(
      `claude mcp add --transport http vial ${url} --header "Authorization: Bearer vial_secret"`,
    );
    expect(JSON.parse(byId.cursor!)).toEqual({
      mcpServers: { vial: { url, headers: { Authorization: 'Bearer vial_secret' } } },
    });
    expect(JSON.parse(byId.vscode!)).toEqual({
      servers: { vial: { type: 'http', url, headers: { Authorization: 'Bearer vial_secret' } } },
    });
    expect(JSON.parse(byId['mcp-remote']!)).toEqual({
      mcpServers: {
        vial: {
          command: 'npx',
          args: ['mcp-remote', url, '--header', 'Authorization:${VIAL_TOKEN}'],
          env: { VIAL_TOKEN: 'Bearer vial_secret' },
        },
      },
    });
  });

  it('says which MCP era each client connects with, as the client tests saw it', () => {
    const era = Object.fromEntries(setupSnippets(url).map((snippet) => [snippet.id, snippet.era]));
    expect(era['claude-code']).toMatch(/^Connects on MCP 2026-07-28: stateless/);
    expect(era['mcp-remote']).toMatch(/^Connects on MCP 2025-11-25: a session/);
    for (const editor of [era.cursor, era.vscode])
      expect(editor).toMatch(/2025 sessions and 2026-07-28 on this same URL/);
  });

  it('uses a placeholder when no fresh token is on screen', () => {
    for (const snippet of setupSnippets(url)) expect(snippet.code).toContain(`Bearer ${TOKEN_PLACEHOLDER}`);
  });
});
