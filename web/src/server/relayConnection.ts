/**
 * The tab's WebSocket to the relay: registers the host (with its admission ticket or enrolment
 * code, on a relay that admits hosts), answers heartbeats, measures the round trip, and
 * reconnects with exponential backoff and full jitter. Runs in browsers and in Node (pass the
 * `ws` package's WebSocket as `createSocket`).
 */
import {
  CLOSE_CODES,
  parseFrame,
  relayFrameSchema,
  TAB_SOCKET_PATH,
  type RelayFrame,
  type TabFrame,
  type OAuthGrantState,
  type TokenRecord,
} from '@vial/shared';
import type { HostAdmission, HostIdentity } from './identity.ts';

/** The slice of the WebSocket API used here; both the DOM's and the `ws` package's fit it. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: () => void): void;
}

export type ConnectionStatus =
  | { state: 'connecting'; attempt: number }
  /**
   * `llmKey`: this connection's credential for the relay's `/llm` gateway; none when the relay's
   * operator did not grant this host LLM access (or from older relays).
   */
  | { state: 'online'; mcpUrl: string; fixtures: string[]; llmKey?: string }
  | { state: 'offline'; retryInMs: number; reason: string }
  /** Another tab took over this host; this one stays quiet until the user reconnects it. */
  | { state: 'replaced' }
  | { state: 'rejected'; reason: string }
  /**
   * The relay admits hosts and did not admit this one (`reason` is the relay's). Reconnecting
   * cannot help, so the tab stays quiet until the person enters an enrolment code.
   */
  | { state: 'not-admitted'; reason: string };

export interface RelayConnectionOptions {
  /** The relay's base URL, e.g. `http://localhost:8787` (the socket URL is derived from it). */
  relayUrl: string;
  identity: HostIdentity;
  tokens: () => TokenRecord[];
  /** The OAuth grants the relay mirrored here, handed back on every register (a restarted relay restores them). */
  oauthGrants?: () => OAuthGrantState[];
  /** What lets this host onto a relay that admits hosts; read again on every connect. */
  admission?: () => HostAdmission;
  /**
   * The relay took this host. `ticket`: the admission ticket it handed out for the enrolment code
   * (keep it, and send it from now on: the code works once), if it did.
   */
  onAdmitted?: (ticket: string | undefined) => void;
  onFrame: (frame: RelayFrame) => void;
  onStatus: (status: ConnectionStatus) => void;
  createSocket?: (url: string) => SocketLike;
  backoff?: { initialMs: number; maxMs: number };
  rttIntervalMs?: number;
}

const OPEN = 1;

export class RelayConnection {
  private socket: SocketLike | undefined;
  private attempt = 0;
  private stopped = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private rttTimer: ReturnType<typeof setInterval> | undefined;
  private pingId = 0;
  private readonly pings = new Map<number, { sentAt: number; resolve: (rttMs: number) => void }>();
  private lastRttMs: number | undefined;
  /** The relay's last `error` frame on this socket: a refusal's whole reason, which a close reason may cut. */
  private lastError: string | undefined;

