/**
 * The tab's permission settings in IndexedDB. What comes back is parsed with zod: settings that
 * do not parse are ignored with a warning and the defaults apply, never a half-read policy.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { z } from 'zod';
import { permissionSettingsSchema, type PermissionSettings, type PermissionStore } from '../server/permissions.ts';

const DB_NAME = 'vial-permissions';
const DB_VERSION = 1;
const STORE = 'settings';

interface PermissionDb extends DBSchema {
  settings: { key: 'permissions'; value: unknown };
}

export class IndexedDbPermissionStore implements PermissionStore {
  private db: Promise<IDBPDatabase<PermissionDb>> | undefined;

  async load(): Promise<PermissionSettings | undefined> {
    const raw = await (await this.open()).get(STORE, 'permissions');
    if (raw === undefined) return undefined;
    const parsed = permissionSettingsSchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    console.warn(`Vial: the saved permissions are unreadable; using the defaults: ${z.prettifyError(parsed.error)}`);
    return undefined;
  }

  async save(settings: PermissionSettings): Promise<void> {
    await (await this.open()).put(STORE, permissionSettingsSchema.parse(settings), 'permissions');
  }

  private open(): Promise<IDBPDatabase<PermissionDb>> {
    this.db ??= openDB<PermissionDb>(DB_NAME, DB_VERSION, {
      upgrade(db) {
        db.createObjectStore(STORE);
      },
    });
    return this.db;
  }
}
