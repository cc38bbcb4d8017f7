import { z } from 'zod';
import { definePrompt } from '../../server/toolRegistry.ts';
import { MAX_MODELS } from '../../llm/ask.ts';

/** Picks one priced model per configured provider, for when the user names none. */
async function suggestedModels(list: () => Promise<{ providers: Array<{ name: string; pricedModels: string[] }> }>) {
  try {
    const { providers } = await list();
    return providers.flatMap((provider) =>
      provider.pricedModels.slice(0, 1).map((model) => `${provider.name}:${model}`),
    );
  } catch {
    return [];
  }
}

/** `compare_llms`: asks a model to put a question to several LLMs with multi_llm_query and compare the answers. */
export const compareLlms = definePrompt({
  name: 'compare_llms',
  title: 'Compare LLMs on a question',
  description:
    'Asks several LLMs the same question with multi_llm_query, then compares their answers for correctness, completeness, speed and cost.',
  args: {
    question: z.string().describe('The question to put to every model'),
    models: z
      .string()
      .optional()
      .describe('Comma-separated "provider:model" list; default: one per configured provider'),
  },
  build: async ({ question, models }, { services }) => {
    const chosen = models
      ? models
          .split(',')
          .map((model) => model.trim())
          .filter(Boolean)
      : await suggestedModels(() => services.llm.providers());
    const modelList = chosen.slice(0, MAX_MODELS);
    return {
      description: `Compare ${modelList.length || 'several'} LLMs`,
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text: [
              `Call the multi_llm_query tool with this prompt and ${modelList.length ? `the models ${JSON.stringify(modelList)}` : 'the models you want to compare (as "provider:model")'}:`,
              '',
              question,
              '',
              'Then compare the answers side by side: where they agree and disagree, which is most correct and complete (say why), and their time to first token, total latency, tokens and cost. Report any model that failed and its error.',
            ].join('\n'),
          },
        },
      ],
    };
  },
});
