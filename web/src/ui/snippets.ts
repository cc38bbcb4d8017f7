/**
 * Copy-paste setup for the MCP clients people use, filled in with this host's real URL and,
 * while it is on screen, the freshly minted token (otherwise a `<token>` placeholder), and
 * which MCP era each client speaks to Vial: the same URL serves both.
 */
export interface SetupSnippet {
  id: 'claude-code' | 'cursor' | 'vscode' | 'mcp-remote';
  title: string;
  /** Where the snippet goes. */
  where: string;
  code: string;
  /** Which MCP revision the client connects with, in words a person setting it up can use. */
  era: string;
}

/**
 * What Vial's tests saw each pinned client send (tests/node/claudeCode.test.ts,
 * tests/node/clients.test.ts); the editors cannot run here, so their line says what Vial accepts.
 */
const ERA = {
  modern:
    'Connects on MCP 2026-07-28: stateless, each request stands alone (no session to lose when the relay restarts).',
  session: 'Connects on MCP 2025-11-25: a session that starts with initialize and lives on the relay.',
  either:
    'Connects with whichever MCP revision your version speaks: Vial serves 2025 sessions and 2026-07-28 on this same URL.',
} as const;

export const TOKEN_PLACEHOLDER = '<token>';

export function setupSnippets(mcpUrl: string, token: string = TOKEN_PLACEHOLDER): SetupSnippet[] {
  const bearer = `Bearer ${token}`;
  const json = (value: unknown) => JSON.stringify(value, null, 2);
  return [
    {
      id: 'claude-code',
      title: 'Claude Code',
      where: 'Run in a terminal',
      code: `claude mcp add --transport http vial ${mcpUrl} --header "Authorization: ${bearer}"`,
      era: ERA.modern,
    },
    {
      id: 'cursor',
      title: 'Cursor',
      where: '~/.cursor/mcp.json (or .cursor/mcp.json in a project)',
      code: json({ mcpServers: { vial: { url: mcpUrl, headers: { Authorization: bearer } } } }),
      era: ERA.either,
    },
    {
      id: 'vscode',
      title: 'VS Code',
      where: '.vscode/mcp.json',
      code: json({ servers: { vial: { type: 'http', url: mcpUrl, headers: { Authorization: bearer } } } }),
      era: ERA.either,
    },
    {
      id: 'mcp-remote',
      title: 'Claude Desktop (mcp-remote)',
      where: 'claude_desktop_config.json, or the MCP config of any stdio-only client',
      // No space after the colon: some clients split arguments on spaces (mcp-remote's own advice).
      code: json({
        mcpServers: {
          vial: {
            command: 'npx',
            args: ['mcp-remote', mcpUrl, '--header', 'Authorization:${VIAL_TOKEN}'],
            env: { VIAL_TOKEN: bearer },
          },
        },
      }),
      era: ERA.session,
    },
  ];
}
