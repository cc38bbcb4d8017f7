/**
 * The resource server's check of an OAuth access token: its SHA-256 looked up in the store's
 * index (no call into the authorization server, a few µs), live, and issued for this host's
 * resource. What comes back has a static token's shape, so sessions, modern requests, listen
 * streams, rate limits and the tab's scope checks and audit take it unchanged.
 */
import type { ClientIdentity, TokenRecord } from '@vial/shared';
import { sha256Hex, type GrantStore } from './grantStore.ts';

/** An OAuth client's identity as the relay hands it on: a TokenRecord named `oauth:<grantId>`, and who the client is. */
export type OAuthTokenRecord = TokenRecord & { oauth: NonNullable<ClientIdentity['oauth']> };

/** The id an OAuth grant's requests carry wherever a static token's id would be. */
export function grantTokenId(grantId: string): string {
  return `oauth:${grantId}`;
}

export function verifyAccessToken(
  store: GrantStore,
  presented: string,
  hostId: string,
  now = Date.now(),
): OAuthTokenRecord | undefined {
  const tokenHash = sha256Hex(presented);
  const token = store.accessToken(tokenHash, now);
  // A token for another host's resource is no token here (RFC 8707 audience).
  if (token === undefined || token.hostId !== hostId) return undefined;
  const grant = store.grant(token.grantId);
  if (grant === undefined) return undefined;
  store.touch(grant.grantId, now);
  return {
    id: grantTokenId(grant.grantId),
    name: grant.client.name,
    hash: tokenHash,
    scopes: token.scopes,
    expiresAt: token.expiresAt,
    oauth: { clientId: grant.client.clientId, cimd: grant.client.cimd, grantId: grant.grantId },
  };
}
