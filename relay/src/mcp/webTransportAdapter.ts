/**
 * Serves a Node request with the SDK's web-standard Streamable HTTP transport and writes its
 * Response to the Node response chunk by chunk, as the chunks arrive.
 *
 * Why not a Node wrapper (the 2.x server package has none; 1.x's `StreamableHTTPServerTransport`
 * was one): that wrapper went through @hono/node-server, which reads two chunks ahead to size a
 * response and waits on `setTimeout` when only the first is there. With an event store every SSE
 * response starts with a priming event, so every relayed call waited at least 1 ms
 * (bench/RESULTS.md); writing chunks straight through has no such wait.
 *
 * Writing straight through also means Node queues whatever the client has not read yet, with no
 * limit of its own; `ResponseBuffer` is that limit.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';

export interface ServeOptions {
  parsedBody?: unknown;
  /** Header values to use instead of what the client sent (e.g. the negotiated protocol version). */
  headerOverrides?: Record<string, string>;
}

/** How much one response may hold for a client that does not read it, and who hears when it is dropped. */
export interface ResponseBuffer {
  /** A response still holding more unsent bytes than this when its next chunk comes is dropped. */
  limitBytes: number;
  /** Counts the response's unsent bytes while it is open; returns the function that stops counting. */
  track(unsentBytes: () => number): () => void;
  /** The response was dropped (its connection destroyed) with `unsentBytes` still unread. */
  dropped(unsentBytes: number): void;
}

export async function serveWithWebTransport(
  transport: WebStandardStreamableHTTPServerTransport,
  req: IncomingMessage,
  res: ServerResponse,
  buffer: ResponseBuffer,
  options: ServeOptions = {},
): Promise<void> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  for (const [name, value] of Object.entries(options.headerOverrides ?? {})) headers.set(name, value);
  const aborted = new AbortController();
  res.once('close', () => aborted.abort());
  const request = new Request(`http://${req.headers.host ?? 'relay'}${req.url ?? '/'}`, {
    method: req.method,
    headers,
    signal: aborted.signal,
  });

  const response = await transport.handleRequest(request, { parsedBody: options.parsedBody });
  const outgoing: Record<string, string> = {};
  response.headers.forEach((value, name) => (outgoing[name] = value));
  res.writeHead(response.status, outgoing);
  if (!response.body) {
    res.end();
    return;
  }
  // SSE streams may stay quiet for a while: send the headers now so the client sees the stream open.
  res.flushHeaders();
  void pump(response.body, res, buffer);
}

/**
 * Copies the body to the client as it comes. The body is still read while the client lags, so
 * the SDK's stream never queues; what piles up instead is `res.writableLength`, which is checked
 * before each chunk. The bound is therefore the limit plus one message (a tab frame at most).
 * Dropping destroys the connection, because ending it would keep the unsent bytes until read.
 */
async function pump(body: ReadableStream<Uint8Array>, res: ServerResponse, buffer: ResponseBuffer): Promise<void> {
  const reader = body.getReader();
  const untrack = buffer.track(() => res.writableLength);
  res.once('close', () => {
    untrack();
    void reader.cancel().catch(() => undefined);
  });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (res.writableLength > buffer.limitBytes) {
        const unsentBytes = res.writableLength;
        res.destroy();
        buffer.dropped(unsentBytes);
        return;
      }
      res.write(value);
    }
  } catch {
    // The stream was cancelled because the client went away; nothing is left to write to.
  } finally {
    if (!res.destroyed) res.end();
  }
}
