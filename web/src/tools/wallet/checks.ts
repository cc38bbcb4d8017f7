/**
 * Checks the wallet tools share, each refusing bad input with a ToolError that says how to fix
 * it, before any wallet or RPC is asked.
 */
import { getAddress, isAddress, type Address } from 'viem';
import { z } from 'zod';
import { ToolError } from '../../host/toolError.ts';
import { describeChain, supportedChain, supportedChainList } from '../../wallet/chains.ts';
import { noWalletInstalled, walletNotConnected } from '../../wallet/errors.ts';
import type { ConnectedWallet, WalletService } from '../../wallet/service.ts';

export const addressInput = z
  .string()
  .describe('A 0x address: 40 hex digits, with a valid EIP-55 checksum if it mixes upper and lower case');

/** `value` as an address; a wrong checksum is refused with the checksummed form to use instead. */
export function checkedAddress(value: string, what: string): Address {
  if (isAddress(value, { strict: true })) return value;
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
