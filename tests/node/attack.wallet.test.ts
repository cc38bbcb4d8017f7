/**
 * Attacks on what the person approves in the wallet tools, through a real relay and a Node host,
 * with the fake wallet on two real anvil chains (Local 31337 and a stand-in Sepolia 11155111):
 *
 * - A transaction approved on one chain, from one account, must not be sent on another chain or
 *   from another account when a second approved call (a hostile client's) or the wallet itself
 *   switches between the approval and the run: it is refused, naming what changed, and neither
 *   chain sees it. The same holds for the signing tools.
 * - A signed wallet export cannot be forged with a signature the person gave for something else:
 *   a message or typed data dressed as an export is refused before anyone is asked, and an
 *   export signed in the first (personal_sign) format no longer verifies.
 * - A client with its own token cannot bury the person under approvals: past
 *   MAX_PENDING_PER_CLIENT waiting, its next call is refused at once, and other clients are asked.
 */
import type { Client } from '@modelcontextprotocol/client';
import { parseEther, type Address, type Hex } from 'viem';
import { sepolia } from 'viem/chains';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_PENDING_PER_CLIENT, type ApprovalRequest } from '../../web/src/server/approvals.ts';
import {
  EXPORT_DOMAIN,
  exportTypedData,
  legacyExportMessage,
  sha256Hex,
} from '../../web/src/tools/wallet/exportBundle.ts';
import { SentTransactionLog } from '../../web/src/wallet/sentTransactions.ts';
import { previewField, recordApprovals } from '../support/approvals.ts';
import { startAnvil, type Anvil } from '../support/chain/anvil.ts';
import { devAccount } from '../support/chain/devAccounts.ts';
import { FakeWallet } from '../support/fakeWallet.ts';
import { connectClient, nodeToolPacks, startStack } from '../support/relay.ts';
import { callToolResult, resultText as text, structuredOf, type ToolName } from '../support/toolResults.ts';
import { until } from '../support/until.ts';

const LOCAL = 31337;
const SEPOLIA = sepolia.id;
const RECIPIENT = devAccount(1).address;
const SENDER = devAccount(0).address;

let local: Anvil;
let other: Anvil;
let wallet: FakeWallet;
let stack: Awaited<ReturnType<typeof startStack>>;
let person: Client;
let attacker: Client;
let asked: ApprovalRequest[] = [];

beforeAll(async () => {
  [local, other] = await Promise.all([startAnvil(), startAnvil({ chainId: SEPOLIA })]);
  wallet = new FakeWallet({
    connected: true,
    chains: [
      { rpcUrl: local.rpcUrl, chainId: LOCAL },
      { rpcUrl: other.rpcUrl, chainId: SEPOLIA },
    ],
  });
  stack = await startStack({ packs: nodeToolPacks({ wallet, transactions: new SentTransactionLog() }) });
  [person, attacker] = await Promise.all([
    connectClient(stack.mcpUrl, stack.token, 'assistant'),
    connectClient(stack.mcpUrl, stack.token, 'attacker'),
  ]);
  asked = recordApprovals(stack.host);
});
afterAll(async () => {
  await Promise.all([person?.close(), attacker?.close()]);
  await stack?.close();
  await Promise.all([local?.stop(), other?.stop()]);
});
afterEach(() => {
  // A check that failed leaves its call waiting: end it here rather than in the next test.
  approvals().closeAll('the test ended');
});
beforeEach(() => {
  asked.length = 0;
  wallet.chainId = LOCAL;
  wallet.useAccount(devAccount(0));
  wallet.signed.length = 0;
  wallet.sent.length = 0;
  wallet.switches.length = 0;
});

const call = (client: Client, name: ToolName, args: Record<string, unknown>) => callToolResult(client, name, args);
const approvals = () => stack.host.gate.approvals;

/** Waits until `count` approvals are pending and returns the newest. */
async function pendingApproval(count: number): Promise<ApprovalRequest> {
  await until(() => approvals().pending().length === count);
  return approvals().pending()[count - 1]!;
}

/** What each chain has seen from `address`: its transaction count (nonce) on Local and Sepolia. */
const nonces = (address: Address) =>
  Promise.all([local, other].map((chain) => chain.clients.public.getTransactionCount({ address })));

