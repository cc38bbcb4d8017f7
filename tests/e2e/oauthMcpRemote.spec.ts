/**
 * mcp-remote 0.15.1's own OAuth flow, end to end in real Chromium through the real relay: started
 * with nothing but the MCP URL, it meets the 401, registers by DCR and opens its authorization URL
 * with `$BROWSER`, here a script that only records it (the sandbox has no DISPLAY, so no real
 * browser can open). The test opens that URL in a page of the browser that holds the host, the
 * person allows there by clicking, and the page lands on mcp-remote's own loopback callback.
 * Through mcp-remote (the SDK client over its stdio, as Claude Desktop drives it) the test then
 * lists tools, calls one within the granted scope, is refused outside it, goes on calling after
 * its access token expired (the spec's own relay gives tokens 3 s, so mcp-remote refreshes; both
 * tokens rotate), and is cut off after Revoke in the Connect view. Every wait is bounded:
 * mcp-remote's for the callback by `--auth-timeout`, the test's by its own timeouts, and the
 * sandbox kills mcp-remote at the end.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { ghzQasm } from '../support/circuits.ts';
import { ClientSandbox, MCP_REMOTE_BIN } from '../support/externalClients.ts';
import { mcpPost, tokenRequest } from '../support/oauth.ts';
import { startRelay, type StartedRelay } from '../support/relay.ts';
import { openVial, screenshot } from './support/vial.ts';

const CLIENT_NAME = 'MCP CLI Proxy';
/** The access token lifetime on this spec's relay: short, so mcp-remote must refresh within the test. */
const ACCESS_TTL_S = 3;
const SIMULATE = { name: 'quantum_simulate', arguments: { qasm: ghzQasm(3), shots: 64, seed: 5, backend: 'cpu' } };

/** A loopback port nobody listens on now, for mcp-remote's callback server (its positional argument). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** mcp-remote with its OAuth flow, and the authorization URLs it has asked a browser to open so far. */
function startMcpRemote(sandbox: ClientSandbox, mcpUrl: string, callbackPort: number) {
  const opened = join(sandbox.dir, 'browser-urls.txt');
  const browserScript = join(sandbox.dir, 'browser.sh');
  writeFileSync(browserScript, `#!/bin/sh\necho "$1" >> '${opened}'\n`, { mode: 0o755 });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MCP_REMOTE_BIN, mcpUrl, String(callbackPort), '--transport', 'http-only', '--auth-timeout', '60'],
    env: sandbox.env({ BROWSER: browserScript }),
    stderr: 'pipe',
  });
  const stderr: string[] = [];
  transport.stderr?.on('data', (chunk: Buffer) => stderr.push(String(chunk)));
  const client = new Client({ name: 'vial-e2e-mcp-remote-oauth', version: '1.0.0' });
  const connected = client.connect(transport, { timeout: 75_000 });
  // Awaited later; a failure before then must not go unhandled.
  connected.catch(() => undefined);
  return {
    client,
    connected,
    stderr,
    browserUrls: (): string[] => (existsSync(opened) ? readFileSync(opened, 'utf8').trim().split('\n') : []),
    /** The tokens mcp-remote keeps in its config folder (`<hash>_tokens.json`). */
    savedTokens(): { access_token: string; refresh_token?: string; scope?: string } {
      const folder = join(sandbox.dir, 'mcp-remote');
      const versioned = readdirSync(folder).map((name) => join(folder, name));
      const files = versioned.flatMap((dir) => readdirSync(dir).map((name) => join(dir, name)));
      const file = files.find((path) => path.endsWith('_tokens.json'));
      if (!file) throw new Error(`mcp-remote saved no tokens: ${files.join(', ')}`);
      return JSON.parse(readFileSync(file, 'utf8')) as { access_token: string; refresh_token?: string; scope?: string };
    },
  };
}

/** The first URL mcp-remote handed its browser, or what it logged if it handed none within 30 s. */
async function firstAuthorizationUrl(remote: ReturnType<typeof startMcpRemote>): Promise<URL> {
  try {
    await expect.poll(() => remote.browserUrls().length, { timeout: 30_000 }).toBeGreaterThan(0);
  } catch (error) {
    throw new Error(`mcp-remote opened no authorization URL; it logged:\n${remote.stderr.join('')}`, { cause: error });
  }
  return new URL(remote.browserUrls()[0]!);
}

/** Unticks every scope the consent offers but quantum. */
async function grantQuantumOnly(page: Page): Promise<void> {
  const consent = page.getByTestId('consent-page');
  await expect(consent.getByTestId('consent-scope-quantum')).toBeChecked();
  for (const box of await consent.locator('[data-testid^="consent-scope-"]').all()) {
    if ((await box.getAttribute('data-testid')) !== 'consent-scope-quantum') await box.uncheck();
  }
}

let relay: StartedRelay;
test.beforeAll(async () => {
  relay = await startRelay({
    VIAL_WEB_DIR: process.env.VIAL_WEB_DIR ?? fileURLToPath(new URL('../../dist/web', import.meta.url)),
    VIAL_OAUTH_ACCESS_TTL_S: String(ACCESS_TTL_S),
  });
});
test.afterAll(async () => {
  await relay?.close();
});

