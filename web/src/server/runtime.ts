/**
 * The host runtime: what turns a tab (or a Node process, in tests and benchmarks) into an MCP
 * server reachable through the relay. It owns the relay connection, one `McpServer` per client
 * session, and the host's tokens.
 */
import type { JSONRPCMessage, McpServer } from '@modelcontextprotocol/server';
import {
  hashToken,
  inAudience,
  mintTokenValue,
  VIAL_VERSION,
  type ClientIdentity,
  type HostEvent,
  type HostEventAudience,
  type RelayFrame,
  type Scope,
  type TokenRecord,
} from '@vial/shared';
import { ApprovalQueue } from './approvals.ts';
import { AuditLog, MemoryAuditStore, type AuditCall } from '../audit/auditLog.ts';
import { CallGate } from './callGate.ts';
import { readEnrolmentInput, type EnrolmentInput } from './enrolment.ts';
import { RelayLlmGateway, type LlmGateway } from '../llm/gateway.ts';
import {
  loadOrCreateIdentity,
  type HostAdmission,
  type HostIdentity,
  type HostStore,
  type StoredToken,
} from './identity.ts';
import { OAuthConsents } from './oauthConsents.ts';
import { MemoryPermissionStore, Permissions } from './permissions.ts';
import { RelayConnection, type ConnectionStatus, type SocketLike } from './relayConnection.ts';
import type {
  ActivityEvent,
  HostServices,
  PublishChange,
  ToolDefinition,
  ToolPack,
  ToolRegistry,
} from './toolRegistry.ts';
import { loadSessionCode, type SessionCode } from './sessionCode.ts';
import type { SessionTransport } from './sessionTransport.ts';
import type { ModernRequests } from './modernRequests.ts';
import { ToolError } from './toolError.ts';

export interface HostRuntimeOptions {
  relayUrl: string;
  registry: ToolRegistry;
  store: HostStore;
  /**
   * Packs the relay may switch on by name (`VIAL_FIXTURES`), e.g. the conformance fixtures, each
   * loaded only when the relay names it, so test-only code stays out of the tab's first download.
   */
  fixturePacks?: Record<string, () => Promise<ToolPack>>;
  createSocket?: (url: string) => SocketLike;
  backoff?: { initialMs: number; maxMs: number };
  /** The tab's policy (IndexedDB-backed in the browser); defaults to the default policy in memory. */
  permissions?: Permissions;
  approvals?: ApprovalQueue;
  /** Where finished calls are logged (IndexedDB in the browser); defaults to memory. */
  audit?: AuditLog;
}

export interface ClientSessionView {
  sessionId: string;
  client: ClientIdentity;
  openedAt: number;
}

export interface MintTokenRequest {
  name: string;
  scopes: Scope[];
  /** Lifetime in milliseconds; omit for a token that never expires. */
  expiresInMs?: number;
}

/**
 * Writes a call to the audit log: once it has ended, and, for a signing call the person approved,
 * also as it starts (or when the tool notes a step, such as a transaction it broadcast). Those
 * `started` entries resolve once stored, and the call waits for them: a tab closed mid-call still
 * leaves the evidence. An ended call is logged off its path; a lost entry is reported, never fatal.
 */
export function auditFinishedCall(audit: AuditLog, event: ActivityEvent, input: unknown): Promise<void> | undefined {
  if (event.outcome === 'waiting') return undefined;
  const call: AuditCall = {
    at: event.startedAt,
    sessionId: event.sessionId,
    client: event.client,
    clientId: event.clientId,
    ...(event.app === undefined ? {} : { app: event.app }),
    tool: event.tool,
    arguments: input,
    outcome: event.outcome === 'running' ? 'started' : event.outcome,
    durationMs: event.durationMs ?? 0,
    callId: `${event.sessionId}/${event.id}`,
    ...(event.access === undefined ? {} : { access: event.access }),
    ...(event.scopes === undefined ? {} : { scopes: [...event.scopes] }),
    ...(event.detail === undefined ? {} : { detail: event.detail }),
  };
  if (event.outcome === 'running') {
    if (event.access !== 'sign' && event.detail === undefined) return undefined;
    return audit.append({ ...call, detail: event.detail ?? 'approved in the tab; running' }).then(
      () => undefined,
      (error: unknown) => {
        throw new ToolError(
          `${event.tool} did not run: the audit log could not record it (${(error as Error).message})`,
          {
            hints: ['Nothing was signed or sent. Check that the browser has storage space for this site, then retry.'],
          },
        );
      },
    );
  }
  audit.append(call).catch((error: unknown) => {
    // The call itself has finished; losing its log entry must be visible, not fatal.
    console.error(`Vial: could not append ${event.tool} to the audit log: ${(error as Error).message}`);
  });
  return undefined;
}

