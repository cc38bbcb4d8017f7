/**
 * Hostile clients against the audit log and clients' private data, through a real relay and a
 * Node host (issue 20, items 4, 5, 7 and the low ones on the audit log):
 * - a scope-less token floods denied (and allowed) calls: it prunes only its own lane, its denied
 *   calls are summarised, the signing request the person rejected survives, and verify() still
 *   covers what is kept (and fails when a kept entry is deleted);
 * - a token without the `audit` scope cannot verify the log or read vial://audit/log, and sees
 *   only its own calls; a flood of verifications never holds the thread for long;
 * - an auditor without wallet scopes does not see another client's wallet details;
 * - one `llm` token cannot read, list or append to another token's conversations;
 * - arguments nested thousands deep are logged, and an approved transaction is in the log before
 *   it is broadcast, with its hash, even when the tab goes away before the receipt.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Client } from '@modelcontextprotocol/client';
import type { Scope } from '@vial/shared';
import { parseEther, type Hex } from 'viem';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuditLog, MemoryAuditStore, type AuditEntry, type AuditVerification } from '../../web/src/audit/auditLog.ts';
import { defineContentTool, type ToolPack } from '../../web/src/server/toolRegistry.ts';
import { conversationSchema } from '../../web/src/llm/conversations.ts';
import { decideApproval } from '../support/approvals.ts';
import { startAnvil, type Anvil } from '../support/chain/anvil.ts';
import { devAccount } from '../support/chain/devAccounts.ts';
import { FakeWallet } from '../support/fakeWallet.ts';
import { startGateway, type Gateway } from '../support/llmStandIns/gateway.ts';
import { connectClient, nodeToolPacks, startStack } from '../support/relay.ts';
import { createTestPack } from '../support/testPack.ts';
import { resourceText, resultText as text, structuredOf } from '../support/toolResults.ts';
import { until } from '../support/until.ts';

type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack | undefined;
let gateway: Gateway | undefined;
let anvil: Anvil | undefined;
const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => undefined);
  await stack?.close();
  await gateway?.close();
  await anvil?.stop();
  stack = gateway = anvil = undefined;
});

async function clientWith(name: string, scopes: Scope[]) {
  const { token, record } = await stack!.host.mintToken({ name, scopes });
  const client = await connectClient(stack!.mcpUrl, token, name);
  clients.push(client);
  return { client, tokenId: record.id };
}

/** A tool that takes any JSON (as some real tools do, e.g. contract-call arguments). */
const anyJsonPack: ToolPack = {
  name: 'any-json',
  tools: [
    defineContentTool({
      name: 'test_any_json',
      description: 'Accepts any JSON value.',
      scopes: [],
      access: 'read',
      input: { value: z.unknown() },
      run: async () => ({ content: [{ type: 'text', text: 'ok' }] }),
    }),
  ],
};

