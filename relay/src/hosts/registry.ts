import { hash, randomBytes } from 'node:crypto';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/server';
import type { HostEvent, HostEventAudience, RelayFrame, TokenRecord } from '@vial/shared';
import { ForwardedRequests } from '../mcp/modern/forwarded.ts';
import { HostEvents } from '../mcp/modern/hostEvents.ts';
import type { HostInfo } from '../mcp/modern/hostServer.ts';

const NO_GRANTS: ReadonlySet<string> = new Set();

/** The live socket of a tab, as the rest of the relay sees it. */
export interface TabLink {
  send(frame: RelayFrame): void;
  close(code: number, reason: string): void;
}

/** What a host's client sessions need to hear about the tab coming and going. */
export interface HostSessionHooks {
  fromTab(message: JSONRPCMessage, relatedRequestId: RequestId | undefined): void;
  /** Whether `message` answers a request this session's client is waiting on (each can be answered once). */
  awaits(message: JSONRPCMessage): boolean;
  tabAttached(): void;
  tabDetached(reason: string): void;
  /** The tab closes the client's SSE stream for a request mid-call (SEP-1699 polling). */
  closeStream(requestId: RequestId): void;
  close(reason: string): void;
}

/**
 * A host is one Vial tab identity (the id survives reloads). Its tokens and client sessions
 * outlive any one tab connection, so a reload does not disconnect clients.
 */
export class Host {
  tokens: TokenRecord[] = [];
  /**
   * The token ids of this host's live OAuth grants (`oauth:<grantId>`), kept by relay/src/oauth.
   * Most hosts have none: they share one empty set until they do, rather than hold one each.
   */
  private grantTokenIds: ReadonlySet<string> = NO_GRANTS;
  link: TabLink | undefined;
  /** When its tab went away (`Date.now()`), for forgetting hosts whose tab does not come back. */
  offlineSince: number | undefined = Date.now();
  readonly sessions = new Map<string, HostSessionHooks & { tokenId: string }>();
  /** What the tab last said `server/discover` should answer; kept while it is away. */
  info: HostInfo | undefined;
  /**
   * Made at first use: most hosts are idle tabs that never see a modern request or a listen
   * stream, and the two hold six collections between them (some 1.4 KiB a host).
   */
  private modernRequests: ForwardedRequests | undefined;
  private listenEvents: HostEvents | undefined;

  constructor(readonly id: string) {}

  /** Modern (stateless) requests waiting on the tab. */
  get forwarded(): ForwardedRequests {
    return (this.modernRequests ??= new ForwardedRequests((frame) => this.send(frame)));
  }

  /** Changes for `subscriptions/listen` streams, which outlive any one tab connection. */
  get events(): HostEvents {
    return (this.listenEvents ??= new HostEvents());
  }

  /** Modern requests waiting on the tab now. */
  get forwardedCount(): number {
    return this.modernRequests?.size ?? 0;
  }

  /** A change the tab published: heard only by listen streams, so nothing to do while there has been none. */
  publish(event: HostEvent, audience: HostEventAudience | undefined): void {
    this.listenEvents?.publish(event, audience);
  }

  /** Every listen stream ends (the host is forgotten, the relay stops). */
  closeEvents(): void {
    this.listenEvents?.close();
  }

  get online(): boolean {
    return this.link !== undefined;
  }

  send(frame: RelayFrame): boolean {
    if (!this.link) return false;
    this.link.send(frame);
    return true;
  }

  /**
   * A tab takes the host. Calls the previous tab was running are failed now: its socket is being
   * closed, and its answers, if any came, would be dropped.
   */
  attach(link: TabLink, tokens: TokenRecord[]): void {
    if (this.link && this.link !== link) {
      for (const session of this.sessions.values()) session.tabDetached('another tab took over this host');
      this.modernRequests?.tabGone('another tab took over this host');
    }
    this.link = link;
    this.offlineSince = undefined;
    this.setTokens(tokens);
    for (const session of this.sessions.values()) session.tabAttached();
    this.listenEvents?.tabAttached();
  }

