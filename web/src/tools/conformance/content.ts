/**
 * Tools that each return one kind of content block (text, image, audio, embedded resource, a
 * mix) or a tool error, as the conformance scenarios `tools-call-*` expect.
 */
import { defineTool } from '../../host/registry.ts';
import { TEST_AUDIO_BASE64, TEST_IMAGE_BASE64 } from './media.ts';

export const simpleText = defineTool({
  name: 'test_simple_text',
  description: 'Returns one text content block.',
  scopes: [],
  access: 'read',
  input: {},
  run: async () => ({ content: [{ type: 'text', text: 'This is a simple text response for testing.' }] }),
});

export const imageContent = defineTool({
  name: 'test_image_content',
  description: 'Returns one image content block (a 1x1 PNG).',
  scopes: [],
  access: 'read',
  input: {},
  run: async () => ({ content: [{ type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' }] }),
});

export const audioContent = defineTool({
  name: 'test_audio_content',
  description: 'Returns one audio content block (audio/wav).',
  scopes: [],
  access: 'read',
  input: {},
  run: async () => ({ content: [{ type: 'audio', data: TEST_AUDIO_BASE64, mimeType: 'audio/wav' }] }),
});

export const embeddedResource = defineTool({
  name: 'test_embedded_resource',
  description: 'Returns one embedded resource content block (text/plain).',
  scopes: [],
  access: 'read',
  input: {},
  run: async () => ({
    content: [
      {
        type: 'resource',
        resource: {
          uri: 'test://embedded-resource',
          mimeType: 'text/plain',
          text: 'This is an embedded resource content.',
        },
      },
    ],
  }),
});

export const multipleContentTypes = defineTool({
  name: 'test_multiple_content_types',
  description: 'Returns a text, an image and an embedded resource content block together.',
  scopes: [],
  access: 'read',
  input: {},
  run: async () => ({
    content: [
      { type: 'text', text: 'Multiple content types test:' },
      { type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' },
      {
        type: 'resource',
        resource: {
          uri: 'test://mixed-content-resource',
          mimeType: 'application/json',
          text: JSON.stringify({ test: 'data', value: 123 }),
        },
      },
    ],
  }),
});

export const errorHandling = defineTool({
  name: 'test_error_handling',
  description: 'Always answers with a tool error (isError: true), never a JSON-RPC error.',
  scopes: [],
  access: 'read',
  input: {},
  run: async () => ({
    isError: true,
    content: [{ type: 'text', text: 'This tool intentionally returns an error for testing' }],
  }),
});