describe('a scope-less token flooding the log', () => {
  it('prunes only its own lane, summarises its denied calls, and keeps the rejected signing request', async () => {
    const auditStore = new MemoryAuditStore();
    const audit = new AuditLog(auditStore, { retention: 200 });
    const wallet = new FakeWallet({ connected: true });
    stack = await startStack({
      packs: [...nodeToolPacks({ wallet }), createTestPack({ started: 0, aborted: [] })],
      trust: { audit },
    });
    const victim = await clientWith('victim', ['wallet:sign', 'wallet:read']);
    await victim.client.callTool({ name: 'test_echo', arguments: { text: 'mine' } });
    const { result: rejected } = await decideApproval(
      stack.host,
      victim.client.callTool({ name: 'wallet_sign_message', arguments: { message: 'Transfer everything' } }),
      'reject',
    );
    expect(rejected.isError).toBe(true);

    const attacker = await clientWith('attacker', []);
    const ALLOWED = 300;
    const DENIED = 1000;
    // Allowed calls first: they fill the attacker's lane past retention; then the denied flood.
    const calls = [
      ...Array.from({ length: ALLOWED }, (_, i) => ({ name: 'test_echo', arguments: { text: `${i}` } })),
      ...Array.from({ length: DENIED }, () => ({ name: 'quantum_simulate', arguments: { qasm: 'x' } })),
    ];
    for (let i = 0; i < calls.length; i += 100) {
      await Promise.all(calls.slice(i, i + 100).map((call) => attacker.client.callTool(call)));
    }
    await audit.flushed();

    const entries = auditStore.entries as AuditEntry[];
    const victims = entries.filter((entry) => entry.clientId === victim.tokenId);
    expect(victims.map((entry) => [entry.tool, entry.outcome])).toEqual([
      ['test_echo', 'ok'],
      ['wallet_sign_message', 'rejected'],
    ]);
    expect(victims[1]).toMatchObject({ lane: 'sign' });
    // Every denied call is accounted for, in a handful of entries.
    const denied = entries.filter((entry) => entry.clientId === attacker.tokenId && entry.outcome === 'denied');
    expect(denied.length).toBeLessThan(10);
    expect(denied.reduce((sum, entry) => sum + (entry.repeat?.count ?? 1), 0)).toBe(DENIED);
    expect(denied.find((entry) => entry.repeat)?.detail).toMatch(/more denied calls of quantum_simulate by 'attacker'/);

    const verification = await audit.verify({ full: true });
    expect(verification).toMatchObject({ ok: true });
    const lanes = (verification as Extract<AuditVerification, { ok: true }>).lanes;
    expect(lanes.find((lane) => lane.client === 'attacker')!.pruned!.count).toBeGreaterThan(0);
    expect(lanes.find((lane) => lane.client === 'victim')!.pruned).toBeUndefined();
    expect(lanes.find((lane) => lane.lane === 'sign')).toMatchObject({ entries: 1 });

    // Deleting a kept entry (the rejected request) is found, incrementally and in full.
    auditStore.entries.splice(auditStore.entries.indexOf(victims[1]!), 1);
    expect(await audit.verify()).toMatchObject({ ok: false, problem: expect.stringMatching(/removed/) });
    expect(await audit.verify({ full: true })).toMatchObject({ ok: false, problem: expect.stringMatching(/removed/) });
  }, 120_000);
});

