/**
 * The baseline: an McpServer built by the same `createSessionServer` the host runtime uses,
 * served in-process by the SDK's own `WebStandardStreamableHTTPServerTransport` (2.x) on a plain
 * node:http server (stateful, one transport per session). No relay, no WebSocket, no auth.
 * Requests and responses cross between node:http and the web transport the way the relay's
 * sessions do (`serveWithWebTransport`), so the comparison is about the relay's path, not the
 * adapter: the 2.x server package has no Node wrapper of its own.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import { serveWithWebTransport, type ResponseBuffer } from '../relay/src/mcp/webTransportAdapter.ts';
import { createSessionServer } from '../web/src/server/sessionServer.ts';
import type { ToolRegistry } from '../web/src/server/toolRegistry.ts';
import { benchSessionContext, listenLocally } from './benchSession.ts';

export interface DirectServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** The baseline lets a client leave any amount unread: it has no limit to measure. */
const UNBOUNDED: ResponseBuffer = {
  limitBytes: Number.POSITIVE_INFINITY,
  track: () => () => undefined,
  dropped: () => undefined,
};

/** The POST body as JSON (the adapter hands the transport a parsed body, as the relay does); undefined if none or not JSON. */
async function parsedBody(req: IncomingMessage): Promise<unknown> {
  if (req.method !== 'POST') return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function serve(transport: WebStandardStreamableHTTPServerTransport, req: IncomingMessage, res: ServerResponse): void {
  void parsedBody(req)
    .then((body) => serveWithWebTransport(transport, req, res, UNBOUNDED, { parsedBody: body }))
    .catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
}

export async function startDirectServer(registry: ToolRegistry): Promise<DirectServer> {
  const transports = new Map<string, WebStandardStreamableHTTPServerTransport>();
  // The same per-call work as a tab (policy, audit log), so the comparison is about the path.
  const context = benchSessionContext('bench-direct');

  const server = createServer((req, res) => {
    const sessionId = req.headers['mcp-session-id'];
    const existing = typeof sessionId === 'string' ? transports.get(sessionId) : undefined;
    if (existing) {
      serve(existing, req, res);
      return;
    }
    if (sessionId !== undefined) {
      res.writeHead(404).end();
      return;
    }
    const id = randomUUID();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      onsessioninitialized: () => void transports.set(id, transport),
    });
    transport.onclose = () => transports.delete(id);
    const mcp = createSessionServer(registry.packsWith(), { ...context, sessionId: id });
    void mcp.connect(transport).then(() => serve(transport, req, res));
  });

  const port = await listenLocally(server);

  return {
    server,
    url: `http://localhost:${port}/mcp`,
    close: async () => {
      await Promise.all([...transports.values()].map((transport) => transport.close()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
