/**
 * The relay, as a table of contents: one HTTP server on one port that serves the web app,
 * the tabs' WebSocket and the MCP endpoint for remote clients.
 */
import { createServer, type Server } from 'node:http';
import { MCP_PATH_PREFIX, TAB_SOCKET_PATH } from '@vial/shared';
import type { RelayConfig } from './config.ts';
import { sendJsonRpcError } from './http.ts';
import type { Logger } from './log.ts';
import { HostRegistry } from './hosts/registry.ts';
import { createTabSocketServer } from './hosts/tabSocket.ts';
import { createMcpEndpoint } from './mcp/endpoint.ts';
import { createRequestGuard } from './mcp/requestGuard.ts';
import { createStaticSite } from './staticSite.ts';

export interface Relay {
  server: Server;
  registry: HostRegistry;
  /** Resolves with the bound port once listening. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

export function createRelay(config: RelayConfig, logger: Logger): Relay {
  const registry = new HostRegistry();
  const guard = createRequestGuard(config);
  const mcp = createMcpEndpoint({ ...config, registry, logger, guard });
  const tabs = createTabSocketServer({ ...config, registry, logger });
  const site = createStaticSite(config.webDir);

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://relay').pathname;
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, hosts: registry.size, sessions: mcp.sessionCount() }));
      return;
    }
    if (path.startsWith(MCP_PATH_PREFIX)) {
      const hostId = path.slice(MCP_PATH_PREFIX.length).replace(/\/$/, '');
      void mcp.handle(req, res, hostId);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJsonRpcError(
        res,
        405,
        `${req.method} ${path} is not served here; the MCP endpoint is ${MCP_PATH_PREFIX}<hostId>`,
      );
      return;
    }
    site(req, res);
  });

  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://relay').pathname;
    const refusal = guard(req);
    if (path !== TAB_SOCKET_PATH || refusal) {
      socket.end(`HTTP/1.1 ${refusal ? '403 Forbidden' : '404 Not Found'}\r\nconnection: close\r\n\r\n`);
      return;
    }
    tabs.handleUpgrade(req, socket, head);
  });

  return {
    server,
    registry,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.bindHost, () => {
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : config.port);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        mcp.close();
        tabs.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
