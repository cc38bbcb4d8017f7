/**
 * `wallet_export`: a Markdown account of the wallet (address, chain, balances, the transactions
 * sent through Vial, the time), its SHA-256, and the connected wallet's EIP-712 signature over
 * that hash under Vial's export domain (`exportBundle.ts`). The person approves in the tab seeing
 * the hash, then in their wallet. `wallet_export_verify` (or `verifyExport`) checks the result.
 */
import { z } from 'zod';
import { defineTool, jsonResult } from '../../server/toolRegistry.ts';
import { describeChain } from '../../wallet/chains.ts';
import type { SentTransactionLog } from '../../wallet/sentTransactions.ts';
import type { WalletService } from '../../wallet/walletService.ts';
import { ApprovedCalls, requireApprovedWallet } from './approvedCall.ts';
import { addressInput, checkedAddress, connectedWallet } from '../../wallet/checks.ts';
import { buildExportMarkdown, describeExportSignature, exportTypedData, sha256Hex } from './exportBundle.ts';
import { MAX_TOKENS, tokenBalance } from './status.ts';

export type { ExportOutput } from './outputs.ts';

async function buildBundle(wallet: WalletService, transactions: SentTransactionLog, tokens: string[]) {
  const checked = tokens.map((token, index) => checkedAddress(token, `tokens[${index}]`));
  const status = await connectedWallet(wallet);
  const [balances, sent] = await Promise.all([
    Promise.all(checked.map((token) => tokenBalance(wallet, status.chain.id, status.address, token))),
    transactions.recent(),
  ]);
  const markdown = buildExportMarkdown({
    wallet: status,
    tokens: balances,
    transactions: sent,
    exportedAt: new Date(),
  });
  return {
    markdown,
    sha256: sha256Hex(markdown),
    address: status.address,
    tokens: balances.length,
    transactions: sent.length,
    chain: status.chain.id,
  };
}
type Bundle = Awaited<ReturnType<typeof buildBundle>>;

export function createExportTool(wallet: WalletService, transactions: SentTransactionLog) {
  // The bundle built for the preview, by call: what is signed is exactly what the person saw the
  // hash of, even if a balance or the clock moved while they looked.
  const approved = new ApprovedCalls<Bundle>('wallet_export');
  return defineTool({
    name: 'wallet_export',
    title: 'Export the wallet, signed',
    description: `Builds a Markdown account of the connected wallet (address, chain, native balance, the ERC-20 balances of \`tokens\` — up to ${MAX_TOKENS} contract addresses — the transactions recently sent through Vial, and the time), computes its SHA-256, and asks the wallet to sign that hash as EIP-712 typed data under the "Vial wallet export" domain. The person approves in the Vial tab, seeing the hash, then in their wallet. Returns { markdown, sha256, signature, address }; check it with wallet_export_verify.`,
    scopes: ['wallet:sign'],
    access: 'sign',
    input: z.strictObject({
      tokens: z.array(addressInput).max(MAX_TOKENS).optional().describe('ERC-20 token contract addresses'),
    }),
    annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
    preview: async ({ tokens = [] }, context) => {
      const bundle = approved.keep(context, await buildBundle(wallet, transactions, tokens));
      return {
        summary: `${context.client.tokenName} asks you to sign an export of ${bundle.address} with SHA-256 ${bundle.sha256}`,
        fields: [
          { label: 'Client', value: context.client.tokenName },
          { label: 'Signing address', value: bundle.address },
          { label: 'Chain', value: describeChain(bundle.chain) },
          {
            label: 'Contents',
            value: `balances (native and ${bundle.tokens} token${bundle.tokens === 1 ? '' : 's'}), ${bundle.transactions} transaction${bundle.transactions === 1 ? '' : 's'} sent through Vial`,
          },
          { label: 'SHA-256', value: bundle.sha256 },
          { label: 'Signed as', value: describeExportSignature(bundle.sha256) },
        ],
        detail: { markdown: bundle.markdown },
      };
    },
    run: async (_input, context) => {
      const bundle = approved.take(context);
      const approvedWallet = { account: bundle.address, chainId: bundle.chain };
      const { address } = await requireApprovedWallet(wallet, approvedWallet, 'wallet_export', 'signed');
      const signature = await wallet.signTypedData({ account: address, typedData: exportTypedData(bundle.sha256) });
      return jsonResult({ markdown: bundle.markdown, sha256: bundle.sha256, signature, address });
    },
  });
}