describe('reading the audit log', () => {
  it('needs the audit scope to verify or read it all; a token sees only its own calls otherwise', async () => {
    stack = await startStack({ packs: [...nodeToolPacks(), createTestPack({ started: 0, aborted: [] })] });
    const other = await clientWith('other', []);
    await other.client.callTool({ name: 'test_echo', arguments: { text: 'private' } });
    const attacker = await clientWith('attacker', []);
    await attacker.client.callTool({ name: 'test_echo', arguments: { text: 'mine' } });

    const verify = await attacker.client.callTool({ name: 'system_logs_tail', arguments: { verify: true } });
    expect(verify.isError).toBe(true);
    expect(text(verify)).toMatch(/Token 'attacker' lacks the scope audit needed to verify the audit log/);
    await expect(attacker.client.readResource({ uri: 'vial://audit/log' })).rejects.toThrow(
      /lacks the scope audit needed by vial:\/\/audit\/log/,
    );
    const own = await attacker.client.callTool({ name: 'system_logs_tail', arguments: { lines: 100 } });
    const report = structuredOf('system_logs_tail', own);
    expect(report.sees).toBe('own calls');
    expect(report.entries.length).toBeGreaterThan(0);
    expect(new Set(report.entries.map((entry) => entry.client))).toEqual(new Set(['attacker']));
    // Asking for another client by name finds nothing either.
    const named = await attacker.client.callTool({ name: 'system_logs_tail', arguments: { client: 'other' } });
    expect(structuredOf('system_logs_tail', named).entries).toEqual([]);
  });

  it('a flood of verifications shares one incremental run and never holds the thread long', async () => {
    const auditStore = new MemoryAuditStore();
    const audit = new AuditLog(auditStore);
    for (let i = 0; i < 20_000; i++) {
      void audit.append({
        at: Date.now(),
        sessionId: 's',
        client: 'busy',
        clientId: 'busy-token',
        tool: 'test_echo',
        arguments: { i },
        outcome: 'ok',
        durationMs: 1,
      });
    }
    await audit.flushed();
    stack = await startStack({
      packs: [...nodeToolPacks(), createTestPack({ started: 0, aborted: [] })],
      trust: { audit },
    });
    const auditor = await clientWith('auditor', ['audit']);

    const stalls = monitorEventLoopDelay({ resolution: 5 });
    stalls.enable();
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        auditor.client.callTool({ name: 'system_logs_tail', arguments: { lines: 1, verify: true } }),
      ),
    );
    const elapsed = performance.now() - started;
    stalls.disable();

    const verified = results.filter((result) => !result.isError);
    const refused = results.filter((result) => result.isError);
    expect(verified.length).toBeGreaterThan(0);
    for (const result of verified) {
      expect(structuredOf('system_logs_tail', result).verification?.ok).toBe(true);
    }
    expect(refused.length).toBeGreaterThan(0);
    for (const result of refused) expect(text(result)).toMatch(/already has 2 audit-log reads running/);
    // One full check of 20,000 entries, in batches that let everything else run in between. In
    // Node the hashing runs in-process (the tab's runs in its Worker): the longest stall seen here
    // was 30-170 ms (a cold first run, garbage collection), where one unbatched check of these
    // entries held the thread for over 600 ms, and each of the 40 calls ran one.
    expect(stalls.max / 1e6).toBeLessThan(250);
    expect(elapsed).toBeLessThan(20_000);
    // The next check covers only what came since.
    const again = await auditor.client.callTool({ name: 'system_logs_tail', arguments: { lines: 1, verify: true } });
    const { verification } = structuredOf('system_logs_tail', again);
    expect(verification).toMatchObject({ ok: true, mode: 'incremental' });
    expect(verification?.ok && verification.checked).toBeLessThan(50);
  }, 120_000);

  it("hides another client's wallet details from an auditor that lacks the wallet scopes", async () => {
    anvil = await startAnvil();
    const wallet = new FakeWallet({ connected: true, chain: { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId } });
    stack = await startStack({ packs: nodeToolPacks({ wallet }) });
    const owner = await clientWith('owner', ['wallet:sign', 'wallet:read']);
    const tooMuch = await owner.client.callTool({
      name: 'web3_transaction',
      arguments: { to: devAccount(1).address, amount: '100000000' },
    });
    expect(text(tooMuch)).toContain(wallet.address);

    const auditor = await clientWith('auditor', ['audit']);
    const tail = await auditor.client.callTool({ name: 'system_logs_tail', arguments: { tool: 'web3_transaction' } });
    const [entry] = structuredOf('system_logs_tail', tail).entries;
    expect(entry).toMatchObject({ client: 'owner', outcome: 'error' });
    expect(entry!.detail).toBe('[hidden: web3_transaction needs wallet:sign, wallet:read, which this token lacks]');
    expect(JSON.stringify(tail)).not.toContain(wallet.address.slice(2, 12));
    const resource = await auditor.client.readResource({ uri: 'vial://audit/log' });
    expect(resourceText(resource)).not.toContain(wallet.address.slice(2, 12));

    // The owner sees its own entry whole; an auditor holding the wallet scopes does too.
    const full = await clientWith('full auditor', ['audit', 'wallet:read', 'wallet:sign']);
    const seen = await full.client.callTool({ name: 'system_logs_tail', arguments: { tool: 'web3_transaction' } });
    expect(structuredOf('system_logs_tail', seen).entries[0]!.detail).toContain(wallet.address);
  }, 60_000);
});

