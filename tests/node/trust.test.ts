/**
 * The tab's trust layer seen from an MCP client through the relay: token scopes, then the
 * permission policy (allow / prompt / deny, compute rate limit), the approval queue, and the
 * hash-chained audit log with `system_logs_tail` and `vial://audit/log`. Every check runs in both
 * MCP eras: a 2025 session and stateless 2026-07-28 requests must meet the same trust layer.
 */
import type { Client } from '@modelcontextprotocol/client';
import type { Scope } from '@vial/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog, MemoryAuditStore, digestArguments, type AuditEntry } from '../../web/src/audit/auditLog.ts';
import { defineContentTool, type ToolPack } from '../../web/src/server/toolRegistry.ts';
import { logsTailOutput } from '../../web/src/tools/system/outputs.ts';
import type { ConnectClientOptions } from '../support/mcpClient.ts';
import { connectClient, nodeToolPacks, startStack } from '../support/relay.ts';
import { createTestPack, type SlowToolProbe } from '../support/testPack.ts';
import { resourceText, resultText as text, structuredOf } from '../support/toolResults.ts';
import { until } from '../support/until.ts';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack | undefined;
const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await stack?.close();
  stack = undefined;
});

/** A tool that does not say what it does: the policy treats it as unknown. */
const unclassifiedPack: ToolPack = {
  name: 'unclassified',
  tools: [
    defineContentTool({
      name: 'test_unclassified',
      description: 'Declares no access.',
      scopes: [],
      input: {},
      run: async () => ({ content: [{ type: 'text', text: 'ran' }] }),
    }),
  ],
};

async function setUpIn(era: ConnectClientOptions['versionNegotiation'], scopes?: Scope[]) {
  const probe: SlowToolProbe = { started: 0, aborted: [] };
  const auditStore = new MemoryAuditStore();
  stack = await startStack({
    packs: [...nodeToolPacks(), createTestPack(probe), unclassifiedPack],
    scopes,
    trust: { audit: new AuditLog(auditStore) },
  });
  const client = await connectClient(stack.mcpUrl, stack.token, 'trust-client', { versionNegotiation: era });
  clients.push(client);
  const { gate, audit } = stack.host;
  return { probe, auditStore, client, gate, audit, host: stack.host };
}

const ERAS = [
  ['a 2025 session', 'legacy'],
  ['2026-07-28 requests', { pin: '2026-07-28' }],
] as const satisfies [string, ConnectClientOptions['versionNegotiation']][];

