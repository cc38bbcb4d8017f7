/**
 * The 2026-07-28 baseline: the SDK's own `createMcpHandler` (modern only, as the tab's) on a
 * plain node:http server, with the tab's per-request server factory: `createSessionServer`
 * from the same registry, built for the one tool a `tools/call` names, with the tab's policy
 * and audit log. No relay, no WebSocket, no auth. The SDK's Node wrapper (`toNodeHandler`) is in
 * `@modelcontextprotocol/node`, which Vial does not use; the few lines that turn a Node request
 * into a web `Request` and write the `Response` back chunk by chunk are here instead.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createMcpHandler } from '@modelcontextprotocol/server';
import { AuditLog, MemoryAuditStore } from '../web/src/audit/auditLog.ts';
import { RelayLlmGateway } from '../web/src/llm/gateway.ts';
import { CallGate } from '../web/src/server/callGate.ts';
import { auditFinishedCall } from '../web/src/server/runtime.ts';
import { calledTool, parseJson } from '../web/src/server/modernRequests.ts';
import { createSessionServer } from '../web/src/server/sessionServer.ts';
import type { ToolRegistry } from '../web/src/server/toolRegistry.ts';

/** A body over this is answered 413 (the relay's default VIAL_MAX_BODY_BYTES is larger; bench bodies are tiny). */
const MAX_BODY_BYTES = 1024 * 1024;

export interface HandlerServer {
  url: string;
  close(): Promise<void>;
}

export async function startHandlerServer(registry: ToolRegistry): Promise<HandlerServer> {
  const services = {
    hostId: 'bench-handler',
    measureRelayRtt: async () => undefined,
    audit: new AuditLog(new MemoryAuditStore()),
    // No relay here, so no LLM gateway key: LLM tools would say the tab is not connected.
    llm: new RelayLlmGateway('http://localhost', () => undefined),
  };
  const gate = CallGate.withDefaults();
  const client = { tokenId: 'bench', tokenName: 'bench', scopes: [] };
  /** The tool each request calls, as the tab's `ModernRequests` notes it for its factory. */
  const calledTools = new WeakMap<Request, string | undefined>();
  let served = 0;

  const handler = createMcpHandler(
    ({ requestInfo }) =>
      createSessionServer(
        registry.packsWith(),
        {
          sessionId: `modern/${++served}`,
          client,
          services,
          gate,
          report: (event, input) => auditFinishedCall(services.audit, event, input),
        },
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
    await writeResponse(await handler.fetch(request, { parsedBody }), res);
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });

  return {
    url: `http://localhost:${port}/mcp`,
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

/** Writes the head at once and each body chunk as it comes; the client going away cancels the body. */
async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  res.flushHeaders();
  const reader = response.body.getReader();
  res.once('close', () => void reader.cancel().catch(() => undefined));
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    res.write(value);
  }
  res.end();
}
