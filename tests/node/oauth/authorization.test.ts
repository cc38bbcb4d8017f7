/**
 * The authorization server refuses what OAuth 2.1 and the MCP authorization pages say it must,
 * each with the RFC's error code and nothing granted: missing or `plain` PKCE, a wrong verifier,
 * a reused code (which kills what the first redemption got), redirect URIs that do not match, no
 * resource or another host's, and a token used at the wrong host. Discovery documents are checked
 * too: what the SDK and the MCP pages rely on them saying.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHostileTab, type HostileTab } from '../../support/hostileTab.ts';
import { connectClient } from '../../support/relay.ts';
import {
  approvedCode,
  authorizeUrl,
  mcpPost,
  pkce,
  redeem,
  registerClient,
  startOAuthStack,
  tokenRequest,
  UserAgent,
} from '../../support/oauth.ts';

let stack: Awaited<ReturnType<typeof startOAuthStack>>;
let other: HostileTab;
beforeAll(async () => {
  stack = await startOAuthStack();
  other = await openHostileTab(stack.url);
});
afterAll(async () => {
  other.socket.close();
  await stack.close();
});

/** The authorization request, as a browser would open it: where it ends up. */
async function authorize(params: Parameters<typeof authorizeUrl>[1]) {
  return new UserAgent().go(authorizeUrl(stack.url, params));
}

function refusedAtCallback(result: Awaited<ReturnType<typeof authorize>>, error: string) {
  expect(result).toBeInstanceOf(URLSearchParams);
  const params = result as URLSearchParams;
  expect(params.get('error'), params.get('error_description') ?? '').toBe(error);
  expect(params.get('iss')).toBe(stack.url);
  expect(params.get('code')).toBeNull();
}

describe('discovery', () => {
  it('serves authorization server metadata at both discovery paths: S256 only, iss, CIMD, DCR, revocation', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const meta = (await (await fetch(stack.url + path)).json()) as Record<string, unknown>;
      expect(meta).toMatchObject({
        issuer: stack.url,
        authorization_endpoint: `${stack.url}/oauth/authorize`,
        token_endpoint: `${stack.url}/oauth/token`,
        registration_endpoint: `${stack.url}/oauth/register`,
        revocation_endpoint: `${stack.url}/oauth/revoke`,
        code_challenge_methods_supported: ['S256'],
        authorization_response_iss_parameter_supported: true,
        client_id_metadata_document_supported: true,
        response_types_supported: ['code'],
        token_endpoint_auth_methods_supported: ['none'],
      });
    }
  });

  it("serves each host's protected resource metadata, and nothing for an unknown host", async () => {
    const { origin, pathname } = new URL(stack.mcpUrl);
    const res = await fetch(`${origin}/.well-known/oauth-protected-resource${pathname}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      resource: stack.mcpUrl,
      authorization_servers: [stack.url],
      scopes_supported: ['quantum', 'ml', 'llm', 'wallet:read', 'wallet:sign', 'audit'],
      bearer_methods_supported: ['header'],
      resource_name: `Vial host ${stack.host.hostId}`,
    });
    const unknown = await fetch(`${origin}/.well-known/oauth-protected-resource/mcp/AAAAAAAAAAAAAAAAAAAAAA`);
    expect(unknown.status).toBe(404);
  });

  it('points every 401 at the resource metadata, with no token or a bad one, on 127.0.0.1 too', async () => {
    for (const token of [undefined, 'not-a-token', 'vial_not-a-token']) {
      const { status, challenge } = await mcpPost(stack.mcpUrl, token);
      expect(status).toBe(401);
      expect(challenge).toMatch(/^Bearer realm="vial", resource_metadata="[^"]+", error="invalid_token"/);
      expect(challenge).toContain(`resource_metadata="${stack.url}/.well-known/oauth-protected-resource/mcp/`);
    }
    const loopback = stack.mcpUrl.replace('localhost', '127.0.0.1');
    expect((await mcpPost(loopback, undefined)).challenge).toContain(
      `resource_metadata="${new URL(loopback).origin}/.well-known/oauth-protected-resource/mcp/`,
    );
  });
});

describe('PKCE', () => {
  it('refuses an authorization request without a code challenge, or with plain', async () => {
    const clientId = await registerClient(stack.url);
    refusedAtCallback(await authorize({ client_id: clientId, resource: stack.mcpUrl }), 'invalid_request');
    const plain = await authorize({
      client_id: clientId,
      resource: stack.mcpUrl,
      code_challenge: 'a'.repeat(43),
      code_challenge_method: 'plain',
    });
    refusedAtCallback(plain, 'invalid_request');
    expect(stack.host.oauth.pending()).toEqual([]);
    expect(stack.relay.oauth!.consents.size).toBe(0);
  });

  it('refuses a wrong verifier without spending the code', async () => {
    const grant = await approvedCode(stack);
    const wrong = await redeem(stack.url, { ...grant, verifier: pkce().verifier });
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const right = await redeem(stack.url, grant);
    expect(right.status).toBe(200);
    expect(right.body.scope).toBe('quantum');
  });
});

