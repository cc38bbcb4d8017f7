/**
 * Everything OAuth keeps: the authorization server's records (oidc-provider's adapter models),
 * the resource server's index of live access tokens, and the grants as the person sees them.
 * Bearer values (access and refresh tokens, codes, interaction and session ids) are kept only as
 * their SHA-256: a dump of the store holds none of them. One store per relay in memory; a shared
 * one (Redis) can take its place behind the same interface when several relays serve one host.
 */
import { hash } from 'node:crypto';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { OAuthGrantRecord, Scope } from '@vial/shared';

/** What the resource server needs to know about a live access token. */
export interface AccessTokenRecord {
  /** The host its audience names. */
  hostId: string;
  grantId: string;
  scopes: Scope[];
  /** Epoch milliseconds. */
  expiresAt: number;
}

export type GrantChange = { kind: 'saved' | 'revoked' | 'used'; hostId: string; grantId: string };

export interface GrantStore {
  /** oidc-provider's adapter for one model; bearer models' ids are hashed before they are kept. */
  adapter(model: string): Adapter;
  /** The live access token whose SHA-256 (hex) is `tokenHash`. */
  accessToken(tokenHash: string, now?: number): AccessTokenRecord | undefined;
  grant(grantId: string): OAuthGrantRecord | undefined;
  grants(hostId: string): OAuthGrantRecord[];
  /** Records a grant the person just gave (the provider's Grant is saved separately, by id). */
  saveGrant(record: OAuthGrantRecord): void;
  /** Ends a grant: its record, and every token and code issued under it. */
  revokeGrant(grantId: string): void;
  /** Stamps a grant's last use (at most once a minute, so a busy client costs nothing). */
  touch(grantId: string, now?: number): void;
  onChange(listener: (change: GrantChange) => void): () => void;
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
  private readonly records = new Map<string, OAuthGrantRecord>();
  private readonly listeners = new Set<(change: GrantChange) => void>();
  private readonly maxEntries: number;
  private readonly maxSignInEntries: number;
  /** How many records each model has, for the sign-in caps. */
  private readonly counts = new Map<string, number>();
  private readonly unusedClientTtlMs: number;
  private readonly sweep: NodeJS.Timeout;

  constructor(options: MemoryGrantStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 100_000;
    this.maxSignInEntries = options.maxSignInEntries ?? 20_000;
    this.unusedClientTtlMs = options.unusedClientTtlMs ?? 24 * 3600_000;
    this.sweep = setInterval(() => this.sweepExpired(), options.sweepMs ?? 30_000);
    this.sweep.unref();
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

  grants(hostId: string): OAuthGrantRecord[] {
    return [...this.records.values()].filter((record) => record.hostId === hostId);
  }

  saveGrant(record: OAuthGrantRecord): void {
    this.records.set(record.grantId, record);
    const client = this.entries.get(`Client:${record.client.clientId}`);
    if (client !== undefined) client.expiresAt = Math.max(client.expiresAt, record.expiresAt);
    this.emit({ kind: 'saved', hostId: record.hostId, grantId: record.grantId });
  }

  revokeGrant(grantId: string): void {
    for (const key of this.byGrant.get(grantId) ?? []) this.delete(key);
    this.byGrant.delete(grantId);
    this.delete(`Grant:${grantId}`);
    const record = this.records.get(grantId);
    if (record === undefined) return;
    this.records.delete(grantId);
    this.emit({ kind: 'revoked', hostId: record.hostId, grantId });
  }

  touch(grantId: string, now = Date.now()): void {
    const record = this.records.get(grantId);
    if (record === undefined || (record.lastUsedAt !== null && now - record.lastUsedAt < TOUCH_EVERY_MS)) return;
    this.records.set(grantId, { ...record, lastUsedAt: now });
    this.emit({ kind: 'used', hostId: record.hostId, grantId });
  }

  onChange(listener: (change: GrantChange) => void): () => void {
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
    const key = this.keyOf(model, id);
    if (!this.entries.has(key)) {
      if (this.entries.size >= this.maxEntries) {
        throw new Error(`the OAuth store is full (${this.maxEntries} records); refusing to save a ${model}`);
      }
      const count = this.counts.get(model) ?? 0;
      if (SIGN_IN_MODELS.has(model) && count >= this.maxSignInEntries) {
        throw new Error(`too many sign-ins in progress (${this.maxSignInEntries} ${model} records); try again later`);
      }
      this.counts.set(model, count + 1);
    }
    const kept: AdapterPayload = { ...payload };
    if (HASHED_MODELS.has(model)) delete kept.jti;
    const expiresAt =
      typeof expiresIn === 'number'
        ? Date.now() + expiresIn * 1000
        : model === 'Client'
          ? Date.now() + this.unusedClientTtlMs
          : Infinity;
    this.entries.set(key, { payload: kept, expiresAt });
    if (GRANT_MODELS.has(model) && typeof payload.grantId === 'string') {
      let keys = this.byGrant.get(payload.grantId);
      if (keys === undefined) this.byGrant.set(payload.grantId, (keys = new Set()));
      keys.add(key);
    }
    if (model === 'Session' && typeof payload.uid === 'string') this.sessionByUid.set(payload.uid, id);
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

  private sweepExpired(now = Date.now()): void {
    for (const [key, entry] of [...this.entries]) if (entry.expiresAt <= now) this.delete(key);
    for (const record of [...this.records.values()]) if (record.expiresAt <= now) this.revokeGrant(record.grantId);
  }

  private emit(change: GrantChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

/** oidc-provider's adapter interface for one model, over the store. */
class ModelAdapter implements Adapter {
  constructor(
    private readonly store: MemoryGrantStore,
    private readonly model: string,
  ) {}

  upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
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
    const entry = this.store.read(this.store.keyOf(this.model, id));
    if (entry !== undefined) entry.payload.consumed = Math.floor(Date.now() / 1000);
    return Promise.resolve();
  }

  destroy(id: string): Promise<void> {
    // A Grant destroyed by the provider (reuse detected, the client revoked) ends the grant.
    if (this.model === 'Grant') this.store.revokeGrant(id);
    else this.store.delete(this.store.keyOf(this.model, id));
    return Promise.resolve();
  }

  revokeByGrantId(grantId: string): Promise<void> {
    this.store.revokeGrant(grantId);
    return Promise.resolve();
  }
}
