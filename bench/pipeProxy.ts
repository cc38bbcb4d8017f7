/**
 * The least a proxy process can do: forward each request to the target as it is and pipe the
 * response back, reading nothing. bench:llm puts it where the relay sits to show what any extra
 * process in the path costs on this machine (two more hops between processes), so that the
 * relay's added time can be split into that floor and the relay's own work.
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

/** Listens on a free port; `url` is the target's base URL as seen through the proxy. */
export async function startPipeProxy(targetBaseUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(targetBaseUrl);
  const server = createServer((req, res) => {
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
