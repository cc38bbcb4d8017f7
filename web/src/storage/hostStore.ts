/**
 * The tab's `HostStore` in IndexedDB: the host identity (so the MCP URL survives reloads), the
 * client tokens' records (hashes only, never a token) and the host's admission to the relay (its
 * ticket, and an enrolment code not redeemed yet). Whatever comes back from IndexedDB
 * is parsed with zod before use: a record written by an older build, another tab or a user
 * poking at DevTools is dropped with a warning rather than trusted.
 */
import { hostIdSchema, tokenRecordSchema } from '@vial/shared';
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
    key: 'identity' | 'tokens' | 'admission';
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
    if (raw === undefined) return [];
    if (!Array.isArray(raw)) {
      console.warn('Vial: the saved token list is not a list; starting with no tokens');
      return [];
    }
    const tokens: StoredToken[] = [];
    for (const item of raw) {
      const parsed = storedTokenSchema.safeParse(item);
      if (parsed.success) tokens.push(parsed.data);
      else console.warn(`Vial: dropped an unreadable saved token: ${z.prettifyError(parsed.error)}`);
    }
    return tokens;
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

  private open(): Promise<IDBPDatabase<HostDb>> {
    this.db ??= openDB<HostDb>(this.dbName, HOST_DB_VERSION, {
      upgrade(db) {
        if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE);
      },
    });
    return this.db;
  }
}
