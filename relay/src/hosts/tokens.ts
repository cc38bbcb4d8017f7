import { createHash, timingSafeEqual } from 'node:crypto';
import type { ClientIdentity, TokenRecord } from '@vial/shared';

/**
 * Finds the token record matching a presented bearer token. Every stored hash is compared in
 * constant time, with no early exit, so response timing says nothing about which hash was close.
 */
export function findToken(
  tokens: readonly TokenRecord[],
  presented: string,
  now = Date.now(),
): TokenRecord | undefined {
  // Same digest as the tab's `hashToken` (shared/src/identity.ts), computed synchronously: this runs
  // on every request, and WebCrypto's async digest cost ~50 µs per call here.
  const presentedHash = createHash('sha256').update(presented).digest();
  let match: TokenRecord | undefined;
  for (const token of tokens) {
    if (timingSafeEqual(presentedHash, Buffer.from(token.hash, 'hex'))) match = token;
  }
  if (match && match.expiresAt !== null && match.expiresAt <= now) return undefined;
  return match;
}

/** Whether `presented` is `expected`, compared in constant time (both hashed to equal length first). */
export function secretMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/** Extracts the token from an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Who is calling, as sessions and modern requests tell the tab: a static token, or an OAuth grant (which also names its client). */
export function clientIdentityOf(token: TokenRecord & { oauth?: ClientIdentity['oauth'] }): ClientIdentity {
  const identity: ClientIdentity = { tokenId: token.id, tokenName: token.name, scopes: token.scopes };
  return token.oauth === undefined ? identity : { ...identity, oauth: token.oauth };
}
