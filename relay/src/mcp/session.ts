/**
 * One remote client's MCP session. The SDK's Streamable HTTP transport terminates HTTP (SSE,
 * session ids, protocol versions, resumability); this class forwards its JSON-RPC traffic to
 * whichever tab currently serves the host, and answers for the tab when it is away.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  isInitializeRequest,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  isSpecType,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type MessageExtraInfo,
  type RequestId,
  type WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import { RELAY_ERROR_CODES, type ClientIdentity, type VialError } from '@vial/shared';
import type { Logger } from '../log.ts';
import type { RelayMetrics, RequestOutcome } from '../metrics.ts';
import type { Host, HostSessionHooks } from '../hosts/registry.ts';
import { clientBufferFull, jsonRpcError, tabOffline, tabWentAway, tooManyPending } from '../relayError.ts';
import { serveWithWebTransport, type ServeOptions } from './webTransportAdapter.ts';

/** Ids of the `initialize` requests the relay replays to a reloaded tab; never clash with client ids. */
const REPLAY_ID_PREFIX = 'vial-replay-';
/** The JSON-RPC code for a request the relay refuses because a limit was reached (`data.limit` says which). */
const LIMIT_ERROR_CODE = -32000;
/** The code of the answer that closes a cancelled request's books (the client no longer waits for it). */
const CANCELLED_ERROR_CODE = -32800;
/**
 * The largest `initialize` the relay keeps to replay to a reloaded tab: real ones are a few
 * hundred bytes, and every session keeps its own for as long as it lives.
 */
export const MAX_INITIALIZE_BYTES = 64 * 1024;

export interface ClientSessionOptions {
  id: string;
  host: Host;
  client: ClientIdentity;
  transport: WebStandardStreamableHTTPServerTransport;
  logger: Logger;
  metrics: RelayMetrics;
  /** Unsent bytes one response to this client may hold before it is dropped (VIAL_CLIENT_BUFFER_BYTES). */
  clientBufferBytes: number;
  /** Requests this client may have waiting on the tab at once (VIAL_SESSION_MAX_PENDING). */
  maxPending: number;
  /** Called once the session is over, so its owner can forget it. */
  onClosed: (session: ClientSession) => void;
}

/** A client request the tab has not answered yet. */
interface PendingRequest {
  method: string;
  /** `performance.now()` when the request reached the relay. */
  startedAt: number;
  /** Closes the client's SSE stream for this request; only set when the client can resume it. */
  closeStream: (() => void) | undefined;
  /** The tab closed the stream on purpose (SEP-1699 polling): the client will come back for the answer. */
  polling: boolean;
}

export class ClientSession implements HostSessionHooks {
  readonly id: string;
  readonly tokenId: string;
  readonly transport: WebStandardStreamableHTTPServerTransport;
  lastActivity = Date.now();
  private readonly host: Host;
  private readonly client: ClientIdentity;
  private readonly logger: Logger;
  private readonly metrics: RelayMetrics;
  private readonly clientBufferBytes: number;
  private readonly maxPending: number;
  private readonly onClosed: (session: ClientSession) => void;
  /** Client requests the tab has not answered yet. */
  private readonly pending = new Map<RequestId, PendingRequest>();
  /** Timers that cancel requests whose client closed its stream, unless it resumes first. */
  private readonly abandonTimers = new Set<ReturnType<typeof setTimeout>>();
  /** The client's `initialize`, as JSON text: kept to replay to a reloaded tab. */
  private initializeRequest: string | undefined;
  /** Ids of the `initialize` requests replayed to the tab whose answers are still to come. */
  private readonly replayIds = new Set<string>();
  private closed = false;
  /**
   * Whether the client ever opened its GET stream. Until it does, the tab's messages that belong
   * to no request have nowhere to go and nothing could resume them: they are not kept.
   */
  private hasStandaloneStream = false;
  /** The protocol version the tab's server agreed to in `initialize`. */
  negotiatedProtocolVersion: string | undefined;