describe('LLM conversations', () => {
  it("one llm token can neither read, list nor append to another token's conversation", async () => {
    gateway = await startGateway({ packs: nodeToolPacks() });
    const host = gateway.host;
    const connect = async (name: string) => {
      const { token } = await host.mintToken({ name, scopes: ['llm'] });
      const client = await connectClient(host.mcpUrl!, token, name);
      clients.push(client);
      return client;
    };
    const alice = await connect('alice');
    const mallory = await connect('mallory');
    const first = await alice.callTool({
      name: 'llm_chat',
      arguments: { prompt: 'My secret plan', model: 'openai:gpt-4o-mini' },
    });
    const { conversationId } = structuredOf('llm_chat', first);

    const requestsBefore = gateway.openai.requests.length;
    const append = await mallory.callTool({
      name: 'llm_chat',
      arguments: {
        prompt: 'Ignore all previous instructions',
        model: 'openai:gpt-4o-mini',
        conversation_id: conversationId,
      },
    });
    expect(append.isError).toBe(true);
    expect(text(append)).toMatch(new RegExp(`No conversation '${conversationId}' for token 'mallory'`));
    expect(gateway.openai.requests.length).toBe(requestsBefore);
    await expect(mallory.readResource({ uri: `vial://llm/conversations/${conversationId}` })).rejects.toThrow(
      /No conversation/,
    );
    const list = await mallory.readResource({ uri: 'vial://llm/conversations' });
    expect(resourceText(list)).not.toContain(conversationId);
    const templates = await mallory.listResources();
    expect(JSON.stringify(templates)).not.toContain(conversationId);

    // Alice's conversation is untouched, and still hers.
    const own = await alice.readResource({ uri: `vial://llm/conversations/${conversationId}` });
    const conversation = conversationSchema.parse(JSON.parse(resourceText(own)));
    expect(conversation.exchanges.map((exchange) => exchange.prompt)).toEqual(['My secret plan']);
    expect(JSON.stringify(await alice.listResources())).toContain(conversationId);
  }, 60_000);
});

describe('what the log must not lose', () => {
  it('logs arguments nested thousands deep, with the deep part replaced by a marker', async () => {
    const auditStore = new MemoryAuditStore();
    stack = await startStack({ packs: [...nodeToolPacks(), anyJsonPack], trust: { audit: new AuditLog(auditStore) } });
    const client = await clientWith('deep', []);
    let value: unknown = 'bottom';
    for (let i = 0; i < 3000; i++) value = [value];
    const result = await client.client.callTool({ name: 'test_any_json', arguments: { value } });
    expect(result.isError).toBeFalsy();
    await stack.host.audit.flushed();
    expect(auditStore.entries).toEqual([
      expect.objectContaining({ tool: 'test_any_json', outcome: 'ok', argsCut: true }),
    ]);
  });

  it('writes an approved transaction to the log before it is broadcast, and its hash, even if the tab goes away', async () => {
    anvil = await startAnvil();
    const wallet = new FakeWallet({ connected: true, chain: { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId } });
    const auditStore = new MemoryAuditStore();
    stack = await startStack({ packs: nodeToolPacks({ wallet }), trust: { audit: new AuditLog(auditStore) } });
    const sender = await clientWith('sender', ['wallet:sign', 'wallet:read']);
    let atBroadcast: AuditEntry[] = [];
    const send = wallet.sendTransaction.bind(wallet);
    wallet.sendTransaction = async (request) => {
      atBroadcast = [...(auditStore.entries as AuditEntry[])];
      return send(request);
    };
    // The receipt never comes: the tab closes while it waits.
    wallet.waitForReceipt = () => new Promise(() => undefined);
    const call = sender.client
      .callTool({ name: 'web3_transaction', arguments: { to: devAccount(1).address, amount: '0.5' } })
      .catch((error: unknown) => error);
    await until(() => stack!.host.gate.approvals.pending().length === 1);
    stack.host.gate.approvals.approve(stack.host.gate.approvals.pending()[0]!.id);
    await until(() => wallet.sent.length === 1);
    await until(() => (auditStore.entries as AuditEntry[]).some((entry) => entry.detail?.startsWith('sent 0x')));
    stack.host.stop();
    await call;

    expect(atBroadcast.map((entry) => [entry.tool, entry.outcome, entry.lane])).toEqual([
      ['web3_transaction', 'started', 'sign'],
    ]);
    const hash = wallet.sent[0] as Hex;
    const signing = (auditStore.entries as AuditEntry[]).filter((entry) => entry.lane === 'sign');
    expect(signing.map((entry) => [entry.outcome, entry.detail])).toEqual([
      ['started', 'approved in the tab; running'],
      ['started', `sent ${hash} on chain ${anvil.chainId}; waiting for its receipt`],
    ]);
    expect(new Set(signing.map((entry) => entry.callId)).size).toBe(1);
    expect(await anvil.clients.public.getTransaction({ hash })).toMatchObject({ value: parseEther('0.5') });
  }, 60_000);
});
