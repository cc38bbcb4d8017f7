/** Prompts the `prompts-*` and `completion-complete` conformance scenarios get. */
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import { z } from 'zod';
import { definePrompt } from '../../host/registry.ts';
import { TEST_IMAGE_BASE64 } from './media.ts';

export const simplePrompt = definePrompt({
  name: 'test_simple_prompt',
  title: 'Simple test prompt',
  description: 'A prompt without arguments.',
  args: {},
  build: () => ({
    messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }],
  }),
});

const ARG1_SUGGESTIONS = ['paris', 'park', 'party', 'test', 'testing'];

export const promptWithArguments = definePrompt({
  name: 'test_prompt_with_arguments',
  title: 'Prompt with arguments',
  description: 'A prompt with two required arguments; arg1 offers completions (completion/complete).',
  args: {
    arg1: completable(z.string().describe('First test argument'), (value) =>
      ARG1_SUGGESTIONS.filter((suggestion) => suggestion.startsWith(value ?? '')),
    ),
    arg2: z.string().describe('Second test argument'),
  },
  build: ({ arg1, arg2 }) => ({
    messages: [
      { role: 'user', content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } },
    ],
  }),
});

export const promptWithEmbeddedResource = definePrompt({
  name: 'test_prompt_with_embedded_resource',
  title: 'Prompt with an embedded resource',
  description: 'A prompt whose first message embeds the resource named by resourceUri.',
  args: { resourceUri: z.string().describe('URI of the resource to embed') },
  build: ({ resourceUri }) => ({
    messages: [
      {
        role: 'user',
        content: {
          type: 'resource',
          resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' },
        },
      },
      { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
    ],
  }),
});

export const promptWithImage = definePrompt({
  name: 'test_prompt_with_image',
  title: 'Prompt with an image',
  description: 'A prompt whose first message is an image (a 1x1 PNG).',
  args: {},
  build: () => ({
    messages: [
      { role: 'user', content: { type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' } },
      { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
    ],
  }),
});