describe.each(ERAS)('over %s', (_era, versionNegotiation) => {
  const setUp = (scopes?: Scope[]) => setUpIn(versionNegotiation, scopes);

  describe('permissions', () => {
    it('refuses a tool set to deny with an error naming the policy, and logs it', async () => {
      const { client, gate, audit, auditStore } = await setUp();
      await gate.permissions.setPolicy('test_echo', 'read', 'deny');
      const result = await client.callTool({ name: 'test_echo', arguments: { text: 'hi' } });
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/'test_echo' is set to deny in this tab's permissions.*Settings view/);
      await until(() => auditStore.entries.length === 1);
      const [entry] = await audit.tail(1);
      expect(entry).toMatchObject({ tool: 'test_echo', outcome: 'denied', client: 'test' });
    });

    it('checks the token scopes before the policy', async () => {
      const { client, gate } = await setUp([]);
      await gate.permissions.setPolicy('test_needs_quantum', 'compute', 'deny');
      const result = await client.callTool({ name: 'test_needs_quantum', arguments: {} });
      expect(text(result)).toMatch(/lacks the scope quantum needed by test_needs_quantum/);
    });

    it('denies a tool that does not say what it does', async () => {
      const { client } = await setUp();
      const result = await client.callTool({ name: 'test_unclassified', arguments: {} });
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/'test_unclassified' does not say what it does, so this tab denies it by default/);
    });

    it('rate-limits compute calls per client with a clear error', async () => {
      const { client, gate } = await setUp();
      await gate.permissions.setComputeCallsPerMinute(2);
      const call = () => client.callTool({ name: 'test_slow', arguments: { steps: 1, stepMs: 1, label: 'x' } });
      expect((await call()).isError).toBeFalsy();
      expect((await call()).isError).toBeFalsy();
      const limited = await call();
      expect(text(limited)).toMatch(
        /Client 'test' reached this tab's limit of 2 compute calls per minute\. Retry in \d+ s/,
      );
      // Read tools do not count against it.
      expect((await client.callTool({ name: 'test_echo', arguments: { text: 'still fine' } })).isError).toBeFalsy();
    });
  });

  describe('approval queue', () => {
    it('holds a prompted call until the person approves, with a preview of who asks for what', async () => {
      const { client, gate, probe, audit, auditStore } = await setUp();
      await gate.permissions.setPolicy('test_slow', 'compute', 'prompt');
      const call = client.callTool({ name: 'test_slow', arguments: { steps: 1, stepMs: 1, label: 'approved' } });
      await until(() => gate.approvals.pending().length === 1);
      const [request] = gate.approvals.pending();
      expect(request).toMatchObject({ client: 'test', tool: 'test_slow' });
      expect(request!.preview.fields).toContainEqual({ label: 'Client', value: 'test' });
      expect(request!.preview.fields.find((field) => field.label === 'Arguments')?.value).toContain('"approved"');
      expect(probe.started).toBe(0);
      gate.approvals.approve(request!.id);
      const result = await call;
      expect(result.structuredContent).toEqual({ label: 'approved', steps: 1 });
      await until(() => auditStore.entries.length === 1);
      await expect(audit.tail(1)).resolves.toMatchObject([{ tool: 'test_slow', outcome: 'ok' }]);
    });

    it('answers "rejected by the user" and never runs the tool', async () => {
      const { client, gate, probe, audit, auditStore } = await setUp();
      await gate.permissions.setPolicy('test_slow', 'compute', 'prompt');
      const call = client.callTool({ name: 'test_slow', arguments: { steps: 1, stepMs: 1, label: 'no' } });
      await until(() => gate.approvals.pending().length === 1);
      gate.approvals.reject(gate.approvals.pending()[0]!.id);
      const result = await call;
      expect(result.isError).toBe(true);
      expect(text(result)).toBe('test_slow was rejected by the user');
      expect(probe.started).toBe(0);
      await until(() => auditStore.entries.length === 1);
      await expect(audit.tail(1)).resolves.toMatchObject([{ tool: 'test_slow', outcome: 'rejected' }]);
    });

    it('drops the approval when the client cancels while it waits', async () => {
      const { client, gate } = await setUp();
      await gate.permissions.setPolicy('test_echo', 'read', 'prompt');
      const cancel = new AbortController();
      const call = client.callTool({ name: 'test_echo', arguments: { text: 'x' } }, { signal: cancel.signal });
      await until(() => gate.approvals.pending().length === 1);
      cancel.abort();
      await expect(call).rejects.toThrow();
      await until(() => gate.approvals.pending().length === 0);
    });

    it('fails pending approvals cleanly when the tab goes away', async () => {
      const { client, gate, host } = await setUp();
      await gate.permissions.setPolicy('test_echo', 'read', 'prompt');
      const call = client.callTool({ name: 'test_echo', arguments: { text: 'x' } });
      await until(() => gate.approvals.pending().length === 1);
      host.stop();
      await expect(call).rejects.toThrow(/went away|offline/);
      expect(gate.approvals.pending()).toEqual([]);
    });
  });

  describe('audit log over MCP', () => {
    it('logs every call with its argument digest; system_logs_tail and vial://audit/log read it', async () => {
      const { client } = await setUp();
      await client.callTool({ name: 'test_echo', arguments: { text: 'one' } });
      await client.callTool({ name: 'test_echo', arguments: { text: 'two' } });
      const tail = await client.callTool({
        name: 'system_logs_tail',
        arguments: { lines: 2, tool: 'test_echo', verify: true },
      });
      const report = structuredOf('system_logs_tail', tail);
      expect(report.entries.map((entry) => entry.argsDigest)).toEqual([
        digestArguments({ text: 'two' }),
        digestArguments({ text: 'one' }),
      ]);
      expect(report.entries[0]).toMatchObject({ client: 'test', outcome: 'ok' });
      expect(report.verification?.ok).toBe(true);

      const resource = await client.readResource({ uri: 'vial://audit/log' });
      const body = logsTailOutput.parse(JSON.parse(resourceText(resource)));
      expect(body.verification?.ok).toBe(true);
      expect(body.entries.length).toBeGreaterThanOrEqual(3); // the two echoes and the tail call
    });

    it('reports tampering through system_logs_tail', async () => {
      const { client, auditStore } = await setUp();
      for (const word of ['a', 'b', 'c']) await client.callTool({ name: 'test_echo', arguments: { text: word } });
      await until(() => auditStore.entries.length === 3);
      (auditStore.entries[1] as AuditEntry).outcome = 'error';
      const tail = await client.callTool({ name: 'system_logs_tail', arguments: { verify: true } });
      expect(structuredOf('system_logs_tail', tail).verification).toMatchObject({
        ok: false,
        seq: 2,
        problem: 'entry 2 was altered',
      });
    });

    it('rejects bad system_logs_tail arguments with a clear error', async () => {
      const { client } = await setUp();
      const result = await client.callTool({ name: 'system_logs_tail', arguments: { lines: 0 } });
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/lines/);
    });
  });
});
