/**
 * A host's modern (2026-07-28) requests waiting on its tab. The relay forwards each POST as an
 * `http-request` frame and writes the client's response itself from the tab's answer frames: the
 * status from a short list, the content type from an enum, its own SSE heads, and at most
 * `MAX_RESPONSE_BYTES` per response and `clientBufferBytes` queued to a client that is not
 * reading. Only ids it has pending are taken; a frame for any other id (late, unknown, after an
 * abort) is dropped. A client closing its response is the request's cancellation (S:235): the tab
 * hears it as `http-abort`.
 *
 * A call the tab keeps silent (no progress, no answer) would leave its client's request without a
 * byte until the result, and proxies and clients cut idle requests. So once `quietAnswerMs` pass
 * with nothing from the tab, the relay commits an SSE head itself and sends keep-alive comments
 * until the tab answers; the tab's JSON answer then goes out as the stream's one `message` event.
 */
import type { ServerResponse } from 'node:http';
import { RELAY_ERROR_CODES, type ClientIdentity, type RelayFrame, type TabFrame } from '@vial/shared';
import type { RequestOutcome } from '../../metrics.ts';
import { jsonRpcError, relayError, tabWentAway, type JsonRpcErrorObject, type RelayError } from '../../relayError.ts';

/** Bytes one forwarded response may carry to its client. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** What of one answer is never counted against its tab's share, as for a legacy answer. */
export const ANSWER_FREE_BYTES = 64 * 1024;

/** The JSON-RPC code of a request cut because its token was revoked. */
const REVOKED_ERROR_CODE = -32000;

/** The heads of every SSE answer; no buffering, so progress and keep-alives pass proxies at once. */
const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
};

/** Statuses a tab's answer may have; any other becomes 502. */
const TAB_STATUSES = new Set([200, 202, 400, 404, 405, 413, 415, 500]);

export type HttpAnswerFrame = Extract<TabFrame, { type: 'http-response' | 'http-start' | 'http-chunk' | 'http-end' }>;

/** How the relay holds one client's response open while its tab is silent. */
export interface QuietAnswerTiming {
  /** Silence after which the relay answers with an SSE head of its own (0: never). */
  quietAnswerMs: number;
  /** Keep-alive comment interval on that stream (0: none). */
  keepAliveMs: number;
}

interface Pending {
  res: ServerResponse;
  tokenId: string;
  method: string;
  jsonRpcId: string | number;
  started: boolean;
  bytes: number;
  freeLeft: number;
  /** Unsent bytes this client may leave queued before its response is cut and the call cancelled. */
  clientBufferBytes: number;
  /** The relay's own SSE head went out while the tab was silent; the tab's answer is wrapped into it. */
  heldOpen: boolean;
  /** While held open: whether the tab's answer is JSON, which needs wrapping as one SSE event. */
  wrapsJson: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Told once how the request ended, for the relay's metrics. */
  finished: (outcome: RequestOutcome) => void;
}

export class ForwardedRequests {
  private readonly pending = new Map<string, Pending>();
  /** How many of `pending` each token has: a token may have only so many waiting (VIAL_SESSION_MAX_PENDING). */
  private readonly perToken = new Map<string, number>();
  private nextId = 0;

  constructor(private readonly send: (frame: RelayFrame) => boolean) {}

  get size(): number {
    return this.pending.size;
  }

  /** Requests of this token waiting on the tab now. */
  pendingOf(tokenId: string): number {
    return this.perToken.get(tokenId) ?? 0;
  }

