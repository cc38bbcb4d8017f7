/**
 * Grants survive a relay restart: the relay mirrors each grant's state (hashes only) to the
 * host's tab, which saves it (here the Node host's MemoryHostStore), acknowledges it, and hands it
 * back on `register`. The SDK 2.x client's access token dies with the relay's memory (401), its
 * refresh token brings it back on the same grant, with no new consent; a refresh token used
 * before the restart still ends the grant after it. A tab that lies gets nothing it could not
 * already give itself: it mints static tokens with any of Vial's scopes for its own host at will
 * (the `tokens` frame), so the boundary is that a restored grant works only at the socket's own
 * host, with Vial's scopes, for no longer than VIAL_OAUTH_GRANT_MAX_DAYS, and never disturbs a
 * grant or token that exists.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { deriveHostId, randomSecret, type OAuthGrantState } from '@vial/shared';
import type { MemoryGrantStore } from '../../../relay/src/oauth/grantStore.ts';
import { MemoryHostStore } from '../../../web/src/server/identity.ts';
import type { HostRuntime } from '../../../web/src/server/runtime.ts';
import { startNodeHost } from '../../support/relay.ts';
import { openHostileTab } from '../../support/hostileTab.ts';
import { until } from '../../support/until.ts';
import {
  connectWithOAuth,
  mcpPost,
  MemoryOAuthProvider,
  redeem,
  approvedCode,
  refresh,
  startOAuthStack,
  tokenRequest,
} from '../../support/oauth.ts';

const QASM = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\ncreg c[1];\nh q[0];\nmeasure q[0] -> c[0];';

let stack: Awaited<ReturnType<typeof startOAuthStack>> | undefined;
let other: HostRuntime | undefined;
afterEach(async () => {
  other?.stop();
  other = undefined;
  await stack?.close();
  stack = undefined;
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const dumpOf = (started: NonNullable<typeof stack>) => (started.relay.oauth!.store as MemoryGrantStore).dump();

async function restarted(started: NonNullable<typeof stack>): Promise<void> {
  await started.restartRelay();
  await started.host.whenOnline();
  // The host is back once the new relay has its grants (restored from what the tab kept).
  await expect
    .poll(() => started.relay.oauth!.store.grants(started.host.hostId).length)
    .toBe(started.host.oauth.grants().length);
}

function refreshWith(started: NonNullable<typeof stack>, clientId: string, refreshToken: string) {
  return tokenRequest(started.url, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId });
}

describe('grants across a relay restart', () => {
  it('the SDK client gets 401, refreshes on the same grant with no new consent, and works again', async () => {
    stack = await startOAuthStack();
    const provider = new MemoryOAuthProvider();
    await connectWithOAuth(stack.mcpUrl, stack.host, provider, ['quantum']);
    const listed = stack.host.oauth.grants();
    expect(listed).toHaveLength(1);
    // What the tab keeps: hashes, never the tokens themselves.
    const kept = JSON.stringify(await stack.store.loadOAuthGrants());
    expect(kept).toContain(sha256(provider.savedTokens!.refresh_token!));
    expect(kept).not.toContain(provider.savedTokens!.refresh_token!);
    expect(kept).not.toContain(provider.savedTokens!.access_token);
    const before = provider.savedTokens!;

    await restarted(stack);
    expect((await mcpPost(stack.mcpUrl, before.access_token)).status).toBe(401);
    expect(await refresh(provider, stack.mcpUrl)).toBe('AUTHORIZED');
    expect(provider.savedTokens!.refresh_token).not.toBe(before.refresh_token);
    expect((await mcpPost(stack.mcpUrl, provider.savedTokens!.access_token)).status).toBe(200);

    const client = (await connectWithOAuthAgain(stack.mcpUrl, provider)).client;
    const call = await client.callTool({ name: 'quantum_simulate', arguments: { qasm: QASM, shots: 8 } });
    expect(call.isError).toBeFalsy();
    const outOfScope = await client.callTool({ name: 'wallet_status', arguments: {} });
    expect(outOfScope.isError).toBe(true);
    await client.close();

    // The same grant in the Connect view (its use stamped), and no consent was asked for.
    const after = stack.host.oauth.grants();
    expect(
      after.map(({ grantId, client: who, scopes, grantedAt, expiresAt }) => ({
        grantId,
        who,
        scopes,
        grantedAt,
        expiresAt,
      })),
    ).toEqual(
      listed.map(({ grantId, client: who, scopes, grantedAt, expiresAt }) => ({
        grantId,
        who,
        scopes,
        grantedAt,
        expiresAt,
      })),
    );
    expect(stack.relay.oauth!.consents.pendingFor(stack.host.hostId)).toEqual([]);

    // The restarted relay's memory holds no token the client has or had.
    const dump = dumpOf(stack);
    for (const token of [
      before.access_token,
      before.refresh_token!,
      provider.savedTokens!.access_token,
      provider.savedTokens!.refresh_token!,
    ]) {
      expect(dump).not.toContain(token);
    }
  });

  it('a refresh token used before the restart still ends the grant after it', async () => {
    stack = await startOAuthStack();
    const grant = await approvedCode(stack);
    const first = (await redeem(stack.url, grant)).body;
    const rotated = await refreshWith(stack, grant.clientId, first.refresh_token!);
    expect(rotated.status).toBe(200);

    await restarted(stack);
    const reused = await refreshWith(stack, grant.clientId, first.refresh_token!);
    expect(reused).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // The whole grant is gone: the current refresh token too, and the tab is told.
    expect(await refreshWith(stack, grant.clientId, rotated.body.refresh_token!)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    await expect.poll(() => stack!.host.oauth.grants()).toEqual([]);
    expect(await stack.store.loadOAuthGrants()).toEqual([]);
  });

  it('a rotation the tab cannot save is undone: the client keeps its refresh token', async () => {
    stack = await startOAuthStack({ hooks: { oauthMirrorAckMs: 300 } });
    const grant = await approvedCode(stack);
    const first = (await redeem(stack.url, grant)).body;
    await expect
      .poll(async () => (await stack!.store.loadOAuthGrants())[0]?.refresh?.hash)
      .toBe(sha256(first.refresh_token!));
    const save = stack.store.saveOAuthGrants.bind(stack.store);
    stack.store.saveOAuthGrants = () => Promise.reject(new Error('IndexedDB is full'));

    const refused = await refreshWith(stack, grant.clientId, first.refresh_token!);
    expect(refused).toMatchObject({ status: 400, body: { error: 'temporarily_unavailable' } });
    stack.store.saveOAuthGrants = save;
    // Not counted as a reuse: the same token refreshes once the tab can save again.
    const retried = await refreshWith(stack, grant.clientId, first.refresh_token!);
    expect(retried.status).toBe(200);
    await expect
      .poll(async () => (await stack!.store.loadOAuthGrants())[0]?.refresh?.hash)
      .toBe(sha256(retried.body.refresh_token!));
  });

  it('a client cannot revoke while the tab is away; a relay that saw the host ignores the copy its tab sends back', async () => {
    stack = await startOAuthStack();
    const grant = await approvedCode(stack);
    const first = (await redeem(stack.url, grant)).body;
    await expect.poll(() => stack!.host.oauth.grants().length).toBe(1);
    stack.host.stop();
    await expect.poll(() => stack!.relay.registry.get(stack!.host.hostId)?.online).toBe(false);
    // A client's revocation waits for the tab (its copy would bring the grant back after a restart).
    const revoke = () =>
      fetch(`${stack!.url}/oauth/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: first.refresh_token!, client_id: grant.clientId }),
      });
    const away = await revoke();
    expect(away.status).toBe(503);
    expect(await away.json()).toMatchObject({ error: 'temporarily_unavailable' });
    expect(stack.relay.oauth!.store.grants(stack.host.hostId)).toHaveLength(1);
    // A revocation whose list the tab never got (the socket dropped): the tab comes back with its old copy.
    await stack.relay.oauth!.store.revokeGrant(stack.relay.oauth!.store.grants(stack.host.hostId)[0]!.grantId);
    expect((await stack.store.loadOAuthGrants()).length).toBe(1);
    other = await startNodeHost(stack.url, { store: stack.store });
    await expect.poll(() => other!.oauth.grants()).toEqual([]);
    expect(stack.relay.oauth!.store.grants(stack.host.hostId)).toEqual([]);
    expect(await refreshWith(stack, grant.clientId, first.refresh_token!)).toMatchObject({ status: 400 });
  });
});

/** A new SDK client on the provider's (refreshed) tokens. */
async function connectWithOAuthAgain(mcpUrl: string, provider: MemoryOAuthProvider) {
  const { Client, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
  const client = new Client({ name: 'oauth-test', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }));
  return { client };
}

