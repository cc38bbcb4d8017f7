/**
 * The origins remote clients may make this tab fetch from (model_load URLs, train_model CSV URLs,
 * the Hugging Face hub): the ones the person approved when a client first asked, and the ones
 * they added in Settings. Kept in localStorage, so the list lasts as long as the tab's storage;
 * listed and removable in Settings.
 */
import { z } from 'zod';

const KEY = 'vial.fetch.origins';

export interface AllowedOrigin {
  /** `scheme://host[:port]`, as `URL.origin` writes it. */
  origin: string;
  /** The client whose request the person approved; absent when they added the origin in Settings. */
  client?: string;
  addedAt: number;
}

const allowedOriginSchema = z.object({ origin: z.string(), client: z.string().optional(), addedAt: z.number() });
const listSchema = z.array(allowedOriginSchema);

/** The part of `Storage` the store needs (localStorage in the tab, a Map in Node). */
export type OriginStorage = Pick<Storage, 'getItem' | 'setItem'>;

/**
 * `text` as an origin: `https://models.example.com/a/b` and `https://models.example.com` both
 * give `https://models.example.com`. Throws an error that says what is wrong.
 */
export function parseOrigin(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new Error(`'${text}' is not a URL; write an origin such as http://127.0.0.1:8000.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`'${text}' is a ${url.protocol} URL; only http: and https: origins can be allowed.`);
  }
  return url.origin;
}

export class FetchOriginStore {
  private readonly listeners = new Set<(origins: AllowedOrigin[]) => void>();

  constructor(
    private readonly storage: OriginStorage,
    private readonly now: () => number = Date.now,
  ) {}

  /** A store held in memory only: for Node hosts and tests. */
  static inMemory(): FetchOriginStore {
    const values = new Map<string, string>();
    return new FetchOriginStore({
      getItem: (key) => values.get(key) ?? null,
      setItem: (key, value) => void values.set(key, value),
    });
  }

  list(): AllowedOrigin[] {
    const raw = this.storage.getItem(KEY);
    if (raw === null) return [];
    try {
      return listSchema.parse(JSON.parse(raw));
    } catch {
      // An unreadable list allows nothing: the person adds the origins again.
      console.warn('Vial: ignored an unreadable list of allowed fetch origins');
      return [];
    }
  }

  has(origin: string): boolean {
    return this.list().some((entry) => entry.origin === origin);
  }

  /**
   * Adds `origin` (any URL on it will do), approved for `client`'s request or, without one, added
   * by the person in Settings. Adding one already listed keeps the first entry.
   */
  add(origin: string, client?: string): AllowedOrigin {
    const normalised = parseOrigin(origin);
    const list = this.list();
    const existing = list.find((entry) => entry.origin === normalised);
    if (existing) return existing;
    const entry: AllowedOrigin = {
      origin: normalised,
      addedAt: this.now(),
      ...(client === undefined ? {} : { client }),
    };
    this.save([...list, entry]);
    return entry;
  }

  remove(origin: string): void {
    this.save(this.list().filter((entry) => entry.origin !== origin));
  }

  on(listener: (origins: AllowedOrigin[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private save(list: AllowedOrigin[]): void {
    this.storage.setItem(KEY, JSON.stringify(list));
    for (const listener of this.listeners) listener(list);
  }
}
