/**
 * What the OAuth tests share: a relay (with test hooks) and a Node host, an OAuth client
 * provider for the SDK 2.x client held in memory, a user agent that follows the authorization
 * server's redirects with a cookie jar, and "the person", who approves a consent in the host's
 * tab (`runtime.oauth`) with the match code the consent page shows.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  auth,
  Client,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type StoredOAuthClientInformation,
  type StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import type { Scope } from '@vial/shared';
import { loadConfig } from '../../relay/src/config.ts';
import { createLogger, type DestinationStream } from '../../relay/src/log.ts';
import { createRelay, type RelayTestHooks } from '../../relay/src/server.ts';
import { MemoryHostStore } from '../../web/src/server/identity.ts';
import type { HostRuntime } from '../../web/src/server/runtime.ts';
import { startNodeHost } from './relay.ts';

export const CALLBACK = 'http://localhost:53682/callback';

export async function startOAuthStack(
  options: { env?: Record<string, string>; hooks?: RelayTestHooks; logTo?: DestinationStream } = {},
) {
  const config = loadConfig({
    VIAL_PORT: '0',
    VIAL_LOG_LEVEL: options.logTo ? 'info' : 'silent',
    VIAL_WEB_DIR: '',
    VIAL_DRAIN_MS: '0',
    // Security tests fail many requests from one address on purpose.
    VIAL_AUTH_FAILURES_PER_MIN: '1000',
    ...options.env,
  });
  const start = (at: typeof config) =>
    createRelay(at, createLogger(at, options.logTo), { consentWaitMs: 2000, ...options.hooks });
  const relay = start(config);
  const port = await relay.listen();
  const url = `http://localhost:${port}`;
  // Kept so a test can bring the same host back (a tab reload).
  const store = new MemoryHostStore();
  const host = await startNodeHost(url, { store });
  const mcpUrl = host.mcpUrl!;
  const stack = {
    relay,
    url,
    host,
    store,
    mcpUrl,
    /** Stops the relay and starts a new one, with nothing in memory, on the same port; the host reconnects. */
    async restartRelay() {
      await stack.relay.close();
      stack.relay = start({ ...config, port });
      await stack.relay.listen();
    },
    async close() {
      host.stop();
      await stack.relay.close();
    },
  };
  return stack;
}

/** The SDK's OAuth client provider, in memory: what a CLI keeps in its config folder. */
export class MemoryOAuthProvider implements OAuthClientProvider {
  client: StoredOAuthClientInformation | undefined;
  savedTokens: StoredOAuthTokens | undefined;
  verifier = '';
  authorizationUrl: URL | undefined;
  discovery: OAuthDiscoveryState | undefined;

  constructor(
    readonly clientMetadataUrl?: string,
    private readonly name = 'Test DCR client',
  ) {}

  get redirectUrl(): string {
    return CALLBACK;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.name,
      redirect_uris: [CALLBACK],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: StoredOAuthClientInformation) {
    this.client = info;
  }
  tokens() {
    return this.savedTokens;
  }
  saveTokens(tokens: StoredOAuthTokens) {
    this.savedTokens = tokens;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
  discoveryState() {
    return this.discovery;
  }
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.discovery = state;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery') {
    if (scope === 'tokens' || scope === 'all') this.savedTokens = undefined;
  }
}

export interface Hop {
  status: number;
  url: string;
  body: string;
}

/**
 * A browser without a page: follows redirects by hand with a cookie jar, stopping at the client's
 * callback. `from` puts it at another loopback address (127.0.0.2, …), as a visitor elsewhere.
 */
export class UserAgent {
  readonly jar = new Map<string, string>();
  private readonly dispatcher: unknown;

  constructor(from?: string) {
    this.dispatcher = from === undefined ? undefined : loopbackDispatcher(from);
  }

  /** Follows `start` until the callback (its query) or a page that does not redirect. */
  async go(start: string | URL): Promise<URLSearchParams | Hop> {
    let url = String(start);
    for (let hop = 0; hop < 12; hop++) {
      if (url.startsWith(CALLBACK)) return new URL(url).searchParams;
      const res = await this.get(url);
      const location = res.headers.get('location');
      if (!location) return { status: res.status, url, body: await res.text() };
      url = new URL(location, url).href;
    }
    throw new Error(`too many redirects, last at ${url}`);
  }

