/**
 * LLM conversations in IndexedDB, newest first, capped. Records are parsed with zod on the way
 * out: anything unreadable is skipped with a warning rather than trusted.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { keepNewest, parseOrSkip, readNewest, type Database } from './recency.ts';
import { conversationSchema, type Conversation, type ConversationStore } from '../llm/conversations.ts';

const DB_NAME = 'vial-llm';
const STORE = 'conversations';

interface LlmDb extends DBSchema {
  conversations: { key: string; value: unknown; indexes: { updatedAt: number } };
}

const parse = parseOrSkip(conversationSchema, 'conversation');

export class IndexedDbConversationStore implements ConversationStore {
  private db: Promise<IDBPDatabase<LlmDb>> | undefined;

  constructor(private readonly capacity = 500) {}

  async get(id: string): Promise<Conversation | undefined> {
    const raw = await (await this.open()).get(STORE, id);
    return raw === undefined ? undefined : parse(raw);
  }

  async list(limit = 50, clientId?: string): Promise<Conversation[]> {
    const mine = (raw: unknown) => {
      const conversation = parse(raw);
      return clientId === undefined || conversation?.clientId === clientId ? conversation : undefined;
    };
    return readNewest((await this.open()) as Database, STORE, 'updatedAt', limit, mine);
  }

  async save(conversation: Conversation): Promise<void> {
    const db = await this.open();
    await db.put(STORE, conversationSchema.parse(conversation), conversation.id);
    // Drop the least recently updated conversations beyond the cap.
    await keepNewest(db as Database, STORE, 'updatedAt', this.capacity);
  }

  private open(): Promise<IDBPDatabase<LlmDb>> {
    this.db ??= openDB<LlmDb>(DB_NAME, 1, {
      upgrade(db) {
        db.createObjectStore(STORE).createIndex('updatedAt', 'updatedAt');
      },
    });
    return this.db;
  }
}
