/**
 * `wallet_export` and `wallet_export_verify` through a real relay and a Node host, with a fake
 * wallet that signs for real (dev account 0): the preview shows the hash that is then signed (as
 * EIP-712 typed data under Vial's export domain), the Markdown lists address, chain, balances and
 * the transactions sent through Vial, the export verifies, and one changed byte, another signer
 * or a wrong hash does not.
 */
import type { Client } from '@modelcontextprotocol/client';
import { getAddress, type Address, type Hex } from 'viem';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../web/src/server/approvals.ts';
import {
  describeExportSignature,
  exportTypedData,
  sha256Hex,
  verifyExport,
} from '../../web/src/tools/wallet/exportBundle.ts';
import { SentTransactionLog } from '../../web/src/wallet/sentTransactions.ts';
import { decideApproval, previewField, recordApprovals } from '../support/approvals.ts';
import { devAccount } from '../support/chain/devAccounts.ts';
import { FakeWallet } from '../support/fakeWallet.ts';
import { connectClient, nodeToolPacks, startStack } from '../support/relay.ts';
import {
  callToolResult,
  resultText as text,
  structuredOf,
  type ToolName,
  type ToolOutput,
} from '../support/toolResults.ts';

const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3' as Address;
const RECIPIENT = devAccount(1).address;
const SENT_HASH = `0x${'ab'.repeat(32)}` as Hex;

const wallet: FakeWallet = new FakeWallet({
  connected: true,
  read: ({ functionName }): unknown => ({ symbol: 'vTEST', decimals: 6, balanceOf: 1_234_500_000n })[functionName],
});
const transactions = new SentTransactionLog();
let stack: Awaited<ReturnType<typeof startStack>>;
let client: Client;
let asked: ApprovalRequest[] = [];

beforeAll(async () => {
  await transactions.record({
    hash: SENT_HASH,
    chainId: 31337,
    chainName: 'Local (anvil) (31337)',
    from: wallet.address,
    to: RECIPIENT,
    amount: '0.25',
    symbol: 'ETH',
    status: 'success',
    blockNumber: '7',
    sentAt: Date.UTC(2026, 0, 2, 3, 4, 5),
  });
  stack = await startStack({ packs: nodeToolPacks({ wallet, transactions }) });
  client = await connectClient(stack.mcpUrl, stack.token, 'wallet-client');
  asked = recordApprovals(stack.host);
});
afterAll(async () => {
  await client?.close();
  await stack?.close();
});
beforeEach(() => {
  asked.length = 0;
  wallet.connected = true;
  wallet.signed.length = 0;
});

const call = (name: ToolName, args: Record<string, unknown>) => callToolResult(client, name, args);

function exportWithApproval(decide: 'approve' | 'reject') {
  return decideApproval(stack.host, call('wallet_export', { tokens: [TOKEN] }), decide);
}

/** The Markdown with one character changed at `index`. */
const flipped = (markdown: string, index: number) =>
  markdown.slice(0, index) + (markdown[index] === '1' ? '2' : '1') + markdown.slice(index + 1);

