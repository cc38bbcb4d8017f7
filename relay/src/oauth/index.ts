/**
 * OAuth 2.1 on the relay, as one piece server.ts mounts: the authorization server (routes.ts,
 * provider.ts), each host's protected-resource metadata and 401 challenge, the consent that the
 * host's tab gives (consent.ts), the access-token check the MCP endpoint runs (bearer.ts), and
 * the grants, which the tab is told of whenever they change and which end their clients'
 * sessions, modern requests and listen streams the moment they are revoked. The tab keeps what it
 * is told (hashes only) and acknowledges it; a relay that has not seen the host since it started
 * restores the grants the tab hands back on `register` (restore.ts checks each), so grants
 * survive a relay restart.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { OAuthGrantState, TabFrame } from '@vial/shared';
import type { OAuthConfig } from '../config.ts';
import type { Host, HostRegistry } from '../hosts/registry.ts';
import type { Logger } from '../log.ts';
import { createRateLimits, type RateLimits, type RequestLimits } from '../mcp/rateLimits.ts';
import type { RequestGuard } from '../requestGuard.ts';
import { grantTokenId, verifyAccessToken, type OAuthTokenRecord } from './bearer.ts';
import { CONSENT_JSON_PATH, Consents } from './consent.ts';
import { MemoryGrantStore, type GrantStore } from './grantStore.ts';
import { createProtectedResource, PROTECTED_RESOURCE_PATH } from './protectedResource.ts';
import { createOAuthProvider, type CimdFetch } from './provider.ts';
import { publicRegistration, restoreRefusal } from './restore.ts';
import { createOAuthRoutes, isOAuthPath, sendOAuthError } from './routes.ts';

export type { OAuthTokenRecord } from './bearer.ts';
export type { CimdFetch } from './provider.ts';

export interface OAuth {
  /** Whether `path` is OAuth's: the authorization server, resource metadata, or the consent page's JSON. */
  owns(path: string): boolean;
  /** Serves one of OAuth's paths; `address` is the client's (for rate limits, and shown with a consent). */
  handle(req: IncomingMessage, res: ServerResponse, path: string, address: string): Promise<void>;
  /** The identity an OAuth access token gives at `hostId`'s MCP URL, or undefined. */
  verify(presented: string, hostId: string): OAuthTokenRecord | undefined;
  /** `WWW-Authenticate` for a 401 at `hostId`'s MCP URL, pointing at its resource metadata. */
  challenge(req: IncomingMessage, hostId: string, description: string): string;
  /**
   * A tab took `host`, handing back the grants it kept: restored if this relay has not seen the
   * host since it started; then the tab is told its grants and shown the consents waiting for it.
   */
  tabRegistered(host: Host, kept: OAuthGrantState[]): void;
  /** An OAuth frame from `host`'s tab; returns why it was refused, if it was. */
  tabFrame(
    host: Host,
    frame: Extract<TabFrame, { type: 'oauth-consent-decision' | 'oauth-revoke' | 'oauth-grants-stored' }>,
  ): Promise<string | undefined>;
  readonly store: GrantStore;
  readonly consents: Consents;
  close(): void;
}

export interface OAuthOptions {
  config: OAuthConfig;
  publicUrl: string | undefined;
  /** The relay's own origin when VIAL_PUBLIC_URL is unset (known once it listens). */
  localOrigin(): string;
  registry: HostRegistry;
  guard: RequestGuard;
  rateLimits: RequestLimits;
  logger: Logger;
  /** Test-only: the fetch Client ID Metadata Documents go through (oidc-provider's SSRF guard is its dispatcher). */
  cimdFetch?: CimdFetch;
  store?: GrantStore;
  consentWaitMs?: number;
  /** How long a rotation waits for the tab to say it saved the new state (default 5 s). */
  mirrorAckMs?: number;
}

/** Acknowledgements a host's tab owes at most; a rotation past it is refused like an unsaved one. */
const MAX_UNACKNOWLEDGED = 256;

interface AwaitingAck {
  seq: number;
  settle(error?: Error): void;
}

/** A per-address limit of `count` a minute, in one burst at most. */
function perMinute(count: number): RateLimits {
  return createRateLimits({ tokenRate: count / 60, tokenBurst: count, authFailuresPerMinute: 0 });
}

