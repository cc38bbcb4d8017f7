/**
 * Resource subscriptions (`resources/subscribe`, `resources/unsubscribe`) on a watched resource,
 * and a tool that changes it so subscribers get `notifications/resources/updated`. McpServer
 * neither declares `resources.subscribe` nor handles these requests, so the pack installs them
 * on each session's server (before it connects).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { defineTool } from '../../host/registry.ts';

export const WATCHED_URI = 'test://watched-resource';

/** Each session's way to change its watched resource. */
const updaters = new WeakMap<McpServer, (content: string) => Promise<void>>();

export function installSubscriptions(server: McpServer): void {
  const subscriptions = new Set<string>();
  let content = 'Watched resource content';

  server.server.registerCapabilities({ resources: { subscribe: true, listChanged: true } });
  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    subscriptions.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscriptions.delete(request.params.uri);
    return {};
  });
  server.registerResource(
    'watched-resource',
    WATCHED_URI,
    {
      title: 'Watched resource',
      description: 'A text resource clients can subscribe to; test_update_watched_resource changes it.',
      mimeType: 'text/plain',
    },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: content }] }),
  );
  updaters.set(server, async (next) => {
    content = next;
    if (subscriptions.has(WATCHED_URI)) await server.server.sendResourceUpdated({ uri: WATCHED_URI });
  });
}

export const updateWatchedResource = defineTool({
  name: 'test_update_watched_resource',
  description: `Changes ${WATCHED_URI}; a session subscribed to it receives notifications/resources/updated.`,
  scopes: [],
  access: 'read',
  input: { content: z.string().optional().describe('The new text; defaults to one with the current time') },
  run: async ({ content }, { server }) => {
    const update = updaters.get(server);
    if (!update) throw new Error('this session was built without the conformance fixtures installed');
    await update(content ?? `Watched resource content (updated ${new Date().toISOString()})`);
    return { content: [{ type: 'text', text: 'Watched resource updated' }] };
  },
});
