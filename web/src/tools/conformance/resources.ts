/** Static resources and a resource template the `resources-*` conformance scenarios read. */
import type { ResourceDefinition, ResourceTemplateDefinition } from '../../host/registry.ts';
import { TEST_IMAGE_BASE64 } from './media.ts';

export const staticText: ResourceDefinition = {
  name: 'static-text',
  uri: 'test://static-text',
  title: 'Static text resource',
  description: 'A fixed text/plain resource.',
  mimeType: 'text/plain',
  scopes: [],
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
  scopes: [],
  read: async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'image/png', blob: TEST_IMAGE_BASE64 }] }),
};

/** `test://template/{id}/data`: any id, not enumerable. */
export const dataTemplate: ResourceTemplateDefinition = {
  name: 'template',
  template: 'test://template/{id}/data',
  title: 'Resource template',
  description: 'JSON data for any id: test://template/{id}/data',
  mimeType: 'application/json',
  scopes: [],
  read: async (uri, { id }) => {
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
};
