/**
 * The OAuth part of the running tab, as Svelte runes: the consents waiting for the person (shown
 * like approvals, on any view) and the clients they granted (listed in the Connect view). The
 * decisions and revocations go to the relay through the tab runtime's `oauth`, the same object
 * the consent page's same-browser handoff uses.
 */
import type { OAuthGrantRecord } from '@vial/shared';
import type { ConsentDecision, OAuthConsentsApi, PendingConsent } from '../oauth/oauthApi.ts';

/** A decision sent but not closed by the relay after this long is probably a wrong match code. */
export const DECISION_ANSWER_MS = 3000;

export class OAuthState {
  pending: PendingConsent[] = $state.raw([]);
  grants: OAuthGrantRecord[] = $state.raw([]);
  /** When each consent's decision was sent, until the relay closes it. */
  sentAt: Record<string, number> = $state({});
  /** Why a consent's decision could not be sent, by consent id. */
  consentErrors: Record<string, string> = $state({});
  /** Why a grant's revocation could not be sent, by grant id. */
  grantErrors: Record<string, string> = $state({});
  /** A clock for the countdowns; it ticks only while a consent waits. */
  now = $state(Date.now());

  private ticker: ReturnType<typeof setInterval> | undefined;
  private off: (() => void) | undefined;

  constructor(private readonly oauth: OAuthConsentsApi) {}

  start(): void {
    this.off ??= this.oauth.on(() => this.refresh());
    this.refresh();
  }

  dispose(): void {
    this.off?.();
    this.off = undefined;
    clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** Sends the person's answer; false (with the reason in `errors`) when the tab cannot. */
  decide(consentId: string, decision: ConsentDecision): boolean {
    const sent = this.oauth.decide(consentId, decision);
    if (sent) {
      this.sentAt[consentId] = Date.now();
      delete this.consentErrors[consentId];
    } else {
      this.consentErrors[consentId] =
        'Not sent: this tab is not connected to the relay, or the request is no longer waiting. It stays here until the relay answers.';
    }
    return sent;
  }

  /** Ends a grant: its access and refresh tokens and its sessions, at the relay, at once. */
  revoke(grantId: string): boolean {
    const sent = this.oauth.revoke(grantId);
    if (sent) delete this.grantErrors[grantId];
    else
      this.grantErrors[grantId] = 'Not revoked: this tab is not connected to the relay. Try again once it is online.';
    return sent;
  }

  /** A decision went out and the consent is still open after a while: the relay did not take it. */
  unanswered(consentId: string): boolean {
    const sentAt = this.sentAt[consentId];
    return sentAt !== undefined && this.now - sentAt >= DECISION_ANSWER_MS;
  }

  private refresh(): void {
    this.pending = this.oauth.pending();
    this.grants = this.oauth.grants();
    const open = (consentId: string) => this.pending.some((consent) => consent.consentId === consentId);
    for (const consentId of Object.keys(this.sentAt)) if (!open(consentId)) delete this.sentAt[consentId];
    for (const consentId of Object.keys(this.consentErrors)) if (!open(consentId)) delete this.consentErrors[consentId];
    const granted = (grantId: string) => this.grants.some((grant) => grant.grantId === grantId);
    for (const grantId of Object.keys(this.grantErrors)) if (!granted(grantId)) delete this.grantErrors[grantId];
    this.now = Date.now();
    if (this.pending.length > 0) this.ticker ??= setInterval(() => this.tick(), 1000);
    else {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  /** The countdowns move on, and a consent past its time leaves (runtime.oauth no longer lists it). */
  private tick(): void {
    this.now = Date.now();
    if (this.pending.some((consent) => consent.expiresAt <= this.now)) this.refresh();
  }
}
