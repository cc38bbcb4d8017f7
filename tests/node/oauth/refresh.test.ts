/**
 * Refresh tokens and lifetimes: every refresh rotates; presenting a refresh token already used
 * ends the whole grant (its current tokens, its sessions, and the tab is told); a refresh while
 * the host's tab is away is refused with temporarily_unavailable and works once the tab is back;
 * an expired access token is 401; a client can revoke its own grant (RFC 7009).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startNodeHost } from '../../support/relay.ts';
import { approvedCode, mcpPost, redeem, startOAuthStack, tokenRequest } from '../../support/oauth.ts';

let stack: Awaited<ReturnType<typeof startOAuthStack>> | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function tokensFor(started: NonNullable<typeof stack>) {
  const grant = await approvedCode(started);
  const { body } = await redeem(started.url, grant);
  return { ...grant, access: body.access_token!, refresh: body.refresh_token! };
}

function refreshWith(started: NonNullable<typeof stack>, clientId: string, refreshToken: string) {
  return tokenRequest(started.url, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId });
}

describe('refresh tokens', () => {
  it('rotate on every refresh; reusing an old one ends the grant, its tokens and its sessions', async () => {
    stack = await startOAuthStack();
    const { clientId, access, refresh } = await tokensFor(stack);
    await expect.poll(() => stack!.host.oauth.grants().length).toBe(1);

    const rotated = await refreshWith(stack, clientId, refresh);
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).not.toBe(refresh);
    expect(rotated.body.scope).toBe('quantum');
    expect((await mcpPost(stack.mcpUrl, rotated.body.access_token)).status).toBe(200);
    expect((await mcpPost(stack.mcpUrl, access)).status).toBe(200); // an access token lives its own life until reuse
    const sessions = stack.relay.registry.get(stack.host.hostId)!.sessions;
    expect(sessions.size).toBeGreaterThan(0);

    const reused = await refreshWith(stack, clientId, refresh);
    expect(reused).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await refreshWith(stack, clientId, rotated.body.refresh_token!)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    expect((await mcpPost(stack.mcpUrl, rotated.body.access_token)).status).toBe(401);
    expect((await mcpPost(stack.mcpUrl, access)).status).toBe(401);
    expect(sessions.size).toBe(0);
    await expect.poll(() => stack!.host.oauth.grants()).toEqual([]);
  });

  it('are refused while the tab is away (the client keeps its tokens) and work once it is back', async () => {
    stack = await startOAuthStack();
    const { clientId, refresh } = await tokensFor(stack);
    stack.host.stop();
    await expect.poll(() => stack!.relay.registry.get(stack!.host.hostId)?.online).toBe(false);
    const away = await refreshWith(stack, clientId, refresh);
    expect(away).toMatchObject({ status: 400, body: { error: 'temporarily_unavailable' } });

    // The tab comes back: the same host, from its store.
    const back = await startNodeHost(stack.url, { store: stack.store });
    try {
      expect(back.hostId).toBe(stack.host.hostId);
      await expect.poll(() => back.oauth.grants().length).toBe(1);
      const again = await refreshWith(stack, clientId, refresh);
      expect(again.status).toBe(200);
      expect((await mcpPost(stack.mcpUrl, again.body.access_token)).status).toBe(200);
    } finally {
      back.stop();
    }
  });
});

describe('lifetimes and revocation', () => {
  it('refuses an access token once it has expired', async () => {
    stack = await startOAuthStack({ env: { VIAL_OAUTH_ACCESS_TTL_S: '1' } });
    const { access } = await tokensFor(stack);
    expect((await mcpPost(stack.mcpUrl, access)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const expired = await mcpPost(stack.mcpUrl, access);
    expect(expired.status).toBe(401);
    expect(expired.challenge).toContain('error="invalid_token"');
  });

  it("lets a client revoke its own grant, but not another client's", async () => {
    stack = await startOAuthStack();
    const mine = await tokensFor(stack);
    const theirs = await tokensFor(stack);
    const revoke = (clientId: string, token: string) =>
      fetch(`${stack!.url}/oauth/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, client_id: clientId }),
      });
    expect((await revoke(mine.clientId, theirs.refresh)).status).toBe(200); // a silent no-op (RFC 7009)
    expect((await mcpPost(stack.mcpUrl, theirs.access)).status).toBe(200);
    expect((await revoke(mine.clientId, mine.refresh)).status).toBe(200);
    expect((await mcpPost(stack.mcpUrl, mine.access)).status).toBe(401);
    expect((await refreshWith(stack, mine.clientId, mine.refresh)).body.error).toBe('invalid_grant');
    await expect
      .poll(() => stack!.host.oauth.grants().map((grant) => grant.client.clientId))
      .toEqual([theirs.clientId]);
  });
});