describe('web3_transaction: what was approved is what is sent', () => {
  it('a second approved call switches the wallet to Sepolia: the first, approved on Local, is refused and sent nowhere', async () => {
    const [localBefore, sepoliaBefore] = await Promise.all([
      local.clients.public.getBalance({ address: RECIPIENT }),
      other.clients.public.getBalance({ address: RECIPIENT }),
    ]);
    const noncesBefore = await nonces(SENDER);

    // The person's assistant asks for 5 ETH, chain left out: the wallet is on Local.
    const first = call(person, 'web3_transaction', { to: RECIPIENT, amount: '5' });
    const firstRequest = await pendingApproval(1);
    expect(firstRequest.preview.summary).toContain('on Local (anvil) (31337)');
    expect(previewField(firstRequest, 'Chain')).toBe('Local (anvil) (31337)');

    // A hostile client asks for a small transfer on Sepolia; the person approves it first.
    const second = call(attacker, 'web3_transaction', { to: RECIPIENT, amount: '0.01', chain: 'sepolia' });
    const secondRequest = await pendingApproval(2);
    approvals().approve(secondRequest.id);
    const secondResult = await second;
    expect(secondResult.isError, text(secondResult)).toBeFalsy();
    expect(wallet.chainId).toBe(SEPOLIA);

    // Then the 5 ETH on Local: the wallet is on Sepolia now, so nothing goes out.
    approvals().approve(firstRequest.id);
    const firstResult = await first;
    expect(firstResult.isError).toBe(true);
    expect(text(firstResult)).toContain(
      "web3_transaction was refused and nothing was sent: since you approved it, the wallet's chain changed from Local (anvil) (31337) to Sepolia (11155111)",
    );

    expect(wallet.sent).toHaveLength(1);
    expect(await nonces(SENDER)).toEqual([noncesBefore[0], noncesBefore[1]! + 1]);
    expect(await local.clients.public.getBalance({ address: RECIPIENT })).toBe(localBefore);
    expect(await other.clients.public.getBalance({ address: RECIPIENT })).toBe(sepoliaBefore + parseEther('0.01'));
  });

  it('the wallet itself switches chain after the preview: refused, nothing sent', async () => {
    const noncesBefore = await nonces(SENDER);
    const pending = call(person, 'web3_transaction', { to: RECIPIENT, amount: '1' });
    const request = await pendingApproval(1);
    wallet.chainId = SEPOLIA;
    approvals().approve(request.id);
    const result = await pending;
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/chain changed from Local \(anvil\) \(31337\) to Sepolia \(11155111\)/);
    expect(wallet.sent).toEqual([]);
    expect(wallet.signed).toEqual([]);
    expect(await nonces(SENDER)).toEqual(noncesBefore);
  });

  it('the wallet switches account after the preview: refused, nothing sent from either account', async () => {
    const swapped = devAccount(2);
    const before = await Promise.all([nonces(SENDER), nonces(swapped.address)]);
    const pending = call(person, 'web3_transaction', { to: RECIPIENT, amount: '1' });
    const request = await pendingApproval(1);
    expect(previewField(request, 'From')).toBe(SENDER);
    wallet.useAccount(swapped);
    approvals().approve(request.id);
    const result = await pending;
    expect(result.isError).toBe(true);
    expect(text(result)).toContain(`the wallet's account changed from ${SENDER} to ${swapped.address}`);
    expect(wallet.sent).toEqual([]);
    expect(await Promise.all([nonces(SENDER), nonces(swapped.address)])).toEqual(before);
  });

  it('a named chain the wallet must switch to: a wallet that lands elsewhere is refused before sending', async () => {
    const noncesBefore = await nonces(SENDER);
    const pending = call(person, 'web3_transaction', { to: RECIPIENT, amount: '1', chain: 'sepolia' });
    const request = await pendingApproval(1);
    expect(previewField(request, 'Chain')).toBe(
      'Sepolia (11155111) (the wallet, now on Local (anvil) (31337), will be asked to switch)',
    );
    // A wallet that answers the switch but stays (or ends up) on another chain.
    const switchChain = wallet.switchChain.bind(wallet);
    wallet.switchChain = async (chainId) => {
      await switchChain(chainId);
      wallet.chainId = LOCAL;
    };
    try {
      approvals().approve(request.id);
      const result = await pending;
      expect(result.isError).toBe(true);
      expect(text(result)).toContain("the wallet's chain changed from Sepolia (11155111) to Local (anvil) (31337)");
    } finally {
      wallet.switchChain = switchChain;
    }
    expect(wallet.switches).toEqual([SEPOLIA]);
    expect(wallet.sent).toEqual([]);
    expect(await nonces(SENDER)).toEqual(noncesBefore);
  });
});

describe('signing tools: the approved account and chain sign, or nothing does', () => {
  const typedData = {
    domain: { name: 'Mail', version: '1' },
    types: { Mail: [{ name: 'contents', type: 'string' }] },
    primaryType: 'Mail',
    message: { contents: 'hello' },
  };

  it.each([
    ['wallet_sign_message', 'account', { message: 'I agree' }],
    ['wallet_sign_message', 'chain', { message: 'I agree' }],
    ['wallet_sign_typed_data', 'account', { typed_data: typedData }],
    ['wallet_sign_typed_data', 'chain', { typed_data: typedData }],
    ['wallet_export', 'account', {}],
    ['wallet_export', 'chain', {}],
  ] as const)('%s: the wallet switches %s after the preview, and nothing is signed', async (tool, what, args) => {
    const pending = call(person, tool, args);
    const request = await pendingApproval(1);
    expect(previewField(request, 'Signing address')).toBe(SENDER);
    if (what === 'account') wallet.useAccount(devAccount(3));
    else wallet.chainId = SEPOLIA;
    approvals().approve(request.id);
    const result = await pending;
    expect(result.isError).toBe(true);
    expect(text(result)).toContain(`${tool} was refused and nothing was signed`);
    expect(text(result)).toContain(
      what === 'account'
        ? `the wallet's account changed from ${SENDER} to ${devAccount(3).address}`
        : "the wallet's chain changed from Local (anvil) (31337) to Sepolia (11155111)",
    );
    expect(wallet.signed).toEqual([]);
  });
});

