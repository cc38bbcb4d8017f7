/**
 * OAuth sign-in with the person's own tab as the consent screen, in real Chromium through the real
 * relay: the MCP SDK 2.x client's OAuth flow (Dynamic Client Registration or a Client ID Metadata
 * Document, PKCE, `resource`), its authorization URL opened in a browser page, and the consent
 * given by clicking.
 *
 * - Another device: the URL opens in a second browser context, which does not hold the host. Its
 *   page says to approve in the Vial tab and shows the match code; the person types that code
 *   into the running tab's panel, narrows the scopes and allows.
 * - The same browser: the URL opens beside the running tab, whose host this browser holds. The
 *   page shows Allow itself and hands the decision to the tab over the `vial-consent` channel.
 *
 * - A Client ID Metadata Document: the client's `client_id` is the HTTPS URL of its document,
 *   which this spec serves on loopback with a self-signed certificate. Its relay is started here
 *   with `VIAL_OAUTH_CIMD_LOCAL_ORIGINS` naming that origin and `VIAL_OAUTH_CIMD_LOCAL_CA` its
 *   certificate (the shared relay, like any by default, refuses documents on loopback).
 *
 * Each client then lists tools, calls one within its scopes, is refused outside them, refreshes,
 * and is cut off after Revoke in the Connect view.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
import {
  Client,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  type OAuthClientMetadata,
} from '@modelcontextprotocol/client';
import { CIMD_CA_FILE, clientDocument, startCimdServer } from '../support/cimdDocuments.ts';
import { ghzQasm } from '../support/circuits.ts';
import { MemoryOAuthProvider, refresh } from '../support/oauth.ts';
import { startRelay, type StartedRelay } from '../support/relay.ts';
import { openVial, screenshot } from './support/vial.ts';

const SIMULATE = { name: 'quantum_simulate', arguments: { qasm: ghzQasm(3), shots: 64, seed: 5, backend: 'cpu' } };

/** The client's first connect meets the 401, discovers the relay's authorization server and registers. */
async function startSignIn(mcpUrl: string, provider: E2EProvider): Promise<URL> {
  const client = new Client({ name: 'e2e-oauth', version: '1.0.0' });
  await expect(
    client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider })),
  ).rejects.toBeInstanceOf(UnauthorizedError);
  const url = provider.authorizationUrl;
  if (!url) throw new Error('the SDK asked for no authorization');
  expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  expect(url.searchParams.get('resource')).toBe(mcpUrl);
  return url;
}

/**
 * The client's loopback callback, as a CLI runs one: a page the browser lands on after the
 * sign-in, whose address carries the code (a route cannot catch it: it is reached by a redirect).
 */
let callbackServer: Server;
let callback: string;

test.beforeAll(async () => {
  callbackServer = createServer((_req, res) => res.end('Signed in; you can close this page.'));
  await new Promise<void>((resolve) => callbackServer.listen(0, 'localhost', resolve));
  callback = `http://localhost:${(callbackServer.address() as AddressInfo).port}/callback`;
});

test.afterAll(async () => {
  await new Promise((resolve) => callbackServer.close(resolve));
});

/** The in-memory provider of the Node OAuth tests, with its redirect to this spec's callback server. */
class E2EProvider extends MemoryOAuthProvider {
  override get redirectUrl(): string {
    return callback;
  }
  override get clientMetadata(): OAuthClientMetadata {
    return { ...super.clientMetadata, redirect_uris: [callback] };
  }
}

async function callbackParams(page: Page): Promise<URLSearchParams> {
  await page.waitForURL((url) => url.href.startsWith(callback), { timeout: 30_000 });
  const params = new URL(page.url()).searchParams;
  expect(params.get('error')).toBeNull();
  expect(params.get('code')).toBeTruthy();
  expect(params.get('iss')).toBeTruthy();
  return params;
}

