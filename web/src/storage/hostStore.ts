/**
 * The tab's `HostStore` in IndexedDB: the host identity (so the MCP URL survives reloads), the
 * client tokens' records (hashes only, never a token), the host's admission to the relay (its
 * ticket, and an enrolment code not redeemed yet) and the OAuth grants the relay mirrors here
 * (hashes only too), which bring them back after a relay restart. Whatever comes back from IndexedDB
 * is parsed with zod before use: a record written by an older build, another tab or a user
 * poking at DevTools is dropped with a warning rather than trusted.
 */
import { hostIdSchema, oauthGrantStateSchema, tokenRecordSchema, type OAuthGrantState } from '@vial/shared';
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { z } from 'zod';
import type { HostAdmission, HostIdentity, HostStore, StoredToken } from '../server/identity.ts';

export const HOST_DB_NAME = 'vial-host';
const HOST_DB_VERSION = 1;
const STORE = 'host';

const identitySchema = z.object({ hostId: hostIdSchema, secret: z.string().min(32).max(128) });
export const storedTokenSchema = tokenRecordSchema.extend({ createdAt: z.number().int().nonnegative() });
/** The bounds the `register` frame puts on what is sent from here. */
const admissionSchema = z.object({
  ticket: z.string().min(1).max(256).optional(),
  enrolment: z.string().min(1).max(512).optional(),
});

interface HostDb extends DBSchema {
  host: {
    key: 'identity' | 'tokens' | 'admission' | 'oauth-grants';
    value: unknown;
  };
}

export class IndexedDbHostStore implements HostStore {
  private db: Promise<IDBPDatabase<HostDb>> | undefined;

  constructor(private readonly dbName = HOST_DB_NAME) {}

  async loadIdentity(): Promise<HostIdentity | undefined> {
    const raw = await (await this.open()).get(STORE, 'identity');
    if (raw === undefined) return undefined;
    const parsed = identitySchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    console.warn(
      `Vial: the saved host identity is unreadable and a new one will be made (the MCP URL changes): ${z.prettifyError(parsed.error)}`,
    );
    return undefined;
  }

  async saveIdentity(identity: HostIdentity): Promise<void> {
    await (await this.open()).put(STORE, identitySchema.parse(identity), 'identity');
  }

  async loadTokens(): Promise<StoredToken[]> {
    const raw = await (await this.open()).get(STORE, 'tokens');
    return readList(raw, storedTokenSchema, {
      notList: 'the saved token list is not a list; starting with no tokens',
      item: 'saved token',
    });
  }

  async saveTokens(tokens: StoredToken[]): Promise<void> {
    await (await this.open()).put(STORE, z.array(storedTokenSchema).parse(tokens), 'tokens');
  }

  async loadAdmission(): Promise<HostAdmission> {
    const raw = await (await this.open()).get(STORE, 'admission');
    if (raw === undefined) return {};
    const parsed = admissionSchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    console.warn(
      `Vial: the saved admission to the relay is unreadable; a relay that admits hosts will ask for a new enrolment code: ${z.prettifyError(parsed.error)}`,
    );
    return {};
  }

  async saveAdmission(admission: HostAdmission): Promise<void> {
    await (await this.open()).put(STORE, admissionSchema.parse(admission), 'admission');
  }

  async loadOAuthGrants(): Promise<OAuthGrantState[]> {
    const raw = await (await this.open()).get(STORE, 'oauth-grants');
    return readList(Array.isArray(raw) ? raw.slice(0, 1000) : raw, oauthGrantStateSchema, {
      notList: 'the saved OAuth grants are not a list; after a relay restart their clients sign in again',
      item: 'saved OAuth grant',
    });
  }

  async saveOAuthGrants(grants: OAuthGrantState[]): Promise<void> {
    await (await this.open()).put(STORE, z.array(oauthGrantStateSchema).max(1000).parse(grants), 'oauth-grants');
  }

  private open(): Promise<IDBPDatabase<HostDb>> {
    this.db ??= openDB<HostDb>(this.dbName, HOST_DB_VERSION, {
      upgrade(db) {
        if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE);
      },
    });
    return this.db;
  }
}

/** The items of a saved list that parse; the others are dropped with a warning naming why. */
function readList<T>(raw: unknown, schema: z.ZodType<T>, say: { notList: string; item: string }): T[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    console.warn(`Vial: ${say.notList}`);
    return [];
  }
  const items: T[] = [];
  for (const item of raw) {
    const parsed = schema.safeParse(item);
    if (parsed.success) items.push(parsed.data);
    else console.warn(`Vial: dropped an unreadable ${say.item}: ${z.prettifyError(parsed.error)}`);
  }
  return items;
}