describe('codes and redirect URIs', () => {
  it('refuses a reused code and kills what its first redemption got', async () => {
    const before = new Set(stack.host.oauth.grants().map((record) => record.grantId));
    const grant = await approvedCode(stack);
    await expect.poll(() => stack.host.oauth.grants().length).toBe(before.size + 1);
    const grantId = stack.host.oauth.grants().find((record) => !before.has(record.grantId))!.grantId;
    const first = await redeem(stack.url, grant);
    expect(first.status).toBe(200);
    expect((await mcpPost(stack.mcpUrl, first.body.access_token)).status).toBe(200);
    const again = await redeem(stack.url, grant);
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await mcpPost(stack.mcpUrl, first.body.access_token)).status).toBe(401);
    const refreshed = await tokenRequest(stack.url, {
      grant_type: 'refresh_token',
      refresh_token: first.body.refresh_token!,
      client_id: grant.clientId,
    });
    expect(refreshed).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    await expect.poll(() => stack.host.oauth.grants().some((record) => record.grantId === grantId)).toBe(false);
  });

  it('refuses an unregistered redirect URI on its own page (no redirect), and a different one at the token endpoint', async () => {
    const clientId = await registerClient(stack.url);
    const page = await authorize({
      client_id: clientId,
      resource: stack.mcpUrl,
      code_challenge: pkce().challenge,
      redirect_uri: 'https://evil.example/callback',
    });
    expect(page).toMatchObject({ status: 400 });
    expect(JSON.parse((page as { body: string }).body)).toMatchObject({ error: 'invalid_redirect_uri' });

    const grant = await approvedCode(stack, { clientId });
    const mismatch = await redeem(stack.url, grant, { redirect_uri: 'http://localhost:53682/other' });
    expect(mismatch).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('refuses to register a client whose redirect URI is http to another machine', async () => {
    const res = await fetch(`${stack.url}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'x',
        redirect_uris: ['http://evil.example/cb'],
        token_endpoint_auth_method: 'none',
      }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_redirect_uri' });
  });
});

describe('resource indicators and audience', () => {
  it('refuses an authorization request with no resource, another origin, or an unknown host', async () => {
    const clientId = await registerClient(stack.url);
    const { challenge } = pkce();
    for (const resource of [
      undefined,
      'https://elsewhere.example/mcp/AAAAAAAAAAAAAAAAAAAAAA',
      `${stack.url}/mcp/AAAAAAAAAAAAAAAAAAAAAA`,
    ]) {
      refusedAtCallback(
        await authorize({ client_id: clientId, code_challenge: challenge, resource }),
        'invalid_target',
      );
    }
  });

  it("refuses a code redeemed for another host's resource", async () => {
    const grant = await approvedCode(stack);
    const elsewhere = await redeem(stack.url, grant, { resource: other.mcpUrl });
    expect(elsewhere).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
  });

  it("refuses host A's token at host B with host B's resource metadata, and a refresh naming host B leaves the grant alive", async () => {
    const grant = await approvedCode(stack);
    const tokens = (await redeem(stack.url, grant)).body;
    const atB = await mcpPost(other.mcpUrl, tokens.access_token);
    expect(atB.status).toBe(401);
    expect(atB.challenge).toContain(`/.well-known/oauth-protected-resource/mcp/${other.hostId}"`);
    expect((await mcpPost(stack.mcpUrl, tokens.access_token)).status).toBe(200);

    const refreshB = await tokenRequest(stack.url, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token!,
      client_id: grant.clientId,
      resource: other.mcpUrl,
    });
    expect(refreshB).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
    // The relay refused it before the provider rotated (burned) the token: the honest refresh works.
    const honest = await tokenRequest(stack.url, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token!,
      client_id: grant.clientId,
      resource: stack.mcpUrl,
    });
    expect(honest.status).toBe(200);
    expect((await mcpPost(stack.mcpUrl, honest.body.access_token)).status).toBe(200);
  });
});

describe('callback', () => {
  it('sends the code to the registered redirect URI with iss', async () => {
    const grant = await approvedCode(stack);
    expect(grant.callback.get('iss')).toBe(stack.url);
    expect(grant.callback.get('state')).toBe('state-1');
  });
});

describe('OAuth tokens on both eras, through the same checks and audit', () => {
  it('serve a 2026-07-28 client within the grant, refuse outside it, and the audit log names the OAuth client', async () => {
    const grant = await approvedCode(stack, { scopes: ['quantum'] });
    const { access_token: access } = (await redeem(stack.url, grant)).body;
    const client = await connectClient(stack.mcpUrl, access!, 'modern-oauth', {
      versionNegotiation: { pin: '2026-07-28' },
    });
    const allowed = await client.callTool({ name: 'system_diagnostics', arguments: {} });
    expect(allowed.isError).toBeFalsy();
    const denied = await client.callTool({ name: 'wallet_status', arguments: {} });
    expect(denied.isError).toBe(true);
    expect(JSON.stringify(denied.content)).toMatch(
      /OAuth client 'Hand-made client' was not granted the scope wallet:read/,
    );
    await stack.host.audit.flushed();
    const [last] = await stack.host.audit.tail(1);
    expect(last).toMatchObject({ client: 'Hand-made client', tool: 'wallet_status' });
    expect(last!.clientId).toMatch(/^oauth:/);
    await client.close();
  });
});

describe('VIAL_OAUTH=off', () => {
  it('serves static tokens only: no authorization server, no resource metadata, and the old 401', async () => {
    const off = await startOAuthStack({ env: { VIAL_OAUTH: 'off' } });
    try {
      expect(off.relay.oauth).toBeUndefined();
      for (const path of [
        '/.well-known/oauth-authorization-server',
        `/.well-known/oauth-protected-resource/mcp/${off.host.hostId}`,
      ]) {
        expect((await fetch(off.url + path)).status).toBe(404);
      }
      expect((await fetch(`${off.url}/oauth/token`, { method: 'POST' })).status).toBe(405);
      const { status, challenge } = await mcpPost(off.mcpUrl, 'some-oauth-looking-token');
      expect(status).toBe(401);
      expect(challenge).toBe(
        'Bearer realm="vial", error="invalid_token", error_description="missing, unknown, expired or revoked token"',
      );
    } finally {
      await off.close();
    }
  });
});
