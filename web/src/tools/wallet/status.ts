/**
 * `wallet_status` and `vial://web3/wallet`: whether a wallet is connected, its address, chain and
 * native balance, and optionally ERC-20 balances (with each token's symbol and decimals).
 */
import { erc20Abi, formatUnits, type Address } from 'viem';
import { z } from 'zod';
import { defineTool, jsonResource, jsonResult, type ResourceDefinition } from '../../host/registry.ts';
import type { WalletService, WalletStatus } from '../../wallet/service.ts';
import { addressInput, checkedAddress } from './checks.ts';

export const MAX_TOKENS = 20;
const CONNECT_HINT = "Connect a wallet in the Vial tab's Wallet view (#/wallet).";

export interface TokenBalance {
  token: Address;
  symbol?: string;
  decimals?: number;
  /** In the token's smallest unit, as a decimal string. */
  raw?: string;
  formatted?: string;
  /** Why this token could not be read (e.g. not an ERC-20 on this chain). */
  error?: string;
}

async function tokenBalance(wallet: WalletService, chainId: number, owner: Address, token: Address) {
  const read = (functionName: 'symbol' | 'decimals' | 'balanceOf', args: readonly unknown[] = []) =>
    wallet.readContract({ chainId, address: token, abi: erc20Abi, functionName, args });
  try {
    const [symbol, decimals, raw] = (await Promise.all([
      read('symbol'),
      read('decimals'),
      read('balanceOf', [owner]),
    ])) as [string, number, bigint];
    return { token, symbol, decimals, raw: raw.toString(), formatted: formatUnits(raw, decimals) } as TokenBalance;
  } catch (error) {
    const reason = (error as { shortMessage?: string }).shortMessage ?? (error as Error).message;
    return { token, error: `not readable as an ERC-20 on chain ${chainId}: ${reason}` } as TokenBalance;
  }
}

export function createStatusTool(wallet: WalletService) {
  return defineTool({
    name: 'wallet_status',
    title: 'Wallet status',
    description: `Whether the person has connected a browser wallet (e.g. MetaMask) to the Vial tab, and if so its address, chain and native balance. Give \`tokens\` (up to ${MAX_TOKENS} ERC-20 contract addresses) to also get those balances on the wallet's chain, with each token's symbol and decimals. Balances are decimal strings in the smallest unit ("raw") and in whole units ("formatted").`,
    scopes: ['wallet:read'],
    access: 'read',
    input: z.strictObject({
      tokens: z.array(addressInput).max(MAX_TOKENS).optional().describe('ERC-20 token contract addresses'),
    }),
    annotations: { readOnlyHint: true, openWorldHint: true },
    run: async ({ tokens = [] }) => {
      const checked = tokens.map((token, index) => checkedAddress(token, `tokens[${index}]`));
      const status = await wallet.status();
      if (!status.connected) return jsonResult({ ...status, hint: CONNECT_HINT });
      if (checked.length === 0) return jsonResult(status);
      const balances = await Promise.all(
        checked.map((token) => tokenBalance(wallet, status.chain.id, status.address, token)),
      );
      return jsonResult({ ...status, tokens: balances });
    },
  });
}

export function createWalletResource(wallet: WalletService): ResourceDefinition {
  return {
    name: 'wallet',
    uri: 'vial://web3/wallet',
    title: 'Wallet status',
    description: 'The browser wallet connected to the Vial tab: address, chain and native balance (as wallet_status).',
    mimeType: 'application/json',
    scopes: ['wallet:read'],
    read: async (uri) => {
      const status: WalletStatus = await wallet.status();
      return jsonResource(uri, status.connected ? status : { ...status, hint: CONNECT_HINT });
    },
  };
}