  detach(link: TabLink, reason: string): void {
    if (this.link !== link) return;
    this.link = undefined;
    this.offlineSince = Date.now();
    for (const session of this.sessions.values()) session.tabDetached(reason);
    this.modernRequests?.tabGone(reason);
  }

  /** Replaces the token list; sessions and modern requests of revoked tokens end at once. */
  setTokens(tokens: TokenRecord[]): void {
    this.tokens = tokens;
    this.endRevoked();
  }

  /** Replaces the live OAuth grants (`oauth:<grantId>` ids); a revoked grant's clients are cut off at once. */
  setGrants(tokenIds: string[]): void {
    this.grantTokenIds = tokenIds.length === 0 ? NO_GRANTS : new Set(tokenIds);
    this.endRevoked();
  }

  /** Ends the sessions, modern requests and listen streams of every id no longer live: static tokens and OAuth grants alike. */
  private endRevoked(): void {
    const live = new Set([...this.tokens.map((token) => token.id), ...this.grantTokenIds]);
    for (const session of [...this.sessions.values()]) {
      if (!live.has(session.tokenId)) session.close('token revoked');
    }
    this.modernRequests?.revoke(live);
    this.listenEvents?.revoke(live);
  }
}

export class HostRegistry {
  private readonly hosts = new Map<string, Host>();
  /** `/llm` credentials by SHA-256, with the tab connection each was issued to. */
  private readonly llmKeys = new Map<string, { host: Host; link: TabLink }>();
  private readonly llmKeyOfHost = new Map<string, string>();

  /**
   * A fresh credential for the tab on `link` to call `/llm` with; the host's previous one stops
   * working. It lasts as long as that connection: a disconnected or replaced tab's key is stale.
   */
  issueLlmKey(host: Host, link: TabLink): string {
    const key = randomBytes(32).toString('base64url');
    const hash = sha256(key);
    this.forgetLlmKey(host.id);
    this.llmKeys.set(hash, { host, link });
    this.llmKeyOfHost.set(host.id, hash);
    return key;
  }

  /** The connection `link` ended: the key it was issued dies with it. */
  revokeLlmKey(host: Host, link: TabLink): void {
    const hash = this.llmKeyOfHost.get(host.id);
    if (hash !== undefined && this.llmKeys.get(hash)?.link === link) this.forgetLlmKey(host.id);
  }

  private forgetLlmKey(hostId: string): void {
    const hash = this.llmKeyOfHost.get(hostId);
    if (hash !== undefined) this.llmKeys.delete(hash);
    this.llmKeyOfHost.delete(hostId);
  }

  /**
   * Forgets hosts whose tab has been gone for `ttlMs`, with their client sessions: a relay that
   * remembered every host id it ever saw would grow with every random secret sent to it.
   */
  forgetOffline(ttlMs: number, now = Date.now()): number {
    let forgotten = 0;
    for (const host of [...this.hosts.values()]) {
      if (host.online || host.offlineSince === undefined || now - host.offlineSince < ttlMs) continue;
      for (const session of [...host.sessions.values()]) {
        session.close(`the Vial tab of this host has been away for over ${Math.round(ttlMs / 1000)} s`);
      }
      host.closeEvents();
      this.hosts.delete(host.id);
      this.forgetLlmKey(host.id);
      forgotten++;
    }
    return forgotten;
  }

  /** The host whose live tab holds `key`, or undefined (unknown key, or its tab is gone). */
  hostForLlmKey(key: string): Host | undefined {
    const entry = this.llmKeys.get(sha256(key));
    return entry && entry.host.link === entry.link ? entry.host : undefined;
  }

  get(id: string): Host | undefined {
    return this.hosts.get(id);
  }

  getOrCreate(id: string): Host {
    let host = this.hosts.get(id);
    if (!host) {
      host = new Host(id);
      this.hosts.set(id, host);
    }
    return host;
  }

  get size(): number {
    return this.hosts.size;
  }

  *all(): IterableIterator<Host> {
    yield* this.hosts.values();
  }
}

/**
 * Keys are looked up by hash, so neither the map nor its timing holds the key itself. One-shot
 * `hash` rather than a `Hash` object: this runs on every LLM call's way to the provider.
 */
function sha256(text: string): string {
  return hash('sha256', text);
}