/** After the callback: the code is redeemed and a fresh client connects with the tokens. */
async function finishSignIn(mcpUrl: string, provider: E2EProvider, params: URLSearchParams): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
  await transport.finishAuth(params);
  const client = new Client({ name: 'e2e-oauth', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }));
  return client;
}

/** Unticks every scope offered in `consent` but quantum. */
async function grantQuantumOnly(consent: Locator): Promise<void> {
  await expect(consent.getByTestId('consent-scope-quantum')).toBeChecked();
  for (const box of await consent.locator('[data-testid^="consent-scope-"]').all()) {
    if ((await box.getAttribute('data-testid')) !== 'consent-scope-quantum') await box.uncheck();
  }
}

/**
 * The rest of a granted sign-in: the client redeems the code, works within quantum, refreshes
 * (both tokens rotate, once the tab has stored the grant's new state in IndexedDB) and works on
 * with the new access token, and Revoke cuts it off. `identity` is what the Connect view says the
 * client is: "registered dynamically", or its metadata document's host.
 */
async function useThenRevoke(
  tab: Page,
  mcpUrl: string,
  provider: E2EProvider,
  params: URLSearchParams,
  name: string,
  identity = 'registered dynamically',
) {
  const client = await finishSignIn(mcpUrl, provider, params);
  expect(provider.savedTokens?.scope).toBe('quantum');
  await useWithinScopes(client, name);
  const before = provider.savedTokens!;
  expect(await refresh(provider, mcpUrl)).toBe('AUTHORIZED');
  expect(provider.savedTokens!.access_token).not.toBe(before.access_token);
  expect(provider.savedTokens!.refresh_token).not.toBe(before.refresh_token);
  expect((await client.callTool(SIMULATE)).isError).toBeFalsy();
  await revokeInConnectView(tab, client, name, identity);
}

/** Lists tools, calls quantum_simulate (granted), is refused wallet_status (not granted). */
async function useWithinScopes(client: Client, name: string): Promise<void> {
  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['quantum_simulate', 'wallet_status']));
  const simulated = await client.callTool(SIMULATE);
  expect(simulated.isError).toBeFalsy();
  const refused = await client.callTool({ name: 'wallet_status', arguments: {} });
  expect(refused.isError).toBe(true);
  expect(JSON.stringify(refused.content)).toContain(`OAuth client '${name}' was not granted the scope wallet:read`);
}

/** Revoke in the Connect view; the client is cut off (its refresh token died with the grant). */
async function revokeInConnectView(tab: Page, client: Client, name: string, identity: string): Promise<void> {
  await tab.goto(new URL('/#/connect', tab.url()).href);
  const row = tab.getByTestId('oauth-grant-row').filter({ hasText: name });
  await expect(row).toBeVisible();
  await screenshot(tab, 'oauth-connect-grants');
  await expect(row.getByTestId('oauth-grant-identity')).toHaveText(identity);
  await expect(row.locator('.chip')).toHaveText(['quantum']);
  await row.getByTestId('revoke-oauth-grant').click();
  await expect(row).toHaveCount(0);
  await expect(client.listTools()).rejects.toThrow(/Unauthorized/);
}

