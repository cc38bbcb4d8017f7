/**
 * The tab's side of the 2026-07-28 (stateless) era: each modern request the relay forwards
 * (`http-request`) is served by the SDK's own handler on a web `Request`, with a server built for
 * that one request, and its `Response` goes back as frames: one `http-response` for a JSON
 * answer, or `http-start`, `http-chunk`s and `http-end` for a stream. `http-abort` (the client
 * closed its stream) aborts the request, which reaches the tool's `AbortSignal`; nothing more is
 * sent for it after that. Scopes, policy, approvals and the audit log are the session server's,
 * exactly as for a 2025 session.
 */
import { createMcpHandler, type McpServer } from '@modelcontextprotocol/server';
import {
  HTTP_CHUNK_MAX_CHARS,
  HTTP_RESPONSE_MAX_CHARS,
  type ClientIdentity,
  type RelayFrame,
  type TabFrame,
} from '@vial/shared';

type HttpRequestFrame = Extract<RelayFrame, { type: 'http-request' }>;

/** The SDK's answer for a request whose client went away before it was answered: nothing to send. */
const CLIENT_GONE_STATUS = 499;

export interface ModernRequestsOptions {
  send(frame: TabFrame): boolean;
  /**
   * The server for one request, built anew each time; for a `tools/call`, `tool` names the tool
   * called, so the server can hold that one alone (converting every tool's schema per request
   * cost a modern call about a fifth more than a session's with the tab's ~40 tools).
   */
  createServer(client: ClientIdentity, requestId: string, tool: string | undefined): McpServer;
}

export class ModernRequests {
  private readonly inFlight = new Map<string, AbortController>();
  /**
   * What the server factory needs to know of each request being served: the client as the frame
   * (already validated) named it, the request's id and the tool it calls.
   */
  private readonly served = new WeakMap<
    Request,
    { client: ClientIdentity; requestId: string; tool: string | undefined }
  >();
  private readonly handler;

  constructor(private readonly options: ModernRequestsOptions) {
    this.handler = createMcpHandler(
      ({ requestInfo }) => {
        const served = requestInfo && this.served.get(requestInfo);
        if (!served) throw new Error('a modern request reached the handler without the frame it came in');
        return options.createServer(served.client, served.requestId, served.tool);
      },
      { legacy: 'reject' },
    );
  }

  /** Serves a forwarded request; resolves once its answer has been sent (or it was aborted). */
  async serve(frame: HttpRequestFrame): Promise<void> {
    const abort = new AbortController();
    this.inFlight.set(frame.id, abort);
    const send = (answer: TabFrame) => !abort.signal.aborted && this.options.send(answer);
    try {
      // The body goes to the handler parsed, so it neither clones the request nor reads it again
      // (a fifth of the handler's own CPU per call); one that does not parse goes as it came.
      const parsedBody = parseJson(frame.body);
      const request = new Request('http://tab.invalid/mcp', {
        method: 'POST',
        headers: frame.headers,
        body: parsedBody === undefined ? frame.body : null,
        signal: abort.signal,
      });
      this.served.set(request, { client: frame.client, requestId: `modern/${frame.id}`, tool: calledTool(parsedBody) });
      const authInfo = {
        token: '',
        clientId: frame.client.tokenId,
        scopes: [...frame.client.scopes],
        extra: { client: frame.client },
      };
      const response = await this.handler.fetch(request, { authInfo, parsedBody });
      if (response.status === CLIENT_GONE_STATUS) return;
      const streamed = response.headers.get('content-type')?.startsWith('text/event-stream') ?? false;
      const headers = { 'content-type': streamed ? ('text/event-stream' as const) : ('application/json' as const) };
      if (!streamed) {
        const body = await response.text();
        if (body.length <= HTTP_RESPONSE_MAX_CHARS) {
          send({ type: 'http-response', id: frame.id, status: response.status, headers, body });
          return;
        }
        send({ type: 'http-start', id: frame.id, status: response.status, headers });
        for (const data of codePointChunks(body)) send({ type: 'http-chunk', id: frame.id, data });
        send({ type: 'http-end', id: frame.id });
        return;
      }
      send({ type: 'http-start', id: frame.id, status: response.status, headers });
      await this.stream(frame.id, response, abort.signal, send);
      send({ type: 'http-end', id: frame.id });
    } catch (error) {
      send({ type: 'http-end', id: frame.id, error: String((error as Error).message ?? error).slice(0, 500) });
    } finally {
      this.inFlight.delete(frame.id);
    }
  }

  /** The client closed its stream: the request is cancelled, and nothing more goes out for it. */
  abort(id: string): void {
    this.inFlight.get(id)?.abort(new Error('the client closed its response stream'));
    this.inFlight.delete(id);
  }

  /** The relay connection ended: every request in flight is cancelled. */
  abortAll(): void {
    for (const id of [...this.inFlight.keys()]) this.abort(id);
  }

  private async stream(
    id: string,
    response: Response,
    signal: AbortSignal,
    send: (frame: TabFrame) => boolean,
  ): Promise<void> {
    if (!response.body) return;
    const reader = response.body.getReader();
    const cancel = () => void reader.cancel().catch(() => undefined);
    signal.addEventListener('abort', cancel, { once: true });
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const data of codePointChunks(decoder.decode(value, { stream: true })))
          send({ type: 'http-chunk', id, data });
      }
      const rest = decoder.decode();
      if (rest) send({ type: 'http-chunk', id, data: rest });
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }
}

/** The JSON value `text` holds, or undefined when it holds none. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The tool a `tools/call` message names, or undefined for any other message. */
export function calledTool(message: unknown): string | undefined {
  const { method, params } = (message ?? {}) as { method?: unknown; params?: { name?: unknown } };
  return method === 'tools/call' && typeof params?.name === 'string' ? params.name : undefined;
}

/**
 * `text` in pieces of at most HTTP_CHUNK_MAX_CHARS UTF-16 units, never splitting a surrogate
 * pair: half a pair would reach the client as U+FFFD.
 */
export function codePointChunks(text: string, max = HTTP_CHUNK_MAX_CHARS): string[] {
  const chunks: string[] = [];
  for (let start = 0; start < text.length;) {
    let end = Math.min(start + max, text.length);
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--;
    chunks.push(text.slice(start, end));
    start = end;
  }
  return chunks;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
