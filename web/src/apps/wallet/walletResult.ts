/**
 * What the wallet app reads: a wallet_status or a web3_transaction result (each tool's own
 * schema; the two are told apart by `connected`), the receipt's fee, and which explorer links it
 * may ask the host to open.
 */
import { formatEther, formatGwei } from 'viem';
import { z } from 'zod';
import { transactionOutput, walletStatusOutput, type TransactionOutput } from '../../tools/wallet/outputs.ts';

/** Either tool's result: strict objects, so one never parses as the other. */
export const walletAppOutput = z.union([walletStatusOutput, transactionOutput]);
export type WalletAppResult = z.output<typeof walletAppOutput>;

export interface ReceiptFigures {
  /** Gas used × effective gas price, in the chain's native coin. */
  fee: string;
  /** The effective gas price in gwei. */
  gasPriceGwei: string;
}

/** The fee the receipt says was paid, and its gas price, readable. */
export function receiptFigures(receipt: Pick<TransactionOutput, 'gasUsed' | 'effectiveGasPrice'>): ReceiptFigures {
  const price = BigInt(receipt.effectiveGasPrice);
  return { fee: formatEther(BigInt(receipt.gasUsed) * price), gasPriceGwei: formatGwei(price) };
}

/**
 * `url` when the app may offer it as an explorer link (https, or http on loopback for a local
 * explorer), else undefined: whatever a result carries, a link never runs script or opens another scheme.
 */
export function explorerLink(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
  return parsed.protocol === 'https:' || (parsed.protocol === 'http:' && loopback) ? parsed.href : undefined;
}
