/**
 * `llm_chat`: one model (with optional fallbacks) through the relay's LLM gateway. The answer's
 * text reaches the client as it streams, in progress notifications; the result has the whole
 * answer with who answered, tokens, cost and timings. Conversations continue by id.
 */
import { llmModelRefSchema } from '@vial/shared';
import { z } from 'zod';
import { defineTool, errorResult, jsonResult } from '../../server/toolRegistry.ts';
import { ToolError } from '../../server/toolError.ts';
import { ask, describeFailure } from '../../llm/ask.ts';
import {
  historyOf,
  ownConversation,
  startConversation,
  withExchange,
  type ConversationStore,
} from '../../llm/conversations.ts';
import { conversationStored } from './resources.ts';

export type { ChatOutput } from './outputs.ts';

export const samplingInput = {
  system: z.string().max(100_000).optional().describe('System prompt'),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().positive().max(200_000).optional().describe('Most tokens to generate'),
};

export function createChatTool(conversations: ConversationStore) {
  return defineTool({
    name: 'llm_chat',
    title: 'Chat with an LLM',
    description:
      'Sends a prompt to one LLM through the Vial relay, whose provider keys never reach the tab or the client. Model as "provider:model" (e.g. "anthropic:claude-sonnet-4-5", "openai:gpt-4o-mini"; see GET /llm/providers or the compare_llms prompt for what is configured), with optional fallbacks tried in order if it fails before answering. The text streams as progress notifications; the result has the answer, the model that answered, token usage, cost in USD, latency and time to first token, and a conversation_id to continue the conversation.',
    scopes: ['llm'],
    access: 'compute',
    input: z.strictObject({
      prompt: z.string().min(1).max(1_000_000),
      model: llmModelRefSchema,
      fallbacks: z.array(llmModelRefSchema).max(4).optional().describe('Models to try in order if `model` fails'),
      stop: z.array(z.string().min(1).max(200)).max(4).optional(),
      conversation_id: z.string().optional().describe('Continue this conversation (from an earlier result)'),
      ...samplingInput,
    }),
    annotations: { readOnlyHint: false, openWorldHint: true },
    run: async (input, { services, client, signal, progress }) => {
      const existing = input.conversation_id
        ? await ownConversation(conversations, input.conversation_id, client)
        : undefined;
      if (input.conversation_id && !existing) {
        throw new ToolError(`No conversation '${input.conversation_id}' for token '${client.tokenName}' in this tab`, {
          hints: [
            'A token continues only the conversations it started. List yours with the resource vial://llm/conversations, or leave conversation_id out.',
          ],
        });
      }
      const conversation = existing ?? startConversation(input.prompt, client.tokenName, input.system, client.tokenId);
      let received = 0;
      const [answer] = await ask(
        services.llm,
        {
          models: [{ model: input.model, fallbacks: input.fallbacks }],
          messages: [...historyOf(conversation), { role: 'user', content: input.prompt }],
          system: conversation.system ?? input.system,
          temperature: input.temperature,
          maxTokens: input.max_tokens,
          stop: input.stop,
        },
        {
          signal,
          onEvent: (_index, event) => {
            if (event.type !== 'delta') return;
            received += event.text.length;
            void progress(received, undefined, event.text);
          },
        },
      );
      const stored = withExchange(conversation, { at: Date.now(), prompt: input.prompt, answers: [answer!] });
      await conversations.save(stored);
      conversationStored(services, stored);
      if (!answer!.ok) return errorResult(`${describeFailure(answer!)}\nconversation_id: ${conversation.id}`);
      return jsonResult({ conversationId: conversation.id, ...answer! });
    },
  });
}