  async get(url: string): Promise<Response> {
    const cookie = [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const res = await fetch(url, {
      redirect: 'manual',
      headers: cookie ? { cookie } : {},
      ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
    } as RequestInit);
    for (const set of res.headers.getSetCookie()) {
      const [pair = ''] = set.split(';');
      const at = pair.indexOf('=');
      this.jar.set(pair.slice(0, at).trim(), pair.slice(at + 1));
    }
    return res;
  }

  async json(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await this.get(url);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
}

/** A fetch dispatcher whose connections leave from `localAddress` (a 127/8 address), over IPv4. */
function loopbackDispatcher(localAddress: string): unknown {
  // Reading Response loads Node's undici, which sets the global dispatcher whose class this takes.
  void Response;
  const global = (globalThis as Record<symbol, { constructor: new (options: object) => unknown } | undefined>)[
    Symbol.for('undici.globalDispatcher.1')
  ];
  if (!global) throw new Error("cannot reach Node's fetch dispatcher");
  return new global.constructor({ localAddress, connect: { family: 4 } });
}

export interface ConsentDetails {
  consentId: string;
  matchCode: string;
  scopes: Scope[];
  client: { name: string; cimd: boolean; clientId: string; redirectHosts: string[] };
  hostId: string;
}

/** Opens the authorization URL as the person's browser: to the consent page, whose details it reads. */
export async function openConsent(browser: UserAgent, authorizationUrl: URL | string) {
  const page = await browser.go(authorizationUrl);
  if (page instanceof URLSearchParams) return { callback: page };
  const uid = /\/consent\/([A-Za-z0-9_-]+)$/.exec(new URL(page.url).pathname)?.[1];
  if (!uid) return { page };
  const origin = new URL(page.url).origin;
  const details = await browser.json(`${origin}/consent/${uid}/details`);
  return { uid, origin, details: details.body as unknown as ConsentDetails, status: details.status };
}

/** Waits until the host's tab shows `consentId`. */
export async function shownInTab(host: HostRuntime, consentId: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!host.oauth.pending().some((consent) => consent.consentId === consentId)) {
    if (Date.now() > deadline) throw new Error(`consent ${consentId} never reached the tab`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The consent page polls `/wait` until decided, then the browser finishes the flow to the callback. */
export async function finishConsent(browser: UserAgent, origin: string, uid: string): Promise<URLSearchParams | Hop> {
  for (let poll = 0; poll < 10; poll++) {
    const waited = await browser.json(`${origin}/consent/${uid}/wait`);
    if (waited.body.state === 'done') return browser.go(new URL(String(waited.body.redirectTo), origin));
    if (waited.status !== 200) return { status: waited.status, url: 'wait', body: JSON.stringify(waited.body) };
  }
  throw new Error('the consent was never decided');
}

/**
 * The whole sign-in as a person does it: the client's authorization URL opened in a browser, the
 * consent approved in the tab with `scopes` and the page's match code, and the browser sent back.
 */
export async function signIn(
  host: HostRuntime,
  authorizationUrl: URL,
  decision: { approve?: boolean; scopes: Scope[]; matchCode?: string },
): Promise<{ callback: URLSearchParams | Hop; details: ConsentDetails }> {
  const browser = new UserAgent();
  const opened = await openConsent(browser, authorizationUrl);
  if (!opened.details || !opened.uid) throw new Error(`no consent page: ${JSON.stringify(opened)}`);
  await shownInTab(host, opened.details.consentId);
  host.oauth.decide(opened.details.consentId, {
    approve: decision.approve ?? true,
    scopes: decision.scopes,
    matchCode: decision.matchCode ?? opened.details.matchCode,
  });
  return { callback: await finishConsent(browser, opened.origin, opened.uid), details: opened.details };
}

/** An SDK 2.x client connected through OAuth: the flow runs when the first connect meets a 401. */
export async function connectWithOAuth(
  mcpUrl: string,
  host: HostRuntime,
  provider: MemoryOAuthProvider,
  scopes: Scope[],
): Promise<{ client: Client; details: ConsentDetails }> {
  const url = new URL(mcpUrl);
  const first = new Client({ name: 'oauth-test', version: '0.0.0' });
  const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
  try {
    await first.connect(transport);
    throw new Error('connected without signing in');
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
  }
  const { callback, details } = await signIn(host, provider.authorizationUrl!, { scopes });
  if (!(callback instanceof URLSearchParams) || !callback.get('code')) {
    throw new Error(
      `sign-in did not return a code: ${JSON.stringify(callback instanceof URLSearchParams ? [...callback] : callback)}`,
    );
  }
  await transport.finishAuth(callback);
  const client = new Client({ name: 'oauth-test', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
  return { client, details };
}

/** Refreshes the provider's tokens through the SDK (as it does on a 401 with a refresh token). */
export async function refresh(provider: MemoryOAuthProvider, mcpUrl: string): Promise<string> {
  return auth(provider, { serverUrl: new URL(mcpUrl) });
}

/** A raw POST to an MCP URL with a bearer token: the status and the challenge. */
export async function mcpPost(mcpUrl: string, token: string | undefined) {
  const res = await fetch(mcpUrl, {
    method: 'POST',
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
    }),
  });
  await res.body?.cancel();
  return { status: res.status, challenge: res.headers.get('www-authenticate') ?? '' };
}

/** A form POST to the token endpoint. */
export async function tokenRequest(relayUrl: string, params: Record<string, string>) {
  const res = await fetch(`${relayUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

/** A PKCE verifier and its S256 challenge. */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Registers a public client by DCR, as the SDK does; returns its client_id. */
export async function registerClient(relayUrl: string, redirectUris: string[] = [CALLBACK]): Promise<string> {
  const res = await fetch(`${relayUrl}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Hand-made client',
      redirect_uris: redirectUris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }),
  });
  const body = (await res.json()) as { client_id?: string };
  if (res.status !== 201 || !body.client_id)
    throw new Error(`registration failed: ${res.status} ${JSON.stringify(body)}`);
  return body.client_id;
}

/** An authorization URL with the usual parameters, any of which `params` may change or drop (undefined). */
export function authorizeUrl(
  relayUrl: string,
  params: Record<string, string | undefined> & { client_id: string; resource?: string },
): URL {
  const url = new URL(`${relayUrl}/oauth/authorize`);
  const all: Record<string, string | undefined> = {
    response_type: 'code',
    redirect_uri: CALLBACK,
    scope: 'quantum ml offline_access',
    state: 'state-1',
    code_challenge_method: 'S256',
    ...params,
  };
  for (const [name, value] of Object.entries(all)) if (value !== undefined) url.searchParams.set(name, value);
  return url;
}

/** A code the person approved in the tab for a hand-made client, with its verifier. */
export async function approvedCode(
  stack: { url: string; mcpUrl: string; host: HostRuntime },
  options: { clientId?: string; scopes?: Scope[]; resource?: string } = {},
) {
  const clientId = options.clientId ?? (await registerClient(stack.url));
  const { verifier, challenge } = pkce();
  const url = authorizeUrl(stack.url, {
    client_id: clientId,
    code_challenge: challenge,
    resource: options.resource ?? stack.mcpUrl,
  });
  const { callback, details } = await signIn(stack.host, url, { scopes: options.scopes ?? ['quantum'] });
  if (!(callback instanceof URLSearchParams) || !callback.get('code'))
    throw new Error(`no code: ${JSON.stringify(callback)}`);
  return { code: callback.get('code')!, callback, verifier, clientId, details };
}

/** Redeems a code at the token endpoint. */
export function redeem(
  relayUrl: string,
  grant: { code: string; verifier: string; clientId: string },
  extra: Record<string, string> = {},
) {
  return tokenRequest(relayUrl, {
    grant_type: 'authorization_code',
    code: grant.code,
    code_verifier: grant.verifier,
    client_id: grant.clientId,
    redirect_uri: CALLBACK,
    ...extra,
  });
}
