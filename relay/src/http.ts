import type { IncomingMessage, ServerResponse } from 'node:http';
import type { VialError } from '@vial/shared';
import { jsonRpcError } from './relayError.ts';

/**
 * Writes a JSON-RPC error as the whole HTTP response (status codes per MCP Streamable HTTP); a
 * `VialError` goes with its parts as `data` (see `jsonRpcError`).
 */
export function sendJsonRpcError(
  res: ServerResponse,
  status: number,
  message: string | VialError,
  headers: Record<string, string> = {},
  code = -32000,
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: jsonRpcError(code, message) }));
}

export type BodyResult =
  | { ok: true; body: unknown; /** The body's text as sent. */ text: string }
  | { ok: false; status: number; code: number; message: string };

/**
 * Reads and parses a JSON body, refusing anything over `limit` bytes before buffering it all.
 */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return readBodyBytes(req, limit).then((bytes): BodyResult =>
    bytes === undefined
      ? {
          ok: false,
          status: 413,
          code: -32600,
          message: `Request body is larger than the relay's limit of ${limit} bytes`,
        }
      : parseJsonBody(bytes),
  );
}

/**
 * A request's whole body, or undefined once it is over `limit` bytes (the rest is drained, not
 * kept, so the client can still be answered). Listens for `data` and `end` rather than iterating
 * the request: the async iterator costs several promise turns per request, and this is on every
 * LLM call's way to its first token.
 */
export function readBodyBytes(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    req.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData);
      req.off('end', onEnd);
      req.resume();
      resolve(undefined);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
    // Every request closes, most after `end`: only an incomplete one is an error. (Building the
    // Error anyway cost about 30 µs a request, for its stack: bench/RESULTS.md, "LLM gateway".)
    req.once('close', () => {
      if (!req.complete) reject(new Error('the client closed the connection before the whole body arrived'));
    });
  });
}

function parseJsonBody(bytes: Buffer): BodyResult {
  const text = bytes.toString('utf8');
  try {
    return { ok: true, body: JSON.parse(text), text };
  } catch (error) {
    return {
      ok: false,
      status: 400,
      code: -32700,
      message: `Parse error: body is not valid JSON (${(error as Error).message})`,
    };
  }
}
