/**
 * Attacks by a client that holds a grant with narrow scopes: widening them by a refresh that
 * asks for more, by grant types the relay does not serve (token exchange, client credentials,
 * device code), by reading other grants (introspection, userinfo) or by using a token or its
 * hash where a static token goes; a refresh that would outlive the lifetime the person chose;
 * and what the relay's debug log keeps of a whole sign-in (no token, code, verifier or match code).
 */
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DestinationStream } from '../../../relay/src/log.ts';
import {
  authorizeUrl,
  CALLBACK,
  finishConsent,
  mcpPost,
  openConsent,
  pkce,
  registerClient,
  shownInTab,
  signIn,
  startOAuthStack,
  tokenRequest,
  UserAgent,
} from '../../support/oauth.ts';

const logLines: string[] = [];
const logTo: DestinationStream = { write: (line: string) => void logLines.push(line) };

let stack: Awaited<ReturnType<typeof startOAuthStack>>;
beforeAll(async () => {
  stack = await startOAuthStack({ env: { VIAL_LOG_LEVEL: 'debug' }, logTo });
});
afterAll(async () => {
  await stack.close();
});

/** A sign-in the person approves for `quantum` only, for `grantDays`; returns every secret it made. */
async function narrowGrant(grantDays?: number, redeemHeaders: Record<string, string> = {}) {
  const clientId = await registerClient(stack.url);
  const { verifier, challenge } = pkce();
  const browser = new UserAgent();
  const url = authorizeUrl(stack.url, { client_id: clientId, code_challenge: challenge, resource: stack.mcpUrl });
  const opened = await openConsent(browser, url);
  if (!opened.details || !opened.uid) throw new Error(`no consent page: ${JSON.stringify(opened)}`);
  await shownInTab(stack.host, opened.details.consentId);
  stack.host.oauth.decide(opened.details.consentId, {
    approve: true,
    scopes: ['quantum'],
    matchCode: opened.details.matchCode,
    ...(grantDays === undefined ? {} : { grantDays }),
  });
  const callback = await finishConsent(browser, opened.origin, opened.uid);
  if (!(callback instanceof URLSearchParams)) throw new Error(`no code: ${JSON.stringify(callback)}`);
  const code = callback.get('code')!;
  const res = await fetch(`${stack.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...redeemHeaders },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      client_id: clientId,
      redirect_uri: CALLBACK,
    }),
  });
  const body = (await res.json()) as Record<string, string | undefined>;
  return {
    clientId,
    code,
    verifier,
    uid: opened.uid,
    matchCode: opened.details.matchCode,
    access: body.access_token!,
    refresh: body.refresh_token!,
    cookies: [...browser.jar.values()],
    tokenType: body.token_type,
    status: res.status,
  };
}

/** A DPoP proof (RFC 9449) for a POST to `url`, signed by a fresh P-256 key. */
function dpopProof(url: string): string {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = `${part({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } })}.${part({
    htm: 'POST',
    htu: url,
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
  })}`;
  const signature = sign('sha256', Buffer.from(signed), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signed}.${signature.toString('base64url')}`;
}