describe('a tab that lies about its grants on register', () => {
  /** A real grant's state, as the tab kept it, to tamper with. */
  async function keptGrant(started: NonNullable<typeof stack>) {
    const grant = await approvedCode(started);
    const tokens = (await redeem(started.url, grant)).body;
    await expect.poll(async () => (await started.store.loadOAuthGrants())[0]?.refresh).not.toBeNull();
    return { grant, tokens, state: (await started.store.loadOAuthGrants())[0]! };
  }

  it('is refused another host, bad scopes, overlong lifetimes, unsafe registrations, and 10 000 records', async () => {
    stack = await startOAuthStack();
    const { state } = await keptGrant(stack);
    other = await startNodeHost(stack.url, { store: new MemoryHostStore() });
    const otherResource = other.mcpUrl!;
    const id = (n: number) => `forged-grant-${String(n).padStart(6, '0')}`;
    const hash = () => sha256(randomBytes(16).toString('hex'));
    const forged = (n: number, change: Partial<OAuthGrantState>): OAuthGrantState => ({
      ...state,
      grantId: id(n),
      refresh: { ...state.refresh!, hash: hash() },
      consumed: [],
      registration: undefined,
      ...change,
    });
    const day = 86_400_000;
    const lies: Array<[string, OAuthGrantState]> = [
      ['another host', forged(1, { hostId: other.hostId, resource: otherResource })],
      ['another host’s resource', forged(2, { resource: otherResource })],
      ['a resource elsewhere', forged(3, { resource: 'https://evil.example/mcp/x' })],
      ['no scopes', forged(4, { scopes: [] })],
      [
        'a lifetime past VIAL_OAUTH_GRANT_MAX_DAYS',
        forged(5, { grantedAt: Date.now(), expiresAt: Date.now() + 400 * day }),
      ],
      ['expired', forged(6, { grantedAt: Date.now() - 2 * day, expiresAt: Date.now() - day })],
      ['an existing grant id', forged(7, { grantId: state.grantId })],
      ['an existing refresh hash', forged(8, { refresh: state.refresh })],
      [
        'a registration with a secret',
        forged(9, {
          registration: {
            client_id: state.client.clientId,
            client_secret: 'x',
            redirect_uris: ['http://localhost:1/cb'],
          },
        }),
      ],
      [
        'a registration with a javascript: redirect',
        forged(10, { registration: { client_id: state.client.clientId, redirect_uris: ['javascript:alert(1)'] } }),
      ],
      [
        'a registration with a fragment in a redirect',
        forged(11, { registration: { client_id: state.client.clientId, redirect_uris: ['http://localhost:1/cb#x'] } }),
      ],
      [
        "a registration no native client could have (an app's scheme beside https on loopback)",
        forged(12, {
          registration: { client_id: state.client.clientId, redirect_uris: ['cursor://cb', 'https://localhost/cb'] },
        }),
      ],
    ];
    // The relay restarts while the host's tab is away; a tab with the host's secret comes back first.
    stack.host.stop();
    await stack.restartRelay();
    await expect.poll(() => stack!.relay.registry.get(other!.hostId)?.online).toBe(true);
    const entriesBefore = JSON.parse(dumpOf(stack)).entries.length;
    const tab = await registerLying(stack, [state, ...lies.map(([, lie]) => lie)]);
    const kept = stack.relay.oauth!.store.grants(stack.host.hostId).map((grant) => grant.grantId);
    expect(kept).toEqual([state.grantId]);
    expect(stack.relay.oauth!.store.grants(other.hostId)).toEqual([]);
    // Only the honest grant's records went in: its Grant, its refresh token, its client.
    expect(JSON.parse(dumpOf(stack)).entries.length - entriesBefore).toBe(3);
    tab.close();

    // 10 000 records do not fit the frame: the register is refused as an invalid frame.
    const flood = Array.from({ length: 10_000 }, (_, n) => forged(100 + n, {}));
    await expect(registerLying(stack, flood)).rejects.toThrow();
    expect(stack.relay.oauth!.store.grants(stack.host.hostId)).toHaveLength(1);
  });

  it('restores no more than VIAL_OAUTH_MAX_GRANTS_PER_HOST, however many it sends', async () => {
    stack = await startOAuthStack({ env: { VIAL_OAUTH_MAX_GRANTS_PER_HOST: '3' } });
    const { state } = await keptGrant(stack);
    const copies = Array.from({ length: 6 }, (_, n) => ({
      ...state,
      grantId: `copied-grant-${String(n).padStart(6, '0')}`,
      refresh: { ...state.refresh!, hash: sha256(`made up ${n}`) },
      consumed: [],
      registration: undefined,
    }));
    stack.host.stop();
    await stack.restartRelay();
    const tab = await registerLying(stack, [state, ...copies]);
    expect(stack.relay.oauth!.store.grants(stack.host.hostId)).toHaveLength(3);
    expect(tab.frames.find((frame) => frame.type === 'oauth-grants')).toMatchObject({ grants: { length: 3 } });
    tab.close();
  });

  it("another host's tab planting a client's registration before the client's own host is back: the client still refreshes on its grant, and the plant gets the other host nothing", async () => {
    stack = await startOAuthStack();
    const { state, tokens, grant } = await keptGrant(stack);
    expect(state.registration).toMatchObject({ client_id: grant.clientId });
    // A host of the attacker's, whose tab claims a grant for the same client with a registration of its own.
    const secret = randomSecret();
    const attackerHost = await deriveHostId(secret);
    const planted: OAuthGrantState = {
      ...state,
      grantId: 'planted-grant-000000',
      hostId: attackerHost,
      resource: `${stack.url}/mcp/${attackerHost}`,
      refresh: { ...state.refresh!, hash: sha256('made up') },
      consumed: [],
      registration: {
        client_id: grant.clientId,
        client_name: 'Planted',
        redirect_uris: ['https://evil.example/cb'],
        // What would stop the real client refreshing, and what would make its metadata fail to load.
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'none',
        id_token_signed_response_alg: 'not-an-alg',
        scope: 'ml',
      },
    };
    stack.host.stop();
    await stack.restartRelay();
    const attacker = await openHostileTab(stack.url, { secret, oauthGrants: [planted] });
    await expect.poll(() => stack!.relay.oauth!.store.grants(attackerHost).length).toBe(1);
    const tab = await registerLying(stack, [state]);
    expect(stack.relay.oauth!.store.grants(stack.host.hostId).map((kept) => kept.grantId)).toEqual([state.grantId]);

    // The client refreshes on its own grant as before the restart, within its scope, and works at its host.
    const refreshed = await refreshWith(stack, grant.clientId, tokens.refresh_token!);
    expect(refreshed).toMatchObject({ status: 200, body: { scope: 'quantum' } });
    expect((await mcpPost(stack.mcpUrl, refreshed.body.access_token)).status).toBe(200);
    // What the relay kept of any registration a tab hands back is a public code-and-refresh client's.
    const [, stored] = (
      JSON.parse(dumpOf(stack)) as { entries: [string, { payload: Record<string, unknown> }][] }
    ).entries.find(([key]) => key === `Client:${grant.clientId}`)!;
    expect(stored.payload).toMatchObject({
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    });
    expect(stored.payload).not.toHaveProperty('id_token_signed_response_alg');
    expect(stored.payload).not.toHaveProperty('scope');
    // The client's tokens never reach the attacker's host.
    expect((await mcpPost(`${stack.url}/mcp/${attackerHost}`, refreshed.body.access_token)).status).toBe(401);
    tab.close();
    attacker.socket.close();
  });

  it('a refresh hash it made up works only where a static token of its own would: its own host, its scopes', async () => {
    stack = await startOAuthStack();
    const { state, grant } = await keptGrant(stack);
    other = await startNodeHost(stack.url, { store: new MemoryHostStore() });
    const madeUp = randomBytes(32).toString('base64url');
    const forged: OAuthGrantState = {
      ...state,
      grantId: 'made-up-grant-000000',
      refresh: { ...state.refresh!, hash: sha256(madeUp) },
      consumed: [],
    };
    // The relay restarts while the host's tab is away; the tab comes back with a forged record added.
    stack.host.stop();
    await stack.restartRelay();
    await expect.poll(() => stack!.relay.registry.get(other!.hostId)?.online).toBe(true);
    const tab = await registerLying(stack, [state, forged]);
    const refreshed = await refreshWith(stack, grant.clientId, madeUp);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.scope).toBe('quantum');
    // Its access token is for this host only: another host's MCP URL refuses it.
    expect(
      (await mcpPost(`${new URL(stack.mcpUrl).origin}/mcp/${other.hostId}`, refreshed.body.access_token)).status,
    ).toBe(401);
    // And it cannot be asked for more: another resource or a scope outside the grant.
    expect(
      await tokenRequest(stack.url, {
        grant_type: 'refresh_token',
        refresh_token: refreshed.body.refresh_token!,
        client_id: grant.clientId,
        scope: 'wallet:sign',
      }),
    ).toMatchObject({ status: 400 });
    tab.close();
  });
});

/** Registers the stack's host from a raw socket (a tab that says what it likes), once the relay told it its grants. */
async function registerLying(started: NonNullable<typeof stack>, oauthGrants: OAuthGrantState[]) {
  const identity = (await started.store.loadIdentity())!;
  const tab = await openHostileTab(started.url, { secret: identity.secret, oauthGrants });
  // It saves nothing, but says it did, as an honest tab would once it had.
  tab.socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { type: string; seq?: number };
    if (frame.type === 'oauth-grants') tab.send({ type: 'oauth-grants-stored', seq: frame.seq! });
  });
  await until(() => tab.frames.some((frame) => frame.type === 'oauth-grants'));
  return { frames: tab.frames, close: () => tab.socket.close() };
}
