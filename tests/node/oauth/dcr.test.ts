/**
 * The MCP SDK 2.x client's own OAuth support against the real relay and a Node host, with
 * Dynamic Client Registration: discovery from the 401, registration, consent given in the host's
 * tab with the page's match code, then tools within the granted scopes, a refusal outside them,
 * a refresh, and the cut-off when the tab revokes the grant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryGrantStore } from '../../../relay/src/oauth/grantStore.ts';
import { connectWithOAuth, mcpPost, MemoryOAuthProvider, refresh, startOAuthStack } from '../../support/oauth.ts';

const QASM = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\ncreg c[1];\nh q[0];\nmeasure q[0] -> c[0];';

describe('SDK 2.x client, DCR', () => {
  let stack: Awaited<ReturnType<typeof startOAuthStack>>;
  beforeAll(async () => {
    stack = await startOAuthStack();
  });
  afterAll(() => stack.close());

  it('signs in, calls within its scopes, is refused outside them, refreshes, and is cut off by revocation', async () => {
    const provider = new MemoryOAuthProvider();
    const { client, details } = await connectWithOAuth(stack.mcpUrl, stack.host, provider, ['quantum']);
    expect(details.client).toMatchObject({ name: 'Test DCR client', cimd: false, redirectHosts: ['localhost'] });
    expect(details.matchCode.split(' ')).toHaveLength(4);
    expect(provider.authorizationUrl!.searchParams.get('code_challenge_method')).toBe('S256');
    expect(provider.authorizationUrl!.searchParams.get('resource')).toBe(stack.mcpUrl);
    expect(provider.savedTokens!.scope).toBe('quantum');
    expect(provider.savedTokens!.refresh_token).toBeTruthy();

    // The relay keeps hashes of bearer values only: no token the client holds is in its store.
    const dump = (stack.relay.oauth!.store as MemoryGrantStore).dump();
    expect(dump).not.toContain(provider.savedTokens!.access_token);
    expect(dump).not.toContain(provider.savedTokens!.refresh_token!);

    const grants = stack.host.oauth.grants();
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ scopes: ['quantum'], client: { name: 'Test DCR client' } });

    const tools = await client.listTools();
    expect(tools.tools.map((tool) => tool.name)).toContain('quantum_simulate');
    const inScope = await client.callTool({ name: 'quantum_simulate', arguments: { qasm: QASM, shots: 16 } });
    expect(inScope.isError).toBeFalsy();
    const outOfScope = await client.callTool({ name: 'wallet_status', arguments: {} });
    expect(outOfScope.isError).toBe(true);
    expect(JSON.stringify(outOfScope.content)).toMatch(
      /OAuth client 'Test DCR client' was not granted the scope wallet:read.*grant wallet:read in the consent screen/,
    );

    const before = provider.savedTokens!;
    expect(await refresh(provider, stack.mcpUrl)).toBe('AUTHORIZED');
    expect(provider.savedTokens!.access_token).not.toBe(before.access_token);
    expect(provider.savedTokens!.refresh_token).not.toBe(before.refresh_token);
    expect((await mcpPost(stack.mcpUrl, provider.savedTokens!.access_token)).status).toBe(200);
    expect(
      (await client.callTool({ name: 'quantum_simulate', arguments: { qasm: QASM, shots: 8 } })).isError,
    ).toBeFalsy();

    const sessions = stack.relay.registry.get(stack.host.hostId)!.sessions;
    expect(sessions.size).toBeGreaterThan(0);
    expect(stack.host.oauth.revoke(grants[0]!.grantId)).toBe(true);
    await expect.poll(() => stack.host.oauth.grants()).toEqual([]);
    expect(sessions.size).toBe(0);
    const after = await mcpPost(stack.mcpUrl, provider.savedTokens!.access_token);
    expect(after.status).toBe(401);
    expect(after.challenge).toContain(
      `resource_metadata="${new URL(stack.mcpUrl).origin}/.well-known/oauth-protected-resource/mcp/${stack.host.hostId}"`,
    );
    // The SDK's refresh fails too (the grant's refresh token died with it), so it asks to sign in again.
    await expect(client.listTools()).rejects.toThrow(/Unauthorized/);
    expect(provider.savedTokens).toBeUndefined();
  });
});
