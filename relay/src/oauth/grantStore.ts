/**
 * Everything OAuth keeps: the authorization server's records (oidc-provider's adapter models),
 * the resource server's index of live access tokens, and the grants as the person sees them.
 * Bearer values (access and refresh tokens, codes, interaction and session ids) are kept only as
 * their SHA-256: a dump of the store holds none of them. One store per relay in memory; a shared
 * one (Redis) can take its place behind the same interface when several relays serve one host.
 *
 * The memory store lasts as long as the relay. Each grant's state (the record, its current
 * refresh token's hash, the hashes of those already used, a registered client's public
 * metadata) is mirrored to the host's tab on every change, and a relay that has not seen the host
 * since it started restores it from the tab on `register` (index.ts checks each record first). A
 * rotation is answered only once the tab has saved it: if the tab cannot save it, the rotation is
 * undone and the client told to try again, so the tab never holds a used refresh token as the
 * current one.
 */
import { hash } from 'node:crypto';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import { OAUTH_CONSUMED_KEPT, OAUTH_REGISTRATION_MAX_BYTES } from '@vial/shared';
import type { OAuthGrantRecord, OAuthGrantState, Scope } from '@vial/shared';

/** What the resource server needs to know about a live access token. */
export interface AccessTokenRecord {
  /** The host its audience names. */
  hostId: string;
  grantId: string;
  scopes: Scope[];
  /** Epoch milliseconds. */
  expiresAt: number;
}

export type GrantChange = { kind: 'saved' | 'revoked' | 'used' | 'rotated'; hostId: string; grantId: string };
/**
 * Hears of a grant change; what it returns settles once the change is safe (the tab saved it).
 * A rotation waits for it and is undone when it rejects.
 */
export type GrantListener = (change: GrantChange) => void | Promise<unknown>;

export interface GrantStore {
  /** oidc-provider's adapter for one model; bearer models' ids are hashed before they are kept. */
  adapter(model: string): Adapter;
  /** The live access token whose SHA-256 (hex) is `tokenHash`. */
  accessToken(tokenHash: string, now?: number): AccessTokenRecord | undefined;
  grant(grantId: string): OAuthGrantRecord | undefined;
  /** A host's grants with their state, as mirrored to its tab. */
  grants(hostId: string): OAuthGrantState[];
  /** Records a grant the person just gave for `resource` (the provider's Grant is saved separately, by id). */
  saveGrant(record: OAuthGrantRecord & { resource: string }): void;
  /** Ends a grant: its record, and every token and code issued under it; settles once the tab heard (or gave up). */
  revokeGrant(grantId: string): Promise<void>;
  /** Stamps a grant's last use (at most once a minute, so a busy client costs nothing). */
  touch(grantId: string, now?: number): void;
  /**
   * True the first time this store is asked about `hostId` (or saves a grant for it): only then
   * may grants the tab kept be restored. Afterwards the store's own state is the truth, so a
   * grant revoked while the tab was away is not brought back by it.
   */
  firstSight(hostId: string): boolean;
  /**
   * Installs a grant state a tab sent back after a restart, already checked against the host's
   * rules (index.ts); returns why not when one of its ids or hashes is already in use.
   */
  restore(state: OAuthGrantState): string | undefined;
  /** Why a new client registration would be refused now (the store's room for clients is used up); undefined when it would not. */
  registrationRefusal(): string | undefined;
  onChange(listener: GrantListener): () => void;
  close(): void;
}

/** Models whose ids are bearer values: kept by hash, and the value stripped from the payload. */
const HASHED_MODELS = new Set([
  'AccessToken',
  'RefreshToken',
  'AuthorizationCode',
  'Interaction',
  'Session',
  'ReplayDetection',
  'PushedAuthorizationRequest',
]);
/** Models whose records anyone can make by opening an authorization URL. */
const SIGN_IN_MODELS = new Set(['Interaction', 'Session']);
/** Models whose records belong to a grant and die with it. */
const GRANT_MODELS = new Set(['AccessToken', 'RefreshToken', 'AuthorizationCode']);
const TOUCH_EVERY_MS = 60_000;
/** What a tab that does not save a rotation hears: the client keeps its refresh token and tries again. */
const NOT_SAVED =
  "the Vial tab of this host could not save the new token; the refresh was undone, so the client's refresh token still works: try again";

