/**
 * `vial://llm/conversations` and `vial://llm/conversations/{id}`: the reader's own conversations
 * (those its token started). Another token's conversation is "not found", as if it did not exist.
 */
import {
  jsonResource,
  type HostServices,
  type ResourceDefinition,
  type ResourceTemplateDefinition,
} from '../../server/toolRegistry.ts';
import { ToolError } from '../../server/toolError.ts';
import { ownConversation, type Conversation, type ConversationStore } from '../../llm/conversations.ts';

const LIST_URI = 'vial://llm/conversations';
const LIST_LIMIT = 100;

/**
 * A conversation was stored: its token's listing, list resource and the conversation itself
 * changed. Only that token hears it (and only with `llm`): no other token lists or reads it.
 */
export function conversationStored(services: HostServices, conversation: Conversation): void {
  if (conversation.clientId === undefined) return;
  const audience = { scopes: ['llm' as const], tokenId: conversation.clientId };
  services.changed?.({ kind: 'resources_list_changed' }, audience);
  services.changed?.({ kind: 'resource_updated', uri: LIST_URI }, audience);
  services.changed?.({ kind: 'resource_updated', uri: `${LIST_URI}/${conversation.id}` }, audience);
}

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
    description: `The latest ${LIST_LIMIT} LLM conversations this token started (llm_chat and multi_llm_query), newest first.`,
    mimeType: 'application/json',
    scopes: ['llm'],
    read: async (uri, { client }) =>
      jsonResource(uri, { conversations: (await store.list(LIST_LIMIT, client.tokenId)).map(summaryOf) }),
  };
  const byId: ResourceTemplateDefinition = {
    name: 'llm_conversation',
    template: `${LIST_URI}/{id}`,
    title: 'An LLM conversation',
    description: 'One of this token’s conversations: each prompt with every model’s answer, tokens, cost and timings.',
    mimeType: 'application/json',
    scopes: ['llm'],
    list: async ({ client }) =>
      (await store.list(LIST_LIMIT, client.tokenId)).map((conversation) => ({
        uri: `${LIST_URI}/${conversation.id}`,
        name: conversation.title,
      })),
    read: async (uri, { id }, { client }) => {
      const wanted = Array.isArray(id) ? id[0] : id;
      const conversation = wanted === undefined ? undefined : await ownConversation(store, wanted, client);
      if (!conversation) {
        throw new ToolError(`No conversation '${wanted}' for token '${client.tokenName}' in this tab`, {
          hints: [`A token reads only the conversations it started; list yours with the resource ${LIST_URI}.`],
        });
      }
      return jsonResource(uri, conversation);
    },
  };
  return { list, byId };
}