test.describe('OAuth sign-in, consent given in the tab', () => {
  test.describe.configure({ mode: 'serial' });

  let context: BrowserContext;
  let tab: Page;
  let mcpUrl: string;

  test.beforeAll(async ({ browser }) => {
    context = await browser.newContext();
    tab = await context.newPage();
    mcpUrl = await openVial(tab);
  });

  test.afterAll(async () => {
    await context.close();
  });

  test('another device: the page shows the match code, the person types it into the tab and allows', async ({
    browser,
  }) => {
    const name = 'E2E other device';
    const provider = new E2EProvider(undefined, name);
    const authorizationUrl = await startSignIn(mcpUrl, provider);

    // A browser that does not hold the host (its own IndexedDB), like a phone or another computer.
    const elsewhere = await browser.newContext();
    try {
      const page = await elsewhere.newPage();
      await page.goto(authorizationUrl.href);
      await expect(page).toHaveURL(/\/consent\/[A-Za-z0-9_-]+$/);
      await expect(page.getByTestId('consent-elsewhere')).toContainText('Approve this in your Vial tab');
      await expect(page.getByTestId('consent-client-name')).toHaveText(name);
      await expect(page.getByTestId('consent-identity')).toContainText('registered dynamically');
      await expect(page.getByTestId('consent-loopback-warning')).toBeVisible();
      await expect(page.getByTestId('consent-page-allow')).toHaveCount(0);
      const matchCode = (await page.getByTestId('consent-match-code-shown').textContent())!.trim();
      await screenshot(page, 'oauth-consent-elsewhere');
      expect(matchCode.split(' ')).toHaveLength(4);

      // The running tab shows the request on whichever view is open.
      await tab.goto(new URL('/#/quantum', tab.url()).href);
      const request = tab.getByTestId('consent-request');
      await expect(request).toHaveCount(1);
      await expect(request.getByTestId('consent-client-name')).toHaveText(name);
      await expect(request.getByTestId('consent-redirect-hosts')).toHaveText('localhost');
      await expect(request.getByTestId('consent-loopback-warning')).toBeVisible();
      // Grant quantum only, whatever else it asked for.
      await grantQuantumOnly(request);
      const allow = request.getByTestId('consent-allow');
      await expect(allow).toBeDisabled();
      await request.getByTestId('consent-match-code').fill(matchCode.split(' ').slice(0, 3).join(' '));
      await expect(allow).toBeDisabled();
      // Typed as a person might: other case, other separators.
      await request.getByTestId('consent-match-code').fill(matchCode.toUpperCase().replaceAll(' ', '-'));
      await expect(allow).toBeEnabled();
      await screenshot(tab, 'oauth-consent-panel');
      await allow.click();
      await expect(tab.getByTestId('consent-requests')).toHaveCount(0);

      await useThenRevoke(tab, mcpUrl, provider, await callbackParams(page), name);
    } finally {
      await elsewhere.close();
    }
  });

  test('the same browser: the page allows, handing the decision to the running tab', async () => {
    const name = 'E2E same browser';
    const provider = new E2EProvider(undefined, name);
    const authorizationUrl = await startSignIn(mcpUrl, provider);

    const page = await context.newPage();
    // The consent page never connects to the relay as the host (that would take it from the tab).
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    try {
      await page.goto(authorizationUrl.href);
      await expect(page.getByTestId('consent-client-name')).toHaveText(name);
      await expect(page.getByTestId('consent-elsewhere')).toHaveCount(0);
      // The running tab shows the request too; the page's answer closes it there.
      await expect(tab.getByTestId('consent-request')).toHaveCount(1);
      await grantQuantumOnly(page.getByTestId('consent-page'));
      await page.getByTestId('consent-lifetime').selectOption('1');
      // Enabled once the running tab answered on the channel.
      await expect(page.getByTestId('consent-page-allow')).toBeEnabled();
      await screenshot(page, 'oauth-consent-same-browser');
      await page.getByTestId('consent-page-allow').click();
      const params = await callbackParams(page);
      expect(sockets).toEqual([]);
      await expect(tab.getByTestId('relay-status')).toHaveAttribute('data-state', 'online');
      await expect(tab.getByTestId('consent-requests')).toHaveCount(0);

      await useThenRevoke(tab, mcpUrl, provider, params, name);
    } finally {
      await page.close();
    }
  });

  test('the same browser with no Vial tab open: the page says to open one, finds it, and a denial reaches the client', async () => {
    const provider = new E2EProvider(undefined, 'E2E denied');
    const authorizationUrl = await startSignIn(mcpUrl, provider);
    await tab.close();

    const page = await context.newPage();
    await page.goto(authorizationUrl.href);
    await expect(page.getByTestId('consent-no-tab')).toContainText('No Vial tab for this host is open in this browser');
    await expect(page.getByTestId('consent-page-deny')).toBeDisabled();
    // The person opens the app from the page's link; the page finds the tab by itself.
    const [opened] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('link', { name: 'Open the Vial app' }).click(),
    ]);
    tab = opened;
    await expect(page.getByTestId('consent-no-tab')).toHaveCount(0, { timeout: 20_000 });
    await page.getByTestId('consent-page-deny').click();
    await page.waitForURL((url) => url.href.startsWith(callback), { timeout: 30_000 });
    const params = new URL(page.url()).searchParams;
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('code')).toBeNull();
    await page.close();
    await tab.goto(new URL('/#/connect', tab.url()).href);
    await expect(tab.getByTestId('oauth-grant-row')).toHaveCount(0);
  });

  test('a consent page for an unknown or expired sign-in says so, and what to do', async () => {
    const page = await context.newPage();
    await page.goto(new URL('/consent/no-such-sign-in', mcpUrl).href);
    const problem = page.getByTestId('consent-problem');
    await expect(problem).toHaveAttribute('data-kind', 'gone');
    await expect(problem).toContainText('Start the sign-in again from your MCP client');
    await page.close();
  });
});

