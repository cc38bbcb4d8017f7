/**
 * The authorization server's HTTP entry: `/oauth/*` and the two discovery documents go to
 * oidc-provider, with the relay's checks in front. The request's Host must be one the relay
 * serves (browser clients call these across origins, so Origin is the provider's CORS to
 * answer); the forwarded headers the provider builds its URLs from are pinned from the issuer;
 * the bodies of the token, registration and revocation endpoints are read here, at most 16 KiB.
 * A refresh is refused before the provider sees it when it names another resource than its grant
 * (the provider would rotate, that is burn, the token first) or when the grant's tab is away (a
 * rotation the tab does not hear of could be lost); a revocation is refused while the grant's tab
 * is away too (503, RFC 7009 §2.2.1), since the tab's copy of the grant would bring it back after
 * a relay restart. Sign-ins started and registrations are
 * rate-limited per address, and failed token requests count towards the address's
 * authentication failures.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { addressBlock } from '../clientAddress.ts';
import { readBodyBytes } from '../http.ts';
import type { RateLimits, RequestLimits } from '../mcp/rateLimits.ts';
import type { RequestGuard } from '../requestGuard.ts';
import type { GrantStore } from './grantStore.ts';
import { safeRedirectUri } from './provider.ts';

const OAUTH_PATH_PREFIX = '/oauth/';
const DISCOVERY_PATHS = ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'];
const MAX_BODY_BYTES = 16 * 1024;
const BODY_ENDPOINTS = new Set(['/oauth/token', '/oauth/register', '/oauth/revoke']);

export function isOAuthPath(path: string): boolean {
  return path.startsWith(OAUTH_PATH_PREFIX) || DISCOVERY_PATHS.includes(path);
}

export interface OAuthRoutesOptions {
  provider(): Provider;
  issuer(): string;
  store: GrantStore;
  guard: RequestGuard;
  /** The relay's per-address failure counter, shared with the MCP endpoint. */
  rateLimits: RequestLimits;
  /** Dynamic registrations per address. */
  registrations: RateLimits;
  /** Authorization requests (sign-ins started) per address. */
  signIns: RateLimits;
  /** Whether the tab of the host a grant is for is connected. */
  hostOnline(hostId: string): boolean;
}

type OAuthError = { status: number; error: string; description: string; headers?: Record<string, string> };

