/**
 * A host's identity, its client tokens and its admission to the relay, and where they are kept.
 * The browser keeps them in IndexedDB (`web/src/storage/`); Node hosts (tests, benchmarks) keep
 * them in memory.
 */
import { deriveHostId, randomSecret, type OAuthGrantState, type TokenRecord } from '@vial/shared';

export interface HostIdentity {
  hostId: string;
  secret: string;
}

/** A token as the tab remembers it: the relay's record plus when it was made. Never the token itself. */
export type StoredToken = TokenRecord & { createdAt: number };

/**
 * What lets this host onto a relay that admits hosts: the admission `ticket` the relay gave it,
 * sent on every `register`, and an enrolment code the person entered that the relay has not
 * redeemed yet (`enrolment`; it works once, then the ticket takes its place).
 */
export interface HostAdmission {
  ticket?: string;
  enrolment?: string;
}

export interface HostStore {
  loadIdentity(): Promise<HostIdentity | undefined>;
  saveIdentity(identity: HostIdentity): Promise<void>;
  loadTokens(): Promise<StoredToken[]>;
  saveTokens(tokens: StoredToken[]): Promise<void>;
  loadAdmission(): Promise<HostAdmission>;
  saveAdmission(admission: HostAdmission): Promise<void>;
  /**
   * The OAuth grants the relay last mirrored to this tab (hashes only, never a token): sent back
   * on `register`, so they survive a relay restart.
   */
  loadOAuthGrants(): Promise<OAuthGrantState[]>;
  saveOAuthGrants(grants: OAuthGrantState[]): Promise<void>;
}

export async function createIdentity(): Promise<HostIdentity> {
  const secret = randomSecret(32);
  return { hostId: await deriveHostId(secret), secret };
}

/** Loads the saved identity or makes and saves a new one, so the host id stays stable. */
export async function loadOrCreateIdentity(store: HostStore): Promise<HostIdentity> {
  const saved = await store.loadIdentity();
  if (saved) return saved;
  const identity = await createIdentity();
  await store.saveIdentity(identity);
  return identity;
}

export class MemoryHostStore implements HostStore {
  private identity: HostIdentity | undefined;
  private tokens: StoredToken[] = [];
  private admission: HostAdmission = {};
  private oauthGrants: OAuthGrantState[] = [];

  async loadIdentity() {
    return this.identity;
  }
  async saveIdentity(identity: HostIdentity) {
    this.identity = identity;
  }
  async loadTokens() {
    return [...this.tokens];
  }
  async saveTokens(tokens: StoredToken[]) {
    this.tokens = [...tokens];
  }
  async loadAdmission() {
    return { ...this.admission };
  }
  async saveAdmission(admission: HostAdmission) {
    this.admission = { ...admission };
  }
  async loadOAuthGrants() {
    return structuredClone(this.oauthGrants);
  }
  async saveOAuthGrants(grants: OAuthGrantState[]) {
    this.oauthGrants = structuredClone(grants);
  }
}
