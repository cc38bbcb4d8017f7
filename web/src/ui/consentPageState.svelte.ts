/**
 * The consent page (`/consent/<uid>`), as Svelte runes. It reads the request from the relay and
 * waits on it until the relay says where the browser goes next. It never connects to the relay as
 * the host: when this browser holds the host, the person's decision is handed to the host's
 * running tab over the `vial-consent` channel, and that tab sends it on its own socket; when it
 * does not, the person approves in their Vial tab elsewhere, typing the match code shown here.
 */
import type { Scope } from '@vial/shared';
import { ConsentHandoff, type ChannelPort } from '../oauth/consentChannel.ts';
import { DEFAULT_GRANT_DAYS } from '../oauth/consentFacts.ts';
import {
  fetchConsentDetails,
  waitForDecision,
  type ConsentDetails,
  type ConsentProblem,
} from '../oauth/consentRequest.ts';

/** How long a running tab has to answer, and how often the page asks again while none does. */
export const TAB_ANSWER_MS = 2000;

export interface ConsentPageOptions {
  uid: string;
  /** The host id this browser holds (IndexedDB's host store), if any. */
  ownedHostId: () => Promise<string | undefined>;
  openChannel: () => ChannelPort & { close(): void };
  navigate: (url: string) => void;
  /** The page's address, to resolve the relay's `redirectTo`. */
  base: string;
  fetch?: typeof fetch;
}

export class ConsentPageState {
  phase: 'loading' | 'ready' | 'redirecting' | 'failed' = $state('loading');
  details: ConsentDetails | undefined = $state.raw();
  /** What stopped the page (gone, unreadable, or the relay unreachable on the first read). */
  problem: ConsentProblem | undefined = $state.raw();
  /** A network failure while waiting; the wait goes on. */
  passingProblem: ConsentProblem | undefined = $state.raw();
  /** Whether this browser holds the host asked for. */
  ownsHost = $state(false);
  /** Whether that host's running tab answered on the channel (undefined: not asked yet). */
  tabFound: boolean | undefined = $state();
  sending = $state(false);
  /** What the person chose here, once the running tab took it. */
  decided: 'allowed' | 'denied' | undefined = $state();
  decisionError: string | undefined = $state();
  granted: Scope[] = $state([]);
  grantDays = $state(DEFAULT_GRANT_DAYS);
  now = $state(Date.now());

  private handoff: ConsentHandoff | undefined;
  private channel: (ChannelPort & { close(): void }) | undefined;
  private readonly abort = new AbortController();
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: ConsentPageOptions) {}

  async start(): Promise<void> {
    this.phase = 'loading';
    this.problem = undefined;
    const outcome = await fetchConsentDetails(this.options.uid, this.options.fetch);
    if (!outcome.ok) {
      this.fail(outcome);
      return;
    }
    const details = outcome.value;
    this.details = details;
    this.granted = [...details.scopes];
    this.ownsHost = (await this.options.ownedHostId().catch(() => undefined)) === details.hostId;
    this.phase = 'ready';
    this.ticker = setInterval(() => (this.now = Date.now()), 1000);
    if (this.ownsHost) {
      this.channel = this.options.openChannel();
      this.handoff = new ConsentHandoff(this.channel, details.hostId);
      void this.lookForTab();
    }
    void this.waitForDecision();
  }

  /** Stops the waits and the channel (the page is going away). */
  dispose(): void {
    this.abort.abort();
    clearInterval(this.ticker);
    this.channel?.close();
  }

  /** The person's decision on this page, handed to the running tab of this browser. */
  async decide(approve: boolean): Promise<void> {
    const { details, handoff } = this;
    if (!details || !handoff || this.sending) return;
    this.sending = true;
    this.decisionError = undefined;
    // A plain copy of the ticked scopes: a channel message cannot carry the reactive array itself.
    const decision = approve
      ? { approve: true, scopes: [...this.granted], grantDays: this.grantDays, matchCode: details.matchCode }
      : { approve: false };
    const result = await handoff
      .decide(details.consentId, decision)
      .catch((error: unknown) => ({
        ok: false as const,
        error: `Could not hand the decision over: ${(error as Error).message}`,
      }))
      .finally(() => (this.sending = false));
    if (result.ok) this.decided = approve ? 'allowed' : 'denied';
    else {
      this.decisionError = result.error;
      this.tabFound = false;
      void this.lookForTab();
    }
  }

  /** Asks for the host's running tab until one answers, so the page can say to open one meanwhile. */
  private async lookForTab(): Promise<void> {
    while (!this.abort.signal.aborted && this.handoff && this.phase === 'ready') {
      const found = await this.handoff.findTab(TAB_ANSWER_MS);
      this.tabFound = found;
      if (found) return;
    }
  }

  private async waitForDecision(): Promise<void> {
    try {
      const outcome = await waitForDecision(this.options.uid, {
        fetch: this.options.fetch,
        signal: this.abort.signal,
        base: this.options.base,
        onProblem: (problem) => (this.passingProblem = problem),
      });
      if (!outcome.ok) return this.fail(outcome);
      this.phase = 'redirecting';
      this.options.navigate(outcome.value);
    } catch (error) {
      if (!this.abort.signal.aborted) this.fail({ kind: 'bad-answer', message: (error as Error).message });
    }
  }

  private fail(problem: ConsentProblem): void {
    this.problem = problem;
    this.phase = 'failed';
    clearInterval(this.ticker);
    this.channel?.close();
    this.channel = undefined;
    this.handoff = undefined;
  }
}
