/**
 * Consent: the person approves an OAuth client in their Vial tab. The browser the sign-in began
 * in is sent to `/consent/<uid>` (the app), whose page asks `/consent/<uid>/details` (bound to that
 * browser by the provider's interaction cookie) and then waits on `/consent/<uid>/wait`. Asking
 * for the details is what puts the request in front of the host's tab (`oauth-consent`), so
 * link scanners and pre-fetching clients raise nothing. The decision arrives only as an
 * `oauth-consent-decision` frame on the host's own tab socket, carrying the match code the page
 * shows; the relay then saves the grant (or the denial) on the interaction, and the waiting page
 * goes on to finish the flow. Pending consents are bounded per client address, per host and in
 * total, so that no flood of sign-ins can push out the person's own (makeRoom).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { SCOPES, type OAuthClient, type Scope, type TabFrame } from '@vial/shared';
import { addressBlock } from '../clientAddress.ts';
import type { OAuthConfig } from '../config.ts';
import type { Host } from '../hosts/registry.ts';
import type { GrantStore } from './grantStore.ts';
import { describeClient } from './clientInfo.ts';
import { matchCodeEquals, newMatchCode } from './matchCode.ts';

/** The consent page's JSON: `/consent/<uid>/details` and `/consent/<uid>/wait` (`/consent/<uid>` itself is the app). */
export const CONSENT_JSON_PATH = /^\/consent\/([A-Za-z0-9_-]{1,64})\/(details|wait)$/;
const MAX_WRONG_CODES = 3;
/** Long polls of `/wait` held at once for one consent. */
const MAX_WAITERS = 4;
const DEFAULT_GRANT_DAYS = 30;
/**
 * Consents one client address (IPv6: its /64) may have waiting for one host. Past it, that
 * address's own oldest is denied: a person who started a sign-in again replaces the one left behind.
 */
export const MAX_PENDING_PER_ADDRESS = 3;

interface PendingConsent {
  consentId: string;
  uid: string;
  hostId: string;
  resource: string;
  client: OAuthClient;
  scopes: Scope[];
  offlineAccess: boolean;
  requestedFrom: string;
  /** The address block the consent was opened from, which its per-address cap counts. */
  from: string;
  expiresAt: number;
  matchCode: string;
  returnTo: string;
  wrongCodes: number;
  /** Pages long-polling `/wait`, told when the consent is decided. */
  waiters: Set<() => void>;
}

type Decision = Extract<TabFrame, { type: 'oauth-consent-decision' }>;

export interface ConsentOptions {
  provider(): Provider;
  store: GrantStore;
  config: OAuthConfig;
  /** The host a resource indicator names. */
  resourceHost(indicator: string): string | undefined;
  host(hostId: string): Host | undefined;
  /** How long `/wait` holds a page before answering `pending` (the page asks again). */
  waitMs?: number;
}

export class Consents {
  private readonly byUid = new Map<string, PendingConsent>();
  private readonly byId = new Map<string, PendingConsent>();
  private readonly sweep: NodeJS.Timeout;

  constructor(private readonly options: ConsentOptions) {
    this.sweep = setInterval(() => this.expire(), 30_000);
    this.sweep.unref();
  }

  get size(): number {
    return this.byId.size;
  }

