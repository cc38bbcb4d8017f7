/**
 * Checks the wallet tools share, each refusing bad input with a ToolError that says how to fix
 * it, before any wallet or RPC is asked.
 */
import { getAddress, isAddress, parseUnits, type Address } from 'viem';
import { z } from 'zod';
import { ToolError } from '../server/toolError.ts';
import { chainIdByName, describeChain, supportedChain, supportedChainList } from './chains.ts';
import { noWalletInstalled, walletNotConnected } from './errors.ts';
import type { ConnectedWallet, WalletService } from './walletService.ts';

export const addressInput = z
  .string()
  .describe('A 0x address: 40 hex digits, with a valid EIP-55 checksum if it mixes upper and lower case');

/**
 * `value` as a checksummed address (what previews show); a wrong checksum is refused with the
 * checksummed form to use instead.
 */
export function checkedAddress(value: string, what: string): Address {
  if (isAddress(value, { strict: true })) return getAddress(value);
  if (isAddress(value, { strict: false })) {
    throw new ToolError(`${what} ${value} has an invalid EIP-55 checksum`, {
      hints: [
        `If you meant ${getAddress(value.toLowerCase())}, send it that way (or all in lower case); a wrong checksum often means a mistyped address.`,
      ],
    });
  }
  throw new ToolError(`${what} '${value}' is not an address`, {
    hints: ['An address is 0x followed by 40 hex digits.'],
  });
}

export const chainIdInput = z.number().int().positive().describe('EIP-155 chain id, e.g. 1, 11155111, 8453, 31337');

export function checkedChain(chainId: number): number {
  if (supportedChain(chainId)) return chainId;
  throw new ToolError(`${describeChain(chainId)} is not one Vial's wallet works with`, {
    hints: [`Use one of: ${supportedChainList()}.`],
  });
}

export const chainInput = z
  .union([z.number().int().positive(), z.string().min(1).max(40)])
  .describe(
    'The network by name ("ethereum", "sepolia", "base", "base-sepolia", "local") or chain id, e.g. 8453 or 31337',
  );

/** The chain id a `chainInput` names, refused when Vial's wallet does not work with it. */
export function checkedChainInput(chain: number | string): number {
  const chainId = typeof chain === 'number' ? chain : chainIdByName(chain);
  if (chainId !== undefined) return checkedChain(chainId);
  throw new ToolError(`'${chain}' is not a chain Vial's wallet knows`, {
    hints: [`Use one of these, by name or id: ${supportedChainList()}.`],
  });
}

export const amountInput = z.string().min(1).max(100);

/**
 * `value`, a positive decimal in whole units ("1.5"), in the smallest unit. More fractional
 * digits than the currency has are refused rather than rounded: the person would approve one
 * amount and send another.
 */
export function checkedAmount(value: string, currency: { symbol: string; decimals: number }, what: string): bigint {
  const { symbol, decimals } = currency;
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(value.trim());
  if (!match || (!match[2] && !match[3])) {
    throw new ToolError(`${what} '${value}' is not a decimal number`, {
      hints: [`Give it in whole ${symbol} as a decimal string, e.g. "1.5".`],
    });
  }
  if (match[1]) throw new ToolError(`${what} ${value} is negative; it must be more than zero`);
  const fraction = match[3] ?? '';
  if (fraction.length > decimals) {
    throw new ToolError(
      `${what} ${value} has ${fraction.length} digits after the point, but ${symbol} has ${decimals} decimals`,
      { hints: [`Give at most ${decimals} digits after the point.`] },
    );
  }
  const units = parseUnits(value.trim(), decimals);
  if (units === 0n) throw new ToolError(`${what} is zero; it must be more than zero`);
  return units;
}

/** The connected wallet, or the error that tells the person to connect one. */
export async function connectedWallet(wallet: WalletService): Promise<ConnectedWallet> {
  const status = await wallet.status();
  if (status.connected) return status;
  throw status.wallets.length === 0 ? noWalletInstalled() : walletNotConnected();
}

/** A contract's return value as JSON: integers as decimal strings (JSON numbers lose precision). */
export function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, toJson(entry)]));
  }
  return value;
}