interface Entry {
  payload: AdapterPayload;
  /** Epoch ms; Infinity for records without a lifetime. */
  expiresAt: number;
}

export function sha256Hex(text: string): string {
  return hash('sha256', text);
}

export interface MemoryGrantStoreOptions {
  /** Records of every model together; past it a save throws, naming the cap (no silent eviction). */
  maxEntries?: number;
  /**
   * Records of the models anyone can make by opening an authorization URL (Interaction, Session),
   * each: a flood of sign-ins fills these, never the room grants and their tokens need.
   */
  maxSignInEntries?: number;
  /**
   * Dynamically registered clients (anyone can register one, up to 16 KiB each): past this,
   * registration is refused, so a flood of them never takes the room grants and their tokens need.
   */
  maxClients?: number;
  sweepMs?: number;
  /**
   * How long a dynamically registered client is kept with no grant (the provider gives it no
   * lifetime); a grant keeps its client for as long as the grant lives.
   */
  unusedClientTtlMs?: number;
}

export class MemoryGrantStore implements GrantStore {
  private readonly entries = new Map<string, Entry>();
  /** grantId → the keys of its tokens and codes. */
  private readonly byGrant = new Map<string, Set<string>>();
  private readonly sessionByUid = new Map<string, string>();
  private readonly accessIndex = new Map<string, AccessTokenRecord>();
  private readonly records = new Map<string, OAuthGrantState>();
  private readonly listeners = new Set<GrantListener>();
  /** Hosts this store has state for since it started (see firstSight). */
  private readonly hostsSeen = new Set<string>();
  private readonly maxEntries: number;
  private readonly maxSignInEntries: number;
  private readonly maxClients: number;
  /** How many records each model has, for the sign-in and client caps. */
  private readonly counts = new Map<string, number>();
  private readonly unusedClientTtlMs: number;
  private readonly sweep: NodeJS.Timeout;
  /** grantId → the refresh token a rotation in progress just used, so the rotation can be undone. */
  private readonly justConsumed = new Map<string, { hash: string; refresh: NonNullable<OAuthGrantState['refresh']> }>();

  constructor(options: MemoryGrantStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 100_000;
    this.maxSignInEntries = options.maxSignInEntries ?? 20_000;
    this.maxClients = options.maxClients ?? 5_000;
    this.unusedClientTtlMs = options.unusedClientTtlMs ?? 24 * 3600_000;
    this.sweep = setInterval(() => this.sweepExpired(), options.sweepMs ?? 30_000);
    this.sweep.unref();
  }

  registrationRefusal(): string | undefined {
    if ((this.counts.get('Client') ?? 0) < this.maxClients) return undefined;
    return `too many registered clients (${this.maxClients}); registration is closed until unused ones expire`;
  }

  adapter(model: string): Adapter {
    return new ModelAdapter(this, model);
  }

  accessToken(tokenHash: string, now = Date.now()): AccessTokenRecord | undefined {
    const record = this.accessIndex.get(tokenHash);
    if (record === undefined || record.expiresAt <= now) return undefined;
    return record;
  }

  grant(grantId: string): OAuthGrantRecord | undefined {
    return this.records.get(grantId);
  }

  grants(hostId: string): OAuthGrantState[] {
    const states: OAuthGrantState[] = [];
    for (const state of this.records.values()) {
      if (state.hostId !== hostId) continue;
      const registration = state.client.cimd ? undefined : this.registrationOf(state.client.clientId);
      states.push(registration === undefined ? state : { ...state, registration });
    }
    return states;
  }

  saveGrant(record: OAuthGrantRecord & { resource: string }): void {
    this.hostsSeen.add(record.hostId);
    this.records.set(record.grantId, { ...record, refresh: null, consumed: [] });
    const client = this.entries.get(`Client:${record.client.clientId}`);
    if (client !== undefined) client.expiresAt = Math.max(client.expiresAt, record.expiresAt);
    void this.emit({ kind: 'saved', hostId: record.hostId, grantId: record.grantId }).catch(() => undefined);
  }

  async revokeGrant(grantId: string): Promise<void> {
    this.justConsumed.delete(grantId);
    for (const key of this.byGrant.get(grantId) ?? []) this.delete(key);
    this.byGrant.delete(grantId);
    this.delete(`Grant:${grantId}`);
    const record = this.records.get(grantId);
    if (record === undefined) return;
    this.records.delete(grantId);
    await this.emit({ kind: 'revoked', hostId: record.hostId, grantId }).catch(() => undefined);
  }

