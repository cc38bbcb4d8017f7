/** `vial://llm/conversations` and `vial://llm/conversations/{id}`: the conversations this tab has had. */
import { jsonResource, type ResourceDefinition, type ResourceTemplateDefinition } from '../../host/registry.ts';
import { ToolError } from '../../host/toolError.ts';
import type { Conversation, ConversationStore } from './conversations.ts';

const LIST_URI = 'vial://llm/conversations';
const LIST_LIMIT = 100;

function summaryOf(conversation: Conversation) {
  const models = [...new Set(conversation.exchanges.flatMap((exchange) => exchange.answers.map((a) => a.model)))];
  return {
    id: conversation.id,
    uri: `${LIST_URI}/${conversation.id}`,
    title: conversation.title,
    client: conversation.client,
    updatedAt: new Date(conversation.updatedAt).toISOString(),
    exchanges: conversation.exchanges.length,
    models,
  };
}

export function createConversationResources(store: ConversationStore) {
  const list: ResourceDefinition = {
    name: 'llm_conversations',
    uri: LIST_URI,
    title: 'LLM conversations',
    description: `The latest ${LIST_LIMIT} LLM conversations of this tab (llm_chat and multi_llm_query), newest first.`,
    mimeType: 'application/json',
    scopes: ['llm'],
    read: async (uri) => jsonResource(uri, { conversations: (await store.list(LIST_LIMIT)).map(summaryOf) }),
  };
  const byId: ResourceTemplateDefinition = {
    name: 'llm_conversation',
    template: `${LIST_URI}/{id}`,
    title: 'An LLM conversation',
    description: 'One conversation: each prompt with every model’s answer, tokens, cost and timings.',
    mimeType: 'application/json',
    scopes: ['llm'],
    list: async () =>
      (await store.list(LIST_LIMIT)).map((conversation) => ({
        uri: `${LIST_URI}/${conversation.id}`,
        name: conversation.title,
      })),
    read: async (uri, { id }) => {
      const wanted = Array.isArray(id) ? id[0] : id;
      const conversation = wanted === undefined ? undefined : await store.get(wanted);
      if (!conversation) {
        throw new ToolError(`No conversation '${wanted}' in this tab`, {
          hints: [`List them with the resource ${LIST_URI}.`],
        });
      }
      return jsonResource(uri, conversation);
    },
  };
  return { list, byId };
}
