/**
 * Consent, attacked from each side: another host's tab deciding, a lying tab (wrong match codes,
 * scopes never asked, unknown consents, a flood, another host's grant), the person refusing or
 * granting nothing, an anonymous visitor without the sign-in's cookie or from another origin,
 * registration floods, and more sign-ins waiting than a host may have. Each is refused with the
 * RFC's error code or a named error frame, and nothing is granted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHostileTab, type HostileTab } from '../../support/hostileTab.ts';
import { until } from '../../support/until.ts';
import {
  authorizeUrl,
  finishConsent,
  openConsent,
  pkce,
  registerClient,
  signIn,
  startOAuthStack,
  UserAgent,
} from '../../support/oauth.ts';

let stack: Awaited<ReturnType<typeof startOAuthStack>>;
let tab: HostileTab;
beforeAll(async () => {
  stack = await startOAuthStack({
    env: { VIAL_OAUTH_MAX_PENDING_CONSENTS: '3', VIAL_OAUTH_REGISTRATIONS_PER_MIN: '20' },
  });
  tab = await openHostileTab(stack.url);
});
afterAll(async () => {
  tab.socket.close();
  await stack.close();
});

/** A sign-in for `mcpUrl` opened in a fresh browser, up to the consent page's details. */
async function startSignIn(mcpUrl: string, clientId?: string) {
  const browser = new UserAgent();
  const url = authorizeUrl(stack.url, {
    client_id: clientId ?? (await registerClient(stack.url)),
    code_challenge: pkce().challenge,
    resource: mcpUrl,
  });
  const opened = await openConsent(browser, url);
  if (!opened.details || !opened.uid) throw new Error(`no consent page: ${JSON.stringify(opened)}`);
  return { browser, uid: opened.uid, origin: opened.origin, details: opened.details };
}

/** The error frames the lying tab got after `from`. */
function errorsSince(from: number): string[] {
  return tab.frames.slice(from).flatMap((frame) => (frame.type === 'error' ? [frame.message] : []));
}

async function nextError(from: number): Promise<string> {
  await until(() => errorsSince(from).length > 0);
  return errorsSince(from)[0]!;
}

describe("decisions come only from the consent's own host", () => {
  it("refuses another host's tab deciding, and the consent stays pending for its own", async () => {
    const signin = await startSignIn(stack.mcpUrl);
    const from = tab.frames.length;
    tab.send({
      type: 'oauth-consent-decision',
      consentId: signin.details.consentId,
      approve: true,
      scopes: ['quantum'],
      matchCode: signin.details.matchCode,
    });
    expect(await nextError(from)).toMatch(/no consent '.+' is waiting for this host/);
    expect(stack.host.oauth.pending().map((consent) => consent.consentId)).toContain(signin.details.consentId);
    expect(stack.host.oauth.grants()).toEqual([]);
    // The host's own tab can still deny it.
    expect(stack.host.oauth.decide(signin.details.consentId, { approve: false })).toBe(true);
    const callback = await finishConsent(signin.browser, signin.origin, signin.uid);
    expect(callback).toBeInstanceOf(URLSearchParams);
    expect((callback as URLSearchParams).get('error')).toBe('access_denied');
    expect((callback as URLSearchParams).get('iss')).toBe(stack.url);
    expect(stack.host.oauth.grants()).toEqual([]);
  });

  it("refuses revoking another host's grant", async () => {
    const { callback } = await signIn(stack.host, await grantUrl(), { scopes: ['quantum'] });
    expect((callback as URLSearchParams).get('code')).toBeTruthy();
    await until(() => stack.host.oauth.grants().length === 1);
    const from = tab.frames.length;
    tab.send({ type: 'oauth-revoke', grantId: stack.host.oauth.grants()[0]!.grantId });
    expect(await nextError(from)).toMatch(/no grant '.+' on this host/);
    expect(stack.host.oauth.grants()).toHaveLength(1);
    expect(stack.host.oauth.revoke(stack.host.oauth.grants()[0]!.grantId)).toBe(true);
    await until(() => stack.host.oauth.grants().length === 0);
  });
});