  /** Sends the request to the tab; false (and nothing sent) when no tab is there. */
  forward(
    res: ServerResponse,
    request: { headers: Record<string, string>; body: string; client: ClientIdentity },
    message: { method: string; id: string | number },
    limits: { clientBufferBytes: number } & QuietAnswerTiming,
    finished: (outcome: RequestOutcome) => void,
  ): boolean {
    const id = String(++this.nextId);
    const entry: Pending = {
      res,
      tokenId: request.client.tokenId,
      method: message.method,
      jsonRpcId: message.id,
      started: false,
      bytes: 0,
      freeLeft: ANSWER_FREE_BYTES,
      clientBufferBytes: limits.clientBufferBytes,
      heldOpen: false,
      wrapsJson: false,
      timer: undefined,
      finished,
    };
    if (!this.send({ type: 'http-request', id, ...request })) return false;
    this.pending.set(id, entry);
    if (limits.quietAnswerMs > 0) {
      entry.timer = setTimeout(() => holdOpen(entry, limits.keepAliveMs), limits.quietAnswerMs);
    }
    this.perToken.set(entry.tokenId, this.pendingOf(entry.tokenId) + 1);
    res.once('close', () => {
      if (this.pending.get(id) !== entry) return;
      this.settle(id, 'cancelled');
      this.send({ type: 'http-abort', id });
    });
    return true;
  }

  /** Forgets request `id`: it is answered, failed or abandoned, as `outcome` says. */
  private settle(id: string, outcome: RequestOutcome): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    stopTimer(entry);
    entry.finished(outcome);
    const left = this.pendingOf(entry.tokenId) - 1;
    if (left > 0) this.perToken.set(entry.tokenId, left);
    else this.perToken.delete(entry.tokenId);
  }

  /** Bytes of this frame that do not count against the tab's share: up to ANSWER_FREE_BYTES per answer. */
  freeBytes(frame: HttpAnswerFrame, size: number): number {
    const entry = this.pending.get(frame.id);
    if (!entry) return 0;
    const free = Math.min(size, entry.freeLeft);
    entry.freeLeft -= free;
    return free;
  }

  fromTab(frame: HttpAnswerFrame): void {
    const entry = this.pending.get(frame.id);
    if (!entry) return;
    const { res } = entry;
    switch (frame.type) {
      case 'http-response':
        if (entry.started) return this.fail(frame.id, entry, 'answered twice');
        if (!this.take(entry, Buffer.byteLength(frame.body))) return this.cut(frame.id, entry);
        this.writeHead(entry, frame.status, frame.headers['content-type']);
        this.settle(frame.id, frame.status < 400 ? 'ok' : 'error');
        if (!entry.wrapsJson) return void res.end(frame.body);
        return void res.end(frame.body === '' ? '' : `event: message\ndata: ${oneLine(frame.body)}\n\n`);
      case 'http-start':
        if (entry.started) return this.fail(frame.id, entry, 'started twice');
        this.writeHead(entry, frame.status, frame.headers['content-type']);
        // A stream may stay quiet for a while: the client sees it open now.
        res.flushHeaders();
        if (entry.wrapsJson) res.write('event: message\ndata: ');
        return;
      case 'http-chunk':
        if (!entry.started) return this.fail(frame.id, entry, 'sent a chunk before the head');
        if (!this.take(entry, Buffer.byteLength(frame.data))) return this.cut(frame.id, entry);
        res.write(entry.wrapsJson ? oneLine(frame.data) : frame.data);
        return;
      case 'http-end':
        this.settle(frame.id, frame.error === undefined && entry.started ? 'ok' : 'error');
        if (!entry.started) return void badGateway(entry, 'ended an answer it never started');
        res.end(entry.wrapsJson ? '\n\n' : undefined);
        return;
    }
  }

  /** A frame for `id` did not validate: that answer fails, and the tab is told to stop it. */
  invalidFrame(id: unknown): void {
    if (typeof id !== 'string') return;
    const entry = this.pending.get(id);
    if (entry) this.fail(id, entry, 'sent an invalid frame');
  }

  /** The tab went away or was replaced (or the relay is stopping): every request waiting on it fails now. */
  tabGone(reason: string, outcome: RequestOutcome = 'tab_disconnected'): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    this.perToken.clear();
    for (const entry of waiting) {
      stopTimer(entry);
      entry.finished(outcome);
      answerWithError(entry, jsonRpcError(RELAY_ERROR_CODES.tabDisconnected, tabWentAway(reason, entry.method)));
    }
  }

  /** Tokens not in `live` were revoked: their requests end now, and the tab is told to stop them, as their sessions are. */
  revoke(live: ReadonlySet<string>): void {
    for (const [id, entry] of [...this.pending]) {
      if (live.has(entry.tokenId)) continue;
      this.settle(id, 'auth_failed');
      this.send({ type: 'http-abort', id });
      const error = relayError('Token revoked', {
        details: `the Vial app revoked the token this '${entry.method}' was sent with`,
      });
      answerWithError(entry, jsonRpcError(REVOKED_ERROR_CODE, error));
    }
  }

  private writeHead(entry: Pending, status: number, contentType: string | undefined): void {
    entry.started = true;
    const type = contentType ?? 'application/json';
    if (entry.heldOpen) {
      // The head is out already; keep-alives stop, since a comment inside the tab's event would split it.
      stopTimer(entry);
      entry.wrapsJson = type === 'application/json';
      return;
    }
    const headers = type === 'text/event-stream' ? SSE_HEADERS : { 'content-type': type };
    // Not flushed here: a whole answer then goes out with its head in one write, sized by Content-Length.
    entry.res.writeHead(TAB_STATUSES.has(status) ? status : 502, headers);
  }

  /** Counts bytes for the client; false once the response is over its cap or the client stopped reading. */
  private take(entry: Pending, bytes: number): boolean {
    entry.bytes += bytes;
    return entry.bytes <= MAX_RESPONSE_BYTES && entry.res.writableLength <= entry.clientBufferBytes;
  }

  /** The answer broke the rules: the client gets a 502 (or a cut stream) and the tab an abort. */
  private fail(id: string, entry: Pending, what: string): void {
    this.settle(id, 'error');
    this.send({ type: 'http-abort', id });
    if (entry.started) entry.res.destroy();
    else badGateway(entry, what);
  }

  private cut(id: string, entry: Pending): void {
    this.settle(id, entry.bytes > MAX_RESPONSE_BYTES ? 'payload_too_large' : 'client_buffer_full');
    this.send({ type: 'http-abort', id });
    entry.res.destroy();
  }
}

