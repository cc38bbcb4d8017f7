import { describe, expect, it, vi } from 'vitest';
import { FetchOriginStore, parseOrigin } from './fetchOriginStore.ts';

describe('FetchOriginStore', () => {
  it('keeps origins (not URLs), once each, and tells listeners', () => {
    const store = FetchOriginStore.inMemory();
    const seen = vi.fn();
    store.on(seen);
    store.add('http://127.0.0.1:8000/models/x.onnx');
    store.add('https://Models.Example.com/a', 'Claude Code');
    store.add('http://127.0.0.1:8000');
    expect(store.list().map(({ origin, client }) => ({ origin, client }))).toEqual([
      { origin: 'http://127.0.0.1:8000', client: undefined },
      { origin: 'https://models.example.com', client: 'Claude Code' },
    ]);
    expect(store.has('https://models.example.com')).toBe(true);
    expect(store.has('https://models.example.com:444')).toBe(false);
    store.remove('http://127.0.0.1:8000');
    expect(store.has('http://127.0.0.1:8000')).toBe(false);
    expect(seen).toHaveBeenCalledTimes(3);
  });

  it('reads what another store on the same storage wrote (a reload), and allows nothing from a corrupt list', () => {
    const values = new Map<string, string>();
    const storage = {
      getItem: (key: string) => values.get(key) ?? null,
      setItem: (k: string, v: string) => void values.set(k, v),
    };
    new FetchOriginStore(storage).add('http://nas.local:9000');
    expect(new FetchOriginStore(storage).has('http://nas.local:9000')).toBe(true);
    values.set('vial.fetch.origins', '{"not":"a list"}');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(new FetchOriginStore(storage).list()).toEqual([]);
    warn.mockRestore();
  });

  it.each([
    ['not a url', "'not a url' is not a URL"],
    ['file:///etc/passwd', 'only http: and https: origins can be allowed'],
    ['javascript:alert(1)', 'only http: and https: origins can be allowed'],
  ])('refuses %j', (text, message) => {
    expect(() => parseOrigin(text)).toThrow(message);
    expect(() => FetchOriginStore.inMemory().add(text)).toThrow(message);
  });
});
