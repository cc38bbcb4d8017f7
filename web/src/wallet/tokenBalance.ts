/**
 * An ERC-20 balance with the token's symbol and decimals, read through the chain's RPC. Shared by
 * `wallet_status`, `wallet_export` and the Wallet view's token list.
 */
import { erc20Abi, formatUnits, type Address } from 'viem';
import type { WalletService } from './walletService.ts';

/** How many tokens one status (or the Wallet view, per chain) reads at once. */
export const MAX_TOKENS = 20;

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

/** `owner`'s balance of `token` on `chainId`; a token that cannot be read says why rather than throwing. */
export async function tokenBalance(
  wallet: Pick<WalletService, 'readContract'>,
  chainId: number,
  owner: Address,
  token: Address,
): Promise<TokenBalance> {
  const read = (functionName: 'symbol' | 'decimals' | 'balanceOf', args: readonly unknown[] = []) =>
    wallet.readContract({ chainId, address: token, abi: erc20Abi, functionName, args });
  try {
    const [symbol, decimals, raw] = (await Promise.all([
      read('symbol'),
      read('decimals'),
      read('balanceOf', [owner]),
    ])) as [string, number, bigint];
    return { token, symbol, decimals, raw: raw.toString(), formatted: formatUnits(raw, decimals) };
  } catch (error) {
    const reason = (error as { shortMessage?: string }).shortMessage ?? (error as Error).message;
    return { token, error: `not readable as an ERC-20 on chain ${chainId}: ${reason}` };
  }
}
