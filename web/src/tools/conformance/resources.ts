/** Static resources and a resource template the `resources-*` conformance scenarios read. */
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ResourceDefinition } from '../../host/registry.ts';
import { TEST_IMAGE_BASE64 } from './media.ts';

export const staticText: ResourceDefinition = {
  name: 'static-text',
  uri: 'test://static-text',
  title: 'Static text resource',
  description: 'A fixed text/plain resource.',
  mimeType: 'text/plain',
  read: async (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'This is the content of the static text resource.' }],
  }),
};

export const staticBinary: ResourceDefinition = {
  name: 'static-binary',
  uri: 'test://static-binary',
  title: 'Static binary resource',
  description: 'A fixed image/png resource (1x1 PNG), served as a base64 blob.',
  mimeType: 'image/png',
  read: async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'image/png', blob: TEST_IMAGE_BASE64 }] }),
};

/** `test://template/{id}/data`. The registry has no resource templates, so the pack installs it. */
export function installTemplate(server: McpServer): void {
  server.registerResource(
    'template',
    new ResourceTemplate('test://template/{id}/data', { list: undefined }),
    {
      title: 'Resource template',
      description: 'JSON data for any id: test://template/{id}/data',
      mimeType: 'application/json',
    },
    async (uri, { id }) => {
      const value = Array.isArray(id) ? id[0] : id;
      return {
        contents: [
          {
            uri: uri.href,
            mimeType: 'application/json',
            text: JSON.stringify({ id: value, templateTest: true, data: `Data for ID: ${value}` }),
          },
        ],
      };
    },
  );
}
