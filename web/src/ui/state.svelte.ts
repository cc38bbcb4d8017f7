/**
 * The runtime state the views share, as Svelte runes: relay status, MCP URL, tokens, client
 * sessions and the calls in flight. Views read it and call its methods; the work itself is done
 * by the host runtime, the same code the MCP tools and the Node tests use.
 */
import type { StoredToken } from '../server/identity.ts';
import type { ActivityEvent } from '../server/toolRegistry.ts';
import type { ConnectionStatus } from '../server/relayConnection.ts';
import type { ClientSessionView, HostRuntime, MintTokenRequest } from '../server/runtime.ts';

export interface FreshToken {
  token: string;
  record: StoredToken;
}

export class AppState {
  status: ConnectionStatus = $state.raw({ state: 'connecting', attempt: 0 });
  /** The last URL the relay gave this host; it is stable, so it stays shown while offline. */
  mcpUrl: string | undefined = $state();
  tokens: StoredToken[] = $state.raw([]);
  sessions: ClientSessionView[] = $state.raw([]);
  /** Calls running or waiting for approval now; finished ones are read from the audit log. */
  liveCalls: ActivityEvent[] = $state.raw([]);
  /** A token just minted: shown once, then gone for good. */
  freshToken: FreshToken | undefined = $state.raw();
  minting = $state(false);
  mintError: string | undefined = $state();
  startError: string | undefined = $state();
  /** Why the enrolment code or link the person gave was not taken (the form shows it). */
  enrolmentError: string | undefined = $state();
  /** When an offline tab tries the relay again, and a clock to count down to it. */
  retryAt: number | undefined = $state();
  now = $state(Date.now());

  private ticker: ReturnType<typeof setInterval> | undefined;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly runtime: HostRuntime) {}

  async start(): Promise<void> {
    this.unsubscribe.push(
      this.runtime.on('status', (status) => this.setStatus(status)),
      this.runtime.on('tokens', (tokens) => (this.tokens = tokens)),
      this.runtime.on('sessions', (sessions) => (this.sessions = sessions)),
      this.runtime.on('activity', (event) => this.track(event)),
    );
    try {
      await this.runtime.start();
      this.tokens = this.runtime.listTokens();
    } catch (error) {
      this.startError = `Vial could not start: ${(error as Error).message}. IndexedDB must be available (it is not in some private windows).`;
    }
  }

  dispose(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    clearInterval(this.ticker);
  }

  async mintToken(request: MintTokenRequest): Promise<FreshToken | undefined> {
    this.minting = true;
    this.mintError = undefined;
    try {
      this.freshToken = await this.runtime.mintToken(request);
      return this.freshToken;
    } catch (error) {
      this.mintError = (error as Error).message;
      return undefined;
    } finally {
      this.minting = false;
    }
  }

  dismissFreshToken(): void {
    this.freshToken = undefined;
  }

  async revokeToken(tokenId: string): Promise<void> {
    if (this.freshToken?.record.id === tokenId) this.freshToken = undefined;
    await this.runtime.revokeToken(tokenId);
  }

  /** After another tab took this host over: take it back (the other tab goes quiet). */
  async reclaimHost(): Promise<void> {
    this.runtime.stop();
    await this.runtime.start();
  }

  /** Redeems an enrolment code or link on this relay: kept, then the tab reconnects with it. */
  async enrol(text: string): Promise<void> {
    const input = await this.runtime.enrol(text).catch((error: unknown) => ({
      ok: false as const,
      error: `Could not keep the code: ${(error as Error).message}`,
    }));
    this.enrolmentError = input.ok ? undefined : input.error;
  }

  private setStatus(status: ConnectionStatus): void {
    this.status = status;
    if (status.state === 'online') this.mcpUrl = status.mcpUrl;
    clearInterval(this.ticker);
    this.ticker = undefined;
    this.retryAt = undefined;
    if (status.state === 'offline') {
      this.now = Date.now();
      this.retryAt = this.now + status.retryInMs;
      this.ticker = setInterval(() => (this.now = Date.now()), 500);
    }
  }

  /** A call is reported when it starts, while it waits and when it ends: it is live until it ends. */
  private track(event: ActivityEvent): void {
    const others = this.liveCalls.filter((row) => row.id !== event.id);
    this.liveCalls = event.outcome === 'running' || event.outcome === 'waiting' ? [event, ...others] : others;
  }
}
