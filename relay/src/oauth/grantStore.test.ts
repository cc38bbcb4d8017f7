import { afterEach, describe, expect, it } from 'vitest';
import type { OAuthGrantRecord } from '@vial/shared';
import { MemoryGrantStore, sha256Hex, type GrantChange } from './grantStore.ts';

const HOST = 'AAAAAAAAAAAAAAAAAAAAAA';
const OTHER = 'BBBBBBBBBBBBBBBBBBBBBB';
const GRANT = 'grant-0123456789abcdef';

function record(
  grantId = GRANT,
  hostId = HOST,
  expiresAt = Date.now() + 60_000,
): OAuthGrantRecord & { resource: string } {
  return {
    grantId,
    hostId,
    resource: `http://localhost:8787/mcp/${hostId}`,
    client: { clientId: 'client', name: 'Client', cimd: false, redirectHosts: ['localhost'], loopbackOnly: true },
    scopes: ['quantum'],
    grantedAt: Date.now(),
    expiresAt,
    lastUsedAt: null,
  };
}

let store: MemoryGrantStore;
afterEach(() => store.close());

async function issueAccessToken(value: string, grantId = GRANT, hostId = HOST, expiresIn = 60) {
  await store
    .adapter('AccessToken')
    .upsert(
      value,
      { jti: value, grantId, aud: `http://localhost:8787/mcp/${hostId}`, scope: 'quantum', kind: 'AccessToken' },
      expiresIn,
    );
}