  firstSight(hostId: string): boolean {
    if (this.hostsSeen.has(hostId)) return false;
    // Bounded like the records: past the cap, hosts with no grant here are forgotten first.
    if (this.hostsSeen.size >= this.maxEntries) {
      const withGrants = new Set([...this.records.values()].map((state) => state.hostId));
      for (const seen of this.hostsSeen) if (!withGrants.has(seen)) this.hostsSeen.delete(seen);
    }
    this.hostsSeen.add(hostId);
    return true;
  }

  restore(state: OAuthGrantState): string | undefined {
    const { grantId, hostId, client } = state;
    if (this.records.has(grantId) || this.entries.has(`Grant:${grantId}`)) return `grant '${grantId}' already exists`;
    const hashes = [...(state.refresh ? [state.refresh.hash] : []), ...state.consumed];
    if (new Set(hashes).size !== hashes.length) return `grant '${grantId}' names one refresh token twice`;
    if (hashes.some((tokenHash) => this.entries.has(`RefreshToken:${tokenHash}`))) {
      return `grant '${grantId}' names a refresh token that already exists`;
    }
    const needed = 1 + hashes.length + (state.registration ? 1 : 0);
    if (this.entries.size + needed > this.maxEntries) return `the OAuth store is full (${this.maxEntries} records)`;
    const { registration: _registration, ...kept } = state;
    const seconds = (ms: number) => Math.floor(ms / 1000);
    const scope = state.scopes.join(' ');
    this.writeKey(
      'Grant',
      `Grant:${grantId}`,
      {
        iat: seconds(state.grantedAt),
        exp: seconds(state.expiresAt),
        accountId: hostId,
        clientId: client.clientId,
        kind: 'Grant',
        jti: grantId,
        resources: { [state.resource]: scope },
        openid: { scope },
      },
      state.expiresAt,
    );
    // The provider's RefreshToken payload as it saved it (refresh_token.js), less the session it ignores.
    const refreshPayload = (issuedAt: number, rotations: number): AdapterPayload => ({
      iat: seconds(issuedAt),
      iiat: seconds(state.grantedAt),
      exp: seconds(state.expiresAt),
      accountId: hostId,
      authTime: seconds(state.grantedAt),
      grantId,
      gty: 'authorization_code',
      resource: state.resource,
      rotations,
      scope,
      kind: 'RefreshToken',
      clientId: client.clientId,
    });
    if (state.refresh) {
      const { hash: tokenHash, issuedAt, expiresAt, rotations } = state.refresh;
      const payload = { ...refreshPayload(issuedAt, rotations), exp: seconds(expiresAt) };
      this.writeKey('RefreshToken', `RefreshToken:${tokenHash}`, payload, expiresAt);
    }
    // Used tokens live as long as the grant, so presenting one ends it (the provider's reuse check).
    const consumedAt = seconds(Date.now());
    for (const tokenHash of state.consumed) {
      const payload = { ...refreshPayload(state.grantedAt, 0), consumed: consumedAt };
      this.writeKey('RefreshToken', `RefreshToken:${tokenHash}`, payload, state.expiresAt);
    }
    if (state.registration && !this.entries.has(`Client:${client.clientId}`)) {
      this.writeKey('Client', `Client:${client.clientId}`, { ...state.registration }, state.expiresAt);
    }
    this.hostsSeen.add(hostId);
    this.records.set(grantId, kept);
    return undefined;
  }

  touch(grantId: string, now = Date.now()): void {
    const record = this.records.get(grantId);
    if (record === undefined || (record.lastUsedAt !== null && now - record.lastUsedAt < TOUCH_EVERY_MS)) return;
    this.records.set(grantId, { ...record, lastUsedAt: now });
    void this.emit({ kind: 'used', hostId: record.hostId, grantId }).catch(() => undefined);
  }

  onChange(listener: GrantListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    clearInterval(this.sweep);
    this.listeners.clear();
  }

  /** The whole store as JSON: a test reads it to show that no bearer value is kept. */
  dump(): string {
    return JSON.stringify({ entries: [...this.entries], records: [...this.records.values()] });
  }

  // --- what ModelAdapter uses -------------------------------------------------------------

  keyOf(model: string, id: string): string {
    return `${model}:${HASHED_MODELS.has(model) ? sha256Hex(id) : id}`;
  }

