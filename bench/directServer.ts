/**
 * The baseline: an McpServer built by the same `ToolRegistry.createServer` the host runtime
 * uses, served in-process by the SDK's own `StreamableHTTPServerTransport` on a plain
 * node:http server (stateful, one transport per session). No relay, no WebSocket, no auth.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { AuditLog, MemoryAuditStore } from '../web/src/audit/auditLog.ts';
import { CallGate } from '../web/src/server/callGate.ts';
import { RelayLlmGateway } from '../web/src/llm/gateway.ts';
import { createSessionServer } from '../web/src/server/sessionServer.ts';
import type { ToolRegistry } from '../web/src/server/toolRegistry.ts';
import { auditFinishedCall } from '../web/src/server/runtime.ts';

export interface DirectServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startDirectServer(registry: ToolRegistry): Promise<DirectServer> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const services = {
    hostId: 'bench-direct',
    measureRelayRtt: async () => undefined,
    audit: new AuditLog(new MemoryAuditStore()),
    // No relay here, so no LLM gateway key: LLM tools would say the tab is not connected.
    llm: new RelayLlmGateway('http://localhost', () => undefined),
  };
  const gate = CallGate.withDefaults();
  const client = { tokenId: 'bench', tokenName: 'bench', scopes: [] };

  const server = createServer((req, res) => {
    const sessionId = req.headers['mcp-session-id'];
    const existing = typeof sessionId === 'string' ? transports.get(sessionId) : undefined;
    if (existing) {
      void existing.handleRequest(req, res);
      return;
    }
    if (sessionId !== undefined) {
      res.writeHead(404).end();
      return;
    }
    const id = randomUUID();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      onsessioninitialized: () => void transports.set(id, transport),
    });
    transport.onclose = () => transports.delete(id);
    const mcp = createSessionServer(registry.packsWith(), {
      sessionId: id,
      client,
      services,
      gate,
      // The same per-call work as a tab (policy, audit log), so the comparison is about the path.
      report: (event, input) => auditFinishedCall(services.audit, event, input),
    });
    void mcp.connect(transport).then(() => transport.handleRequest(req, res));
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });

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
