/**
 * The transactions sent through Vial in IndexedDB, keyed by hash, newest first, capped. Records
 * are parsed with zod on the way out: anything unreadable is skipped with a warning.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { keepNewest, parseOrSkip, readNewest, type Database } from './recency.ts';
import { sentTransactionSchema, type SentTransaction, type SentTransactionStore } from '../wallet/sentTransactions.ts';

const DB_NAME = 'vial-wallet';
const STORE = 'transactions';

interface WalletDb extends DBSchema {
  transactions: { key: string; value: unknown; indexes: { sentAt: number } };
}

const parse = parseOrSkip(sentTransactionSchema, 'transaction');

export class IndexedDbSentTransactionStore implements SentTransactionStore {
  private db: Promise<IDBPDatabase<WalletDb>> | undefined;

  constructor(private readonly capacity = 200) {}

  async add(transaction: SentTransaction): Promise<void> {
    const db = await this.open();
    await db.put(STORE, sentTransactionSchema.parse(transaction), transaction.hash);
    await keepNewest(db as Database, STORE, 'sentAt', this.capacity);
  }

  async newest(limit: number): Promise<SentTransaction[]> {
    return readNewest((await this.open()) as Database, STORE, 'sentAt', limit, parse);
  }

  private open(): Promise<IDBPDatabase<WalletDb>> {
    this.db ??= openDB<WalletDb>(DB_NAME, 1, {
      upgrade(db) {
        db.createObjectStore(STORE).createIndex('sentAt', 'sentAt');
      },
    });
    return this.db;
  }
}
