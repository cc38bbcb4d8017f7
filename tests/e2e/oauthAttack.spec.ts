/**
 * A hostile page in the person's browser against the consent page, in real Chromium: it cannot
 * frame the page (frame-ancestors 'none'), and when it opens the authorization URL under the
 * pointer (double-clickjacking), a click that lands on Allow at once does nothing: Allow works
 * only once the page has stayed in view a moment, and only then does the person's click approve.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { authorizeUrl, pkce, registerClient } from '../support/oauth.ts';
import { openVial } from './support/vial.ts';

test.describe('a hostile page against the consent page', () => {
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

  async function signInUrl(): Promise<string> {
    const origin = new URL(mcpUrl).origin;
    const clientId = await registerClient(origin);
    return authorizeUrl(origin, { client_id: clientId, code_challenge: pkce().challenge, resource: mcpUrl }).href;
  }

  test('cannot frame the consent page', async () => {
    const hostile = await context.newPage();
    const url = await signInUrl();
    // The sign-in starts in a window of its own (setting the interaction cookie), then is framed.
    const opened = await context.newPage();
    await opened.goto(url);
    await expect(opened).toHaveURL(/\/consent\/[A-Za-z0-9_-]+$/);
    await hostile.setContent(`<iframe id="victim" src="${opened.url()}" width="800" height="600"></iframe>`);
    await hostile.waitForTimeout(1500);
    const frame = hostile.frames().find((candidate) => candidate !== hostile.mainFrame());
    expect(frame).toBeDefined();
    await expect(frame!.locator('[data-testid="consent-page"]')).toHaveCount(0);
    await opened.close();
    await hostile.close();
  });

  test('a click that lands on Allow as the page appears does nothing; one after a moment approves', async () => {
    const url = await signInUrl();
    const page = await context.newPage();
    await page.goto(url);
    const allow = page.getByTestId('consent-page-allow');
    await expect(allow).toBeVisible();
    // The page found the running tab (Deny works at once) but Allow is not yet armed.
    await expect(page.getByTestId('consent-page-deny')).toBeEnabled();
    expect(await allow.isDisabled()).toBe(true);
    const requests = tab.getByTestId('consent-request');
    await expect(requests).not.toHaveCount(0);
    const waiting = await requests.count();
    const box = (await allow.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForTimeout(300);
    await expect(requests).toHaveCount(waiting);
    await expect(page).toHaveURL(/\/consent\/[A-Za-z0-9_-]+$/);
    await expect(allow).toBeEnabled();
    await allow.click();
    await expect(requests).toHaveCount(waiting - 1);
    await page.close();
  });
});
