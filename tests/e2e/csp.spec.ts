/**
 * The app under its Content Security Policy in real Chromium: it loads and runs a circuit on its
 * Worker with no violation reported, and a page on another origin cannot frame it (a framed
 * approval panel could be clickjacked).
 */
import { expect, test } from '@playwright/test';
import { connectClient, createToken, openVial } from './support/vial.ts';

test('the app runs with no CSP violation and refuses to be framed', async ({ page, baseURL }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const response = await page.goto('/');
  expect(response?.headers()['content-security-policy']).toMatch(/frame-ancestors 'none'/);
  expect(response?.headers()['x-frame-options']).toBe('DENY');

  const mcpUrl = await openVial(page);
  const token = await createToken(page, 'CSP client', ['quantum']);
  const { client } = await connectClient(mcpUrl, token);
  const run = await client.callTool({
    name: 'quantum_simulate',
    arguments: { qasm: 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nh q[0];\ncx q[0],q[1];', shots: 10, seed: 1 },
  });
  expect(run.isError).toBeFalsy();
  await client.close();
  expect(violations).toEqual([]);

  const framing = await page.context().newPage();
  await framing.goto('about:blank');
  await framing.setContent(`<iframe id="vial" src="${baseURL}/" width="800" height="600"></iframe>`);
  await framing.waitForTimeout(1500);
  const frame = framing.frames().find((candidate) => candidate.url().startsWith(baseURL!));
  const framedApp = frame
    ? await frame
        .locator('#app')
        .count()
        .catch(() => 0)
    : 0;
  expect(framedApp).toBe(0);
});