  /** `GET /consent/<uid>/details` and `/wait` (CONSENT_JSON_PATH). */
  async serve(req: IncomingMessage, res: ServerResponse, path: string, requestedFrom: string): Promise<void> {
    const match = CONSENT_JSON_PATH.exec(path);
    if (!match) return sendJson(res, 404, { error: 'not a consent path' });
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'use GET' });
    let details: Awaited<ReturnType<Provider['interactionDetails']>>;
    try {
      details = await this.options.provider().interactionDetails(req, res);
    } catch {
      return sendJson(res, 404, { error: 'this sign-in is unknown, expired, or was started in another browser' });
    }
    if (details.uid !== match[1]) return sendJson(res, 404, { error: 'this sign-in belongs to another page' });
    if (match[2] === 'wait') return this.wait(res, details);
    // Decided already (the page reloaded before it went on): no new consent for the tab; the page may go on.
    if (details.result !== undefined && !this.byUid.has(details.uid)) {
      return sendJson(res, 404, { error: 'this sign-in is already decided', redirectTo: details.returnTo });
    }
    const consent = this.byUid.get(details.uid) ?? (await this.open(details, requestedFrom));
    if ('error' in consent) return sendJson(res, consent.status, { error: consent.error });
    const { hostId, consentId, client, scopes, expiresAt, matchCode } = consent;
    sendJson(res, 200, {
      hostId,
      consentId,
      client,
      scopes,
      requestedFrom: consent.requestedFrom,
      expiresAt,
      matchCode,
    });
    this.show(consent);
  }

  /** The consents a host's tab should be showing: re-sent when it (re)connects. */
  pendingFor(hostId: string): PendingConsent[] {
    return [...this.byId.values()].filter((consent) => consent.hostId === hostId);
  }

  show(consent: PendingConsent): void {
    const { consentId, client, scopes, requestedFrom, expiresAt } = consent;
    this.options
      .host(consent.hostId)
      ?.send({ type: 'oauth-consent', consentId, client, scopes, requestedFrom, expiresAt });
  }

  /** A decision from `host`'s tab socket; returns why it was refused, or undefined once acted on. */
  async decide(host: Host, frame: Decision): Promise<string | undefined> {
    const consent = this.byId.get(frame.consentId);
    // The same answer for an unknown consent and another host's: a tab learns nothing of other hosts.
    if (!consent || consent.hostId !== host.id) return `no consent '${frame.consentId}' is waiting for this host`;
    const granted = frame.scopes ?? [];
    if (!frame.approve || granted.length === 0) {
      await this.finish(consent, { error: 'access_denied', error_description: 'the person refused in their Vial tab' });
      return undefined;
    }
    if (!matchCodeEquals(frame.matchCode ?? '', consent.matchCode)) {
      consent.wrongCodes++;
      if (consent.wrongCodes < MAX_WRONG_CODES) {
        return `wrong match code for consent '${consent.consentId}' (${MAX_WRONG_CODES - consent.wrongCodes} tries left): type the four words shown on the page where the sign-in started`;
      }
      await this.finish(consent, { error: 'access_denied', error_description: 'wrong match code, three times' });
      return `wrong match code three times: consent '${consent.consentId}' is denied`;
    }
    const extra = granted.filter((scope) => !consent.scopes.includes(scope));
    if (extra.length > 0)
      return `scopes ${extra.join(', ')} were not asked for; grant a subset of ${consent.scopes.join(', ')}`;
    const { maxGrantsPerHost, grantMaxDays } = this.options.config;
    if (this.options.store.grants(host.id).length >= maxGrantsPerHost) {
      return `this host already has ${maxGrantsPerHost} OAuth grants (VIAL_OAUTH_MAX_GRANTS_PER_HOST); revoke one, then approve again`;
    }
    const days = Math.min(frame.grantDays ?? DEFAULT_GRANT_DAYS, grantMaxDays);
    const grantId = await this.saveGrant(consent, [...new Set(granted)], days);
    await this.finish(consent, { login: { accountId: consent.hostId }, consent: { grantId } });
    return undefined;
  }

  close(): void {
    clearInterval(this.sweep);
    for (const consent of this.byId.values()) for (const wake of consent.waiters) wake();
  }

  private async open(
    details: Awaited<ReturnType<Provider['interactionDetails']>>,
    requestedFrom: string,
  ): Promise<PendingConsent | { status: number; error: string }> {
    const { params } = details;
    const resource = typeof params.resource === 'string' ? params.resource : undefined;
    const hostId = resource === undefined ? undefined : this.options.resourceHost(resource);
    if (resource === undefined || hostId === undefined) {
      return { status: 400, error: 'the sign-in names no MCP URL of a host on this relay' };
    }
    const client = await this.options.provider().Client.find(String(params.client_id));
    if (client === undefined) {
      return { status: 400, error: 'the client of this sign-in is no longer known; start again from the client' };
    }
    const asked = String(params.scope ?? '').split(' ');
    const consent: PendingConsent = {
      consentId: randomBytes(18).toString('base64url'),
      uid: details.uid,
      hostId,
      resource,
      client: describeClient(client),
      scopes: SCOPES.filter((scope) => asked.includes(scope)),
      offlineAccess: asked.includes('offline_access'),
      requestedFrom: requestedFrom.slice(0, 64),
      from: addressBlock(requestedFrom),
      expiresAt: details.exp * 1000,
      matchCode: newMatchCode(),
      returnTo: details.returnTo,
      wrongCodes: 0,
      waiters: new Set(),
    };
    const full = await this.makeRoom(hostId, consent.from);
    if (full) return { status: 429, error: full };
    this.byUid.set(consent.uid, consent);
    this.byId.set(consent.consentId, consent);
    return consent;
  }

  /**
   * Room for one more consent for `hostId` from the address block `from`, or why there is none.
   * Past its own cap an address's oldest consent is denied, so a flood from one address only
   * ever pushes out its own. Past the host's cap or the relay's, the new sign-in is refused and
   * no older one is touched: a flood from many addresses can keep a host's sign-ins waiting
   * until some expire, in plain sight in the tab, but never deny the person's.
   */
  private async makeRoom(hostId: string, from: string): Promise<string | undefined> {
    const { maxPendingConsentsPerHost, maxPendingConsents } = this.options.config;
    const fromThere = this.pendingFor(hostId).filter((consent) => consent.from === from);
    if (fromThere.length >= MAX_PENDING_PER_ADDRESS) {
      await this.finish(fromThere[0]!, {
        error: 'access_denied',
        error_description: 'a newer sign-in from the same address replaced this one',
      });
    }
    const waiting = this.pendingFor(hostId).length;
    if (waiting >= maxPendingConsentsPerHost) {
      return `${waiting} sign-ins are already waiting for this host (VIAL_OAUTH_MAX_PENDING_CONSENTS): approve or deny them in your Vial tab, or let them expire (10 minutes), then reload this page`;
    }
    if (this.byId.size >= maxPendingConsents) {
      return `${this.byId.size} sign-ins are waiting on this relay (VIAL_OAUTH_MAX_PENDING_CONSENTS_TOTAL): reload this page in a few minutes`;
    }
    return undefined;
  }

  private async wait(res: ServerResponse, details: Awaited<ReturnType<Provider['interactionDetails']>>): Promise<void> {
    const done = () => sendJson(res, 200, { state: 'done', redirectTo: details.returnTo });
    if (details.result !== undefined) return done();
    const consent = this.byUid.get(details.uid);
    // Past a few held waits (a page open in several tabs), the rest are answered at once: one
    // sign-in's cookie cannot pile up requests the relay holds.
    if (!consent || consent.waiters.size >= MAX_WAITERS) return sendJson(res, 200, { state: 'pending' });
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        consent.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, this.options.waitMs ?? 25_000);
      consent.waiters.add(wake);
      res.once('close', wake);
    });
    if (res.writableEnded || res.destroyed) return;
    if (this.byUid.has(details.uid)) sendJson(res, 200, { state: 'pending' });
    else done();
  }

  private async saveGrant(consent: PendingConsent, granted: Scope[], days: number): Promise<string> {
    const { Grant } = this.options.provider();
    const grant = new Grant({ accountId: consent.hostId, clientId: consent.client.clientId });
    // The person's chosen lifetime (BaseToken reads `expiresIn` when it saves; the types do not list it).
    Object.assign(grant, { expiresIn: days * 86_400 });
    const refused = consent.scopes.filter((scope) => !granted.includes(scope));
    // Granted and refused scopes both count as "encountered" by the provider's consent prompt: each
    // must be recorded on the resource side and the OIDC side, or the prompt asks again forever.
    grant.addResourceScope(consent.resource, granted.join(' '));
    grant.addOIDCScope([...granted, ...(consent.offlineAccess ? ['offline_access'] : [])].join(' '));
    if (refused.length > 0) {
      grant.rejectResourceScope(consent.resource, refused.join(' '));
      grant.rejectOIDCScope(refused.join(' '));
    }
    // `openid` (which discovery lists) is never granted: Vial signs no one in, so no id_token.
    // Rejected, it counts as encountered, so a client asking for it is not asked about again.
    grant.rejectOIDCScope('openid');
    const grantId = await grant.save();
    const now = Date.now();
    this.options.store.saveGrant({
      grantId,
      hostId: consent.hostId,
      resource: consent.resource,
      client: consent.client,
      scopes: granted,
      grantedAt: now,
      expiresAt: now + days * 86_400_000,
      lastUsedAt: null,
    });
    return grantId;
  }

  /** Puts the outcome on the interaction (where the waiting page's flow picks it up) and closes the consent. */
  private async finish(consent: PendingConsent, result: InteractionResults): Promise<void> {
    this.forget(consent, 'decided');
    const interaction = await this.options.provider().Interaction.find(consent.uid);
    if (interaction !== undefined) {
      interaction.result = result;
      await interaction.save(Math.max(1, interaction.exp - Math.floor(Date.now() / 1000)));
    }
    for (const wake of consent.waiters) wake();
  }

  private forget(consent: PendingConsent, reason: 'decided' | 'expired'): void {
    this.byUid.delete(consent.uid);
    this.byId.delete(consent.consentId);
    this.options.host(consent.hostId)?.send({ type: 'oauth-consent-closed', consentId: consent.consentId, reason });
  }

  private expire(now = Date.now()): void {
    for (const consent of [...this.byId.values()]) {
      if (consent.expiresAt > now) continue;
      this.forget(consent, 'expired');
      for (const wake of consent.waiters) wake();
    }
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