describe('wallet_export', () => {
  it('signs, after approval, the hash the preview showed; the Markdown lists the wallet; it verifies', async () => {
    const { request, result } = await exportWithApproval('approve');
    expect(result.isError, text(result)).toBeFalsy();
    const exported = structuredOf('wallet_export', result);
    expect(exported.address).toBe(wallet.address);
    expect(exported.sha256).toBe(sha256Hex(exported.markdown));
    expect(exported.sha256).toMatch(/^[0-9a-f]{64}$/);

    expect(request.tool).toBe('wallet_export');
    expect(request.preview.summary).toBe(
      `test asks you to sign an export of ${wallet.address} with SHA-256 ${exported.sha256}`,
    );
    expect(previewField(request, 'SHA-256')).toBe(exported.sha256);
    expect(previewField(request, 'Signed as')).toBe(describeExportSignature(exported.sha256));
    expect(previewField(request, 'Contents')).toBe('balances (native and 1 token), 1 transaction sent through Vial');
    expect(wallet.signed).toEqual([{ kind: 'typedData', account: wallet.address }]);

    const { markdown } = exported;
    expect(markdown).toContain(`- Address: \`${wallet.address}\``);
    expect(markdown).toContain('- Chain: Local (anvil) (31337)');
    expect(markdown).toMatch(/- Exported at: \d{4}-\d\d-\d\dT/);
    expect(markdown).toContain('| ETH | 1.5 | native |');
    expect(markdown).toContain(`| vTEST | 1234.5 | \`${TOKEN}\` |`);
    expect(markdown).toContain(
      `| 2026-01-02T03:04:05.000Z | 0.25 ETH to ${RECIPIENT} | Local (anvil) (31337) | success (block 7) | \`${SENT_HASH}\` |`,
    );

    expect(await verifyExport(markdown, exported.signature)).toEqual({
      valid: true,
      address: wallet.address,
      sha256: exported.sha256,
    });
    const verified = await call('wallet_export_verify', { ...exported });
    expect(verified.structuredContent).toEqual({ valid: true, address: wallet.address, sha256: exported.sha256 });
    // Verifying needs no approval: it reads only what it is given.
    expect(asked).toHaveLength(1);
  });

  it('rejected in the tab: nothing is signed', async () => {
    const { result } = await exportWithApproval('reject');
    expect(text(result)).toBe('wallet_export was rejected by the user');
    expect(wallet.signed).toEqual([]);
  });

  it('refuses before anyone is asked when no wallet is connected', async () => {
    wallet.connected = false;
    const result = await call('wallet_export', {});
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/wallet/i);
    expect(asked).toEqual([]);
  });
});

describe('wallet_export_verify', () => {
  let exported: ToolOutput<'wallet_export'>;
  beforeAll(async () => {
    wallet.connected = true; // the suite's beforeEach has not run yet
    exported = structuredOf('wallet_export', (await exportWithApproval('approve')).result);
  });

  it('fails, with the reason, when one byte of the Markdown changed', async () => {
    const balanceAt = exported.markdown.indexOf('| 1.5 |') + 2;
    const changed = flipped(exported.markdown, balanceAt);
    const verification = await verifyExport(changed, exported.signature);
    expect(verification.valid).toBe(false);
    expect(verification.sha256).not.toBe(exported.sha256);
    expect(verification.reason).toMatch(
      new RegExp(`^the signature was made by 0x[0-9a-fA-F]{40}, not by ${wallet.address} as the Markdown says`),
    );
    expect(verification.address).not.toBe(wallet.address);

    // Through the tool, with the export's hash: the hash itself no longer matches.
    const result = await call('wallet_export_verify', { ...exported, markdown: changed });
    expect(result.structuredContent).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/^the Markdown's SHA-256 is [0-9a-f]{64}, not [0-9a-f]{64}: the text was changed/),
    });
  });

  it('fails when the address line was changed to another account', async () => {
    const other = getAddress(RECIPIENT);
    const changed = exported.markdown.replace(wallet.address, other);
    const verification = await verifyExport(changed, exported.signature);
    expect(verification.valid).toBe(false);
    expect(verification.reason).toMatch(`as the Markdown says`);
  });

  it('fails when another wallet signed the same hash, or the signature is not one', async () => {
    const forged = await devAccount(2).signTypedData(exportTypedData(exported.sha256));
    expect(await verifyExport(exported.markdown, forged)).toMatchObject({
      valid: false,
      address: devAccount(2).address,
      reason: expect.stringContaining(`made by ${devAccount(2).address}, not by ${wallet.address}`),
    });
    expect(await verifyExport(exported.markdown, 'not a signature')).toMatchObject({
      valid: false,
      address: null,
      reason: expect.stringMatching(/^the signature is unreadable/),
    });
    expect(await verifyExport(exported.markdown, exported.signature, { address: RECIPIENT })).toMatchObject({
      valid: false,
      reason: `the export was signed by ${wallet.address}, not by ${RECIPIENT}`,
    });
  });
});
