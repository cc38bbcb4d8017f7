/**
 * Copy-paste setup for the MCP clients people use, filled in with this host's real URL and,
 * while it is on screen, the freshly minted token (otherwise a `<token>` placeholder), and
 * which MCP era each client speaks to Vial: the same URL serves both. Claude's and ChatGPT's
 * connectors sign in with OAuth instead, so they need the URL alone and the person approves
 * them in this tab.
 */
export interface SetupSnippet {
  id: 'claude-code' | 'cursor' | 'vscode' | 'mcp-remote' | 'claude-connector' | 'chatgpt-connector';
  title: string;
  /** Where the snippet goes. */
  where: string;
  code: string;
  /** Which MCP revision the client connects with, in words a person setting it up can use. */
  era: string;
  /** `token`: the snippet carries a bearer token; `oauth`: the client signs in and the person approves it here. */
  auth: 'token' | 'oauth';
  /** Something the person must know before it can work (OAuth clients: reachability over HTTPS). */
  note?: string;
}

/** The deploy guide, for the connectors that must reach the relay over HTTPS. */
export const DEPLOY_GUIDE = 'docs/deploy.md';

/**
 * What to say about reaching `mcpUrl` from a client that connects from its maker's cloud: it needs
 * HTTPS on an address the internet can reach, which an http:// or loopback URL is not.
 */
export function cloudReachNote(mcpUrl: string, client: string): string {
  const need = `${client} connects from its own servers, so the relay must be reachable over HTTPS from the internet (deploy guide: ${DEPLOY_GUIDE}).`;
  let url: URL;
  try {
    url = new URL(mcpUrl);
  } catch {
    return need;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const local = host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '::1';
  if (local) return `${need} This URL is on this computer only (${url.host}): deploy the relay first.`;
  const privateNetwork = /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(host);
  if (privateNetwork) return `${need} This URL is on a private network (${url.host}): deploy the relay first.`;
  if (url.protocol !== 'https:') return `${need} This URL is http://: put the relay behind HTTPS first.`;
  return need;
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
      auth: 'token',
    },
    {
      id: 'claude-connector',
      title: 'Claude (connectors)',
      where:
        'Claude (web, desktop or mobile): Settings → Connectors → Add custom connector → paste this URL → Add, then Connect. Approve the sign-in in this tab.',
      code: mcpUrl,
      era: ERA.either,
      auth: 'oauth',
      note: cloudReachNote(mcpUrl, 'Claude'),
    },
    {
      id: 'chatgpt-connector',
      title: 'ChatGPT',
      where:
        'ChatGPT: Settings → Apps & Connectors → Advanced settings → turn on Developer mode, then Create → paste this URL as the MCP server URL, Authentication: OAuth → Create. Approve the sign-in in this tab.',
      code: mcpUrl,
      era: ERA.either,
      auth: 'oauth',
      note: cloudReachNote(mcpUrl, 'ChatGPT'),
    },
    {
      id: 'cursor',
      title: 'Cursor',
      where: '~/.cursor/mcp.json (or .cursor/mcp.json in a project)',
      code: json({ mcpServers: { vial: { url: mcpUrl, headers: { Authorization: bearer } } } }),
      era: ERA.either,
      auth: 'token',
    },
    {
      id: 'vscode',
      title: 'VS Code',
      where: '.vscode/mcp.json',
      code: json({ servers: { vial: { type: 'http', url: mcpUrl, headers: { Authorization: bearer } } } }),
      era: ERA.either,
      auth: 'token',
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
      auth: 'token',
    },
  ];
}
