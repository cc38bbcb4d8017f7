/**
 * Claude Code (`@anthropic-ai/claude-code`, pinned) as a real third-party client: `claude mcp add`
 * then `claude mcp list`, whose health check connects to Vial through the relay. It runs in a
 * ClientSandbox (its own HOME, no self-update, no telemetry); neither command needs a login.
 *
 * Between Claude Code and the relay sits a proxy (tests/support/httpProxy.ts) that forwards every
 * request untouched (Claude Code's own Authorization header included) and writes down what the
 * relay's log does not: each POST's JSON-RPC method, its MCP-Protocol-Version header and the
 * status the relay answered.
 */
import { existsSync, statSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClientSandbox, packageBin } from '../support/externalClients.ts';
import { startProxy, type HttpProxy } from '../support/httpProxy.ts';
import { startStack } from '../support/relay.ts';

/** The native binary the package's postinstall puts in place of a small shell-script placeholder. */
function claudeBinary(): string | undefined {
  let path: string;
  try {
    path = packageBin('@anthropic-ai/claude-code', 'claude');
  } catch {
    return undefined;
  }
  // The placeholder (postinstall not run) is a 500-byte script that only prints how to install.
  return existsSync(path) && statSync(path).size > 1_000_000 ? path : undefined;
}

const CLAUDE = claudeBinary();
if (!CLAUDE) {
  console.warn(
    'claudeCode.test.ts skipped: the Claude Code binary is missing (is @anthropic-ai/claude-code installed, ' +
      "and did its postinstall run? pnpm-workspace.yaml's onlyBuiltDependencies must list it)",
  );
}

describe.skipIf(!CLAUDE)('Claude Code 2.1.328 through the relay', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let proxy: HttpProxy;
  let sandbox: ClientSandbox;

  beforeAll(async () => {
    stack = await startStack();
    proxy = await startProxy(stack.relay.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await stack?.close();
  });
  beforeEach(async () => {
    sandbox = new ClientSandbox();
    const url = `${proxy.url}${new URL(stack.mcpUrl).pathname}`;
    const added = await claude([
      'mcp',
      'add',
      '--transport',
      'http',
      'vial',
      url,
      '--header',
      `Authorization: Bearer ${stack.token}`,
    ]);
    expect(added.stdout).toContain('Added HTTP MCP server vial');
    proxy.exchanges.length = 0;
  });
  afterEach(async () => {
    await sandbox.dispose();
  });

  async function claude(args: string[]) {
    const run = await sandbox.run(args, 15_000, CLAUDE);
    expect(run, run.stderr).toMatchObject({ code: 0, timedOut: false });
    return run;
  }

  /** The line `claude mcp list` prints for the server named vial. */
  function vialLine(stdout: string): string {
    const line = stdout.split('\n').find((text) => text.startsWith('vial: '));
    if (!line) throw new Error(`claude mcp list printed no line for vial:\n${stdout}`);
    return line;
  }

  it('reports vial connected over the 2026-07-28 revision, with no initialize', async () => {
    const list = await claude(['mcp', 'list']);
    expect(vialLine(list.stdout)).toMatch(/- ✔ Connected$/);

    const { exchanges } = proxy;
    expect(exchanges).toContainEqual({
      method: 'POST',
      rpcMethod: 'server/discover',
      protocolVersion: '2026-07-28',
      status: 200,
    });
    expect(exchanges.filter((exchange) => exchange.rpcMethod === 'initialize')).toEqual([]);
    // Every request it made was a modern one, and the relay accepted each.
    expect(exchanges.length).toBeGreaterThan(0);
    for (const exchange of exchanges) expect(exchange).toMatchObject({ protocolVersion: '2026-07-28', status: 200 });
  });

  it('says the tab is offline, in the relay’s words, when it is', async () => {
    stack.host.stop();
    const list = await claude(['mcp', 'list']);
    const line = vialLine(list.stdout);
    expect(line).not.toContain('✔ Connected');
    expect(line).toContain('is offline');
    expect(line).toContain('Open the Vial web app');
    // The relay still answers discovery for an offline tab, and Claude Code does not fall back.
    expect(proxy.exchanges).toContainEqual({
      method: 'POST',
      rpcMethod: 'server/discover',
      protocolVersion: '2026-07-28',
      status: 200,
    });
    expect(proxy.exchanges.filter((exchange) => exchange.rpcMethod === 'initialize')).toEqual([]);
  });
});
