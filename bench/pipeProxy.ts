/**
 * The least a proxy process can do: forward each request to the target as it is and send the
 * response back. bench:llm puts it where the relay sits to show what any extra process in the
 * path costs on this machine (two more hops between processes), so that the relay's added time
 * can be split into that floor and the relay's own work.
 *
 * Two floors (`PipeMode`): `bytes` pipes the response through and reads nothing; `sse` reads each
 * Server-Sent Event and writes it again, through the same steps the relay takes for each delta
 * (SSE parsing with eventsource-parser, `JSON.parse`, `JSON.stringify`, a string write), and
 * nothing else: no auth, validation, router, timers or backpressure. It is the least a gateway
 * that normalises streams must do, so relay minus `sse` pipe is what the relay's own code costs.
 */
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createParser } from 'eventsource-parser';

export const PIPE_MODES = ['bytes', 'sse'] as const;
export type PipeMode = (typeof PIPE_MODES)[number];

const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

/** Listens on a free port; `url` is the target's base URL as seen through the proxy. */
export async function startPipeProxy(
  targetBaseUrl: string,
  mode: PipeMode = 'bytes',
): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(targetBaseUrl);
  const server = createServer((req, res) => {
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        const eventStream = response.headers['content-type']?.startsWith('text/event-stream') ?? false;
        if (mode === 'sse' && eventStream) rewriteEvents(response, res);
        else response.pipe(res);
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

/**
 * Each event's JSON parsed and written again as it arrives; OpenAI's `[DONE]` is not JSON and
 * goes as it is. An event that is not JSON cuts the response, so the bench's client stops with
 * "the stream ended early" and this process says why.
 */
function rewriteEvents(response: IncomingMessage, res: ServerResponse): void {
  const parser = createParser({
    onEvent({ data }) {
      if (data === '[DONE]') return void res.write(`data: ${data}\n\n`);
      let json: unknown;
      try {
        json = JSON.parse(data);
      } catch {
        console.error(`sse pipe: cut a response at an event that is not JSON: ${data.slice(0, 80)}`);
        response.destroy();
        return void res.destroy();
      }
      res.write(`data: ${JSON.stringify(json)}\n\n`);
    },
  });
  response.setEncoding('utf8');
  response.on('data', (text: string) => parser.feed(text));
  response.on('end', () => res.end());
}
