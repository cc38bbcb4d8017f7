/**
 * The tab's side of OAuth: the consents the relay asks this host's person to answer, and the
 * host's grants as the relay last told them. The person's answers leave as frames on this tab's
 * socket, the only place the relay takes them from; the relay checks every one (the match code,
 * the scopes asked, whose host it is), so nothing here is trusted by it.
 *
 * The grants come with their state (hashes only), which is saved with the host (HostStore) and
 * acknowledged to the relay once saved: a rotation is answered to its client only then. They go
 * back to the relay on every `register`, so a restarted relay can restore them.
 */
import type { OAuthGrantRecord, OAuthGrantState, RelayFrame, TabFrame } from '@vial/shared';
import type { ConsentDecision, OAuthConsentsApi, PendingConsent } from '../oauth/oauthApi.ts';

export type { ConsentDecision, PendingConsent } from '../oauth/oauthApi.ts';

type OAuthRelayFrame = Extract<RelayFrame, { type: 'oauth-consent' | 'oauth-consent-closed' | 'oauth-grants' }>;

export class OAuthConsents implements OAuthConsentsApi {
  private readonly waiting = new Map<string, PendingConsent>();
  private granted: OAuthGrantState[] = [];
  private readonly listeners = new Set<() => void>();
  /** Grants the person revoked here that the relay's list still names. */
  private readonly revoked = new Set<string>();
  /** Saves run one after another, so the last list received is the one kept. */
  private saving: Promise<void> = Promise.resolve();

  /**
   * `send` gives false when the tab is not connected; `save` keeps the grants with the host
   * (none: they are not kept, and a relay restart loses them).
   */
  constructor(
    private readonly send: (frame: TabFrame) => boolean,
    private readonly save?: (grants: OAuthGrantState[]) => Promise<void>,
  ) {}

  /** The grants saved with the host, before the relay says anything (shown until it does, and sent on `register`). */
  load(saved: OAuthGrantState[]): void {
    this.granted = saved;
    this.changed();
  }

  /** The grants with their state, as sent back to the relay on `register` (less those revoked here). */
  kept(): OAuthGrantState[] {
    return this.granted.filter((grant) => !this.revoked.has(grant.grantId));
  }

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
    if (!this.send({ type: 'oauth-revoke', grantId })) return false;
    // Left out of what is kept at once (the list shown waits for the relay's word): even if the
    // relay's next list is lost, a relay restart cannot get the grant back from this tab.
    this.revoked.add(grantId);
    this.keep(this.granted);
    return true;
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
        for (const grantId of this.revoked) {
          if (!frame.grants.some((grant) => grant.grantId === grantId)) this.revoked.delete(grantId);
        }
        this.keep(frame.grants, frame.seq);
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

  /** Saves `grants` with the host, then tells the relay which update is saved. */
  private keep(grants: OAuthGrantState[], seq?: number): void {
    const save = this.save;
    if (save === undefined) return;
    const kept = grants.filter((grant) => !this.revoked.has(grant.grantId));
    this.saving = this.saving
      .then(() => save(kept))
      .then(
        () => {
          if (seq !== undefined) this.send({ type: 'oauth-grants-stored', seq });
        },
        (error: unknown) => {
          console.error(`Vial: could not save this host's OAuth grants: ${(error as Error).message}`);
        },
      );
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
