/**
 * The test page that plays an MCP Apps host (support/appHost.ts, bundled for the browser) on any
 * relay's origin, and the pictures of an app in a light and a dark host for the README. Used by
 * the app specs whose tab runs on a relay of their own (the LLM stand-ins' gateway) as well as on
 * the shared one.
 */
import { expect, type FrameLocator, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

let bundled: Promise<string> | undefined;

/** The host page's script: support/appHost.ts and the SDKs, bundled once per worker. */
export function appHostScript(): Promise<string> {
  bundled ??= build({
    entryPoints: ['tests/e2e/support/appHost.ts'],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0]!.text);
  return bundled;
}

export interface HostPage {
  /** Every URL the page (host and app frame) requested. */
  requests: string[];
  /** Console lines where the browser refused something under a CSP. */
  cspViolations: string[];
  /** The app's frame. */
  app: FrameLocator;
}

/**
 * Opens the host page at `origin` (the relay the client will reach, so its requests are
 * same-origin) and connects its client to `mcpUrl` with `token`.
 */
export async function openAppHost(page: Page, origin: string, mcpUrl: string, token: string): Promise<HostPage> {
  const script = await appHostScript();
  const requests: string[] = [];
  const cspViolations: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
  });
  await page.route('**/e2e-app-host', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html><head><meta charset="utf-8"><title>App host</title></head><body><script>${script.replace(/<\/script/gi, '<\\/script')}</script></body></html>`,
    }),
  );
  await page.goto(new URL('/e2e-app-host', origin).href);
  await page.evaluate(([url, bearer]) => window.appHost.connect(url!, bearer!), [mcpUrl, token]);
  return { requests, cspViolations, app: page.frameLocator('iframe#app') };
}

/** The requests that went anywhere but the MCP endpoint and the host page itself: an app must make none. */
export function ownRequests(host: HostPage, mcpUrl: string): string[] {
  const origin = new URL(mcpUrl).origin;
  return host.requests.filter((url) => !url.startsWith(`${origin}/mcp/`) && !url.endsWith('/e2e-app-host'));
}

/**
 * Checks the app follows the host from light to dark (`root`'s text colour changes), keeping a
 * picture of each with VIAL_SHOTS_DIR set (`docs/images/<name>-light.png` and `-dark.png` when it
 * is docs/images). The app is left in the dark.
 */
export async function followsHostTheme(page: Page, host: HostPage, root: string, name: string): Promise<void> {
  const textColor = () => host.app.locator(root).evaluate((el) => getComputedStyle(el).color);
  await expect(host.app.locator('html')).toHaveAttribute('data-theme', 'light');
  const light = await textColor();
  await appShot(page, `${name}-light`);
  await page.evaluate(() => window.appHost.setTheme('dark'));
  await expect(host.app.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await textColor()).not.toBe(light);
  await appShot(page, `${name}-dark`);
}

async function appShot(page: Page, name: string): Promise<void> {
  const dir = process.env.VIAL_SHOTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  // The whole frame in view: a cross-origin frame is painted only where the viewport reaches.
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 800, height: 1800 });
  await page.locator('iframe#app').screenshot({ path: join(dir, `${name}.png`) });
  if (viewport) await page.setViewportSize(viewport);
}