/** What the UI can subscribe to. */
export interface RuntimeEvents {
  status: ConnectionStatus;
  activity: ActivityEvent;
  sessions: ClientSessionView[];
  tokens: StoredToken[];
}

interface LiveSession extends ClientSessionView {
  server: McpServer;
  transport: SessionTransport;
}

export class HostRuntime {
  status: ConnectionStatus = { state: 'connecting', attempt: 0 };
  readonly gate: CallGate;
  readonly audit: AuditLog;
  readonly llm: LlmGateway;
  /** OAuth clients asking this host's person for consent, and the grants given (relay frames). */
  readonly oauth = new OAuthConsents(
    (frame) => this.status.state === 'online' && (this.connection?.send(frame) ?? false),
    (grants) => this.options.store.saveOAuthGrants(grants),
  );
  private identity: HostIdentity | undefined;
  private tokens: StoredToken[] = [];
  private admission: HostAdmission = {};
  private connection: RelayConnection | undefined;
  /** The MCP server code and the fixture packs the relay switched on, once loaded. */
  private sessionCode: SessionCode | undefined;
  /** Frames that arrive while that code loads wait here, in order; undefined once it is in. */
  private framesWaitingForCode: RelayFrame[] | undefined;
  /** Bumped by every load and every disconnect, so a load that finishes late changes nothing. */
  private codeLoad = 0;
  private readonly sessions = new Map<string, LiveSession>();
  /** The 2026-07-28 era's requests, served once the session code is in. */
  private modern: ModernRequests | undefined;
  /** Stops the packs' watches (`ToolPack.watch`), kept while the runtime runs. */
  private unwatch: Array<() => void> = [];
  private readonly listeners: { [K in keyof RuntimeEvents]: Set<(value: RuntimeEvents[K]) => void> } = {
    status: new Set(),
    activity: new Set(),
    sessions: new Set(),
    tokens: new Set(),
  };

  constructor(private readonly options: HostRuntimeOptions) {
    const permissions = options.permissions ?? new Permissions(new MemoryPermissionStore());
    this.gate = new CallGate(
      permissions,
      options.approvals ?? new ApprovalQueue({ timeoutMs: () => permissions.approvalTimeoutMs() }),
    );
    this.audit = options.audit ?? new AuditLog(new MemoryAuditStore());
    this.llm = new RelayLlmGateway(
      options.relayUrl,
      () => (this.status.state === 'online' ? this.status.llmKey : undefined),
      () => this.whyNoLlmKey(),
    );
    // A pack added while clients are connected changes every list they have.
    options.registry.onChange((pack) => {
      if (this.connection) this.unwatch.push(this.watch(pack));
      for (const kind of ['tools_list_changed', 'resources_list_changed', 'prompts_list_changed'] as const) {
        this.publish({ kind });
      }
    });
  }

  async start(): Promise<void> {
    await this.gate.permissions.load();
    this.identity = await loadOrCreateIdentity(this.options.store);
    this.tokens = await this.options.store.loadTokens();
    this.admission = await this.options.store.loadAdmission();
    this.oauth.load(await this.options.store.loadOAuthGrants());
    this.unwatch = this.options.registry.packsWith().map((pack) => this.watch(pack));
    this.connection = new RelayConnection({
      relayUrl: this.options.relayUrl,
      identity: this.identity,
      tokens: () => this.tokenRecords(),
      oauthGrants: () => this.oauth.kept(),
      admission: () => this.admission,
      onAdmitted: (ticket) => void this.admitted(ticket),
      onFrame: (frame) => this.onFrame(frame),
      onStatus: (status) => this.setStatus(status),
      createSocket: this.options.createSocket,
      backoff: this.options.backoff,
    });
    this.connection.start();
  }

