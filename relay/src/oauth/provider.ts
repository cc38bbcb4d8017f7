/**
 * The OAuth 2.1 authorization server: oidc-provider 9.13.3, configured in one place as
 * docs/oauth-spike.md §1-§4.2 proves it. Public clients only (no secret is ever minted), the
 * code flow with PKCE S256 required, `resource` (RFC 8707) required and bound as the access
 * token's audience, `iss` in every authorization response (RFC 9207), refresh tokens rotated on
 * every use (reusing one ends its grant), revocation, Dynamic Client Registration and Client ID
 * Metadata Documents. The person's consent happens in their Vial tab (consent.ts).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { SCOPES } from '@vial/shared';
import { addressBlock } from '../clientAddress.ts';
import type { OAuthConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { createRateLimits } from '../mcp/rateLimits.ts';
import type { GrantStore } from './grantStore.ts';
import { localDocumentDispatcher } from './localDocuments.ts';

/** The fetch oidc-provider uses for Client ID Metadata Documents; tests pass one that reaches a loopback server. */
export type CimdFetch = (url: string | URL, init: RequestInit & { dispatcher?: unknown }) => Promise<Response>;

export interface OAuthProviderOptions {
  /** The relay's public origin, no path: VIAL_PUBLIC_URL, or http://localhost:<port>. */
  issuer: string;
  config: OAuthConfig;
  store: GrantStore;
  /** The host a resource indicator names (`<origin>/mcp/<hostId>` on an origin this relay serves), if any. */
  resourceHost(indicator: string): string | undefined;
  logger: Logger;
  cimdFetch?: CimdFetch;
}

/** Where the provider's endpoints live: all under /oauth/, discovery at the root. */
const ROUTES = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  registration: '/oauth/register',
  revocation: '/oauth/revoke',
  jwks: '/oauth/jwks',
  end_session: '/oauth/logout',
  userinfo: '/oauth/me',
  introspection: '/oauth/introspect',
  pushed_authorization_request: '/oauth/par',
  code_verification: '/oauth/device',
  device_authorization: '/oauth/device/auth',
  backchannel_authentication: '/oauth/backchannel',
  challenge: '/oauth/challenge',
};

/** CIMD limits (constants, not settings: spike §4.1). */
const CIMD_MAX_BYTES = 5 * 1024;
const CIMD_TIMEOUT_MS = 2000;
/** A document that failed is not fetched again for this long, so a slow one costs one timeout. */
const CIMD_FAILURE_MEMORY_MS = 30_000;
const CIMD_FAILURES_KEPT = 1000;
/**
 * Documents one client address (IPv6: its /64) may have the relay fetch a minute. Any endpoint
 * taking a client_id fetches an https one it has not cached, so distinct URLs would otherwise
 * make the relay send requests to any site as fast as a visitor asks.
 */
const CIMD_FETCHES_PER_MINUTE = 20;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const LOOPBACK_REDIRECT_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A redirect URI the MCP security pages allow: https, http to loopback only, or a native app's
 * own scheme; never script-like schemes.
 */
export function safeRedirectUri(uri: string): boolean {
  const url = URL.parse(uri);
  if (!url) return false;
  if (url.protocol === 'https:') return true;
  if (url.protocol === 'http:') return LOOPBACK_REDIRECT_HOSTS.has(url.hostname);
  return !['javascript:', 'data:', 'file:', 'vbscript:', 'blob:'].includes(url.protocol);
}

