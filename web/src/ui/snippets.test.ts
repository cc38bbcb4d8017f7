import { describe, expect, it } from 'vitest';
import { cloudReachNote, DEPLOY_GUIDE, setupSnippets, TOKEN_PLACEHOLDER } from './snippets.ts';

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
    const withTokens = setupSnippets(url).filter((snippet) => snippet.auth === 'token');
    expect(withTokens.map((snippet) => snippet.id)).toEqual(['claude-code', 'cursor', 'vscode', 'mcp-remote']);
    for (const snippet of withTokens) expect(snippet.code).toContain(`Bearer ${TOKEN_PLACEHOLDER}`);
  });
});

describe('the OAuth connectors (Claude, ChatGPT)', () => {
  const publicUrl = 'https://vial.example.com/mcp/AAAAAAAAAAAAAAAAAAAAAA';

  it('need only the URL: no token, even a fresh one on screen', () => {
    const oauth = setupSnippets(publicUrl, 'vial_secret').filter((snippet) => snippet.auth === 'oauth');
    expect(oauth.map((snippet) => snippet.id)).toEqual(['claude-connector', 'chatgpt-connector']);
    for (const snippet of oauth) {
      expect(snippet.code).toBe(publicUrl);
      expect(snippet.where).not.toContain('vial_secret');
      expect(snippet.era).toMatch(/2025 sessions and 2026-07-28 on this same URL/);
    }
  });

  it('say where the URL goes in each app', () => {
    const byId = Object.fromEntries(setupSnippets(publicUrl).map((snippet) => [snippet.id, snippet]));
    expect(byId['claude-connector']!.where).toMatch(/Settings → Connectors → Add custom connector → paste this URL/);
    expect(byId['chatgpt-connector']!.where).toMatch(
      /Settings → Apps & Connectors → .*Developer mode.*Create → paste this URL/,
    );
  });

  it('say the relay must be reachable over HTTPS, and when this URL is not', () => {
    const note = (mcpUrl: string) => cloudReachNote(mcpUrl, 'Claude');
    expect(note(publicUrl)).toBe(
      `Claude connects from its own servers, so the relay must be reachable over HTTPS from the internet (deploy guide: ${DEPLOY_GUIDE}).`,
    );
    expect(note(url)).toMatch(/on this computer only \(localhost:8787\): deploy the relay first\.$/);
    expect(note('http://127.0.0.1:8787/mcp/x')).toMatch(/on this computer only/);
    expect(note('http://[::1]:8787/mcp/x')).toMatch(/on this computer only/);
    expect(note('http://192.168.1.20:8787/mcp/x')).toMatch(/on a private network \(192\.168\.1\.20:8787\)/);
    expect(note('http://172.20.0.3/mcp/x')).toMatch(/on a private network/);
    expect(note('http://vial.example.com/mcp/x')).toMatch(/This URL is http:\/\/: put the relay behind HTTPS first\.$/);
    expect(note('<MCP URL>')).toMatch(/reachable over HTTPS/);
    const byId = Object.fromEntries(setupSnippets(url).map((snippet) => [snippet.id, snippet]));
    expect(byId['claude-connector']!.note).toMatch(/^Claude connects from its own servers.*this computer only/);
    expect(byId['chatgpt-connector']!.note).toMatch(/^ChatGPT connects from its own servers/);
  });
});