  read(key: string, now = Date.now()): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.delete(key);
      return undefined;
    }
    return entry;
  }

  write(model: string, id: string, payload: AdapterPayload, expiresIn: number | undefined): void {
    const kept: AdapterPayload = { ...payload };
    if (HASHED_MODELS.has(model)) delete kept.jti;
    const expiresAt =
      typeof expiresIn === 'number'
        ? Date.now() + expiresIn * 1000
        : model === 'Client'
          ? Date.now() + this.unusedClientTtlMs
          : Infinity;
    this.writeKey(model, this.keyOf(model, id), kept, expiresAt);
    if (model === 'Session' && typeof payload.uid === 'string') this.sessionByUid.set(payload.uid, id);
  }

  /**
   * Saves a refresh token the provider issued. Under a grant, the new state goes to the tab and
   * this settles once the tab saved it. When it cannot, a rotation is undone (the token it
   * replaced is live again, the new one gone) and the provider answers `temporarily_unavailable`:
   * otherwise a restart could bring back the used token as the current one. A first refresh
   * token (the code redeemed) is kept either way: the code is spent, and a tab that missed it
   * restores a grant whose client must sign in again, which fails closed.
   */
  async saveRefreshToken(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void> {
    this.write('RefreshToken', id, payload, expiresIn);
    const grantId = typeof payload.grantId === 'string' ? payload.grantId : undefined;
    const state = grantId === undefined ? undefined : this.records.get(grantId);
    if (grantId === undefined || state === undefined) return;
    const key = this.keyOf('RefreshToken', id);
    const previous = state.refresh;
    const replaced = previous !== null ? undefined : this.justConsumed.get(grantId);
    this.justConsumed.delete(grantId);
    const issuedAt = typeof payload.iat === 'number' ? payload.iat * 1000 : Date.now();
    const rotations = typeof payload.rotations === 'number' ? payload.rotations : 0;
    const refresh = {
      hash: key.slice('RefreshToken:'.length),
      issuedAt,
      // The provider ends it with its grant; its own clock may say a few ms later.
      expiresAt: Math.min(this.entries.get(key)!.expiresAt, state.expiresAt),
      rotations,
    };
    this.records.set(grantId, { ...state, refresh });
    try {
      await this.emit({ kind: 'rotated', hostId: state.hostId, grantId });
    } catch {
      if (replaced === undefined) return;
      this.delete(key);
      const entry = this.entries.get(`RefreshToken:${replaced.hash}`);
      if (entry !== undefined) delete entry.payload.consumed;
      const now = this.records.get(grantId);
      if (now !== undefined) {
        const consumed = now.consumed.filter((tokenHash) => tokenHash !== replaced.hash);
        this.records.set(grantId, { ...now, refresh: replaced.refresh, consumed });
      }
      throw new errors.CustomOIDCProviderError('temporarily_unavailable', NOT_SAVED);
    }
  }

  /** The provider used a refresh token (a rotation's first step): kept among the grant's used hashes. */
  consumeRefreshToken(id: string): void {
    const key = this.keyOf('RefreshToken', id);
    const entry = this.read(key);
    if (entry === undefined) return;
    entry.payload.consumed = Math.floor(Date.now() / 1000);
    const grantId = entry.payload.grantId;
    const state = typeof grantId === 'string' ? this.records.get(grantId) : undefined;
    if (typeof grantId !== 'string' || state === undefined) return;
    const tokenHash = key.slice('RefreshToken:'.length);
    const consumed = [tokenHash, ...state.consumed.filter((used) => used !== tokenHash)].slice(0, OAUTH_CONSUMED_KEPT);
    const current = state.refresh?.hash === tokenHash;
    this.records.set(grantId, { ...state, consumed, refresh: current ? null : state.refresh });
    if (current && state.refresh) this.justConsumed.set(grantId, { hash: tokenHash, refresh: state.refresh });
  }

  private writeKey(model: string, key: string, payload: AdapterPayload, expiresAt: number): void {
    if (!this.entries.has(key)) {
      if (this.entries.size >= this.maxEntries) {
        throw new Error(`the OAuth store is full (${this.maxEntries} records); refusing to save a ${model}`);
      }
      const count = this.counts.get(model) ?? 0;
      if (SIGN_IN_MODELS.has(model) && count >= this.maxSignInEntries) {
        throw new Error(`too many sign-ins in progress (${this.maxSignInEntries} ${model} records); try again later`);
      }
      const full = model === 'Client' ? this.registrationRefusal() : undefined;
      if (full !== undefined) throw new Error(full);
      this.counts.set(model, count + 1);
    }
    this.entries.set(key, { payload, expiresAt });
    if (GRANT_MODELS.has(model) && typeof payload.grantId === 'string') {
      let keys = this.byGrant.get(payload.grantId);
      if (keys === undefined) this.byGrant.set(payload.grantId, (keys = new Set()));
      keys.add(key);
    }
    if (model === 'AccessToken') this.indexAccessToken(key, payload, expiresAt);
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    const model = key.slice(0, key.indexOf(':'));
    this.counts.set(model, (this.counts.get(model) ?? 1) - 1);
    if (key.startsWith('AccessToken:')) this.accessIndex.delete(key.slice('AccessToken:'.length));
    const grantId = entry.payload.grantId;
    if (typeof grantId === 'string') this.byGrant.get(grantId)?.delete(key);
    if (typeof entry.payload.uid === 'string') this.sessionByUid.delete(entry.payload.uid);
  }

  sessionIdOf(uid: string): string | undefined {
    return this.sessionByUid.get(uid);
  }

  private indexAccessToken(key: string, payload: AdapterPayload, expiresAt: number): void {
    const hostId = typeof payload.aud === 'string' ? /\/mcp\/([A-Za-z0-9_-]{22})$/.exec(payload.aud)?.[1] : undefined;
    if (hostId === undefined || typeof payload.grantId !== 'string') return;
    const scopes = String(payload.scope ?? '')
      .split(' ')
      .filter(Boolean) as Scope[];
    this.accessIndex.set(key.slice('AccessToken:'.length), { hostId, grantId: payload.grantId, scopes, expiresAt });
  }

  /** A registered client's metadata, to mirror with its grant; left out past its size bound. */
  private registrationOf(clientId: string): Record<string, unknown> | undefined {
    const entry = this.entries.get(`Client:${clientId}`);
    if (entry === undefined || JSON.stringify(entry.payload).length > OAUTH_REGISTRATION_MAX_BYTES) return undefined;
    return { ...entry.payload };
  }

  private sweepExpired(now = Date.now()): void {
    for (const [key, entry] of [...this.entries]) if (entry.expiresAt <= now) this.delete(key);
    for (const record of [...this.records.values()]) {
      if (record.expiresAt <= now) void this.revokeGrant(record.grantId);
    }
  }

  /** Tells every listener; settles when all of them did, rejecting if one did. */
  private async emit(change: GrantChange): Promise<void> {
    await Promise.all([...this.listeners].map((listener) => listener(change)));
  }
}

