/**
 * What the LLM tools return: each tool's `outputSchema`, checked against every `structuredContent`
 * it sends, and the types its tests and its MCP App read. The answers are the conversation
 * store's own records (`answerRecordSchema`), so what a client reads is what the tab keeps.
 */
import { z } from 'zod';
import { answerRecordSchema } from '../../llm/conversations.ts';

const conversationId = z.string().describe('Continue the conversation with llm_chat conversation_id');

/** `llm_chat`: the answer, who answered, tokens, cost and timings. */
export const chatOutput = answerRecordSchema.extend({ conversationId }).strict();
export type ChatOutput = z.infer<typeof chatOutput>;

/** The side-by-side figures of `multi_llm_query`. */
export const answersSummary = z.strictObject({
  answered: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  fastestFirstToken: z.string().nullable().describe('The model with the shortest time to first token'),
  totalCostUsd: z.number().nonnegative().describe('The cost of the answers that reported one'),
});
export type AnswersSummary = z.infer<typeof answersSummary>;

/** `multi_llm_query`: every model's answer (or its error) in the order asked, and the summary. */
export const multiQueryOutput = z.strictObject({
  conversationId,
  answers: z.array(answerRecordSchema),
  summary: answersSummary,
});
export type MultiQueryOutput = z.infer<typeof multiQueryOutput>;
