/**
 * The checks on a grant a tab hands back on `register` after a relay restart. The tab is not
 * trusted: a record is restored only if it is for the socket's own host (its `hostId` and the
 * host its resource names), its scopes are Vial's, its lifetime is within
 * VIAL_OAUTH_GRANT_MAX_DAYS and not over, and a registered client's metadata is a public
 * client's with safe redirects. What passes gives no more than the tab could already give itself:
 * it can mint static tokens with any scope for its own host, so a forged grant (or a refresh
 * hash it made up) yields tokens for that host's MCP URL only, within Vial's scopes, for at most
 * the grant lifetime the relay allows.
 *
 * A registration comes back with the grant of a dynamically registered client, and oidc-provider
 * knows a client by its id alone: whichever tab hands a client's registration back first after a
 * restart sets it for every host. Another host's lying tab that knows the id (the client signed
 * in there too) can so set it before the client's own host is back. That grants it nothing (the
 * client's grants and tokens stay where they are, bound to their hosts), but a registration
 * taken as it came could have stopped the client refreshing (`grant_types` without
 * `refresh_token`) or loading at all (metadata the provider rejects). So only a public
 * code-and-refresh client's fields are kept from it (publicRegistration): what is left to a plant
 * is the name and redirect URIs a new sign-in of that client would meet.
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
  if (!safe) return `grant '${grantId}' carries a registration with unsafe or no redirect URIs`;
  // What the provider would refuse to load, so that the client itself could no longer be found.
  const urls = (uris as string[]).map((uri) => new URL(uri));
  const native = urls.some((url) => url.protocol !== 'https:' && url.protocol !== 'http:');
  if (
    urls.some((url) => url.href.includes('#')) ||
    (native && urls.some((url) => url.protocol === 'https:' && LOOPBACK.has(url.hostname)))
  ) {
    return `grant '${grantId}' carries a registration with redirect URIs no client could have registered`;
  }
  return undefined;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Text fields a restored registration keeps when they are a string (a URL one only when https). */
const KEPT_TEXT = ['client_name'] as const;
const KEPT_URLS = ['client_uri', 'logo_uri'] as const;

/**
 * The registration the relay keeps from one a tab handed back (clientRefusal passed it): its id,
 * issue time, name, site, logo and redirect URIs, as a public client of the code flow with refresh
 * tokens, whatever else it said.
 */
export function publicRegistration(registration: Record<string, unknown>): Record<string, unknown> {
  const redirects = registration.redirect_uris as string[];
  // An app's own scheme (`cursor://…`) is a native client's; http(s) alone is valid as a web client's.
  const web = redirects.every((uri) => /^https?:/i.test(uri));
  const kept: Record<string, unknown> = {
    client_id: registration.client_id,
    redirect_uris: redirects,
    application_type: web ? 'web' : 'native',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
  if (typeof registration.client_id_issued_at === 'number') kept.client_id_issued_at = registration.client_id_issued_at;
  for (const field of KEPT_TEXT) if (typeof registration[field] === 'string') kept[field] = registration[field];
  for (const field of KEPT_URLS) {
    const value = registration[field];
    if (typeof value === 'string' && URL.parse(value)?.protocol === 'https:') kept[field] = value;
  }
  return kept;
}
