/**
 * The transactions sent through Vial (`web3_transaction`), newest first: what `wallet_status`,
 * `vial://web3/wallet`, `wallet_export` and the Wallet view list. Kept in IndexedDB in the tab
 * (`web/src/storage/sentTransactionStore.ts`), in memory in Node hosts.
 */
import { isAddress, isHash } from 'viem';
import { z } from 'zod';

/** How many `wallet_status`, the resource and the Wallet view show. */
export const RECENT_TRANSACTIONS = 10;

const addressSchema = z.string().refine((value) => isAddress(value), 'not an address');

export const sentTransactionSchema = z.object({
  hash: z.string().refine((value) => isHash(value), 'not a transaction hash'),
  chainId: z.number().int().positive(),
  chainName: z.string(),
  from: addressSchema,
  /** The recipient of a transfer, or the contract called. */
  to: addressSchema,
  /** In whole units of `symbol` (for a contract call, the native value sent with it). */
  amount: z.string(),
  symbol: z.string(),
  /** For a contract call, the function's signature. */
  function: z.string().optional(),
  status: z.enum(['success', 'reverted']),
  blockNumber: z.string(),
  /** When the receipt came, in ms since the epoch. */
  sentAt: z.number(),
  explorerUrl: z.string().optional(),
});
export type SentTransaction = z.infer<typeof sentTransactionSchema>;

export interface SentTransactionStore {
  add(transaction: SentTransaction): Promise<void>;
  /** Up to `limit`, newest first. */
  newest(limit: number): Promise<SentTransaction[]>;
}

export class MemorySentTransactionStore implements SentTransactionStore {
  private readonly transactions: SentTransaction[] = [];
  async add(transaction: SentTransaction) {
    this.transactions.unshift(structuredClone(transaction));
  }
  async newest(limit: number) {
    return this.transactions.slice(0, limit);
  }
}

/** The store plus a signal when a transaction is recorded, so the Wallet view lists it at once. */
export class SentTransactionLog {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly store: SentTransactionStore = new MemorySentTransactionStore()) {}

  async record(transaction: SentTransaction): Promise<void> {
    await this.store.add(sentTransactionSchema.parse(transaction));
    for (const listener of this.listeners) listener();
  }

  recent(limit = RECENT_TRANSACTIONS): Promise<SentTransaction[]> {
    return this.store.newest(limit);
  }

  on(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
