import type { ToolPack } from '../../server/toolRegistry.ts';
import { createChatTool } from './chat.ts';
import { compareLlms } from './comparePrompt.ts';
import type { ConversationStore } from '../../llm/conversations.ts';
import { createMultiQueryTool } from './multiQuery.ts';
import { createConversationResources } from './resources.ts';

export interface LlmPackDependencies {
  conversations: ConversationStore;
}

export function createLlmPack(deps: LlmPackDependencies): ToolPack {
  const resources = createConversationResources(deps.conversations);
  return {
    name: 'llm',
    tools: [createChatTool(deps.conversations), createMultiQueryTool(deps.conversations)],
    resources: [resources.list],
    resourceTemplates: [resources.byId],
    prompts: [compareLlms],
  };
}
