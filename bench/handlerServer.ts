/**
 * The 2026-07-28 baseline: the SDK's own `createMcpHandler` (modern only, as the tab's) on a
 * plain node:http server, with the tab's per-request server factory: `createSessionServer`
 * from the same registry, built for the one tool a `tools/call` names, with the tab's policy
 * and audit log. No relay, no WebSocket, no auth. The SDK's Node wrapper (`toNodeHandler`) is in
 * `@modelcontextprotocol/node`, which Vial does not use; the few lines that turn a Node request
 * into a web `Request` are here, and the `Response` is written back by the relay's own
 * `writeWebResponse` (head and a JSON body in one write, as the relay answers).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createMcpHandler } from '@modelcontextprotocol/server';
import { writeWebResponse } from '../relay/src/mcp/modern/hostServer.ts';
import { calledTool, parseJson } from '../web/src/server/modernRequests.ts';
import { createSessionServer } from '../web/src/server/sessionServer.ts';
import type { ToolRegistry } from '../web/src/server/toolRegistry.ts';
import { benchSessionContext, listenLocally } from './benchSession.ts';

/** A body over this is answered 413 (the relay's default VIAL_MAX_BODY_BYTES is larger; bench bodies are tiny). */
const MAX_BODY_BYTES = 1024 * 1024;

export interface HandlerServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startHandlerServer(registry: ToolRegistry): Promise<HandlerServer> {
  const context = benchSessionContext('bench-handler');
  /** The tool each request calls, as the tab's `ModernRequests` notes it for its factory. */
  const calledTools = new WeakMap<Request, string | undefined>();
  let served = 0;

  const handler = createMcpHandler(
    ({ requestInfo }) =>
      createSessionServer(
        registry.packsWith(),
        { ...context, sessionId: `modern/${++served}` },
        requestInfo && calledTools.get(requestInfo),
      ),
    { legacy: 'reject' },
  );

  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String((error as Error).message ?? error));
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = req.method === 'POST' ? await readBody(req) : undefined;
    if (body === null) {
      res.writeHead(413, { 'content-type': 'text/plain' }).end(`request body over ${MAX_BODY_BYTES} bytes`);
      return;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const aborted = new AbortController();
    res.once('close', () => aborted.abort());
    // As the tab does: the handler gets the body parsed, and the factory the tool it names.
    const parsedBody = body === undefined ? undefined : parseJson(body);
    const request = new Request(`http://${req.headers.host ?? 'bench'}${req.url ?? '/'}`, {
      method: req.method,
      headers,
      body: parsedBody === undefined ? body : null,
      signal: aborted.signal,
    });
    calledTools.set(request, calledTool(parsedBody));
    // The relay's own writer, so both sides of the ratio write a response the same way.
    await writeWebResponse(res, await handler.fetch(request, { parsedBody }), { clientBufferBytes: Infinity });
  }

  const port = await listenLocally(server);

  return {
    url: `http://localhost:${port}/mcp`,
    server,
    close: async () => {
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The request's body as text; null once it passes MAX_BODY_BYTES. */
async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