async function grantUrl() {
  return authorizeUrl(stack.url, {
    client_id: await registerClient(stack.url),
    code_challenge: pkce().challenge,
    resource: stack.mcpUrl,
  });
}

describe('a lying tab deciding its own consents', () => {
  it('gets the consent frame without the match code, and three wrong codes deny the consent', async () => {
    const from = tab.frames.length;
    const signin = await startSignIn(tab.mcpUrl);
    await until(() => tab.frames.slice(from).some((frame) => frame.type === 'oauth-consent'));
    const shown = tab.frames.slice(from).find((frame) => frame.type === 'oauth-consent')!;
    expect(JSON.stringify(shown)).not.toContain(signin.details.matchCode);
    for (const [attempt, expected] of [
      [1, /wrong match code .* \(2 tries left\)/],
      [2, /wrong match code .* \(1 tries left\)/],
      [3, /wrong match code three times: consent '.+' is denied/],
    ] as const) {
      const at = tab.frames.length;
      tab.send({
        type: 'oauth-consent-decision',
        consentId: signin.details.consentId,
        approve: true,
        scopes: ['quantum'],
        matchCode: `guess ${attempt}`,
      });
      expect(await nextError(at)).toMatch(expected);
    }
    // The page reloading now gets no second consent, only where to go on.
    const reloaded = await signin.browser.json(`${signin.origin}/consent/${signin.uid}/details`);
    expect(reloaded).toMatchObject({ status: 404, body: { error: 'this sign-in is already decided' } });
    const callback = (await finishConsent(signin.browser, signin.origin, signin.uid)) as URLSearchParams;
    expect(callback.get('error')).toBe('access_denied');
    expect(callback.get('code')).toBeNull();
  });

  it('refuses scopes that were not asked for, then takes an honest subset', async () => {
    const clientId = await registerClient(stack.url);
    const browser = new UserAgent();
    const url = authorizeUrl(stack.url, {
      client_id: clientId,
      code_challenge: pkce().challenge,
      resource: tab.mcpUrl,
      scope: 'quantum',
    });
    const opened = await openConsent(browser, url);
    const { consentId, matchCode } = opened.details!;
    const from = tab.frames.length;
    tab.send({
      type: 'oauth-consent-decision',
      consentId,
      approve: true,
      scopes: ['quantum', 'wallet:sign'],
      matchCode,
    });
    expect(await nextError(from)).toMatch(/scopes wallet:sign were not asked for/);
    tab.send({
      type: 'oauth-consent-decision',
      consentId,
      approve: true,
      scopes: ['quantum'],
      matchCode: matchCode.toUpperCase(),
    });
    const callback = (await finishConsent(browser, opened.origin!, opened.uid!)) as URLSearchParams;
    expect(callback.get('code')).toBeTruthy();
    await until(() => tab.frames.some((frame) => frame.type === 'oauth-grants' && frame.grants.length === 1));
  });

  it('treats an approval granting no scope as a denial', async () => {
    const signin = await startSignIn(tab.mcpUrl);
    tab.send({
      type: 'oauth-consent-decision',
      consentId: signin.details.consentId,
      approve: true,
      scopes: [],
      matchCode: signin.details.matchCode,
    });
    expect(((await finishConsent(signin.browser, signin.origin, signin.uid)) as URLSearchParams).get('error')).toBe(
      'access_denied',
    );
  });

  it('answers decisions for unknown consents, even a flood of them, with an error each and grants nothing', async () => {
    const grantsBefore = tab.frames.filter((frame) => frame.type === 'oauth-grants').length;
    const from = tab.frames.length;
    for (let i = 0; i < 500; i++) {
      tab.send({
        type: 'oauth-consent-decision',
        consentId: `unknown-consent-${String(i).padStart(6, '0')}`,
        approve: true,
        scopes: ['quantum'],
        matchCode: 'a b c d',
      });
    }
    await until(() => errorsSince(from).length === 500, 10_000);
    expect(
      errorsSince(from).every((message) => /no consent 'unknown-consent-\d+' is waiting for this host/.test(message)),
    ).toBe(true);
    expect(tab.frames.filter((frame) => frame.type === 'oauth-grants').length).toBe(grantsBefore);
  });
});