/** oidc-provider's adapter interface for one model, over the store. */
class ModelAdapter implements Adapter {
  constructor(
    private readonly store: MemoryGrantStore,
    private readonly model: string,
  ) {}

  upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    if (this.model === 'RefreshToken') return this.store.saveRefreshToken(id, payload, expiresIn);
    try {
      this.store.write(this.model, id, payload, expiresIn);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    const entry = this.store.read(this.store.keyOf(this.model, id));
    if (entry === undefined) return Promise.resolve(undefined);
    return Promise.resolve(HASHED_MODELS.has(this.model) ? { ...entry.payload, jti: id } : { ...entry.payload });
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = this.store.sessionIdOf(uid);
    return id === undefined ? Promise.resolve(undefined) : this.find(id);
  }

  findByUserCode(): Promise<undefined> {
    return Promise.resolve(undefined);
  }

  consume(id: string): Promise<void> {
    if (this.model === 'RefreshToken') {
      this.store.consumeRefreshToken(id);
      return Promise.resolve();
    }
    const entry = this.store.read(this.store.keyOf(this.model, id));
    if (entry !== undefined) entry.payload.consumed = Math.floor(Date.now() / 1000);
    return Promise.resolve();
  }

  destroy(id: string): Promise<void> {
    // A Grant destroyed by the provider (reuse detected, the client revoked) ends the grant.
    if (this.model === 'Grant') return this.store.revokeGrant(id);
    this.store.delete(this.store.keyOf(this.model, id));
    return Promise.resolve();
  }

  revokeByGrantId(grantId: string): Promise<void> {
    return this.store.revokeGrant(grantId);
  }
}