test.describe('OAuth sign-in with a Client ID Metadata Document, consent given in the tab', () => {
  const name = 'E2E metadata document client';
  let documents: Awaited<ReturnType<typeof startCimdServer>>;
  let relay: StartedRelay;
  let context: BrowserContext;

  test.beforeAll(async ({ browser }) => {
    documents = await startCimdServer({
      '/client.json': (origin) => clientDocument(`${origin}/client.json`, name, [callback]),
    });
    relay = await startRelay({
      VIAL_WEB_DIR: process.env.VIAL_WEB_DIR ?? fileURLToPath(new URL('../../dist/web', import.meta.url)),
      VIAL_OAUTH_CIMD_LOCAL_ORIGINS: documents.origin,
      VIAL_OAUTH_CIMD_LOCAL_CA: CIMD_CA_FILE,
    });
    context = await browser.newContext();
  });

  test.afterAll(async () => {
    await context?.close();
    await relay?.close();
    await documents?.close();
  });

  test('the SDK client signs in with its document URL as client id, the page allows, and Revoke cuts it off', async () => {
    const tab = await context.newPage();
    const mcpUrl = await openVial(tab, `${relay.url}/`);
    const clientId = `${documents.origin}/client.json`;
    const provider = new E2EProvider(clientId, name);
    const authorizationUrl = await startSignIn(mcpUrl, provider);
    // No registration: the client id is the document's URL, which the relay fetches once the page opens.
    expect(authorizationUrl.searchParams.get('client_id')).toBe(clientId);
    expect(documents.requested).toEqual([]);

    const page = await context.newPage();
    try {
      await page.goto(authorizationUrl.href);
      await expect(page.getByTestId('consent-client-name')).toHaveText(name);
      expect(documents.requested).toContain('/client.json');
      await expect(page.getByTestId('consent-identity')).toContainText(`metadata document at ${clientId}`);
      await expect(page.getByTestId('consent-loopback-warning')).toBeVisible();
      await expect(tab.getByTestId('consent-request')).toHaveCount(1);
      await expect(tab.getByTestId('consent-request').getByTestId('consent-identity')).toContainText(clientId);
      await grantQuantumOnly(page.getByTestId('consent-page'));
      await expect(page.getByTestId('consent-page-allow')).toBeEnabled();
      await screenshot(page, 'oauth-consent-cimd');
      await page.getByTestId('consent-page-allow').click();
      const params = await callbackParams(page);
      await expect(tab.getByTestId('consent-requests')).toHaveCount(0);

      await useThenRevoke(tab, mcpUrl, provider, params, name, new URL(documents.origin).host);
    } finally {
      await page.close();
    }
  });
});
