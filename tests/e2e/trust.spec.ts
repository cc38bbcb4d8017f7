/**
 * The trust layer in real Chromium: permissions set in the Settings view and kept in IndexedDB,
 * the approval queue the person answers in the tab, and the hash-chained audit log (verify,
 * export, tampering found), all exercised by the real MCP SDK client through the relay.
 */
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { resultText as text, structuredOf } from '../support/toolResults.ts';
import { connectClient, createToken, openVial, screenshot } from './support/vial.ts';

async function setPolicy(page: Page, tool: string, policy: 'allow' | 'prompt' | 'deny') {
  await page.goto('/#/settings');
  const select = page
    .getByTestId('permission-row')
    .filter({ has: page.locator(`code:text-is("${tool}")`) })
    .getByTestId('permission-policy');
  await select.selectOption(policy);
  await expect(select).toHaveValue(policy);
}

const BELL = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\nmeasure q -> c;';

test('permissions, approvals and the audit log, from Settings to an MCP client and back', async ({ page }) => {
  const mcpUrl = await openVial(page);
  // `audit`: this client verifies the whole log over MCP at the end.
  const token = await createToken(page, 'Trust client', ['quantum', 'audit']);
  const { client } = await connectClient(mcpUrl, token);

  // Deny: the client gets an error naming the policy and where to change it.
  await setPolicy(page, 'system_diagnostics', 'deny');
  const denied = await client.callTool({ name: 'system_diagnostics', arguments: {} });
  expect(denied.isError).toBe(true);
  expect(text(denied)).toMatch(/'system_diagnostics' is set to deny in this tab's permissions.*Settings view/);

  // A compute tool may be allowed, asked about or denied; signing tools offer only the last two
  // (wallet.spec.ts checks those).
  await expect(
    page
      .getByTestId('permission-row')
      .filter({ has: page.locator('code:text-is("quantum_simulate")') })
      .locator('option'),
  ).toHaveText(['Allow', 'Ask me', 'Deny']);

  // Prompt: the call waits in the tab until the person approves; the preview names client, tool, arguments.
  await setPolicy(page, 'quantum_simulate', 'prompt');
  const approved = client.callTool({ name: 'quantum_simulate', arguments: { qasm: BELL, shots: 64, seed: 7 } });
  const request = page.getByTestId('approval-request');
  await expect(request).toHaveAttribute('data-tool', 'quantum_simulate');
  await expect(request).toContainText('Trust client wants to run quantum_simulate');
  await expect(request).toContainText('"shots": 64');
  await screenshot(page, 'approval');
  await request.getByTestId('approval-approve').click();
  const approvedResult = await approved;
  expect(approvedResult.isError).toBeFalsy();
  await expect(request).toHaveCount(0);

  // Reject: the client hears "rejected by the user" and nothing ran.
  const rejected = client.callTool({ name: 'quantum_simulate', arguments: { qasm: BELL, shots: 64 } });
  await page.getByTestId('approval-reject').click();
  const rejectedResult = await rejected;
  expect(rejectedResult.isError).toBe(true);
  expect(text(rejectedResult)).toBe('quantum_simulate was rejected by the user');

  // The policy survives a reload of the tab.
  await page.reload();
  await expect(page.getByTestId('relay-status')).toHaveAttribute('data-state', 'online');
  await expect(
    page
      .getByTestId('permission-row')
      .filter({ has: page.locator('code:text-is("system_diagnostics")') })
      .getByTestId('permission-policy'),
  ).toHaveValue('deny');
  await screenshot(page, 'settings');
  expect((await client.callTool({ name: 'system_diagnostics', arguments: {} })).isError).toBe(true);

  // The Activity view reads the audit log: four calls so far, newest first, each with how it ended.
  await page.goto('/#/activity');
  const rows = page.getByTestId('activity-row');
  await expect(rows).toHaveCount(4);
  const outcomes = await rows.evaluateAll((elements) => elements.map((row) => row.getAttribute('data-outcome')));
  expect(outcomes).toEqual(['denied', 'rejected', 'ok', 'denied']);
  await page.getByTestId('audit-verify').click();
  await expect(page.getByTestId('audit-verification')).toHaveText('chain intact (4 entries)');
  await screenshot(page, 'activity-audit');

  // Export: one JSON line per entry, oldest first.
  const download = page.waitForEvent('download');
  await page.getByTestId('audit-export').click();
  const lines = (await readFile(await (await download).path(), 'utf8')).trim().split('\n');
  expect(lines.map((line) => JSON.parse(line).seq)).toEqual([1, 2, 3, 4]);

  // Tampering with IndexedDB (as anyone with DevTools could) is found, in the view and over MCP.
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('vial-audit');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const store = db.transaction('entries', 'readwrite').objectStore('entries');
    const entry = await new Promise<Record<string, unknown>>((resolve) => {
      const get = store.get(3);
      get.onsuccess = () => resolve(get.result as Record<string, unknown>);
    });
    // Turn the rejected call into one that ran.
    await new Promise((resolve) => (store.put({ ...entry, outcome: 'ok' }, 3).onsuccess = resolve));
    db.close();
  });
  await page.getByTestId('audit-verify').click();
  await expect(page.getByTestId('audit-verification')).toHaveText('entry 3 was altered');
  const tail = await client.callTool({ name: 'system_logs_tail', arguments: { lines: 5, verify: true } });
  expect(structuredOf('system_logs_tail', tail).verification).toMatchObject({
    ok: false,
    seq: 3,
    problem: 'entry 3 was altered',
  });
  await client.close();
});

test('the approval panel shows hidden characters as ⟨U+…⟩ and every field whole', async ({ page }) => {
  const mcpUrl = await openVial(page);
  const token = await createToken(page, 'Panel client', ['quantum']);
  const { client } = await connectClient(mcpUrl, token);
  await setPolicy(page, 'quantum_simulate', 'prompt');

  // A right-to-left override and a zero-width space, then one long word that ends in a marker.
  const tail = `${'x'.repeat(1500)}END_OF_FIELD`;
  const qasm = `${BELL}\n// pay Bob\u202E001 ETH\u200B ${tail}`;
  const pending = client.callTool({ name: 'quantum_simulate', arguments: { qasm, shots: 8 } });
  const request = page.getByTestId('approval-request');
  await expect(request).toContainText('pay Bob⟨U+202E⟩001 ETH⟨U+200B⟩');
  await expect(request.getByTestId('approval-hidden-characters')).toContainText(
    'U+202E (right-to-left override), U+200B (zero-width space)',
  );
  // The argument field is on screen in full: it wraps, and nothing scrolls or clips inside it.
  const field = request.locator('dd pre').filter({ hasText: 'END_OF_FIELD' });
  const box = await field.evaluate((pre) => ({
    scrollWidth: pre.scrollWidth,
    clientWidth: pre.clientWidth,
    scrollHeight: pre.scrollHeight,
    clientHeight: pre.clientHeight,
    text: pre.textContent ?? '',
  }));
  expect(box.scrollWidth).toBeLessThanOrEqual(box.clientWidth);
  expect(box.scrollHeight).toBeLessThanOrEqual(box.clientHeight);
  expect(box.text).toContain('END_OF_FIELD');
  expect(box.text).not.toContain('\u202E');
  await screenshot(page, 'approval-hidden-characters');

  await request.getByTestId('approval-reject').click();
  expect((await pending).isError).toBe(true);
  await client.close();
});