describe('a client with a narrow grant', () => {
  it('cannot widen its scopes by a refresh asking for more; the grant still works as granted', async () => {
    const grant = await narrowGrant();
    const wider = await tokenRequest(stack.url, {
      grant_type: 'refresh_token',
      refresh_token: grant.refresh,
      client_id: grant.clientId,
      scope: 'quantum wallet:sign',
    });
    expect(wider.status).toBe(400);
    expect(wider.body.error).toBe('invalid_scope');
    expect(wider.body.access_token).toBeUndefined();
    // Refused before any rotation: the refresh token still works, for what was granted only.
    const honest = await tokenRequest(stack.url, {
      grant_type: 'refresh_token',
      refresh_token: grant.refresh,
      client_id: grant.clientId,
    });
    expect(honest.status).toBe(200);
    expect(honest.body.scope).toBe('quantum');
  });

  it('gets nothing from grant types the relay does not serve (token exchange, client credentials, device code, jwt bearer)', async () => {
    const grant = await narrowGrant();
    for (const grantType of [
      'urn:ietf:params:oauth:grant-type:token-exchange',
      'client_credentials',
      'urn:ietf:params:oauth:grant-type:device_code',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'password',
    ]) {
      const answer = await tokenRequest(stack.url, {
        grant_type: grantType,
        client_id: grant.clientId,
        subject_token: grant.access,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        scope: 'wallet:sign',
        resource: stack.mcpUrl,
      });
      expect(answer.status, grantType).toBe(400);
      expect(answer.body.error, grantType).toMatch(/^(unsupported_grant_type|unauthorized_client)$/);
      expect(answer.body.access_token).toBeUndefined();
    }
  });

  it('cannot read grants through introspection, userinfo or the device or PAR endpoints (none is served)', async () => {
    const grant = await narrowGrant();
    for (const path of ['/oauth/introspect', '/oauth/me', '/oauth/device/auth', '/oauth/par', '/oauth/backchannel']) {
      const res = await fetch(stack.url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${grant.access}` },
        body: new URLSearchParams({ token: grant.refresh, client_id: grant.clientId }),
      });
      const text = await res.text();
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(text, path).not.toContain('"active":true');
      expect(text, path).not.toContain(stack.host.hostId);
    }
  });

  it('holds a refresh token that ends no later than the one day the person chose, before and after a rotation', async () => {
    const grant = await narrowGrant(1);
    const store = stack.relay.oauth!.store;
    const stateOf = () => store.grants(stack.host.hostId).find((state) => state.client.clientId === grant.clientId)!;
    const granted = stateOf();
    expect(granted.expiresAt).toBeLessThanOrEqual(Date.now() + 86_400_000);
    expect(granted.refresh!.expiresAt).toBeLessThanOrEqual(granted.expiresAt + 1000);
    const rotated = await tokenRequest(stack.url, {
      grant_type: 'refresh_token',
      refresh_token: grant.refresh,
      client_id: grant.clientId,
    });
    expect(rotated.status).toBe(200);
    expect(stateOf().refresh!.expiresAt).toBeLessThanOrEqual(granted.expiresAt + 1000);
  });
});

describe('a client asking for openid', () => {
  it('is asked about once, gets no id_token, and its tokens carry only what was granted', async () => {
    const clientId = await registerClient(stack.url);
    const { verifier, challenge } = pkce();
    const url = authorizeUrl(stack.url, {
      client_id: clientId,
      code_challenge: challenge,
      resource: stack.mcpUrl,
      scope: 'openid quantum offline_access',
    });
    const { callback } = await signIn(stack.host, url, { scopes: ['quantum'] });
    // Before, the flow went back to a new consent page after every approval (it asked forever).
    expect(callback).toBeInstanceOf(URLSearchParams);
    const code = (callback as URLSearchParams).get('code')!;
    expect(code).toBeTruthy();
    const tokens = await tokenRequest(stack.url, {
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      client_id: clientId,
      redirect_uri: CALLBACK,
    });
    expect(tokens.status).toBe(200);
    expect(tokens.body.id_token).toBeUndefined();
    expect(tokens.body.scope).toBe('quantum');
    expect((await mcpPost(stack.mcpUrl, tokens.body.access_token)).status).toBe(200);
  });
});

describe('sender-constrained tokens', () => {
  // The relay's resource check is the bearer hash index: it cannot honour a DPoP binding, so the
  // authorization server must not mint DPoP-bound tokens (nor keep a replay record per proof).
  it('are not offered: a DPoP proof at redemption gets a plain Bearer token, and discovery names no DPoP', async () => {
    const grant = await narrowGrant(undefined, { dpop: dpopProof(`${stack.url}/oauth/token`) });
    expect(grant.status).toBe(200);
    expect(grant.tokenType).toBe('Bearer');
    expect((await mcpPost(stack.mcpUrl, grant.access)).status).toBe(200);
    const meta = (await (await fetch(`${stack.url}/.well-known/oauth-authorization-server`)).json()) as Record<
      string,
      unknown
    >;
    expect(meta.dpop_signing_alg_values_supported).toBeUndefined();
  });
});

describe('static tokens and OAuth tokens never cross', () => {
  it('an access token, its hash, its grant id or a vial_ look-alike is no static token, and a vial_ token never reaches the OAuth check', async () => {
    const grant = await narrowGrant();
    const oauth = stack.relay.oauth!;
    const record = oauth.verify(grant.access, stack.host.hostId)!;
    expect(record.id).toMatch(/^oauth:/);
    const checked: string[] = [];
    const verify = oauth.verify.bind(oauth);
    oauth.verify = (presented, hostId) => {
      checked.push(presented);
      return verify(presented, hostId);
    };
    try {
      for (const forged of [record.hash, record.id, `vial_${grant.access}`, grant.refresh, grant.code]) {
        expect((await mcpPost(stack.mcpUrl, forged)).status, forged.slice(0, 12)).toBe(401);
      }
      expect(checked.some((presented) => presented.startsWith('vial_'))).toBe(false);
      expect((await mcpPost(stack.mcpUrl, grant.access)).status).toBe(200);
    } finally {
      oauth.verify = verify;
    }
  });
});

describe("the relay's debug log", () => {
  it('keeps no token, code, verifier, match code or signed cookie from a whole sign-in and its use', async () => {
    const grant = await narrowGrant();
    expect((await mcpPost(stack.mcpUrl, grant.access)).status).toBe(200);
    const rotated = await tokenRequest(stack.url, {
      grant_type: 'refresh_token',
      refresh_token: grant.refresh,
      client_id: grant.clientId,
    });
    expect(rotated.status).toBe(200);
    await tokenRequest(stack.url, {
      grant_type: 'refresh_token',
      refresh_token: grant.refresh,
      client_id: grant.clientId,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const log = logLines.join('\n');
    expect(log.length).toBeGreaterThan(0);
    const secrets = {
      access: grant.access,
      refresh: grant.refresh,
      rotatedAccess: rotated.body.access_token!,
      rotatedRefresh: rotated.body.refresh_token!,
      code: grant.code,
      verifier: grant.verifier,
      matchCode: grant.matchCode,
      // The interaction's uid is in its URLs by design (and so in any access log): alone it opens
      // nothing, the provider wants it with its signature cookie, which is logged nowhere.
      ...Object.fromEntries(
        grant.cookies
          .filter((value) => value.length >= 16 && value !== grant.uid)
          .map((value, at) => [`cookie${at}`, value]),
      ),
    };
    for (const [name, secret] of Object.entries(secrets)) expect(log.includes(secret), name).toBe(false);
    expect(log).not.toContain(CALLBACK + '?code=');
  });
});