test('mcp-remote signs in through its browser, works within the grant, refreshes, and Revoke in the Connect view cuts it off', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const context = await browser.newContext();
  const sandbox = new ClientSandbox();
  let remote: ReturnType<typeof startMcpRemote> | undefined;
  try {
    const tab = await context.newPage();
    const mcpUrl = await openVial(tab, `${relay.url}/`);
    const callbackPort = await freePort();
    remote = startMcpRemote(sandbox, mcpUrl, callbackPort);
    const { client, browserUrls } = remote;

    // The 401 sends mcp-remote to the relay's authorization server; it registers and "opens a browser".
    const authorization = await firstAuthorizationUrl(remote);
    expect(authorization.pathname).toBe('/oauth/authorize');
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('resource')).toBe(mcpUrl);
    const callback = `http://localhost:${callbackPort}/oauth/callback`;
    expect(authorization.searchParams.get('redirect_uri')).toBe(callback);

    // The person's browser (the one that holds the host) opens it beside the running tab.
    const page = await context.newPage();
    await page.goto(authorization.href);
    await expect(page).toHaveURL(/\/consent\/[A-Za-z0-9_-]+$/);
    await expect(page.getByTestId('consent-client-name')).toHaveText(CLIENT_NAME);
    await expect(page.getByTestId('consent-identity')).toContainText('registered dynamically');
    await expect(page.getByTestId('consent-loopback-warning')).toBeVisible();
    await expect(page.getByTestId('consent-elsewhere')).toHaveCount(0);
    await expect(tab.getByTestId('consent-request')).toHaveCount(1);
    await grantQuantumOnly(page);
    // Enabled once the running tab answered on the consent channel.
    await expect(page.getByTestId('consent-page-allow')).toBeEnabled();
    await screenshot(page, 'oauth-mcp-remote-consent');
    await page.getByTestId('consent-page-allow').click();

    // The browser lands on mcp-remote's loopback callback, which takes the code and redeems it.
    await page.waitForURL((url) => url.href.startsWith(callback), { timeout: 30_000 });
    const landed = new URL(page.url()).searchParams;
    expect(landed.get('error')).toBeNull();
    expect(landed.get('code')).toBeTruthy();
    await expect(page.locator('body')).toContainText('Authorization successful');
    await expect(tab.getByTestId('consent-requests')).toHaveCount(0);
    await remote.connected;

    const { tools } = await client.listTools({}, { timeout: 10_000 });
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['quantum_simulate', 'wallet_status']));
    const simulated = await client.callTool(SIMULATE, { timeout: 30_000 });
    expect(simulated.isError).toBeFalsy();
    const refused = await client.callTool({ name: 'wallet_status', arguments: {} }, { timeout: 10_000 });
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toContain(
      `OAuth client '${CLIENT_NAME}' was not granted the scope wallet:read`,
    );

    const first = remote.savedTokens();
    expect(first.scope).toBe('quantum');
    expect(first.refresh_token).toBeTruthy();

    // Past the access token's lifetime: mcp-remote refreshes (the tab stores each rotation) and calls on.
    await new Promise((resolve) => setTimeout(resolve, (ACCESS_TTL_S + 1) * 1000));
    expect((await mcpPost(mcpUrl, first.access_token)).status).toBe(401);
    const afterExpiry = await client.callTool(SIMULATE, { timeout: 30_000 });
    expect(afterExpiry.isError).toBeFalsy();
    const refreshed = remote.savedTokens();
    expect(refreshed.access_token).not.toBe(first.access_token);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(first.refresh_token);
    expect(refreshed.scope).toBe('quantum');

    // Revoke in the Connect view: the grant and its refresh token end, and mcp-remote is cut off.
    await tab.goto(new URL('/#/connect', tab.url()).href);
    const row = tab.getByTestId('oauth-grant-row').filter({ hasText: CLIENT_NAME });
    await expect(row).toBeVisible();
    await expect(row.getByTestId('oauth-grant-identity')).toHaveText('registered dynamically');
    await expect(row.locator('.chip')).toHaveText(['quantum']);
    await screenshot(tab, 'oauth-mcp-remote-connect');
    await row.getByTestId('revoke-oauth-grant').click();
    await expect(row).toHaveCount(0);
    // What mcp-remote holds is dead: the access token is 401 with the way to sign in again, the
    // refresh token spent (read after the click: mcp-remote may have refreshed once more before it).
    const held = remote.savedTokens();
    const revoked = await mcpPost(mcpUrl, held.access_token);
    expect(revoked.status).toBe(401);
    expect(revoked.challenge).toContain('resource_metadata=');
    const refreshAfterRevoke = await tokenRequest(new URL(mcpUrl).origin, {
      grant_type: 'refresh_token',
      refresh_token: held.refresh_token!,
      client_id: authorization.searchParams.get('client_id')!,
    });
    expect(refreshAfterRevoke).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // Its next request is refused, so it starts a new sign-in (another URL for the browser) and answers nothing.
    await expect(client.listTools({}, { timeout: 5_000 })).rejects.toThrow(/timed out/);
    await expect.poll(() => browserUrls().length, { timeout: 15_000 }).toBeGreaterThan(1);
    expect(new URL(browserUrls().at(-1)!).searchParams.get('code_challenge')).not.toBe(
      authorization.searchParams.get('code_challenge'),
    );
  } finally {
    await remote?.client.close().catch(() => undefined);
    await sandbox.dispose();
    await context.close();
  }
});
