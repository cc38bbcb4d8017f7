/**
 * Tools that ask the client something mid-call: sampling (`sampling/createMessage`) and
 * elicitation (`elicitation/create`), including the SEP-1034 defaults and SEP-1330 enum forms.
 * The requests are related to the call, so they travel on the call's own stream.
 */
import type { ElicitRequestFormParams } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { defineTool, type ToolContext } from '../../host/registry.ts';

/** Asks the client to fill a form and summarises its answer. Throws when the client cannot elicit. */
async function elicit({ server, extra }: ToolContext, params: ElicitRequestFormParams): Promise<string> {
  const result = await server.server.elicitInput(params, { relatedRequestId: extra.requestId });
  return `action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;
}

export const sampling = defineTool({
  name: 'test_sampling',
  description: "Asks the client's LLM to complete a prompt (sampling/createMessage) and returns its answer.",
  scopes: [],
  access: 'read',
  input: { prompt: z.string().describe('The prompt to send to the LLM') },
  run: async ({ prompt }, { server, extra }) => {
    const result = await server.server.createMessage(
      { messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 },
      { relatedRequestId: extra.requestId },
    );
    const first = Array.isArray(result.content) ? result.content[0] : result.content;
    const text = first?.type === 'text' ? first.text : JSON.stringify(first);
    return { content: [{ type: 'text', text: `LLM response: ${text}` }] };
  },
});

export const elicitation = defineTool({
  name: 'test_elicitation',
  description: 'Asks the user for a username and an email (elicitation/create) and returns the answer.',
  scopes: [],
  access: 'read',
  input: { message: z.string().describe('The message to show the user') },
  run: async ({ message }, context) => {
    const summary = await elicit(context, {
      message,
      requestedSchema: {
        type: 'object',
        properties: {
          username: { type: 'string', description: "User's response" },
          email: { type: 'string', description: "User's email address" },
        },
        required: ['username', 'email'],
      },
    });
    return { content: [{ type: 'text', text: `User response: ${summary}` }] };
  },
});

export const elicitationDefaults = defineTool({
  name: 'test_elicitation_sep1034_defaults',
  description: 'Elicits a form whose string, integer, number, enum and boolean fields all have defaults (SEP-1034).',
  scopes: [],
  access: 'read',
  input: {},
  run: async (_input, context) => {
    const summary = await elicit(context, {
      message: 'Please review and update the form fields with defaults',
      requestedSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'User name', default: 'John Doe' },
          age: { type: 'integer', description: 'User age', default: 30 },
          score: { type: 'number', description: 'User score', default: 95.5 },
          status: {
            type: 'string',
            description: 'User status',
            enum: ['active', 'inactive', 'pending'],
            default: 'active',
          },
          verified: { type: 'boolean', description: 'Verification status', default: true },
        },
        required: [],
      },
    });
    return { content: [{ type: 'text', text: `Elicitation completed: ${summary}` }] };
  },
});

export const elicitationEnums = defineTool({
  name: 'test_elicitation_sep1330_enums',
  description:
    'Elicits a form with every enum form of SEP-1330: untitled, titled and legacy single choice; untitled and titled multiple choice.',
  scopes: [],
  access: 'read',
  input: {},
  run: async (_input, context) => {
    const summary = await elicit(context, {
      message: 'Please select options from the enum fields',
      requestedSchema: {
        type: 'object',
        properties: {
          untitledSingle: {
            type: 'string',
            description: 'Select one option',
            enum: ['option1', 'option2', 'option3'],
          },
          titledSingle: {
            type: 'string',
            description: 'Select one option with titles',
            oneOf: [
              { const: 'value1', title: 'First Option' },
              { const: 'value2', title: 'Second Option' },
              { const: 'value3', title: 'Third Option' },
            ],
          },
          legacyEnum: {
            type: 'string',
            description: 'Select one option (legacy)',
            enum: ['opt1', 'opt2', 'opt3'],
            enumNames: ['Option One', 'Option Two', 'Option Three'],
          },
          untitledMulti: {
            type: 'array',
            description: 'Select multiple options',
            minItems: 1,
            maxItems: 3,
            items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
          },
          titledMulti: {
            type: 'array',
            description: 'Select multiple options with titles',
            minItems: 1,
            maxItems: 3,
            items: {
              anyOf: [
                { const: 'value1', title: 'First Choice' },
                { const: 'value2', title: 'Second Choice' },
                { const: 'value3', title: 'Third Choice' },
              ],
            },
          },
        },
        required: [],
      },
    });
    return { content: [{ type: 'text', text: `Elicitation completed: ${summary}` }] };
  },
});
