/**
 * The tab's side of OAuth: the consents the relay asks this host's person to answer, and the
 * host's grants as the relay last told them. The person's answers leave as frames on this tab's
 * socket, the only place the relay takes them from; the relay checks every one (the match code,
 * the scopes asked, whose host it is), so nothing here is trusted by it.
 */
import type { OAuthGrantRecord, RelayFrame, TabFrame } from '@vial/shared';
import type { ConsentDecision, OAuthConsentsApi, PendingConsent } from '../oauth/oauthApi.ts';

export type { ConsentDecision, PendingConsent } from '../oauth/oauthApi.ts';

type OAuthRelayFrame = Extract<RelayFrame, { type: 'oauth-consent' | 'oauth-consent-closed' | 'oauth-grants' }>;

export class OAuthConsents implements OAuthConsentsApi {
  private readonly waiting = new Map<string, PendingConsent>();
  private granted: OAuthGrantRecord[] = [];
  private readonly listeners = new Set<() => void>();

  /** `send` gives false when the tab is not connected. */
  constructor(private readonly send: (frame: TabFrame) => boolean) {}

  /** Consents the relay sent and has not closed, oldest first; expired ones are left out. */
  pending(): PendingConsent[] {
    const now = Date.now();
    return [...this.waiting.values()].filter((consent) => consent.expiresAt > now);
  }

  grants(): OAuthGrantRecord[] {
    return [...this.granted];
  }

  on(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends the person's answer; false when the consent is not pending here or the tab is offline. */
  decide(consentId: string, decision: ConsentDecision): boolean {
    if (!this.pending().some((consent) => consent.consentId === consentId)) return false;
    return this.send({
      type: 'oauth-consent-decision',
      consentId,
      approve: decision.approve,
      ...(decision.scopes === undefined ? {} : { scopes: [...new Set(decision.scopes)] }),
      ...(decision.grantDays === undefined ? {} : { grantDays: decision.grantDays }),
      ...(decision.matchCode === undefined ? {} : { matchCode: decision.matchCode }),
    });
  }

  /** Asks the relay to end a grant: its tokens, refresh tokens and sessions end at once. */
  revoke(grantId: string): boolean {
    if (!this.granted.some((grant) => grant.grantId === grantId)) return false;
    return this.send({ type: 'oauth-revoke', grantId });
  }

  /** A frame from the relay about OAuth. */
  receive(frame: OAuthRelayFrame): void {
    switch (frame.type) {
      case 'oauth-consent': {
        const { type: _type, ...consent } = frame;
        this.waiting.set(consent.consentId, consent);
        break;
      }
      case 'oauth-consent-closed':
        if (!this.waiting.delete(frame.consentId)) return;
        break;
      case 'oauth-grants':
        this.granted = frame.grants;
        break;
    }
    this.changed();
  }

  /** The tab lost the relay: consents cannot be answered until it is back (the relay shows them again). */
  disconnected(): void {
    if (this.waiting.size === 0) return;
    this.waiting.clear();
    this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
