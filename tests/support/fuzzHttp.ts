/**
 * Raw HTTP for the fuzz and security suites. `fetch` cannot send a `Host` header, odd methods
 * or no `Host` at all, so this goes through `node:http`, and every request has a deadline: a
 * reply that never comes fails the test instead of hanging it.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { jsonRpcReplySchema, type JsonRpcReply } from './fuzzJsonRpc.ts';
import { sseMessages } from './sse.ts';

export interface RawRequest {
  method: string;
  /** The request target exactly as sent, e.g. `/mcp/<hostId>?x=1`. */
  path: string;
  /** Sent as given; a `host` entry replaces the default one, `omitHost` sends none. */
  headers?: Record<string, string>;
  omitHost?: boolean;
  body?: string | Buffer;
}

export interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  /** The whole body; empty for an SSE stream that stays open (a GET stream), which is cut after its headers. */
  body: string;
}

export function rawRequest(baseUrl: string, req: RawRequest, timeoutMs = 5000): Promise<RawReply> {
  const url = new URL(baseUrl);
  const headers = { ...req.headers };
  // Node frames bodies of DELETE, OPTIONS and the like with neither length nor chunks, which would
  // leave the body to be read as the next request; a declared length keeps each case to itself.
  if (req.body !== undefined && headers['transfer-encoding'] === undefined) {
    headers['content-length'] = String(Buffer.byteLength(req.body));
  }
  return new Promise((resolve, reject) => {
    const outgoing = request({
      host: url.hostname,
      port: url.port,
      method: req.method,
      path: req.path,
      headers,
      setHost: !req.omitHost,
      // A connection per request: what one case does to its connection cannot spill into the next.
      agent: false,
    });
    const timer = setTimeout(() => {
      outgoing.destroy();
      reject(new Error(`no complete reply to ${req.method} ${req.path} within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (reply: RawReply) => {
      clearTimeout(timer);
      resolve(reply);
    };
    outgoing.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    outgoing.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const openStream =
        req.method === 'GET' && status === 200 && /text\/event-stream/.test(res.headers['content-type'] ?? '');
      if (openStream) {
        outgoing.destroy();
        return done({ status, headers: res.headers, body: '' });
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done({ status, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    outgoing.end(req.body);
  });
}

/**
 * The JSON-RPC messages in a reply's body, each checked against `jsonRpcReplySchema`: a JSON
 * body (one message or a batch) or an SSE stream's events. Throws, saying what was wrong, when
 * the body is anything else.
 */
export async function jsonRpcMessagesIn(reply: RawReply): Promise<JsonRpcReply[]> {
  if (reply.body === '') return [];
  const type = reply.headers['content-type'] ?? '';
  let raw: unknown[];
  if (/text\/event-stream/.test(type)) raw = await sseMessages(new Response(reply.body));
  else if (/application\/json/.test(type)) raw = [JSON.parse(reply.body)].flat();
  else
    throw new Error(`${reply.status} reply with content-type '${type}' is not JSON-RPC: ${reply.body.slice(0, 200)}`);
  return raw.map((message) => {
    const parsed = jsonRpcReplySchema.safeParse(message);
    if (!parsed.success) throw new Error(`not a JSON-RPC message: ${JSON.stringify(message).slice(0, 300)}`);
    return parsed.data;
  });
}
