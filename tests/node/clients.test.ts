/**
 * Real third-party MCP clients against a real relay and Node host: the MCP Inspector CLI and
 * mcp-remote driven by the SDK over stdio. Both run as child processes with the project's node.
 * Both connect with a 2025-11-25 session, as the Connect view says; the relay's metrics show it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { diagnosticsOutput } from '../../web/src/tools/system/outputs.ts';
import { ClientSandbox, isAlive } from '../support/externalClients.ts';
import { metricSum } from '../support/metrics.ts';
import { startStack } from '../support/relay.ts';
import { structuredOf } from '../support/toolResults.ts';

type Stack = Awaited<ReturnType<typeof startStack>>;

/** What the Inspector CLI prints for a call of system_diagnostics. */
const inspectorDiagnostics = z.object({
  result: z.object({
    isError: z.boolean().optional(),
    structuredContent: diagnosticsOutput,
    content: z.array(z.object({ type: z.literal('text'), text: z.string() })),
  }),
});

let stack: Stack;
let sandbox: ClientSandbox;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});
beforeEach(() => {
  sandbox = new ClientSandbox();
});

/** MCP requests the relay has counted so far in each era. */
async function requestsByEra() {
  const count = (labels: Record<string, string>) => metricSum(stack.relay, 'vial_mcp_requests_total', labels);
  return {
    initialize: await count({ method: 'initialize', era: 'legacy' }),
    modern: await count({ era: 'modern' }),
  };
}
afterEach(async () => {
  await sandbox.dispose();
});

describe('MCP Inspector CLI', () => {
  it('lists system_diagnostics through the relay, on a 2025-11-25 session', async () => {
    const before = await requestsByEra();
    const run = await sandbox.runInspector(stack.mcpUrl, stack.token, ['--method', 'tools/list']);
    expect(run, run.stderr).toMatchObject({ code: 0, timedOut: false });
    expect(await requestsByEra()).toEqual({ initialize: before.initialize + 1, modern: before.modern });
    const { result } = JSON.parse(run.stdout) as { result: { tools: { name: string }[] } };
    expect(result.tools.map((tool) => tool.name)).toContain('system_diagnostics');
  });

  it('calls system_diagnostics and gets the host’s report', async () => {
    const run = await sandbox.runInspector(stack.mcpUrl, stack.token, [
      '--method',
      'tools/call',
      '--tool-name',
      'system_diagnostics',
    ]);
    expect(run, run.stderr).toMatchObject({ code: 0, timedOut: false });
    const { result } = inspectorDiagnostics.parse(JSON.parse(run.stdout));
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent.vial.hostId).toBe(stack.host.hostId);
    expect(diagnosticsOutput.parse(JSON.parse(result.content[0]!.text)).vial.hostId).toBe(stack.host.hostId);
  });

  it('fails fast with an auth error for a wrong token', async () => {
    const run = await sandbox.runInspector(stack.mcpUrl, 'not-a-vial-token', ['--method', 'tools/list'], 10_000);
    expect(run.timedOut).toBe(false);
    expect(run.code).toBe(3); // the CLI's "auth required" exit code
    expect(run.stdout).toBe('');
    const { error } = JSON.parse(run.stderr) as { error: { code: string; message: string } };
    expect(error.code).toBe('auth_required');
    expect(error.message).toContain('Unauthorized');
    expect(run.ms).toBeLessThan(5_000);
  });
});