  constructor(options: ClientSessionOptions) {
    this.id = options.id;
    this.host = options.host;
    this.client = options.client;
    this.tokenId = options.client.tokenId;
    this.transport = options.transport;
    this.logger = options.logger.child({ hostId: options.host.id, sessionId: options.id });
    this.metrics = options.metrics;
    this.clientBufferBytes = options.clientBufferBytes;
    this.maxPending = options.maxPending;
    this.onClosed = options.onClosed;
    this.transport.onmessage = (message, extra) => this.fromClient(message, extra);
    this.transport.onerror = (error) => this.logger.debug({ err: error }, 'transport error');
    this.transport.onclose = () => this.close('session ended');
  }

  get hostId(): string {
    return this.host.id;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Serves one HTTP request of this session. `requestIds` are the JSON-RPC requests in its body:
   * if the client leaves too much of the response unread, the response is dropped and they fail.
   */
  serve(
    req: IncomingMessage,
    res: ServerResponse,
    options: ServeOptions & { requestIds?: RequestId[] } = {},
  ): Promise<void> {
    const { requestIds = [], ...serveOptions } = options;
    const buffer = {
      limitBytes: this.clientBufferBytes,
      track: (unsentBytes: () => number) => this.metrics.trackBuffer('client_streams', unsentBytes),
      dropped: (unsentBytes: number) => this.streamDropped(requestIds, res.getHeader('x-request-id'), unsentBytes),
    };
    return serveWithWebTransport(this.transport, req, res, buffer, serveOptions);
  }

  /** Client -> tab. Requests that cannot reach a tab, or would pass the session's limit, are answered at once. */
  fromClient(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    this.lastActivity = Date.now();
    let streamClosable = false;
    if (isJSONRPCRequest(message)) {
      if (isInitializeRequest(message)) {
        const json = JSON.stringify(message);
        if (json.length > MAX_INITIALIZE_BYTES) {
          this.metrics.requestFinished(message.method, 'bad_request', 'legacy');
          const replied = this.replyError(
            message.id,
            -32602,
            `initialize is ${json.length} bytes; the relay keeps each session's initialize to replay it to a reloaded tab, and takes at most ${MAX_INITIALIZE_BYTES}`,
          );
          void replied.then(() => this.close('initialize too large'));
          return;
        }
        this.initializeRequest = json;
        this.host.send({ type: 'session-open', sessionId: this.id, client: this.client });
      }
      if (!this.host.online) {
        this.metrics.requestFinished(message.method, 'tab_offline', 'legacy');
        this.metrics.relayError('tab_offline');
        const replied = this.replyError(message.id, RELAY_ERROR_CODES.tabOffline, tabOffline(this.host.id));
        // A session whose initialize failed is of no use to anyone: forget it once the error is out.
        if (isInitializeRequest(message)) void replied.then(() => this.close('initialize failed: tab offline'));
        return;
      }
      if (this.pending.size >= this.maxPending) {
        this.metrics.requestFinished(message.method, 'too_many_pending', 'legacy');
        this.metrics.relayError('too_many_pending');
        void this.replyError(message.id, LIMIT_ERROR_CODE, tooManyPending(this.maxPending), {
          limit: 'session-pending',
          setting: 'VIAL_SESSION_MAX_PENDING',
          max: this.maxPending,
        });
        return;
      }
      // The SDK offers closeSSEStream only for streams the client can resume (it was sent a priming event id).
      const closeStream = extra?.closeSSEStream;
      this.pending.set(message.id, {
        method: message.method,
        startedAt: performance.now(),
        closeStream,
        polling: false,
      });
      streamClosable = closeStream !== undefined;
    }
    if (isSpecType.CancelledNotification(message) && message.params.requestId !== undefined) {
      this.clientCancelled(message.params.requestId);
    }
    this.host.send({ type: 'mcp', sessionId: this.id, message, ...(streamClosable ? { streamClosable } : {}) });
  }

  /**
   * The tab's server sends nothing for a request its client cancelled, so the client's
   * `notifications/cancelled` is where that request ends; kept, it would count against
   * `maxPending` and keep the session from idling out.
   */
  private clientCancelled(requestId: RequestId): void {
    const request = this.pending.get(requestId);
    if (!request) return;
    this.pending.delete(requestId);
    this.finished(request, 'cancelled');
    this.closeBooks(requestId, 'cancelled by the client');
  }

  /**
   * Ends a request the tab will not answer in the SDK transport too: it keeps every request id
   * (and the stream it came on) until that request is answered, so a request cancelled and never
   * answered would stay for as long as the session. The client stopped waiting; it ignores this.
   */
  private closeBooks(requestId: RequestId, reason: string): void {
    void this.replyError(requestId, CANCELLED_ERROR_CODE, `Request cancelled: ${reason}`);
  }

  awaits(message: JSONRPCMessage): boolean {
    if (!isJSONRPCResultResponse(message) && !isJSONRPCErrorResponse(message)) return false;
    return message.id !== undefined && (this.pending.has(message.id) || this.replayIds.has(String(message.id)));
  }

  /** The client opened its GET stream: from now on, messages for it are kept for resumption. */
  standaloneStreamOpened(): void {
    this.hasStandaloneStream = true;
  }

  /** Tab -> client. */
  fromTab(message: JSONRPCMessage, relatedRequestId: RequestId | undefined): void {
    this.lastActivity = Date.now();
    const isResponse = isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message);
    if (!isResponse && relatedRequestId === undefined && !this.hasStandaloneStream) return;
    if (isResponse) {
      if (typeof message.id === 'string' && this.replayIds.delete(message.id)) {
        if (isJSONRPCErrorResponse(message)) {
          this.logger.warn({ error: message.error }, 'tab refused the replayed initialize');
        }
        return;
      }
      const request = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!request) return;
      this.pending.delete(message.id as RequestId);
      this.finished(request, isJSONRPCResultResponse(message) ? 'ok' : 'error');
      if (request.method === 'initialize' && isJSONRPCResultResponse(message)) {
        const result = message.result;
        this.negotiatedProtocolVersion = isSpecType.InitializeResult(result) ? result.protocolVersion : undefined;
      }
    }
    this.deliver(message, relatedRequestId);
  }

  /** A (re)connected tab gets this session re-created: open it and replay the client's `initialize`. */
  tabAttached(): void {
    if (!this.initializeRequest) return;
    this.host.send({ type: 'session-open', sessionId: this.id, client: this.client });
    // A random id the relay remembers: a client request can use any id, even this prefix, and
    // must still get its answer.
    const id = `${REPLAY_ID_PREFIX}${randomUUID()}`;
    this.replayIds.add(id);
    const replay: JSONRPCRequest = { ...(JSON.parse(this.initializeRequest) as JSONRPCRequest), id };
    this.host.send({ type: 'mcp', sessionId: this.id, message: replay });
    this.host.send({
      type: 'mcp',
      sessionId: this.id,
      message: { jsonrpc: '2.0', method: 'notifications/initialized' },
    });
  }

  /** The tab went away: every request it was handling fails now, with a reason. */
  tabDetached(reason: string): void {
    this.replayIds.clear();
    const failed = [...this.pending.entries()];
    this.pending.clear();
    for (const [id, request] of failed) {
      const { method } = request;
      this.finished(request, 'tab_disconnected');
      this.metrics.relayError('tab_disconnected');
      this.replyError(id, RELAY_ERROR_CODES.tabDisconnected, tabWentAway(reason, method));
    }
  }

  /** Tells the tab a client abandoned these requests, so their tool handlers are aborted. */
  cancel(requestIds: Iterable<RequestId>, reason: string): void {
    for (const requestId of requestIds) {
      if (this.cancelAtTab(requestId, reason, 'cancelled')) this.closeBooks(requestId, reason);
    }
  }

  /**
   * The tab asks to close the client's stream for a request mid-call (SEP-1699 polling). The
   * client resumes with `Last-Event-ID` and gets the rest from the event store; the call goes on.
   */
  closeStream(requestId: RequestId): void {
    const request = this.pending.get(requestId);
    if (!request?.closeStream) {
      this.logger.debug({ requestId }, 'tab asked to close a stream the client cannot resume; kept open');
      return;
    }
    request.polling = true;
    request.closeStream();
  }

  /**
   * The client closed the stream these requests were answered on. Unless it resumes (GET with
   * Last-Event-ID) within `graceMs`, the tab is told to abort them: nobody will read the result.
   */
  abandonLater(requestIds: RequestId[], graceMs: number): void {
    const open = requestIds.filter((id) => this.pending.has(id) && !this.pending.get(id)!.polling);
    if (open.length === 0) return;
    const timer = setTimeout(() => {
      this.abandonTimers.delete(timer);
      this.cancel(open, 'the client closed its stream');
    }, graceMs);
    this.abandonTimers.add(timer);
  }

  /** The client reconnected to resume a stream: keep its requests running. */
  resumed(): void {
    for (const timer of this.abandonTimers) clearTimeout(timer);
    this.abandonTimers.clear();
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.resumed();
    this.cancel([...this.pending.keys()], reason);
    this.host.send({ type: 'session-close', sessionId: this.id, reason });
    this.logger.info({ reason }, 'session closed');
    this.onClosed(this);
    this.transport.close().catch(() => undefined);
  }

  /** The relay is going away: every request still in flight is answered with `code` now. */
  failPending(code: number, error: string | VialError, outcome: RequestOutcome): Promise<void> {
    return this.abort([...this.pending.keys()], code, error, outcome);
  }

  /**
   * The relay dropped a response stream whose client left more than `clientBufferBytes` unread.
   * Its requests are cancelled at the tab, so their tools stop, and answered with an error that a
   * client resuming the stream (Last-Event-ID) finds in the event store.
   */
  private streamDropped(requestIds: RequestId[], requestId: unknown, unsentBytes: number): void {
    this.metrics.clientStreamDropped();
    this.logger.warn(
      {
        requestId,
        unsentBytes,
        limitBytes: this.clientBufferBytes,
        cancelled: requestIds.filter((id) => this.pending.has(id)),
      },
      'client left its response stream unread past VIAL_CLIENT_BUFFER_BYTES; dropped the stream',
    );
    void this.abort(requestIds, LIMIT_ERROR_CODE, clientBufferFull(this.clientBufferBytes), 'client_buffer_full', {
      limit: 'client-buffer',
      setting: 'VIAL_CLIENT_BUFFER_BYTES',
      max: this.clientBufferBytes,
    });
  }

  /** Cancels these requests at the tab and answers each with an error of the relay's own. */
  private abort(
    requestIds: RequestId[],
    code: number,
    error: string | VialError,
    outcome: RequestOutcome,
    data?: Record<string, unknown>,
  ): Promise<void> {
    const reason = typeof error === 'string' ? error : error.message;
    const aborted = requestIds.filter((id) => this.cancelAtTab(id, reason, outcome));
    return Promise.all(aborted.map((id) => this.replyError(id, code, error, data))).then(() => undefined);
  }

  /** Forgets a pending request and tells the tab to abort it; false if it was not pending. */
  private cancelAtTab(requestId: RequestId, reason: string, outcome: RequestOutcome): boolean {
    const request = this.pending.get(requestId);
    if (!request) return false;
    this.pending.delete(requestId);
    this.finished(request, outcome);
    this.host.send({
      type: 'mcp',
      sessionId: this.id,
      message: { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId, reason } },
    });
    return true;
  }

  private finished(request: PendingRequest, outcome: RequestOutcome): void {
    this.metrics.requestFinished(request.method, outcome, 'legacy');
    if (request.method === 'tools/call') {
      this.metrics.toolCallLatency((performance.now() - request.startedAt) / 1000, outcome);
    }
  }

  private replyError(
    id: RequestId,
    code: number,
    error: string | VialError,
    data?: Record<string, unknown>,
  ): Promise<void> {
    return this.deliver({ jsonrpc: '2.0', id, error: jsonRpcError(code, error, data) }, undefined);
  }

  private deliver(message: JSONRPCMessage, relatedRequestId: RequestId | undefined): Promise<void> {
    const options = relatedRequestId === undefined ? undefined : { relatedRequestId };
    return this.transport.send(message, options).catch((error: unknown) => {
      // The client stopped listening (closed its stream); nothing is left to deliver to.
      this.logger.debug({ err: error }, 'could not deliver to client');
    });
  }
}