export function createOAuth(options: OAuthOptions): OAuth {
  const { config, registry } = options;
  const store = options.store ?? new MemoryGrantStore();
  const issuer = () => options.publicUrl ?? options.localOrigin();
  const resource = createProtectedResource({
    publicUrl: options.publicUrl,
    issuer,
    hostKnown: (hostId) => registry.get(hostId) !== undefined,
  });
  let provider: Provider | undefined;
  // Built on first use: on a relay without VIAL_PUBLIC_URL the issuer names the port it bound.
  const providerOf = () =>
    (provider ??= createOAuthProvider({
      issuer: issuer(),
      config,
      store,
      resourceHost: resource.resourceHost,
      logger: options.logger,
      cimdFetch: options.cimdFetch,
    }));
  const routes = createOAuthRoutes({
    provider: providerOf,
    issuer,
    store,
    guard: options.guard,
    rateLimits: options.rateLimits,
    registrations: perMinute(config.registrationsPerMinute),
    signIns: perMinute(config.signInsPerMinute),
    hostOnline: (hostId) => registry.get(hostId)?.online ?? false,
  });
  const consents = new Consents({
    provider: providerOf,
    store,
    config,
    resourceHost: resource.resourceHost,
    host: (hostId) => registry.get(hostId),
    waitMs: options.consentWaitMs,
  });

  const mirrorAckMs = options.mirrorAckMs ?? 5000;
  let seq = 0;
  const awaiting = new Map<string, AwaitingAck[]>();

  /** Tells the tab its grants; settles once the tab says it saved them, rejects if it is away or silent. */
  function tellTab(host: Host): Promise<void> {
    const grants = store.grants(host.id);
    host.setGrants(grants.map((grant) => grantTokenId(grant.grantId)));
    const sent = ++seq;
    if (!host.send({ type: 'oauth-grants', seq: sent, grants })) {
      return Promise.reject(new Error(`host ${host.id}'s tab is not connected`));
    }
    const queue = awaiting.get(host.id) ?? [];
    if (queue.length >= MAX_UNACKNOWLEDGED) {
      return Promise.reject(
        new Error(`host ${host.id}'s tab has not acknowledged ${MAX_UNACKNOWLEDGED} grant updates`),
      );
    }
    awaiting.set(host.id, queue);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => entry.settle(new Error(`host ${host.id}'s tab did not save its grants in ${mirrorAckMs} ms`)),
        mirrorAckMs,
      );
      const entry: AwaitingAck = {
        seq: sent,
        settle(error) {
          clearTimeout(timer);
          const left = awaiting.get(host.id)?.filter((other) => other !== entry) ?? [];
          if (left.length === 0) awaiting.delete(host.id);
          else awaiting.set(host.id, left);
          if (error) reject(error);
          else resolve();
        },
      };
      queue.push(entry);
    });
  }

  function acknowledged(host: Host, upTo: number): void {
    for (const entry of [...(awaiting.get(host.id) ?? [])]) if (entry.seq <= upTo) entry.settle();
  }

  function restore(host: Host, kept: OAuthGrantState[]): void {
    const refusals: string[] = [];
    let restored = 0;
    const rules = { hostId: host.id, resourceHost: resource.resourceHost, grantMaxDays: config.grantMaxDays };
    const held = store.grants(host.id).length;
    for (const state of kept) {
      if (held + restored >= config.maxGrantsPerHost) {
        refusals.push(
          `past VIAL_OAUTH_MAX_GRANTS_PER_HOST (${config.maxGrantsPerHost}): ${kept.length - restored - refusals.length} more ignored`,
        );
        break;
      }
      const refusal =
        restoreRefusal(state, { ...rules, now: Date.now() }) ??
        store.restore(state.registration ? { ...state, registration: publicRegistration(state.registration) } : state);
      if (refusal === undefined) restored++;
      else refusals.push(refusal);
    }
    if (restored > 0 || refusals.length > 0) {
      options.logger.info(
        { hostId: host.id, restored, refused: refusals.length, reasons: refusals.slice(0, 5) },
        'OAuth grants restored from the tab',
      );
    }
  }

  const stopListening = store.onChange(({ hostId }) => {
    const host = registry.get(hostId);
    return host ? tellTab(host) : Promise.reject(new Error(`host ${hostId} is not known here`));
  });

  return {
    store,
    consents,
    owns: (path) => isOAuthPath(path) || path.startsWith(PROTECTED_RESOURCE_PATH) || CONSENT_JSON_PATH.test(path),
    async handle(req, res, path, address) {
      if (isOAuthPath(path)) return routes(req, res, path, address);
      if (path.startsWith(PROTECTED_RESOURCE_PATH)) return resource.serve(req, res, path);
      // The consent JSON is for the app's own page: same origin only.
      const refusal = options.guard(req);
      if (refusal) return sendOAuthError(res, { status: 403, error: 'invalid_request', description: refusal });
      return consents.serve(req, res, path, address);
    },
    verify: (presented, hostId) => verifyAccessToken(store, presented, hostId),
    challenge: resource.challenge,
    tabRegistered(host, kept) {
      if (store.firstSight(host.id)) restore(host, kept);
      tellTab(host).catch(() => undefined);
      for (const consent of consents.pendingFor(host.id)) consents.show(consent);
    },
    async tabFrame(host, frame) {
      if (frame.type === 'oauth-consent-decision') return consents.decide(host, frame);
      if (frame.type === 'oauth-grants-stored') return void acknowledged(host, frame.seq);
      if (store.grant(frame.grantId)?.hostId !== host.id) return `no grant '${frame.grantId}' on this host`;
      // Not awaited: the tab acknowledges on this same socket, after this frame.
      void store.revokeGrant(frame.grantId);
      return undefined;
    },
    close() {
      stopListening();
      for (const queue of [...awaiting.values()])
        for (const entry of queue) entry.settle(new Error('the relay is closing'));
      consents.close();
      store.close();
    },
  };
}
