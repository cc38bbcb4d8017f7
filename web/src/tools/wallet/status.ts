/**
 * `wallet_status` and `vial://web3/wallet`: whether a wallet is connected, its address, chain and
 * native balance, optionally ERC-20 balances (with each token's symbol and decimals), and the
 * last transactions sent through Vial.
 */
import { z } from 'zod';
import { defineTool, jsonResource, jsonResult, type ResourceDefinition } from '../../server/toolRegistry.ts';
import type { WalletService } from '../../wallet/walletService.ts';
import { RECENT_TRANSACTIONS, type SentTransactionLog } from '../../wallet/sentTransactions.ts';
import { MAX_TOKENS, tokenBalance } from '../../wallet/tokenBalance.ts';
import { addressInput, checkedAddress } from '../../wallet/checks.ts';

export type { WalletStatusOutput } from './outputs.ts';

// wallet_export and its bundle read tokens as wallet_status does.
export { MAX_TOKENS, tokenBalance, type TokenBalance } from '../../wallet/tokenBalance.ts';

const CONNECT_HINT = "Connect a wallet in the Vial tab's Wallet view (#/wallet).";

export function createStatusTool(wallet: WalletService, transactions: SentTransactionLog) {
  return defineTool({
    name: 'wallet_status',
    title: 'Wallet status',
    description: `Whether the person has connected a browser wallet (e.g. MetaMask) to the Vial tab, and if so its address, chain and native balance. Give \`tokens\` (up to ${MAX_TOKENS} ERC-20 contract addresses) to also get those balances on the wallet's chain, with each token's symbol and decimals. Balances are decimal strings in the smallest unit ("raw") and in whole units ("formatted"). \`recentTransactions\` lists the last ${RECENT_TRANSACTIONS} transactions sent through Vial (web3_transaction), newest first, with explorer links where the chain has an explorer.`,
    scopes: ['wallet:read'],
    access: 'read',
    input: z.strictObject({
      tokens: z.array(addressInput).max(MAX_TOKENS).optional().describe('ERC-20 token contract addresses'),
    }),
    annotations: { readOnlyHint: true, openWorldHint: true },
    run: async ({ tokens = [] }) => {
      const checked = tokens.map((token, index) => checkedAddress(token, `tokens[${index}]`));
      const status = await walletState(wallet, transactions);
      if (!status.connected || checked.length === 0) return jsonResult(status);
      const balances = await Promise.all(
        checked.map((token) => tokenBalance(wallet, status.chain.id, status.address, token)),
      );
      return jsonResult({ ...status, tokens: balances });
    },
  });
}

/** The status both the tool and the resource return: the wallet's, a hint when disconnected, and what Vial sent. */
async function walletState(wallet: WalletService, transactions: SentTransactionLog) {
  const [status, recentTransactions] = await Promise.all([wallet.status(), transactions.recent()]);
  return status.connected ? { ...status, recentTransactions } : { ...status, hint: CONNECT_HINT, recentTransactions };
}

export function createWalletResource(wallet: WalletService, transactions: SentTransactionLog): ResourceDefinition {
  return {
    name: 'wallet',
    uri: 'vial://web3/wallet',
    title: 'Wallet status',
    description:
      'The browser wallet connected to the Vial tab: address, chain, native balance and the transactions recently sent through Vial (as wallet_status).',
    mimeType: 'application/json',
    scopes: ['wallet:read'],
    read: async (uri) => jsonResource(uri, await walletState(wallet, transactions)),
  };
}
