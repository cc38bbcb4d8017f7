/**
 * What the UI uses of the tab's OAuth runtime (`runtime.oauth`, web/src/server/oauthConsents.ts),
 * as the two helpers building issue 22 agreed it (the contract in the notes): the
 * consents the relay sent and has not closed, the host's grants as the relay last sent them, a
 * change listener, and the two frames the person's answers become.
 */
import type { OAuthClient, OAuthGrantRecord, Scope } from '@vial/shared';

export interface PendingConsent {
  consentId: string;
  client: OAuthClient;
  scopes: Scope[];
  requestedFrom: string;
  expiresAt: number;
}

export interface ConsentDecision {
  approve: boolean;
  scopes?: Scope[];
  grantDays?: number;
  matchCode?: string;
}

export interface OAuthConsentsApi {
  pending(): PendingConsent[];
  grants(): OAuthGrantRecord[];
  on(listener: () => void): () => void;
  decide(consentId: string, decision: ConsentDecision): boolean;
  revoke(grantId: string): boolean;
}