describe('mcp-remote driven by the SDK over stdio', () => {
  it('lists and calls system_diagnostics through the relay on a 2025-11-25 session, then exits on close', async () => {
    const before = await requestsByEra();
    const { client, pid, stderr } = await sandbox.connectMcpRemote(stack.mcpUrl, stack.token);
    const { tools } = await client.listTools({}, { timeout: 10_000 });
    expect(tools.map((tool) => tool.name)).toContain('system_diagnostics');
    const result = await client.callTool({ name: 'system_diagnostics', arguments: {} }, { timeout: 10_000 });
    expect(result.isError).toBeFalsy();
    expect(structuredOf('system_diagnostics', result).vial.hostId).toBe(stack.host.hostId);
    // mcp-remote opens a session to test the server, then the one it keeps: two initializes, no modern request.
    const after = await requestsByEra();
    expect(after.initialize).toBeGreaterThan(before.initialize);
    expect(after.modern).toBe(before.modern);

    const closing = performance.now();
    await client.close();
    // On stdin EOF mcp-remote shuts down by itself; the SDK would escalate to SIGTERM after 2 s.
    expect(performance.now() - closing).toBeLessThan(1_900);
    expect(isAlive(pid)).toBe(false);
    expect(stderr.join('\n')).not.toMatch(/browser|please authorize/i);
  });

  it('answers a wrong token by starting an OAuth sign-in at once, through a browser it is given', async () => {
    // The relay is an OAuth authorization server: after the 401, mcp-remote registers by DCR and
    // opens the authorization URL with $BROWSER, here a script that records it instead.
    const opened = join(sandbox.dir, 'browser-urls.txt');
    const browser = join(sandbox.dir, 'browser.sh');
    writeFileSync(browser, `#!/bin/sh\necho "$@" >> '${opened}'\n`, { mode: 0o755 });
    const started = performance.now();
    const failure = await sandbox.connectMcpRemote(stack.mcpUrl, 'not-a-vial-token', 6_000, { BROWSER: browser }).then(
      () => new Error('connected with a wrong token'),
      (error: Error) => error,
    );
    // It waits for the person to sign in, which this test does not do: connecting times out.
    expect(failure.message).toMatch(/did not connect/);
    expect(performance.now() - started).toBeLessThan(8_000);
    // mcp-remote prints the URL too, for when no browser can be opened.
    const printed = /Please authorize this client by visiting:\s*(\S+)/.exec(failure.message)?.[1];
    const recorded = existsSync(opened) ? readFileSync(opened, 'utf8').trim().split('\n')[0] : undefined;
    const authorization = new URL(recorded ?? printed ?? 'about:blank');
    expect(`${authorization.origin}${authorization.pathname}`).toBe(`${new URL(stack.mcpUrl).origin}/oauth/authorize`);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('resource')).toBe(stack.mcpUrl);
    expect(authorization.searchParams.get('client_id')).toBeTruthy();
  });
});

describe('OAuth discovery probes (mcp-remote sends them before every connection)', () => {
  let probed: Stack | undefined;
  afterEach(async () => {
    await probed?.close();
    probed = undefined;
  });

  it.each([
    { app: 'no web app', webDir: () => '' },
    { app: 'the built web app, whose unknown paths fall back to index.html', webDir: writeWebApp },
  ])(
    'answers each quickly: the OAuth metadata Vial serves, 404 for the rest, when serving $app',
    async ({ webDir }) => {
      probed = await startStack({ env: { VIAL_WEB_DIR: webDir() } });
      const { origin, pathname } = new URL(probed.mcpUrl);
      // The host's protected resource metadata and the authorization server's (at the root: the
      // issuer has no path) are served; the other places clients look are not Vial's.
      const probes = [
        { path: `/.well-known/oauth-protected-resource${pathname}`, status: 200 },
        { path: '/.well-known/oauth-protected-resource', status: 404 },
        { path: `/.well-known/oauth-authorization-server${pathname}`, status: 404 },
        { path: '/.well-known/oauth-authorization-server', status: 200 },
        { path: `/.well-known/openid-configuration${pathname}`, status: 404 },
        { path: `${pathname}/.well-known/openid-configuration`, status: 404 },
      ];
      // Sent without a token while discovering, and with it after a 401.
      for (const { path, status } of probes) {
        for (const headers of [{}, { authorization: `Bearer ${probed.token}` }] as Record<string, string>[]) {
          const started = performance.now();
          const response = await fetch(origin + path, { headers, signal: AbortSignal.timeout(2_000) });
          await response.arrayBuffer();
          expect({ path, status: response.status }).toEqual({ path, status });
          expect(performance.now() - started).toBeLessThan(500);
        }
      }
      // Dynamic client registration lives at /oauth/register (the metadata says so), not /register.
      const register = await fetch(`${origin}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        signal: AbortSignal.timeout(2_000),
      });
      expect(register.status).toBe(405);
      // mcp-remote starts its OAuth flow only if this authenticated GET answers 401.
      const probe = await fetch(probed.mcpUrl, {
        headers: { authorization: `Bearer ${probed.token}`, accept: 'text/event-stream' },
        signal: AbortSignal.timeout(2_000),
      });
      expect(probe.status).toBe(400);
    },
  );
});

function writeWebApp(): string {
  const dir = join(sandbox.dir, 'web');
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Vial</title>');
  return dir;
}