/**
 * The tab has been silent for the quiet-answer time: the client gets an SSE head now, and a
 * keep-alive comment every `keepAliveMs` until the tab starts its answer.
 */
function holdOpen(entry: Pending, keepAliveMs: number): void {
  entry.timer = undefined;
  if (entry.started || entry.res.destroyed) return;
  entry.heldOpen = true;
  entry.res.writeHead(200, SSE_HEADERS);
  entry.res.flushHeaders();
  if (keepAliveMs > 0) {
    const keepAlive = () => {
      entry.res.write(': keep-alive\n\n');
      entry.timer = setTimeout(keepAlive, keepAliveMs);
    };
    entry.timer = setTimeout(keepAlive, keepAliveMs);
  }
}

function stopTimer(entry: Pending): void {
  clearTimeout(entry.timer);
  entry.timer = undefined;
}

/**
 * JSON text on one line, to be an SSE `data:` line: a raw line break in JSON is only ever
 * whitespace between tokens (inside strings it must be escaped), so a space keeps the meaning.
 */
function oneLine(json: string): string {
  return json.replace(/[\r\n]/g, ' ');
}

/**
 * Ends the client's response with `error`: as the whole answer (with `status`), as a last SSE
 * event (on a stream the relay held open, or the tab's own), or by cutting a JSON answer already begun.
 */
function answerWithError(entry: Pending, error: JsonRpcErrorObject, status = 200): void {
  const body = JSON.stringify({ jsonrpc: '2.0', id: entry.jsonRpcId, error });
  if (!entry.res.headersSent) {
    entry.res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  } else if (entry.res.getHeader('content-type') === 'text/event-stream' && !entry.wrapsJson) {
    entry.res.end(`event: message\ndata: ${body}\n\n`);
  } else {
    entry.res.destroy();
  }
}

function badGateway(entry: Pending, what: string): void {
  const error: RelayError = relayError('The Vial tab sent an invalid answer', {
    details: `it ${what} for '${entry.method}'`,
  });
  answerWithError(entry, jsonRpcError(-32603, error), 502);
}
