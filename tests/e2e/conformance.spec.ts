/**
 * The official MCP conformance suite, every server scenario (`--suite all`), run through a real
 * relay against the Vial tab in real Chromium: the fixtures run in the browser. The relay here is
 * our own process (the shared one has no fixtures) started with `VIAL_FIXTURES=conformance`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { EXPECTED_FAILURES, runConformanceSuite, startBearerProxy, type HeaderProxy } from '../support/conformance.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

let relay: ChildProcess | undefined;
let relayUrl: string;
let proxy: HeaderProxy | undefined;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForHealth(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (relay?.exitCode !== null) throw new Error(`the relay exited with code ${relay?.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the relay at ${url} did not become healthy in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test.beforeAll(async () => {
  const port = await freePort();
  relayUrl = `http://localhost:${port}`;
  relay = spawn(process.execPath, ['--import', 'tsx', 'relay/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      VIAL_PORT: String(port),
      VIAL_WEB_DIR: process.env.VIAL_WEB_DIR ?? 'dist/web',
      VIAL_FIXTURES: 'conformance',
      VIAL_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitForHealth(relayUrl);
});

test.afterAll(async () => {
  await proxy?.close();
  if (relay && relay.exitCode === null) {
    relay.kill('SIGTERM');
    await once(relay, 'exit');
  }
});

test('the official MCP conformance suite passes against the tab in Chromium', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto(`${relayUrl}/#/connect`);
  await expect(page.getByTestId('relay-status')).toHaveAttribute('data-state', 'online');
  const mcpUrl = (await page.getByTestId('mcp-url').textContent())!;
  expect(mcpUrl).toMatch(/^http:\/\/localhost:\d+\/mcp\/[A-Za-z0-9_-]{22}$/);

  await page.getByTestId('token-name').fill('Conformance suite');
  await page.getByTestId('create-token').click();
  const token = (await page.getByTestId('token-value').textContent())!;
  expect(token).toMatch(/^vial_[A-Za-z0-9_-]{43}$/);
  // The row appears once the relay has the new token list.
  await expect(page.getByTestId('token-row').filter({ hasText: 'Conformance suite' })).toBeVisible();

  proxy = await startBearerProxy(relayUrl, token);
  const run = await runConformanceSuite({
    url: new URL(new URL(mcpUrl).pathname, proxy.url).toString(),
    suite: 'all',
    expectedFailures: EXPECTED_FAILURES,
  });
  const lines = run.scenarios.map((s) => `${s.ok ? '✓' : '✗'} ${s.scenario}: ${s.passed} passed, ${s.failed} failed`);
  console.log(`conformance (Chromium tab):\n${lines.join('\n')}\nTotal: ${JSON.stringify(run.total)}`);
  expect(run.scenarios.length, run.output).toBe(32);
  expect(run.exitCode, run.output).toBe(0);
});