describe('what a tab may not say about grants', () => {
  it('cannot hand the relay grants: an oauth-grants frame from a tab is refused, whatever it names', async () => {
    const from = tab.frames.length;
    const forged = Array.from({ length: 10_000 }, (_, i) => ({
      grantId: `forged-grant-${String(i).padStart(8, '0')}`,
      hostId: stack.host.hostId,
    }));
    tab.send({ type: 'oauth-grants', grants: forged });
    expect(await nextError(from)).toMatch(/^invalid frame: .*type/s);
    expect(stack.host.oauth.grants()).toEqual([]);
  });
});

describe('the consent page and the endpoints around it', () => {
  it('answers details and wait only to the browser that started the sign-in, and same-origin only', async () => {
    const signin = await startSignIn(stack.mcpUrl);
    const stranger = new UserAgent();
    for (const path of ['details', 'wait']) {
      const res = await stranger.json(`${signin.origin}/consent/${signin.uid}/${path}`);
      expect(res.status).toBe(404);
      expect(String(res.body.error)).toMatch(/unknown, expired, or was started in another browser/);
    }
    const cookie = [...signin.browser.jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const crossOrigin = await fetch(`${signin.origin}/consent/${signin.uid}/details`, {
      headers: { cookie, origin: 'https://evil.example' },
    });
    expect(crossOrigin.status).toBe(403);
    expect(stack.host.oauth.decide(signin.details.consentId, { approve: false })).toBe(true);
  });

  it('refuses a new sign-in (429) past VIAL_OAUTH_MAX_PENDING_CONSENTS per host, denying none of those waiting', async () => {
    const waiting = [];
    for (let at = 0; at < 3; at++) waiting.push(await startSignIn(stack.mcpUrl));
    // From another address (one address past its own cap would replace its own oldest: attack.consentSpam.test.ts).
    const elsewhere = await openConsent(
      new UserAgent('127.0.0.2'),
      authorizeUrl(stack.url, {
        client_id: await registerClient(stack.url),
        code_challenge: pkce().challenge,
        resource: stack.mcpUrl,
      }),
    );
    expect(elsewhere.status).toBe(429);
    expect(elsewhere.details).toMatchObject({
      error: expect.stringMatching(/^3 sign-ins are already waiting for this host \(VIAL_OAUTH_MAX_PENDING_CONSENTS\)/),
    });
    await until(() => stack.host.oauth.pending().length === 3);
    expect(stack.host.oauth.pending().map((consent) => consent.consentId)).toEqual(
      waiting.map((signIn) => signIn.details.consentId),
    );
    for (const consent of stack.host.oauth.pending()) stack.host.oauth.decide(consent.consentId, { approve: false });
    await until(() => stack.host.oauth.pending().length === 0);
  });

  it('rate-limits dynamic registration per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await fetch(`${stack.url}/oauth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          client_name: 'flood',
          redirect_uris: ['http://localhost:1/cb'],
          token_endpoint_auth_method: 'none',
        }),
      });
      statuses.push(res.status);
      if (res.status === 429) expect(await res.json()).toMatchObject({ error: 'too_many_requests' });
    }
    expect(statuses).toContain(429);
    expect(statuses.filter((status) => status === 201).length).toBeLessThanOrEqual(20);
  });
});

describe('sign-ins started per address', () => {
  it('are limited by VIAL_OAUTH_SIGN_INS_PER_MIN (429 naming the limit), and nothing is shown to the tab', async () => {
    const limited = await startOAuthStack({ env: { VIAL_OAUTH_SIGN_INS_PER_MIN: '3' } });
    try {
      const clientId = await registerClient(limited.url);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const url = authorizeUrl(limited.url, {
          client_id: clientId,
          code_challenge: pkce().challenge,
          resource: limited.mcpUrl,
        });
        const res = await fetch(url, { redirect: 'manual' });
        statuses.push(res.status);
        if (res.status === 429) expect(await res.json()).toMatchObject({ error: 'too_many_requests' });
      }
      expect(statuses).toEqual([303, 303, 303, 429, 429]);
      expect(limited.host.oauth.pending()).toEqual([]);
    } finally {
      await limited.close();
    }
  });
});
