/** Drives the Vial web app in a real page and talks to it with the real MCP SDK client. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { connectMcpClient, type ConnectClientOptions, type ConnectedClient } from '../../support/mcpClient.ts';

/** Opens the app (on the shared relay, unless `at` is another's) and waits until the relay has given the tab its MCP URL. */
export async function openVial(page: Page, at = '/'): Promise<string> {
  await page.goto(at);
  await expectOnline(page);
  const url = await page.getByTestId('mcp-url').textContent();
  expect(url).toMatch(/^http:\/\/localhost:\d+\/mcp\/[A-Za-z0-9_-]{22}$/);
  return url!;
}

export async function expectOnline(page: Page): Promise<void> {
  await expect(page.getByTestId('relay-status')).toHaveAttribute('data-state', 'online');
  await expect(page.getByTestId('mcp-url')).toContainText('/mcp/');
}

/** Mints a token through the Connect view and returns the value it shows once. */
export async function createToken(page: Page, name: string, scopes: string[] = []): Promise<string> {
  // On the relay the page is already on (a test may run its own relay), else on the shared one.
  await page.goto(page.url().startsWith('http') ? new URL('/#/connect', page.url()).href : '/#/connect');
  await page.getByTestId('token-name').fill(name);
  for (const scope of scopes) await page.getByTestId(`scope-${scope}`).check();
  await page.getByTestId('create-token').click();
  const token = await page.getByTestId('token-value').textContent();
  expect(token).toMatch(/^vial_[A-Za-z0-9_-]{43}$/);
  // Minting resolves once the relay acknowledged the new token list: the row is the sign.
  await expect(page.getByTestId('token-row').filter({ hasText: name })).toBeVisible();
  return token!;
}

export type { ConnectedClient } from '../../support/mcpClient.ts';

/** An MCP client (the 2.x SDK's) connected to the tab at `mcpUrl`; the legacy era unless `options` pick another. */
export function connectClient(
  mcpUrl: string,
  token: string,
  name = 'e2e-client',
  options: ConnectClientOptions = {},
): Promise<ConnectedClient> {
  return connectMcpClient(mcpUrl, token, name, options);
}

/** Awaits a promise that must reject, and returns its error and how long it took to reject. */
export async function rejection(promise: Promise<unknown>): Promise<{ error: Error & { code?: unknown }; ms: number }> {
  const started = performance.now();
  try {
    await promise;
  } catch (error) {
    return { error: error as Error & { code?: unknown }, ms: performance.now() - started };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Set VIAL_SHOTS_DIR (e.g. /tmp/shots) to keep a screenshot of each view. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.VIAL_SHOTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}
