/**
 * Enrolling a tab on a relay that admits hosts, in real Chromium against a real relay
 * (`VIAL_HOST_ADMISSION=enrolment`) serving the built app: a fresh tab is refused with the relay's
 * reason and offers the enrolment form; the operator's link enrols it, leaves no code in the
 * address bar, and the ticket it got brings it back after a reload; a used code is refused, and
 * a link opened in a running tab enrols it.
 */
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { mintEnrolmentCode } from '../../relay/src/hosts/admission.ts';
import { startRelay, type StartedRelay } from '../support/relay.ts';
import { screenshot } from './support/vial.ts';

const SECRET = 'e2e-admission-secret-0123456789abcdef';
const code = () => mintEnrolmentCode(SECRET, { llm: false, ttlMs: 60_000 });

let relay: StartedRelay;
test.beforeAll(async () => {
  relay = await startRelay({
    VIAL_WEB_DIR: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    VIAL_HOST_ADMISSION: 'enrolment',
    VIAL_ADMISSION_SECRET: SECRET,
  });
});
test.afterAll(async () => {
  await relay?.close();
});

const status = (page: Page) => page.getByTestId('relay-status');

/** What the tab keeps in IndexedDB about its admission. */
function savedAdmission(page: Page): Promise<unknown> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('vial-host');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const read = open.result.transaction('host').objectStore('host').get('admission');
          read.onerror = () => reject(read.error);
          read.onsuccess = () => resolve(read.result);
        };
      }),
  );
}

test('a tab enrols with the operator’s link, keeps its ticket across reloads, and a used code is refused', async ({
  page,
  browser,
}) => {
  // A fresh tab: refused, told why, offered the form; nothing to copy yet.
  await page.goto(`${relay.url}/`);
  await expect(status(page)).toHaveAttribute('data-state', 'not-admitted');
  await expect(page.getByTestId('relay-detail')).toContainText('admits hosts by enrolment');
  await expect(page.getByTestId('enrolment-form')).toBeVisible();
  await expect(page.getByTestId('mcp-url')).toHaveCount(0);
  await screenshot(page, 'enrolment');

  // What is no code is refused in the tab, with why.
  await page.getByTestId('enrolment-code').fill('vial_notAnEnrolmentCode');
  await page.getByTestId('enrol').click();
  await expect(page.getByTestId('enrolment-error')).toContainText('not an enrolment code');
  await expect(status(page)).toHaveAttribute('data-state', 'not-admitted');

  // The operator's link: the tab enrols, and the code leaves the address bar at once.
  const first = code();
  await page.goto(`${relay.url}/#enrol=${first}`);
  await expect(status(page)).toHaveAttribute('data-state', 'online');
  expect(page.url()).not.toContain('enrol');
  expect(page.url()).not.toContain(first);
  await expect(page.getByTestId('mcp-url')).toContainText('/mcp/');
  const mcpUrl = await page.getByTestId('mcp-url').textContent();
  // This code grants no LLM access, and the tab says so plainly.
  await expect(page.getByTestId('llm-unavailable')).toContainText('LLM tools are not available on this relay');
  await page.goto(`${relay.url}/#/llm`);
  await expect(page.locator('.alert.error')).toContainText('LLM tools are not available on this relay for this host');

  // The ticket is what is kept; the code, used once, is gone. A reload comes back on the ticket.
  const saved = (await savedAdmission(page)) as { ticket?: string; enrolment?: string };
  expect(saved.ticket).toMatch(/\S/);
  expect(saved.enrolment).toBeUndefined();
  await page.reload();
  await expect(status(page)).toHaveAttribute('data-state', 'online');
  await page.goto(`${relay.url}/#/connect`);
  await expect(page.getByTestId('mcp-url')).toHaveText(mcpUrl!);

  // Another browser profile cannot reuse the code; a fresh link opened in that running tab enrols it.
  const other = await browser.newContext();
  const second = await other.newPage();
  await second.goto(`${relay.url}/`);
  await expect(status(second)).toHaveAttribute('data-state', 'not-admitted');
  await second.getByTestId('enrolment-code').fill(`${relay.url}/#enrol=${first}`);
  await second.getByTestId('enrol').click();
  await expect(second.getByTestId('relay-detail')).toContainText('already used');
  await expect(status(second)).toHaveAttribute('data-state', 'not-admitted');
  await second.goto(`${relay.url}/#enrol=${code()}`);
  await expect(status(second)).toHaveAttribute('data-state', 'online');
  expect(second.url()).not.toContain('enrol');
  await expect(second.getByTestId('mcp-url')).not.toHaveText(mcpUrl!);
  await other.close();
});
