/**
 * `multi_llm_query`: the same prompt to several models at once, answers side by side with
 * latency, tokens and cost. A model that fails is reported with its error beside the others'
 * answers; the call fails only when every model did.
 */
import { llmModelRefSchema } from '@vial/shared';
import { z } from 'zod';
import { defineTool, jsonResult } from '../../server/toolRegistry.ts';
import { ask, describeFailure, MAX_MODELS } from '../../llm/ask.ts';
import { samplingInput } from './chat.ts';
import { startConversation, withExchange, type AnswerRecord, type ConversationStore } from '../../llm/conversations.ts';
import { conversationStored } from './resources.ts';
import type { AnswersSummary } from './outputs.ts';

export type { MultiQueryOutput } from './outputs.ts';

/** The side-by-side figures: who answered, the fastest first token and the total cost. */
export function summarize(answers: AnswerRecord[]): AnswersSummary {
  const answered = answers.filter((answer) => answer.ok);
  const fastest = answered
    .filter((answer) => typeof answer.ttftMs === 'number')
    .sort((a, b) => a.ttftMs! - b.ttftMs!)[0];
  const costs = answers.map((answer) => answer.costUsd).filter((cost): cost is number => typeof cost === 'number');
  return {
    answered: answered.length,
    failed: answers.length - answered.length,
    fastestFirstToken: fastest?.model ?? null,
    totalCostUsd: costs.reduce((sum, cost) => sum + cost, 0),
  };
}

export function createMultiQueryTool(conversations: ConversationStore) {
  return defineTool({
    name: 'multi_llm_query',
    title: 'Ask several LLMs at once',
    description: `Sends one prompt to up to ${MAX_MODELS} models in parallel through the Vial relay (provider keys stay on the relay) and returns their answers side by side, each with the model that answered, latency, time to first token, tokens and cost in USD. A model that fails appears with its error; the others still answer. Progress notifications report each model as it finishes.`,
    scopes: ['llm'],
    access: 'compute',
    input: z.strictObject({
      prompt: z.string().min(1).max(1_000_000),
      models: z
        .array(llmModelRefSchema)
        .min(1)
        .max(MAX_MODELS)
        .refine((models) => new Set(models).size === models.length, 'list each model once')
        .describe('Models as "provider:model"'),
      ...samplingInput,
    }),
    annotations: { readOnlyHint: false, openWorldHint: true },
    run: async (input, { services, client, signal, progress }) => {
      let finished = 0;
      const answers = await ask(
        services.llm,
        {
          models: input.models.map((model) => ({ model })),
          messages: [{ role: 'user', content: input.prompt }],
          system: input.system,
          temperature: input.temperature,
          maxTokens: input.max_tokens,
        },
        {
          signal,
          onAnswer: (_index, answer) => {
            const line = answer.ok
              ? `${answer.model} answered in ${Math.round(answer.latencyMs ?? 0)} ms`
              : describeFailure(answer);
            void progress(++finished, input.models.length, line);
          },
        },
      );
      const conversation = startConversation(input.prompt, client.tokenName, input.system, client.tokenId);
      const stored = withExchange(conversation, { at: Date.now(), prompt: input.prompt, answers });
      await conversations.save(stored);
      conversationStored(services, stored);
      const result = jsonResult({ conversationId: conversation.id, answers, summary: summarize(answers) });
      return answers.some((answer) => answer.ok) ? result : { ...result, isError: true };
    },
  });
}