  constructor(private readonly options: RelayConnectionOptions) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.rttTimer);
    this.socket?.close(1000, 'tab closed the connection');
    this.socket = undefined;
  }

  /** Sends a frame if the socket is open; returns whether it went out. */
  send(frame: TabFrame): boolean {
    if (this.socket?.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  get rttMs(): number | undefined {
    return this.lastRttMs;
  }

  /** Measures a fresh round trip to the relay (application-level ping/pong). */
  measureRtt(timeoutMs = 2000): Promise<number | undefined> {
    const id = ++this.pingId;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pings.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.pings.set(id, {
        sentAt: performance.now(),
        resolve: (rttMs) => {
          clearTimeout(timer);
          resolve(rttMs);
        },
      });
      if (!this.send({ type: 'ping', id })) {
        clearTimeout(timer);
        this.pings.delete(id);
        resolve(undefined);
      }
    });
  }

  private connect(): void {
    const url = new URL(TAB_SOCKET_PATH, this.options.relayUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.options.onStatus({ state: 'connecting', attempt: this.attempt });
    this.lastError = undefined;
    const createSocket = this.options.createSocket ?? ((target: string) => new WebSocket(target) as SocketLike);
    const socket = createSocket(url.toString());
    this.socket = socket;

    socket.addEventListener('open', () => {
      const { hostId, secret } = this.options.identity;
      const { ticket, enrolment } = this.options.admission?.() ?? {};
      const oauthGrants = this.options.oauthGrants?.() ?? [];
      this.send({
        type: 'register',
        hostId,
        secret,
        tokens: this.options.tokens(),
        ...(ticket === undefined ? {} : { admission: ticket }),
        ...(enrolment === undefined ? {} : { enrolment }),
        ...(oauthGrants.length === 0 ? {} : { oauthGrants }),
      });
    });
    socket.addEventListener('message', (event) => this.receive(event.data));
    socket.addEventListener('error', () => undefined);
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      clearInterval(this.rttTimer);
      this.closed(event.code, event.reason);
    });
  }

  private receive(data: unknown): void {
    const parsed = parseFrame(relayFrameSchema, String(data));
    if (!parsed.ok) {
      console.warn(`Vial: ignored a frame from the relay: ${parsed.error}`);
      return;
    }
    const frame = parsed.frame;
    if (frame.type === 'ping') {
      this.send({ type: 'pong', id: frame.id });
      return;
    }
    if (frame.type === 'pong') {
      const ping = this.pings.get(frame.id);
      this.pings.delete(frame.id);
      if (ping) {
        this.lastRttMs = performance.now() - ping.sentAt;
        ping.resolve(this.lastRttMs);
      }
      return;
    }
    if (frame.type === 'error') this.lastError = frame.message;
    if (frame.type === 'registered') {
      this.attempt = 0;
      this.options.onAdmitted?.(frame.admission);
      this.options.onStatus({
        state: 'online',
        mcpUrl: frame.mcpUrl,
        fixtures: frame.fixtures,
        llmKey: frame.llmKey,
      });
      void this.measureRtt();
      const interval = this.options.rttIntervalMs ?? 15_000;
      // A relay may say `registered` more than once on one socket; one timer is enough.
      clearInterval(this.rttTimer);
      this.rttTimer = setInterval(() => void this.measureRtt(), interval);
    }
    try {
      this.options.onFrame(frame);
    } catch (error) {
      // A frame the tab cannot handle must not take the connection down with it: thrown out of a
      // socket listener, it is an uncaught exception, and under Node's `ws` the socket stops
      // delivering frames after it, so every session of this host would hang.
      console.error(`Vial: could not handle a '${frame.type}' frame from the relay: ${(error as Error).message}`);
    }
  }

  private closed(code: number, closeReason: string): void {
    if (this.stopped) return;
    // A close reason holds at most 123 bytes: a relay cuts a longer one ('…...') and sends it whole
    // in an `error` frame just before.
    const cut = closeReason.endsWith('...') ? closeReason.slice(0, -3) : closeReason;
    const reason = cut && this.lastError?.startsWith(cut) ? this.lastError : closeReason;
    if (code === CLOSE_CODES.replaced) return this.options.onStatus({ state: 'replaced' });
    if (code === CLOSE_CODES.rejected) return this.options.onStatus({ state: 'rejected', reason });
    if (code === CLOSE_CODES.notAdmitted) {
      return this.options.onStatus({ state: 'not-admitted', reason: reason || 'this relay did not admit this host' });
    }
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 250, maxMs: 30_000 };
    // Full jitter: a relay restart does not get every tab back in the same millisecond.
    const retryInMs = Math.round(Math.random() * Math.min(maxMs, initialMs * 2 ** this.attempt));
    this.attempt++;
    this.options.onStatus({ state: 'offline', retryInMs, reason: reason || `socket closed (${code})` });
    this.reconnectTimer = setTimeout(() => this.connect(), retryInMs);
  }
}
