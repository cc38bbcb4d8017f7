/**
 * Copy-paste setup for the MCP clients people use, filled in with this host's real URL and,
 * while it is on screen, the freshly minted token (otherwise a `<token>` placeholder).
 */
export interface SetupSnippet {
  id: 'claude-code' | 'cursor' | 'vscode' | 'mcp-remote';
  title: string;
  /** Where the snippet goes. */
  where: string;
  code: string;
}

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
    },
    {
      id: 'cursor',
      title: 'Cursor',
      where: '~/.cursor/mcp.json (or .cursor/mcp.json in a project)',
      code: json({ mcpServers: { vial: { url: mcpUrl, headers: { Authorization: bearer } } } }),
    },
    {
      id: 'vscode',
      title: 'VS Code',
      where: '.vscode/mcp.json',
      code: json({ servers: { vial: { type: 'http', url: mcpUrl, headers: { Authorization: bearer } } } }),
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
    },
  ];
}
