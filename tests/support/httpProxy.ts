/**
 * A reverse proxy for putting between an MCP client and the relay. It forwards every request
 * untouched (method, path, Host, Origin, the client's own headers; an SSE answer streamed as it
 * arrives, a client that goes away seen by the relay too), can add a bearer token for a client
 * that cannot send one (the conformance suite), and writes down what the relay's log does not:
 * each request's JSON-RPC method, its MCP-Protocol-Version header and the status it got.
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Exchange {
  method: string;
  /** The JSON-RPC method of a POST's body (undefined for other HTTP methods, or a body too long to keep). */
  rpcMethod: string | undefined;
  protocolVersion: string | undefined;
  status: number;
}

export interface HttpProxy {
  /** `http://localhost:<port>`: the conformance suite's DNS-rebinding scenario wants a localhost URL. */
  url: string;
  /** Every exchange so far, in the order the relay answered. */
  exchanges: Exchange[];
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** Adds `Authorization: Bearer <bearer>` to every request (replacing any the client sent). */
  bearer?: string;
}

/** How much of a request body is kept to read its JSON-RPC method; a longer one is forwarded, not read. */
const KEPT_BODY_BYTES = 64 * 1024;

/** Hop-by-hop headers describe one connection; Node sets its own for each side. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te']);

/** `headers` less the hop-by-hop ones: what a proxy passes on. */
export function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

function rpcMethodOf(body: Buffer): string | undefined {
  try {
    const message = JSON.parse(body.toString('utf8')) as { method?: unknown };
    return typeof message.method === 'string' ? message.method : undefined;
  } catch {
    return undefined;
  }
}

/** A reverse proxy to `target` (a relay's base URL). */
export async function startProxy(target: string, options: ProxyOptions = {}): Promise<HttpProxy> {
  const upstream = new URL(target);
  const exchanges: Exchange[] = [];
  const server = createServer((req, res) => {
    const kept: Buffer[] = [];
    let keptBytes = 0;
    req.on('data', (chunk: Buffer) => {
      keptBytes += chunk.length;
      if (keptBytes <= KEPT_BODY_BYTES) kept.push(chunk);
    });
    const version = req.headers['mcp-protocol-version'];
    const headers = endToEnd(req.headers);
    if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
    const forward = request(
      { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (answer) => {
        const whole = keptBytes <= KEPT_BODY_BYTES;
        exchanges.push({
          method: req.method ?? '',
          rpcMethod: req.method === 'POST' && whole ? rpcMethodOf(Buffer.concat(kept)) : undefined,
          protocolVersion: Array.isArray(version) ? version.join(',') : version,
          status: answer.statusCode ?? 0,
        });
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.headers));
        res.flushHeaders();
        answer.pipe(res);
      },
    );
    forward.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${error.message}`);
    });
    // The client went away (e.g. it cancelled an SSE stream): let the relay see that too.
    res.on('close', () => forward.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    exchanges,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
