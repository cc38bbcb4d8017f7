/**
 * mcp-remote 0.15.1 signs in with nothing but the MCP URL: after the 401 it registers by DCR and
 * opens the authorization URL with $BROWSER (a script here that records it); this test plays the
 * browser and the person (approving in the host's tab with the page's match code), the browser
 * lands on mcp-remote's own callback, and mcp-remote then serves MCP over its stdio within the
 * granted scope, refreshes its token when the access token expires (3 s here), and works on until
 * the tab revokes the grant.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ClientSandbox, MCP_REMOTE_BIN } from '../../support/externalClients.ts';
import { until } from '../../support/until.ts';
import { finishConsent, openConsent, shownInTab, startOAuthStack, UserAgent } from '../../support/oauth.ts';

const ACCESS_TTL_S = 3;
let stack: Awaited<ReturnType<typeof startOAuthStack>>;
let sandbox: ClientSandbox;
beforeAll(async () => {
  stack = await startOAuthStack({ env: { VIAL_OAUTH_ACCESS_TTL_S: String(ACCESS_TTL_S) } });
  sandbox = new ClientSandbox();
});
afterAll(async () => {
  await sandbox.dispose();
  await stack.close();
});

it('signs in through the tab, calls within the grant, is refused outside it, and is cut off by revocation', async () => {
  const opened = join(sandbox.dir, 'browser-urls.txt');
  const browserScript = join(sandbox.dir, 'browser.sh');
  writeFileSync(browserScript, `#!/bin/sh\necho "$@" >> '${opened}'\n`, { mode: 0o755 });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MCP_REMOTE_BIN, stack.mcpUrl, '--transport', 'http-only'],
    env: sandbox.env({ BROWSER: browserScript }),
    stderr: 'pipe',
  });
  const stderr: string[] = [];
  transport.stderr?.on('data', (chunk: Buffer) => stderr.push(String(chunk)));
  const client = new Client({ name: 'vial-mcp-remote-oauth-test', version: '1.0.0' });
  const connected = client.connect(transport, { timeout: 30_000 });
  try {
    // The authorization URL, recorded by the browser script or printed by mcp-remote.
    let authorization: string | undefined;
    await until(() => {
      const printed = /Please authorize this client by visiting:\s*(\S+)/.exec(stderr.join(''))?.[1];
      authorization = existsSync(opened) ? readFileSync(opened, 'utf8').trim().split('\n')[0] : printed;
      return authorization !== undefined;
    }, 15_000);
    const browser = new UserAgent();
    const consent = await openConsent(browser, authorization!);
    expect(consent.details?.client).toMatchObject({ name: 'MCP CLI Proxy', cimd: false, loopbackOnly: true });
    await shownInTab(stack.host, consent.details!.consentId);
    stack.host.oauth.decide(consent.details!.consentId, {
      approve: true,
      scopes: ['quantum'],
      matchCode: consent.details!.matchCode,
    });
    // Back to mcp-remote's own callback server, which takes the code.
    const landed = await finishConsent(browser, consent.origin!, consent.uid!);
    expect(landed).toMatchObject({ status: 200 });
    expect((landed as { url: string }).url).toMatch(/^http:\/\/localhost:\d+\/oauth\/callback\?code=/);
    await connected;

    const { tools } = await client.listTools({}, { timeout: 10_000 });
    expect(tools.map((tool) => tool.name)).toContain('quantum_simulate');
    const allowed = await client.callTool({ name: 'system_diagnostics', arguments: {} }, { timeout: 10_000 });
    expect(allowed.isError).toBeFalsy();
    const denied = await client.callTool({ name: 'wallet_status', arguments: {} }, { timeout: 10_000 });
    expect(denied.isError).toBe(true);
    expect(JSON.stringify(denied.content)).toMatch(
      /OAuth client 'MCP CLI Proxy' was not granted the scope wallet:read/,
    );

    // Past the access token's lifetime the relay answers 401; mcp-remote refreshes and goes on.
    const rotations = () => stack.relay.oauth!.store.grants(stack.host.hostId)[0]?.refresh?.rotations ?? 0;
    // (With a 3 s lifetime mcp-remote also refreshes ahead of time, so the count is already above 0.)
    const before = rotations();
    expect(before).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, (ACCESS_TTL_S + 1) * 1000));
    const afterExpiry = await client.callTool({ name: 'system_diagnostics', arguments: {} }, { timeout: 10_000 });
    expect(afterExpiry.isError).toBeFalsy();
    expect(rotations()).toBeGreaterThan(before);

    const [grant] = stack.host.oauth.grants();
    expect(grant).toMatchObject({ client: { name: 'MCP CLI Proxy' }, scopes: ['quantum'] });
    expect(stack.host.oauth.revoke(grant!.grantId)).toBe(true);
    await until(() => stack.host.oauth.grants().length === 0);
    await expect(client.listTools({}, { timeout: 5_000 })).rejects.toThrow();
  } finally {
    await client.close().catch(() => undefined);
  }
}, 60_000);
