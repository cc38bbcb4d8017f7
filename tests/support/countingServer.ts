/**
 * A plain HTTP server on a free loopback port that counts the paths it was asked for: what the
 * fetch tests point the tab's downloads at, to tell whether a refused URL was fetched anyway.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingServer {
  origin: string;
  port: number;
  /** The request paths, in order. */
  hits: string[];
  server: Server;
}

export async function startCountingServer(
  handle: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<CountingServer> {
  const hits: string[] = [];
  const server = createServer((request, response) => {
    hits.push(request.url ?? '');
    handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, port, hits, server };
}