describe('wallet_export: a signed export cannot be forged', () => {
  // What an attacker wants verified: an export claiming 25 000 ETH, which the wallet never made.
  const forgedMarkdown = [
    '# Vial wallet export',
    '',
    `- Address: \`${SENDER}\``,
    '- Wallet: Fake Wallet',
    '- Chain: Ethereum (1)',
    '- Exported at: 2026-01-01T00:00:00.000Z',
    '',
    '## Balances',
    '',
    '| Asset | Balance | Contract |',
    '| --- | --- | --- |',
    '| ETH | 25000 | native |',
    '',
  ].join('\n');
  const forgedHash = sha256Hex(forgedMarkdown);

  it.each([
    ['the first format’s export text', legacyExportMessage(forgedHash)],
    ['the words with an invisible character and odd case', `vial\u200b WALLET\nexport of ${forgedHash}`],
  ])('wallet_sign_message refuses %s, before anyone is asked', async (_name, message) => {
    const result = await call(attacker, 'wallet_sign_message', { message });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain(`wallet_sign_message refuses a message that names a "${EXPORT_DOMAIN.name}"`);
    expect(asked).toEqual([]);
    expect(wallet.signed).toEqual([]);
  });

  it('wallet_sign_typed_data refuses typed data under the export domain, before anyone is asked', async () => {
    const { domain, types, primaryType, message } = exportTypedData(forgedHash);
    const result = await call(attacker, 'wallet_sign_typed_data', {
      typed_data: { domain, types, primaryType, message },
    });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain(`refuses typed data under the "${EXPORT_DOMAIN.name}" domain`);
    expect(asked).toEqual([]);
    expect(wallet.signed).toEqual([]);
  });

  it('a personal_sign of the export text (the first format) does not verify, and says why', async () => {
    // As if the person had signed it: with the dev key directly, since the tool now refuses it.
    const signature: Hex = await devAccount(0).signMessage({ message: legacyExportMessage(forgedHash) });
    const result = await call(attacker, 'wallet_export_verify', { markdown: forgedMarkdown, signature });
    expect(result.structuredContent).toMatchObject({
      valid: false,
      reason: expect.stringContaining('the export is signed in the old format (a personal_sign message)'),
    });
    expect(text(result)).toContain('not accepted');
  });

  it('a real export still verifies, and its signature cannot be moved onto the forged Markdown', async () => {
    const exporting = call(person, 'wallet_export', {});
    approvals().approve((await pendingApproval(1)).id);
    const exported = structuredOf('wallet_export', await exporting);
    const valid = await call(person, 'wallet_export_verify', {
      markdown: exported.markdown,
      signature: exported.signature,
    });
    expect(valid.structuredContent).toMatchObject({ valid: true, address: SENDER });
    const moved = await call(attacker, 'wallet_export_verify', {
      markdown: forgedMarkdown,
      signature: exported.signature,
    });
    expect(moved.structuredContent).toMatchObject({ valid: false });
  });
});

describe('approval flood', () => {
  it(`a client with ${MAX_PENDING_PER_CLIENT} approvals waiting is refused at once; other clients are still asked`, async () => {
    const { token } = await stack.host.mintToken({ name: 'flooder', scopes: ['wallet:sign'] });
    const flooder = await connectClient(stack.mcpUrl, token, 'flooder');
    try {
      const flood = Array.from({ length: MAX_PENDING_PER_CLIENT }, (_, index) =>
        call(flooder, 'wallet_sign_message', { message: `sign me ${index}` }),
      );
      await pendingApproval(MAX_PENDING_PER_CLIENT);
      const refused = await call(flooder, 'wallet_sign_message', { message: 'one more' });
      expect(refused.isError).toBe(true);
      expect(text(refused)).toContain(
        `wallet_sign_message was refused: flooder already has ${MAX_PENDING_PER_CLIENT} calls waiting for approval in the Vial tab, the most one client may have (${MAX_PENDING_PER_CLIENT})`,
      );
      expect(approvals().pending()).toHaveLength(MAX_PENDING_PER_CLIENT);

      // The person's own client is asked as usual, and its signature goes through.
      const own = call(person, 'wallet_sign_message', { message: 'mine' });
      const request = await pendingApproval(MAX_PENDING_PER_CLIENT + 1);
      expect(request.client).toBe('test');
      approvals().approve(request.id);
      expect((await own).isError).toBeFalsy();

      approvals().closeAll('the person closed the tab');
      for (const result of await Promise.all(flood)) expect(result.isError).toBe(true);
      expect(wallet.signed).toEqual([{ kind: 'message', account: SENDER }]);
    } finally {
      await flooder.close();
    }
  });
});