  /** Disconnects from the relay (like closing the tab) and ends every session here. */
  stop(): void {
    this.connection?.stop();
    for (const stop of this.unwatch.splice(0)) stop();
    for (const sessionId of [...this.sessions.keys()]) this.closeSession(sessionId);
    this.gate.approvals.closeAll('the tab stopped serving');
  }

  get hostId(): string {
    if (!this.identity) throw new Error('host runtime not started');
    return this.identity.hostId;
  }

  get mcpUrl(): string | undefined {
    return this.status.state === 'online' ? this.status.mcpUrl : undefined;
  }

  /** Resolves once the relay has accepted this host. */
  whenOnline(timeoutMs = 10_000): Promise<string> {
    if (this.status.state === 'online') return Promise.resolve(this.status.mcpUrl);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`relay did not accept the host within ${timeoutMs} ms (last status: ${this.status.state})`));
      }, timeoutMs);
      const off = this.on('status', (status) => {
        if (status.state === 'online') resolve(status.mcpUrl);
        else if (status.state === 'not-admitted') reject(new Error(`relay did not admit the host: ${status.reason}`));
        else return;
        clearTimeout(timer);
        off();
      });
    });
  }

  /** The tools this host serves to every client (fixture packs aside), for the Settings view. */
  listTools(): ToolDefinition[] {
    return this.options.registry.tools();
  }

  listTokens(): StoredToken[] {
    return [...this.tokens];
  }

  listSessions(): ClientSessionView[] {
    return [...this.sessions.values()].map(({ sessionId, client, openedAt }) => ({ sessionId, client, openedAt }));
  }

  /** Mints a client token. The token itself is returned once and never stored: only its hash is. */
  async mintToken(request: MintTokenRequest): Promise<{ token: string; record: StoredToken }> {
    const name = request.name.trim();
    if (!name) throw new Error('a token needs a name, e.g. the client it is for ("Claude Code")');
    const token = mintTokenValue();
    const now = Date.now();
    const record: StoredToken = {
      id: crypto.randomUUID(),
      name,
      hash: await hashToken(token),
      scopes: [...new Set(request.scopes)],
      expiresAt: request.expiresInMs === undefined ? null : now + request.expiresInMs,
      createdAt: now,
    };
    await this.saveTokens([...this.tokens, record]);
    return { token, record };
  }

  async revokeToken(tokenId: string): Promise<void> {
    await this.saveTokens(this.tokens.filter((token) => token.id !== tokenId));
  }

  /**
   * Keeps an enrolment code (pasted alone or inside its enrolment link) for the relay to redeem,
   * and reconnects with it if the tab is running. Input that is no code is refused, with why.
   */
  async enrol(text: string): Promise<EnrolmentInput> {
    const input = readEnrolmentInput(text, this.options.relayUrl);
    if (!input.ok) return input;
    // Before start, what is saved is all there is (a ticket among it, to keep).
    const current = this.connection ? this.admission : await this.options.store.loadAdmission();
    await this.saveAdmission({ ...current, enrolment: input.code });
    if (this.connection) {
      this.connection.stop();
      this.connection.start();
    }
    return input;
  }

  /**
   * Tells the clients in `audience` (all, if none) that what this host serves changed: listen
   * streams of the 2026-07-28 era through the relay (a `server-event` frame), and each 2025
   * session with the notification itself. Sessions take no `resources/subscribe`, so a resource
   * update reaches listen streams only.
   */
  readonly publish: PublishChange = (event: HostEvent, audience?: HostEventAudience): void => {
    if (this.status.state === 'online') {
      this.connection?.send({ type: 'server-event', event, ...(audience === undefined ? {} : { audience }) });
    }
    for (const { client, server } of this.sessions.values()) {
      if (inAudience(client.tokenId, client.scopes, audience)) notifySession(server, event);
    }
  };

  /** Has `pack` publish the changes it sees (`ToolPack.watch`); returns how to stop. */
  private watch(pack: ToolPack): () => void {
    return pack.watch?.(this.publish) ?? (() => undefined);
  }

  measureRelayRtt(): Promise<number | undefined> {
    return this.connection?.measureRtt() ?? Promise.resolve(undefined);
  }

  on<K extends keyof RuntimeEvents>(event: K, listener: (value: RuntimeEvents[K]) => void): () => void {
    const set = this.listeners[event] as Set<(value: RuntimeEvents[K]) => void>;
    set.add(listener);
    return () => set.delete(listener);
  }

  /** What the relay is told about the tokens: their records without the tab's own bookkeeping. */
  private tokenRecords(): TokenRecord[] {
    return this.tokens.map(({ createdAt: _createdAt, ...record }) => record);
  }

  private async saveTokens(tokens: StoredToken[]): Promise<void> {
    await this.options.store.saveTokens(tokens);
    this.tokens = tokens;
    if (this.connection?.send({ type: 'tokens', tokens: this.tokenRecords() })) {
      // The relay handles frames in order: once this ping is answered, it knows the new token list.
      await this.connection.measureRtt();
    }
    this.emit('tokens', this.listTokens());
  }

  private whyNoLlmKey(): string {
    const status = this.status;
    if (status.state === 'online') {
      return "LLM tools are not available on this relay for this host: the relay's operator has not granted it LLM access";
    }
    if (status.state === 'not-admitted') {
      return `The relay has not admitted this host (${status.reason}), so its LLM gateway is out of reach`;
    }
    return `The tab is not connected to the relay (${status.state}), so it cannot reach the LLM gateway`;
  }

  private async saveAdmission(admission: HostAdmission): Promise<void> {
    await this.options.store.saveAdmission(admission);
    this.admission = admission;
  }

  /** The relay took this host: keep the ticket it handed out, and drop the code, which has served. */
  private async admitted(ticket: string | undefined): Promise<void> {
    const kept = ticket ?? this.admission.ticket;
    if (kept === this.admission.ticket && this.admission.enrolment === undefined) return;
    // Kept in memory even if saving fails: this tab reconnects with the ticket, and only after a
    // reload would it need a new code.
    this.admission = kept === undefined ? {} : { ticket: kept };
    await this.options.store.saveAdmission(this.admission).catch((error: unknown) => {
      console.error(`Vial: could not save this host's admission ticket: ${(error as Error).message}`);
    });
  }

  private setStatus(status: ConnectionStatus): void {
    this.status = status;
    if (status.state === 'online') this.loadSessionCode(status.fixtures);
    else {
      this.codeLoad++;
      this.framesWaitingForCode = undefined;
      this.modern?.abortAll();
      this.modern = undefined;
      this.oauth.disconnected();
      for (const sessionId of [...this.sessions.keys()]) this.closeSession(sessionId);
    }
    this.emit('status', status);
  }

  /**
   * Loads the code that serves sessions, with the fixture packs the relay named. Sessions must
   * see them from their first message, so the relay's frames wait until they are in. Without the
   * code this tab cannot serve anyone: it disconnects and says to reload.
   */
  private loadSessionCode(fixtureNames: string[]): void {
    const load = ++this.codeLoad;
    const waiting: RelayFrame[] = [];
    this.framesWaitingForCode = waiting;
    loadSessionCode(fixtureNames, this.options.fixturePacks ?? {}).then(
      (code) => {
        if (load !== this.codeLoad) return;
        this.sessionCode = code;
        this.serveModernRequests(code);
        this.framesWaitingForCode = undefined;
        for (const frame of waiting) this.onFrame(frame);
      },
      (error: unknown) => {
        if (load !== this.codeLoad) return;
        this.connection?.stop();
        this.setStatus({
          state: 'rejected',
          reason: `This tab could not load the code that serves MCP clients (${(error as Error).message}). Reload the page.`,
        });
      },
    );
  }

  private onFrame(frame: RelayFrame): void {
    // Consents and grants need no session code: they reach the person at once.
    if (frame.type === 'oauth-consent' || frame.type === 'oauth-consent-closed' || frame.type === 'oauth-grants') {
      return this.oauth.receive(frame);
    }
    if (this.framesWaitingForCode) {
      this.framesWaitingForCode.push(frame);
      return;
    }
    switch (frame.type) {
      case 'session-open':
        return this.openSession(frame.sessionId, frame.client);
      case 'session-close':
        return this.closeSession(frame.sessionId);
      case 'mcp':
        return this.sessions
          .get(frame.sessionId)
          ?.transport.receive(frame.message as JSONRPCMessage, { streamClosable: frame.streamClosable });
      case 'http-request':
        return void this.modern?.serve(frame);
      case 'http-abort':
        return this.modern?.abort(frame.id);
      case 'error':
        console.warn(`Vial relay reported: ${frame.message}`);
        return;
      default:
        return;
    }
  }

  /** The server one client session (or one modern request) talks to, with every pack's tools. */
  private createServer(code: SessionCode, sessionId: string, client: ClientIdentity, onlyTool?: string): McpServer {
    const services: HostServices = {
      hostId: this.hostId,
      measureRelayRtt: () => this.measureRelayRtt(),
      audit: this.audit,
      llm: this.llm,
      changed: this.publish,
    };
    return code.createSessionServer(
      this.options.registry.packsWith(code.fixturePacks),
      {
        sessionId,
        client,
        services,
        gate: this.gate,
        report: (event, input) => this.report(event, input),
      },
      onlyTool,
    );
  }

  /**
   * Starts serving modern requests and tells the relay what `server/discover` should say: this
   * host's server identity, capabilities and instructions (as a session server has them).
   */
  private serveModernRequests(code: SessionCode): void {
    const connection = this.connection!;
    this.modern = new code.ModernRequests({
      send: (frame) => connection.send(frame),
      createServer: (client, requestId, tool) => this.createServer(code, requestId, client, tool),
    });
    const probe = this.createServer(code, 'host-info', { tokenId: 'host-info', tokenName: 'host-info', scopes: [] });
    const capabilities = probe.server.getCapabilities();
    connection.send({
      type: 'host-info',
      serverInfo: { name: 'vial', version: VIAL_VERSION },
      // The relay serves `subscriptions/listen` with resource updates this tab publishes (`publish`).
      capabilities: { ...capabilities, resources: { ...capabilities.resources, subscribe: true } },
      instructions: code.instructions,
    });
    void probe.close();
  }

  private openSession(sessionId: string, client: ClientIdentity): void {
    this.closeSession(sessionId);
    const connection = this.connection!;
    // Frames wait for the code while it loads, so a session only opens once it is in.
    const code = this.sessionCode!;
    const { SessionTransport } = code;
    const server = this.createServer(code, sessionId, client);
    const transport = new SessionTransport(
      sessionId,
      (message, relatedRequestId) => connection.send({ type: 'mcp', sessionId, message, relatedRequestId }),
      (requestId) => connection.send({ type: 'close-sse-stream', sessionId, requestId }),
    );
    this.sessions.set(sessionId, { sessionId, client, openedAt: Date.now(), server, transport });
    void server.connect(transport);
    this.emit('sessions', this.listSessions());
  }

  /** Shows a call in the Activity feed and writes it to the audit log (see `auditFinishedCall`). */
  private report(event: ActivityEvent, input: unknown): Promise<void> | undefined {
    this.emit('activity', event);
    return auditFinishedCall(this.audit, event, input);
  }

  private closeSession(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    this.sessions.delete(sessionId);
    void session.server.close();
    this.emit('sessions', this.listSessions());
  }

  private emit<K extends keyof RuntimeEvents>(event: K, value: RuntimeEvents[K]): void {
    for (const listener of this.listeners[event] as Set<(value: RuntimeEvents[K]) => void>) listener(value);
  }
}

/** A 2025 session hears a list change as its notification; one it cannot deliver is its stream's loss only. */
function notifySession({ server }: McpServer, event: HostEvent): void {
  switch (event.kind) {
    case 'tools_list_changed':
      return void server.sendToolListChanged().catch(() => undefined);
    case 'prompts_list_changed':
      return void server.sendPromptListChanged().catch(() => undefined);
    case 'resources_list_changed':
      return void server.sendResourceListChanged().catch(() => undefined);
    case 'resource_updated':
      return;
  }
}
