/**
 * LLM conversations this tab has had on behalf of its clients: each exchange is one prompt and
 * the answers it got (one for `llm_chat`, several for `multi_llm_query`). The tab keeps them in
 * IndexedDB (`storage/conversationStore.ts`); Node hosts keep them in memory.
 *
 * A conversation belongs to the token that started it (`clientId`): only that token reads it,
 * lists it or continues it; to any other client it does not exist. Conversations from the tab's
 * own LLM view, and those saved before ownership was recorded, have no owner and no client sees them.
 */
import { llmFinishReasonSchema, llmUsageSchema, type ClientIdentity, type LlmMessage } from '@vial/shared';
import { z } from 'zod';

export const answerRecordSchema = z.object({
  /** What was asked for: `provider:model` (the first of any fallbacks). */
  model: z.string(),
  ok: z.boolean(),
  /** The answer, or what had arrived before it failed. */
  text: z.string(),
  /** `provider:model` that actually answered, when one did (it differs after a fallback). */
  answeredBy: z.string().optional(),
  finishReason: llmFinishReasonSchema.optional(),
  usage: llmUsageSchema.optional(),
  costUsd: z.number().nullable().optional(),
  latencyMs: z.number().optional(),
  ttftMs: z.number().nullable().optional(),
  error: z.object({ class: z.string(), message: z.string(), truncated: z.boolean().optional() }).optional(),
});
export type AnswerRecord = z.infer<typeof answerRecordSchema>;

export const exchangeSchema = z.object({
  at: z.number(),
  prompt: z.string(),
  answers: z.array(answerRecordSchema),
});
export type Exchange = z.infer<typeof exchangeSchema>;

export const conversationSchema = z.object({
  id: z.string(),
  title: z.string(),
  /** The token name of the client that started it ("LLM view" for the tab's own view). */
  client: z.string(),
  /** The id of the token that started it: the only client that may read or continue it. */
  clientId: z.string().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
  system: z.string().optional(),
  exchanges: z.array(exchangeSchema),
});
export type Conversation = z.infer<typeof conversationSchema>;

export interface ConversationStore {
  get(id: string): Promise<Conversation | undefined>;
  /** Newest first; only those of one token when `clientId` is given. */
  list(limit?: number, clientId?: string): Promise<Conversation[]>;
  save(conversation: Conversation): Promise<void>;
}

export class MemoryConversationStore implements ConversationStore {
  private readonly conversations = new Map<string, Conversation>();

  async get(id: string) {
    return this.conversations.get(id);
  }
  async list(limit = 50, clientId?: string) {
    return [...this.conversations.values()]
      .filter((conversation) => clientId === undefined || conversation.clientId === clientId)
      .sort((a, b) => b.updatedAt - a.updatedAt)
      .slice(0, limit);
  }
  async save(conversation: Conversation) {
    this.conversations.set(conversation.id, structuredClone(conversation));
  }
}

const TITLE_CHARS = 80;

/** A new conversation; `clientId` is the token it belongs to (none for the tab's own LLM view). */
export function startConversation(prompt: string, client: string, system?: string, clientId?: string): Conversation {
  const now = Date.now();
  const title = prompt.length > TITLE_CHARS ? `${prompt.slice(0, TITLE_CHARS - 1)}…` : prompt;
  return {
    id: crypto.randomUUID(),
    title,
    client,
    ...(clientId === undefined ? {} : { clientId }),
    createdAt: now,
    updatedAt: now,
    system,
    exchanges: [],
  };
}

/**
 * The conversation with this id if `client` owns it. Another token's conversation is answered
 * exactly like one that does not exist, so ids cannot be probed.
 */
export async function ownConversation(
  store: ConversationStore,
  id: string,
  client: ClientIdentity,
): Promise<Conversation | undefined> {
  const conversation = await store.get(id);
  return conversation?.clientId === client.tokenId ? conversation : undefined;
}

/** The conversation so far as chat messages: each prompt and its first complete answer. */
export function historyOf(conversation: Conversation): LlmMessage[] {
  return conversation.exchanges.flatMap((exchange) => {
    const answer = exchange.answers.find((candidate) => candidate.ok);
    return answer
      ? [
          { role: 'user' as const, content: exchange.prompt },
          { role: 'assistant' as const, content: answer.text },
        ]
      : [];
  });
}

export function withExchange(conversation: Conversation, exchange: Exchange): Conversation {
  return { ...conversation, updatedAt: Date.now(), exchanges: [...conversation.exchanges, exchange] };
}
