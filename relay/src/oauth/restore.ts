/**
 * The checks on a grant a tab hands back on `register` after a relay restart. The tab is not
 * trusted: a record is restored only if it is for the socket's own host (its `hostId` and the
 * host its resource names), its scopes are Vial's, its lifetime is within
 * VIAL_OAUTH_GRANT_MAX_DAYS and not over, and a registered client's metadata is a public
 * client's with safe redirects. What passes gives no more than the tab could already give itself:
 * it can mint static tokens with any scope for its own host, so a forged grant (or a refresh
 * hash it made up) yields tokens for that host's MCP URL only, within Vial's scopes, for at most
 * the grant lifetime the relay allows.
 */
import { OAUTH_REGISTRATION_MAX_BYTES, type OAuthGrantState } from '@vial/shared';
import { safeRedirectUri } from './provider.ts';

export interface RestoreRules {
  hostId: string;
  /** The host a resource indicator names on this relay, if any. */
  resourceHost(indicator: string): string | undefined;
  grantMaxDays: number;
  now: number;
}

/** Clocks of the relay and the tab's machine may differ this much. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** A dynamically registered client's id as oidc-provider makes them (43 base64url characters). */
const REGISTERED_CLIENT_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** Why a grant state a tab sent may not be restored for `rules.hostId`, or undefined when it may. */
export function restoreRefusal(state: OAuthGrantState, rules: RestoreRules): string | undefined {
  const { grantId } = state;
  if (state.hostId !== rules.hostId) return `grant '${grantId}' is for another host`;
  if (rules.resourceHost(state.resource) !== rules.hostId) {
    return `grant '${grantId}' names a resource that is not this host's MCP URL on this relay`;
  }
  if (state.scopes.length === 0 || new Set(state.scopes).size !== state.scopes.length) {
    return `grant '${grantId}' has no scopes or repeats one`;
  }
  const maxMs = rules.grantMaxDays * 86_400_000;
  if (state.grantedAt > rules.now + CLOCK_SKEW_MS) return `grant '${grantId}' was granted in the future`;
  if (state.expiresAt <= rules.now) return `grant '${grantId}' has expired`;
  if (state.expiresAt - state.grantedAt > maxMs) {
    return `grant '${grantId}' lasts longer than VIAL_OAUTH_GRANT_MAX_DAYS (${rules.grantMaxDays} days)`;
  }
  if (state.lastUsedAt !== null && state.lastUsedAt > rules.now + CLOCK_SKEW_MS) {
    return `grant '${grantId}' was last used in the future`;
  }
  const { refresh } = state;
  if (refresh !== null && (refresh.expiresAt > state.expiresAt || refresh.issuedAt > rules.now + CLOCK_SKEW_MS)) {
    return `grant '${grantId}' has a refresh token outliving the grant or issued in the future`;
  }
  return clientRefusal(state);
}

function clientRefusal(state: OAuthGrantState): string | undefined {
  const { grantId, client, registration } = state;
  if (client.cimd) {
    if (URL.parse(client.clientId)?.protocol !== 'https:') {
      return `grant '${grantId}' has a metadata-document client whose id is not an https URL`;
    }
    // Its metadata is fetched again from its URL, never taken from the tab.
    return registration === undefined
      ? undefined
      : `grant '${grantId}' carries a registration for a metadata-document client`;
  }
  if (!REGISTERED_CLIENT_ID.test(client.clientId)) return `grant '${grantId}' has a malformed client id`;
  if (registration === undefined) return undefined;
  if (JSON.stringify(registration).length > OAUTH_REGISTRATION_MAX_BYTES) {
    return `grant '${grantId}' carries a registration over ${OAUTH_REGISTRATION_MAX_BYTES} bytes`;
  }
  if (registration.client_id !== client.clientId) return `grant '${grantId}' carries another client's registration`;
  if ('client_secret' in registration || (registration.token_endpoint_auth_method ?? 'none') !== 'none') {
    return `grant '${grantId}' carries a registration that is not a public client's`;
  }
  const uris = registration.redirect_uris;
  const safe =
    Array.isArray(uris) &&
    uris.length > 0 &&
    uris.length <= 10 &&
    uris.every((uri) => typeof uri === 'string' && safeRedirectUri(uri));
  return safe ? undefined : `grant '${grantId}' carries a registration with unsafe or no redirect URIs`;
}