export function createOAuthRoutes(options: OAuthRoutesOptions) {
  let callback: ((req: IncomingMessage, res: ServerResponse) => unknown) | undefined;

  return async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    address: string,
  ): Promise<void> {
    const ip = addressBlock(address);
    const refusal = options.guard({ headers: { host: req.headers.host } } as IncomingMessage);
    if (refusal) return sendOAuthError(res, { status: 403, error: 'invalid_request', description: refusal });
    const issuer = new URL(options.issuer());
    req.headers['x-forwarded-proto'] = issuer.protocol.slice(0, -1);
    req.headers['x-forwarded-host'] = issuer.host;
    req.headers['x-forwarded-for'] = address;
    delete req.headers.forwarded;

    const signIn = path === '/oauth/authorize' ? options.signIns.takeTokenRequest(ip) : undefined;
    if (signIn) {
      const description = `too many sign-ins from this address; ${signIn.message}`;
      return sendOAuthError(res, { status: 429, ...tooMany(description, signIn.retryAfterSeconds) });
    }
    if (req.method === 'POST' && BODY_ENDPOINTS.has(path)) {
      const blocked = path === '/oauth/token' ? await options.rateLimits.checkAuthFailures(ip) : undefined;
      if (blocked) return sendOAuthError(res, { status: 429, ...tooMany(blocked.message, blocked.retryAfterSeconds) });
      const body = await readBodyBytes(req, MAX_BODY_BYTES);
      if (body === undefined) {
        const description = `the request body is over ${MAX_BODY_BYTES} bytes`;
        return sendOAuthError(res, { status: 413, error: 'invalid_request', description });
      }
      const checked = await precheck(path, body, ip);
      if (checked) return sendOAuthError(res, checked);
      // The provider takes a body read upstream (selective_body.js); its one-time notice says so.
      (req as IncomingMessage & { body?: Buffer }).body = body;
      if (path === '/oauth/token') {
        res.once('finish', () => {
          if (res.statusCode === 400 || res.statusCode === 401) void options.rateLimits.authFailed(ip);
        });
      }
    }
    callback ??= options.provider().callback();
    await callback(req, res);
  };

  async function precheck(path: string, body: Buffer, ip: string): Promise<OAuthError | undefined> {
    if (path === '/oauth/register') return checkRegistration(body, ip);
    if (path === '/oauth/revoke') return checkRevocation(body);
    if (path !== '/oauth/token') return undefined;
    const form = new URLSearchParams(body.toString('utf8'));
    if (form.get('grant_type') !== 'refresh_token') return undefined;
    const presented = form.get('refresh_token');
    const refresh = presented
      ? await options.provider().RefreshToken.find(presented, { ignoreExpiration: true })
      : undefined;
    if (refresh === undefined) return undefined; // the provider answers invalid_grant
    const grant = refresh.grantId === undefined ? undefined : options.store.grant(refresh.grantId);
    if (grant !== undefined && !options.hostOnline(grant.hostId)) {
      return {
        status: 400,
        error: 'temporarily_unavailable',
        description: 'the Vial tab of this host is not connected; open it, then refresh again (the token still works)',
      };
    }
    const resource = form.get('resource');
    if (resource !== null && !refresh.resourceIndicators.has(resource)) {
      return {
        status: 400,
        error: 'invalid_target',
        description: 'the refresh token was granted for another resource',
      };
    }
    return undefined;
  }

  async function checkRevocation(body: Buffer): Promise<OAuthError | undefined> {
    const presented = new URLSearchParams(body.toString('utf8')).get('token');
    if (!presented) return undefined;
    const { RefreshToken, AccessToken } = options.provider();
    const token =
      (await RefreshToken.find(presented, { ignoreExpiration: true })) ??
      (await AccessToken.find(presented, { ignoreExpiration: true }));
    const grant = token?.grantId === undefined ? undefined : options.store.grant(token.grantId);
    if (grant === undefined || options.hostOnline(grant.hostId)) return undefined;
    return {
      status: 503,
      error: 'temporarily_unavailable',
      description:
        'the Vial tab of this host is not connected; revoke again once it is (the person can also revoke it there)',
      headers: { 'retry-after': '30' },
    };
  }

  function checkRegistration(body: Buffer, ip: string): OAuthError | undefined {
    const full = options.store.registrationRefusal();
    if (full !== undefined) {
      return { status: 503, error: 'temporarily_unavailable', description: full, headers: { 'retry-after': '3600' } };
    }
    const limited = options.registrations.takeTokenRequest(ip);
    if (limited) {
      return {
        status: 429,
        ...tooMany(`too many client registrations from this address; ${limited.message}`, limited.retryAfterSeconds),
      };
    }
    let metadata: unknown;
    try {
      metadata = JSON.parse(body.toString('utf8'));
    } catch {
      return { status: 400, error: 'invalid_client_metadata', description: 'the registration body is not JSON' };
    }
    const uris = (metadata as { redirect_uris?: unknown } | null)?.redirect_uris;
    if (Array.isArray(uris) && uris.every((uri) => typeof uri === 'string' && safeRedirectUri(uri))) return undefined;
    return {
      status: 400,
      error: 'invalid_redirect_uri',
      description: 'redirect_uris must be a list of https URLs, http URLs to localhost, or an app scheme',
    };
  }
}

function tooMany(description: string, retryAfterSeconds: number) {
  return { error: 'too_many_requests', description, headers: { 'retry-after': String(retryAfterSeconds) } };
}

export function sendOAuthError(res: ServerResponse, { status, error, description, headers }: OAuthError): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify({ error, error_description: description }));
}
