/**
 * The official MCP conformance suite, every server scenario (`--suite all`), run through the
 * relay against a Node host serving the `conformance` fixture pack. Scenarios listed in
 * tests/conformance/expected-failures.yml may fail; any other failure, or a listed scenario that
 * now passes, fails this test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePacks } from '../../web/src/tools/fixtures.ts';
import { EXPECTED_FAILURES, runConformanceSuite, startBearerProxy, type HeaderProxy } from '../support/conformance.ts';
import { startStack } from '../support/relay.ts';

let stack: Awaited<ReturnType<typeof startStack>>;
let proxy: HeaderProxy;

beforeAll(async () => {
  stack = await startStack({ env: { VIAL_FIXTURES: 'conformance' }, fixturePacks });
  proxy = await startBearerProxy(stack.relay.url, stack.token);
});

afterAll(async () => {
  await proxy?.close();
  await stack?.close();
});

describe('official MCP conformance suite through the relay (Node host)', () => {
  it('passes every server scenario not in the baseline', { timeout: 120_000 }, async () => {
    const mcpUrl = new URL(new URL(stack.mcpUrl).pathname, proxy.url).toString();
    const run = await runConformanceSuite({ url: mcpUrl, suite: 'all', expectedFailures: EXPECTED_FAILURES });
    const lines = run.scenarios.map((s) => `${s.ok ? '✓' : '✗'} ${s.scenario}: ${s.passed} passed, ${s.failed} failed`);
    console.log(`conformance (Node host): ${lines.join('\n')}\nTotal: ${JSON.stringify(run.total)}`);
    expect(run.scenarios.length, run.output).toBe(32);
    expect(run.exitCode, run.output).toBe(0);
  });
});
