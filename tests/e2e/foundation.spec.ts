/**
 * The foundation end to end: real Chromium hosts the tools (WebGPU on SwiftShader), the real
 * relay carries them, and the real MCP SDK client in this Node process calls them.
 */
import { SdkHttpError } from '@modelcontextprotocol/client';
import { expect, test } from '@playwright/test';
import { structuredOf } from '../support/toolResults.ts';
import { connectClient, createToken, expectOnline, openVial, rejection, screenshot } from './support/vial.ts';

test('a tab serves its tools through the relay, survives a reload, honours revocation and reports going away', async ({
  page,
}) => {
  const mcpUrl = await openVial(page);
  const hostId = mcpUrl.split('/').pop();
  const token = await createToken(page, 'Playwright client');
  await expect(page.getByTestId('snippet-claude-code')).toContainText(
    `${mcpUrl} --header "Authorization: Bearer ${token}"`,
  );
  await screenshot(page, 'connect');

  // The SDK client lists tools and runs system_diagnostics on the tab's real GPU adapter.
  const { client, transport } = await connectClient(mcpUrl, token);
  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name)).toContain('system_diagnostics');
  const first = await client.callTool({ name: 'system_diagnostics', arguments: {} });
  const report = structuredOf('system_diagnostics', first);
  expect(report.vial.hostId).toBe(hostId);
  expect(report.runtime.kind).toBe('browser');
  expect(report.runtime.crossOriginIsolated).toBe(true);
  expect(report.webgpu.available).toBe(true);
  expect(`${report.webgpu.adapter?.architecture} ${report.webgpu.adapter?.vendor}`).toMatch(/swiftshader|google/i);

  // The audit log stores a call's entry just after its answer, off the call's path: wait until it
  // is stored (the Activity view lists stored entries) before the reload, which would else cut it.
  await page.getByRole('link', { name: 'Activity' }).click();
  await expect(page.getByTestId('activity-row')).toHaveCount(1);
  await page.getByRole('link', { name: 'Connect' }).click();

  // Reload the tab: the same host id comes back from IndexedDB and the same session carries on.
  const sessionId = transport.sessionId;
  await page.reload();
  await expectOnline(page);
  await expect(page.getByTestId('mcp-url')).toHaveText(mcpUrl);
  const afterReload = await client.callTool({ name: 'system_diagnostics', arguments: {} });
  expect(structuredOf('system_diagnostics', afterReload).webgpu.available).toBe(true);
  expect(transport.sessionId).toBe(sessionId);

  // The Activity view lists the session and the calls from the audit log (which survived the reload), live.
  await page.getByRole('link', { name: 'Activity' }).click();
  await expect(page.getByTestId('session-row').filter({ hasText: 'Playwright client' })).toHaveCount(1);
  const rows = page.getByTestId('activity-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toHaveAttribute('data-outcome', 'ok');
  await expect(rows.first()).toContainText('system_diagnostics');
  await client.callTool({ name: 'system_diagnostics', arguments: {} });
  await expect(rows).toHaveCount(3);
  await expect(rows.first()).toHaveAttribute('data-outcome', 'ok');
  await expect(rows.first()).toContainText('Playwright client');
  await screenshot(page, 'activity');

  // Revoking the token in the tab shuts its client out: the next call gets HTTP 401.
  await page.getByRole('link', { name: 'Connect' }).click();
  await page.getByTestId('revoke-token').click();
  await expect(page.getByTestId('token-row')).toHaveCount(0);
  const revoked = await rejection(client.callTool({ name: 'system_diagnostics', arguments: {} }));
  expect(revoked.error.message).toMatch(/401|Unauthorized/);
  expect(revoked.error).toBeInstanceOf(SdkHttpError);
  expect((revoked.error as SdkHttpError).status).toBe(401);
  await client.close().catch(() => undefined);

  // With the tab closed, a call fails fast with the relay's offline message instead of hanging.
  const second = await connectClient(mcpUrl, await createToken(page, 'Second client'), 'e2e-second');
  await page.close();
  const gone = await rejection(second.client.callTool({ name: 'system_diagnostics', arguments: {} }));
  expect(gone.error.message).toMatch(/offline|went away/);
  expect(gone.ms).toBeLessThan(2000);
  // Once the relay has seen the tab go, every call gets the offline answer at once.
  const offline = await rejection(second.client.callTool({ name: 'system_diagnostics', arguments: {} }));
  expect(offline.error.message).toContain('offline');
  expect(offline.ms).toBeLessThan(2000);
  await second.client.close().catch(() => undefined);
});

test('the tab keeps its host id and tokens in IndexedDB and drops saved records that fail validation', async ({
  page,
}) => {
  const mcpUrl = await openVial(page);
  await createToken(page, 'Kept');
  const warnings: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'warning') warnings.push(message.text());
  });
  // Tamper with the saved list the way an old build or a DevTools edit could.
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('vial-host');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const store = open.result.transaction('host', 'readwrite').objectStore('host');
          const read = store.get('tokens');
          read.onsuccess = () => {
            const bogus = { id: 'x', name: '', hash: 'not-a-hash', scopes: ['root'], expiresAt: null, createdAt: 0 };
            const write = store.put([...(read.result as unknown[]), bogus], 'tokens');
            write.onsuccess = () => resolve();
            write.onerror = () => reject(write.error);
          };
        };
      }),
  );
  await page.reload();
  await expectOnline(page);
  await expect(page.getByTestId('mcp-url')).toHaveText(mcpUrl);
  await expect(page.getByTestId('token-row')).toHaveCount(1);
  await expect(page.getByTestId('token-row')).toContainText('Kept');
  expect(warnings.some((warning) => warning.includes('dropped an unreadable saved token'))).toBe(true);
});