describe('MemoryGrantStore', () => {
  it('keeps bearer values only as hashes, and gives them back to the provider from the presented value', async () => {
    store = new MemoryGrantStore();
    await store.adapter('RefreshToken').upsert('refresh-secret', { jti: 'refresh-secret', grantId: GRANT }, 60);
    await issueAccessToken('access-secret');
    expect(store.dump()).not.toMatch(/refresh-secret|access-secret/);
    expect(await store.adapter('RefreshToken').find('refresh-secret')).toMatchObject({
      jti: 'refresh-secret',
      grantId: GRANT,
    });
    expect(await store.adapter('RefreshToken').find('another')).toBeUndefined();
  });

  it('indexes live access tokens by hash with their host, grant and scopes, and forgets expired ones', async () => {
    store = new MemoryGrantStore();
    await issueAccessToken('access-secret');
    expect(store.accessToken(sha256Hex('access-secret'))).toMatchObject({
      hostId: HOST,
      grantId: GRANT,
      scopes: ['quantum'],
    });
    expect(store.accessToken(sha256Hex('access-secret'), Date.now() + 61_000)).toBeUndefined();
  });

  it('revoking a grant ends its record and every token under it, tells listeners once, and leaves other grants', async () => {
    store = new MemoryGrantStore();
    const changes: GrantChange[] = [];
    store.onChange((change) => void changes.push(change));
    store.saveGrant(record());
    store.saveGrant(record('grant-other-000000000', OTHER));
    await issueAccessToken('mine');
    await issueAccessToken('theirs', 'grant-other-000000000', OTHER);
    await store.adapter('RefreshToken').upsert('refresh', { jti: 'refresh', grantId: GRANT }, 60);
    await store.adapter('Grant').destroy(GRANT); // as the provider does on refresh-token reuse
    await store.adapter('AccessToken').revokeByGrantId(GRANT); // and again: a no-op
    expect(store.grant(GRANT)).toBeUndefined();
    expect(store.accessToken(sha256Hex('mine'))).toBeUndefined();
    expect(await store.adapter('RefreshToken').find('refresh')).toBeUndefined();
    expect(store.accessToken(sha256Hex('theirs'))).toBeDefined();
    expect(store.grants(OTHER)).toHaveLength(1);
    expect(changes.filter((change) => change.kind === 'revoked')).toEqual([
      { kind: 'revoked', hostId: HOST, grantId: GRANT },
    ]);
  });

  it('refuses to grow past its cap, naming it, instead of dropping records silently', async () => {
    store = new MemoryGrantStore({ maxEntries: 2 });
    await store.adapter('Client').upsert('a', { client_id: 'a' }, 60);
    await store.adapter('Client').upsert('b', { client_id: 'b' }, 60);
    await store.adapter('Client').upsert('a', { client_id: 'a', client_name: 'again' }, 60); // an update fits
    await expect(store.adapter('Client').upsert('c', { client_id: 'c' }, 60)).rejects.toThrow(
      /OAuth store is full \(2 records\)/,
    );
  });

  it('stamps last use at most once a minute', () => {
    store = new MemoryGrantStore();
    const changes: GrantChange[] = [];
    store.onChange((change) => void changes.push(change));
    store.saveGrant(record());
    store.touch(GRANT, 1_000_000);
    store.touch(GRANT, 1_030_000);
    store.touch(GRANT, 1_061_000);
    expect(changes.filter((change) => change.kind === 'used')).toHaveLength(2);
    expect(store.grant(GRANT)?.lastUsedAt).toBe(1_061_000);
  });

  it('sweeps expired grants as revoked', async () => {
    store = new MemoryGrantStore({ sweepMs: 10 });
    const changes: GrantChange[] = [];
    store.onChange((change) => void changes.push(change));
    store.saveGrant(record(GRANT, HOST, Date.now() + 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(store.grants(HOST)).toEqual([]);
    expect(changes.at(-1)).toEqual({ kind: 'revoked', hostId: HOST, grantId: GRANT });
  });

  it('keeps a registered client a day unless a grant needs it longer', async () => {
    store = new MemoryGrantStore({ unusedClientTtlMs: 20, sweepMs: 10 });
    await store.adapter('Client').upsert('unused', { client_id: 'unused' }, undefined as unknown as number);
    await store.adapter('Client').upsert('client', { client_id: 'client' }, undefined as unknown as number);
    store.saveGrant(record());
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await store.adapter('Client').find('unused')).toBeUndefined();
    expect(await store.adapter('Client').find('client')).toMatchObject({ client_id: 'client' });
  });

  it('caps sign-ins in progress apart, so a flood of them leaves room for grants and tokens', async () => {
    store = new MemoryGrantStore({ maxSignInEntries: 2 });
    await store.adapter('Interaction').upsert('one', { uid: 'one' }, 600);
    await store.adapter('Interaction').upsert('two', { uid: 'two' }, 600);
    await expect(store.adapter('Interaction').upsert('three', { uid: 'three' }, 600)).rejects.toThrow(
      /too many sign-ins in progress \(2 Interaction records\)/,
    );
    await issueAccessToken('still-fits');
    await store.adapter('Interaction').destroy('one');
    await store.adapter('Interaction').upsert('three', { uid: 'three' }, 600);
  });

  it("mirrors a grant's refresh hash and used hashes, and undoes a rotation the tab did not save", async () => {
    store = new MemoryGrantStore();
    let refuse = false;
    store.onChange((change) => (refuse && change.kind === 'rotated' ? Promise.reject(new Error('away')) : undefined));
    store.saveGrant(record());
    const refresh = store.adapter('RefreshToken');
    await refresh.upsert('first', { jti: 'first', grantId: GRANT, iat: 1, rotations: 0 }, 60);
    expect(store.grants(HOST)[0]).toMatchObject({ refresh: { hash: sha256Hex('first'), rotations: 0 }, consumed: [] });

    refuse = true;
    await refresh.consume('first');
    await expect(refresh.upsert('second', { jti: 'second', grantId: GRANT, rotations: 1 }, 60)).rejects.toMatchObject({
      error: 'temporarily_unavailable',
    });
    expect(store.grants(HOST)[0]).toMatchObject({ refresh: { hash: sha256Hex('first') }, consumed: [] });
    expect(await refresh.find('first')).not.toHaveProperty('consumed');
    expect(await refresh.find('second')).toBeUndefined();

    refuse = false;
    await refresh.consume('first');
    await refresh.upsert('second', { jti: 'second', grantId: GRANT, rotations: 1 }, 60);
    expect(store.grants(HOST)[0]).toMatchObject({
      refresh: { hash: sha256Hex('second'), rotations: 1 },
      consumed: [sha256Hex('first')],
    });
    expect(store.dump()).not.toMatch(/"first"|"second"/);
  });

  it('restores a state under its hashes (used ones marked used), once per host, refusing ids already in use', async () => {
    store = new MemoryGrantStore();
    const state = {
      ...record(),
      refresh: { hash: sha256Hex('current'), issuedAt: Date.now(), expiresAt: Date.now() + 60_000, rotations: 2 },
      consumed: [sha256Hex('used')],
      registration: { client_id: 'client', redirect_uris: ['http://localhost/cb'] },
    };
    expect(store.firstSight(HOST)).toBe(true);
    expect(store.firstSight(HOST)).toBe(false);
    expect(store.restore(state)).toBeUndefined();
    expect(await store.adapter('RefreshToken').find('current')).toMatchObject({ grantId: GRANT, rotations: 2 });
    expect(await store.adapter('RefreshToken').find('used')).toHaveProperty('consumed');
    expect(await store.adapter('Grant').find(GRANT)).toMatchObject({ accountId: HOST, clientId: 'client' });
    expect(await store.adapter('Client').find('client')).toMatchObject({ redirect_uris: ['http://localhost/cb'] });
    expect(store.restore(state)).toMatch(/already exists/);
    expect(store.restore({ ...state, grantId: 'grant-another-00000000' })).toMatch(/refresh token that already exists/);
    expect(store.grants(HOST)).toHaveLength(1);
  });
});
