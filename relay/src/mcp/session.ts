/**
 * One remote client's MCP session. The SDK's Streamable HTTP transport terminates HTTP (SSE,
 * session ids, protocol versions, resumability); this class forwards its JSON-RPC traffic to
 * whichever tab currently serves the host, and answers for the tab when it is away.
 */
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  isInitializeRequest,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { RELAY_ERROR_CODES, type ClientIdentity } from '@vial/shared';
import type { Logger } from '../log.ts';
import type { Host, HostSessionHooks } from '../hosts/registry.ts';

/** Ids of the `initialize` requests the relay replays to a reloaded tab; never clash with client ids. */
const REPLAY_ID_PREFIX = 'vial-replay-';

export interface ClientSessionOptions {
  id: string;
  host: Host;
  client: ClientIdentity;
  transport: StreamableHTTPServerTransport;
  logger: Logger;
  /** Called once the session is over, so its owner can forget it. */
  onClosed: (session: ClientSession) => void;
}

export class ClientSession implements HostSessionHooks {
  readonly id: string;
  readonly tokenId: string;
  readonly transport: StreamableHTTPServerTransport;
  lastActivity = Date.now();
  private readonly host: Host;
  private readonly client: ClientIdentity;
  private readonly logger: Logger;
  private readonly onClosed: (session: ClientSession) => void;
  /** Client requests the tab has not answered yet. */
  private readonly pending = new Map<RequestId, string>();
  /** Timers that cancel requests whose client closed its stream, unless it resumes first. */
  private readonly abandonTimers = new Set<ReturnType<typeof setTimeout>>();
  private initializeRequest: JSONRPCRequest | undefined;
  private replayCount = 0;
  private closed = false;

  constructor(options: ClientSessionOptions) {
    this.id = options.id;
    this.host = options.host;
    this.client = options.client;
    this.tokenId = options.client.tokenId;
    this.transport = options.transport;
    this.logger = options.logger.child({ hostId: options.host.id, sessionId: options.id });
    this.onClosed = options.onClosed;
    this.transport.onmessage = (message) => this.fromClient(message);
    this.transport.onerror = (error) => this.logger.debug({ err: error }, 'transport error');
    this.transport.onclose = () => this.close('session ended');
  }

  get hostId(): string {
    return this.host.id;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Client -> tab. Requests that cannot reach a tab are answered at once. */
  fromClient(message: JSONRPCMessage): void {
    this.lastActivity = Date.now();
    if (isJSONRPCRequest(message)) {
      if (isInitializeRequest(message)) {
        this.initializeRequest = message;
        this.host.send({ type: 'session-open', sessionId: this.id, client: this.client });
      }
      if (!this.host.online) {
        const replied = this.replyError(message.id, RELAY_ERROR_CODES.tabOffline, offlineMessage(this.host.id));
        // A session whose initialize failed is of no use to anyone: forget it once the error is out.
        if (isInitializeRequest(message)) void replied.then(() => this.close('initialize failed: tab offline'));
        return;
      }
      this.pending.set(message.id, message.method);
    }
    this.host.send({ type: 'mcp', sessionId: this.id, message });
  }

  /** Tab -> client. */
  fromTab(message: JSONRPCMessage, relatedRequestId: RequestId | undefined): void {
    this.lastActivity = Date.now();
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
      if (typeof message.id === 'string' && message.id.startsWith(REPLAY_ID_PREFIX)) {
        if (isJSONRPCErrorResponse(message)) {
          this.logger.warn({ error: message.error }, 'tab refused the replayed initialize');
        }
        return;
      }
      if (message.id === undefined || !this.pending.delete(message.id)) return;
    }
    this.deliver(message, relatedRequestId);
  }

  /** A (re)connected tab gets this session re-created: open it and replay the client's `initialize`. */
  tabAttached(): void {
    if (!this.initializeRequest) return;
    this.host.send({ type: 'session-open', sessionId: this.id, client: this.client });
    const replay: JSONRPCRequest = { ...this.initializeRequest, id: `${REPLAY_ID_PREFIX}${++this.replayCount}` };
    this.host.send({ type: 'mcp', sessionId: this.id, message: replay });
    this.host.send({
      type: 'mcp',
      sessionId: this.id,
      message: { jsonrpc: '2.0', method: 'notifications/initialized' },
    });
  }

  /** The tab went away: every request it was handling fails now, with a reason. */
  tabDetached(reason: string): void {
    const failed = [...this.pending.entries()];
    this.pending.clear();
    for (const [id, method] of failed) {
      this.replyError(
        id,
        RELAY_ERROR_CODES.tabDisconnected,
        `The Vial tab went away (${reason}) while handling '${method}'. The session is kept: retry once the tab is back.`,
      );
    }
  }

  /** Tells the tab a client abandoned these requests, so their tool handlers are aborted. */
  cancel(requestIds: Iterable<RequestId>, reason: string): void {
    for (const requestId of requestIds) {
      if (!this.pending.has(requestId)) continue;
      this.pending.delete(requestId);
      this.host.send({
        type: 'mcp',
        sessionId: this.id,
        message: { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId, reason } },
      });
    }
  }

  /**
   * The client closed the stream these requests were answered on. Unless it resumes (GET with
   * Last-Event-ID) within `graceMs`, the tab is told to abort them: nobody will read the result.
   */
  abandonLater(requestIds: RequestId[], graceMs: number): void {
    const open = requestIds.filter((id) => this.pending.has(id));
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

  private replyError(id: RequestId, code: number, message: string): Promise<void> {
    return this.deliver({ jsonrpc: '2.0', id, error: { code, message } }, undefined);
  }

  private deliver(message: JSONRPCMessage, relatedRequestId: RequestId | undefined): Promise<void> {
    const options = relatedRequestId === undefined ? undefined : { relatedRequestId };
    return this.transport.send(message, options).catch((error: unknown) => {
      // The client stopped listening (closed its stream); nothing is left to deliver to.
      this.logger.debug({ err: error }, 'could not deliver to client');
    });
  }
}

export function offlineMessage(hostId: string): string {
  return `The Vial tab for host ${hostId} is offline. Open the Vial web app in a browser on the machine that owns this host to bring its tools back; this session resumes automatically.`;
}