export function createOAuthProvider(options: OAuthProviderOptions): Provider {
  const { issuer, config, store, logger } = options;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const failedDocuments = new Map<string, number>();
  const fetchesPerAddress = createRateLimits({
    tokenRate: CIMD_FETCHES_PER_MINUTE / 60,
    tokenBurst: CIMD_FETCHES_PER_MINUTE,
    authFailuresPerMinute: 0,
  });

  const localDispatcher = localDocumentDispatcher(config.cimdLocalOrigins, config.cimdLocalCa);

  const cimdFetch: NonNullable<Configuration['fetch']> = async (url, init = {}) => {
    const timeout = AbortSignal.timeout(CIMD_TIMEOUT_MS);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const href = url instanceof Request ? url.url : String(url);
    // oidc-provider's SSRF-guarded dispatcher, unless the origin is listed for local development.
    const dispatcher = localDispatcher(href) ?? (init as { dispatcher?: unknown }).dispatcher;
    try {
      const response = await (options.cimdFetch ?? fetch)(href, { ...init, dispatcher, redirect: 'manual', signal });
      const type = response.headers.get('content-type') ?? '';
      if (!JSON_TYPE.test(type)) {
        await response.body?.cancel();
        throw new Error(`client metadata document content-type is '${type}', not application/json`);
      }
      return response;
    } catch (error) {
      rememberFailure(href);
      throw error;
    }
  };

  function rememberFailure(url: string): void {
    if (failedDocuments.size >= CIMD_FAILURES_KEPT) failedDocuments.delete(failedDocuments.keys().next().value!);
    failedDocuments.set(url, Date.now() + CIMD_FAILURE_MEMORY_MS);
  }

  const configuration: Configuration = {
    adapter: (model: string) => store.adapter(model),
    // No id_token is ever issued (no `openid` scope is served); the provider insists on a keystore.
    jwks: { keys: [privateKey.export({ format: 'jwk' }) as Record<string, string>] },
    cookies: { keys: [config.cookieSecret ?? randomBytes(32).toString('base64url')] },
    routes: ROUTES,
    // Vial's scopes are the resource's, and also listed here: DCR refuses a registration naming a
    // scope not in this list, and the SDK registers with them. Listed here, they are OIDC scopes
    // too, so the consent grants or rejects them on both sides (consent.ts), or it asks forever.
    scopes: [...SCOPES, 'offline_access'],
    claims: { openid: ['sub'] },
    clientAuthMethods: ['none'],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      id_token_signed_response_alg: 'ES256',
    },
    responseTypes: ['code'],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: false },
      // On by default, of no use to Vial, and open to anyone: pushed requests would be kept
      // unthrottled (a flood fills the store), and the logout page is HTML on the app's origin.
      pushedAuthorizationRequests: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      // The endpoint checks tokens by their hash alone (bearer.ts), so a DPoP-bound token would
      // be a bearer token there: none is minted.
      dPoP: { enabled: false },
      revocation: {
        enabled: true,
        // A client revokes only its own tokens (a public client revoking another's is a silent no-op).
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      registration: { enabled: config.dynamicRegistration, issueRegistrationAccessToken: false },
      clientIdMetadataDocument: {
        enabled: config.clientIdMetadataDocuments,
        ack: 'draft-02',
        cacheDuration: { min: 30, max: 3600 },
        // ctx is absent only for the relay's own look-ups (consent.ts), which follow a request's.
        allowFetch: (ctx, clientId) =>
          (failedDocuments.get(clientId) ?? 0) <= Date.now() &&
          (ctx === undefined || fetchesPerAddress.takeTokenRequest(addressBlock(ctx.ip)) === undefined),
        // The MCP pages require client_name and redirect URIs that are https or loopback; oidc-provider checks neither.
        allowClient: (_ctx, client) =>
          typeof client.clientName === 'string' &&
          client.clientName.trim().length > 0 &&
          (client.redirectUris ?? []).every(safeRedirectUri),
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => {
          throw new errors.InvalidTarget(`resource is required: the MCP URL, ${issuer}/mcp/<hostId>`);
        },
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (options.resourceHost(indicator) === undefined) {
            throw new errors.InvalidTarget(
              `resource must be the MCP URL of a host on this relay, ${issuer}/mcp/<hostId>`,
            );
          }
          return {
            scope: SCOPES.join(' '),
            audience: indicator,
            accessTokenFormat: 'opaque',
            accessTokenTTL: config.accessTtlSeconds,
          };
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/consent/${interaction.uid}` },
    // Only the grant the consent just made counts, never one a browser session remembers: every
    // authorization asks the person.
    loadExistingGrant: (ctx: KoaContextWithOIDC) => {
      const grantId = ctx.oidc.result?.consent?.grantId;
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    issueRefreshToken: () => true,
    rotateRefreshToken: () => true,
    expiresWithSession: () => false,
    // Any revocation ends the grant, access token or refresh token alike.
    revokeGrantPolicy: () => true,
    ttl: {
      AccessToken: config.accessTtlSeconds,
      AuthorizationCode: 60,
      RefreshToken: config.refreshTtlSeconds,
      Grant: config.grantMaxDays * 24 * 3600,
      Interaction: 600,
      Session: 600,
    },
    fetchResponseBodyLimits: { 'client_id metadata document': CIMD_MAX_BYTES },
    fetch: cimdFetch,
    renderError: (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  };
  const provider = new Provider(issuer, configuration);
  // oidc-provider 9 supports Node 22+ and says so on stderr; it runs on 20 (docs/oauth-spike.md §1.1, risks).
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22)
    logger.warn(
      { node: process.versions.node },
      'OAuth runs oidc-provider 9.13.3 on Node 20, which it does not support upstream; Node 22 removes the risk',
    );
  // Endpoint URLs follow the request's protocol and host: the routes pin both from the issuer.
  provider.proxy = true;
  provider.on('authorization.error', (_ctx, error: Error & { error_description?: string }) => {
    logger.info(
      { error: error.message, description: error.error_description, cause: causes(error) },
      'OAuth authorization refused',
    );
  });
  provider.on('grant.error', (_ctx, error: Error & { error_description?: string }) => {
    logger.info({ error: error.message, description: error.error_description }, 'OAuth token request refused');
  });
  provider.on('server_error', (_ctx, error: Error) => logger.error({ err: error }, 'OAuth server error'));
  return provider;
}

/** The chain of causes under an error, as text: the client sees only `invalid_client`, the log says why. */
function causes(error: unknown): string[] {
  const chain: string[] = [];
  for (let at = (error as { cause?: unknown }).cause; at !== undefined && chain.length < 4;) {
    chain.push(at instanceof Error ? at.message : String(at));
    at = (at as { cause?: unknown } | null)?.cause;
  }
  return chain;
}
