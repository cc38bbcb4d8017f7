/**
 * Attacks by an anonymous visitor, or a hostile page in the person's browser: the sign-in's
 * cookies on a public https relay (Secure, HttpOnly, SameSite), framing the consent page,
 * making the relay fetch internal URLs through a client's metadata (jwks_uri, logo_uri,
 * sector_identifier_uri, request_uris, a request_uri on the authorization request), script-like
 * URIs and markup in what the consent page shows, and a flood of registrations filling the room
 * grants need.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryGrantStore } from '../../../relay/src/oauth/grantStore.ts';
import {
  authorizeUrl,
  CALLBACK,
  openConsent,
  pkce,
  registerClient,
  startOAuthStack,
  UserAgent,
} from '../../support/oauth.ts';

// A public https URL on a loopback name (an exposed one would need host admission): the
// provider must see the request as https through the pinned forwarded headers.
const PUBLIC = 'https://localhost';
let secure: Awaited<ReturnType<typeof startOAuthStack>>;
let stack: Awaited<ReturnType<typeof startOAuthStack>>;
let internal: Server;
let internalUrl: string;
const internalHits: string[] = [];

beforeAll(async () => {
  const web = mkdtempSync(join(tmpdir(), 'vial-attack-web-'));
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>Vial</title>');
  secure = await startOAuthStack({ env: { VIAL_PUBLIC_URL: PUBLIC, VIAL_WEB_DIR: web } });
  stack = await startOAuthStack({ env: { VIAL_OAUTH_REGISTRATIONS_PER_MIN: '100' } });
  internal = createServer((req, res) => {
    internalHits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"keys":[],"redirect_uris":["http://localhost:53682/callback"]}');
  });
  await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
  internalUrl = `http://127.0.0.1:${(internal.address() as AddressInfo).port}`;
});
afterAll(async () => {
  internal.close();
  await secure.close();
  await stack.close();
});

/** A GET to the relay as a browser reaching it by its public name (Node's fetch cannot set Host). */
function getAsPublic(
  path: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  const { port } = new URL(secure.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: new URL(PUBLIC).host } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('error', reject);
    req.end();
  });
}

/** How many records the relay's OAuth store holds, of every model. */
function storedRecords(): number {
  const store = stack.relay.oauth!.store;
  if (!(store instanceof MemoryGrantStore)) throw new Error('the relay runs another grant store');
  return (JSON.parse(store.dump()) as { entries: unknown[] }).entries.length;
}

async function register(metadata: Record<string, unknown>) {
  const res = await fetch(`${stack.url}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Visitor',
      redirect_uris: [CALLBACK],
      token_endpoint_auth_method: 'none',
      ...metadata,
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the sign-in in a browser', () => {
  it("sets its cookies Secure, HttpOnly and SameSite=Lax on a public https relay, under the provider's paths", async () => {
    const clientId = await registerClient(secure.url);
    const url = authorizeUrl(PUBLIC, {
      client_id: clientId,
      code_challenge: pkce().challenge,
      resource: `${PUBLIC}/mcp/${secure.host.hostId}`,
    });
    const answer = await getAsPublic(url.pathname + url.search);
    expect(answer.status).toBe(303);
    expect(String(answer.headers.location)).toMatch(/^(https:\/\/localhost)?\/consent\/[A-Za-z0-9_-]+$/);
    const cookies = (answer.headers['set-cookie'] ?? []) as string[];
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) {
      expect(cookie, cookie).toMatch(/;\s*secure/i);
      expect(cookie, cookie).toMatch(/;\s*httponly/i);
      expect(cookie, cookie).toMatch(/;\s*samesite=lax/i);
    }
  });

  it('serves the consent page unframeable (frame-ancestors none, X-Frame-Options DENY)', async () => {
    const page = await getAsPublic('/consent/AbCdEfGhIjKlMnOpQrStU');
    expect(page.status).toBe(200);
    expect(String(page.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');
  });
});

describe("a client's metadata", () => {
  it('never makes the relay fetch its URIs: jwks_uri, logo_uri, sector_identifier_uri, request_uris, or a request_uri', async () => {
    const uris = {
      jwks_uri: `${internalUrl}/jwks`,
      logo_uri: `${internalUrl}/logo.png`,
      client_uri: `${internalUrl}/home`,
      policy_uri: `${internalUrl}/policy`,
      tos_uri: `${internalUrl}/tos`,
      sector_identifier_uri: `${internalUrl}/sector`,
      request_uris: [`${internalUrl}/request`],
      initiate_login_uri: `https://127.0.0.1:1/login`,
    };
    const statuses: Record<string, number> = {};
    for (const [name, value] of Object.entries(uris)) statuses[name] = (await register({ [name]: value })).status;
    // Each was looked at (registered, or refused as metadata it may not have), none rate-limited.
    for (const [name, status] of Object.entries(statuses)) expect([201, 400], name).toContain(status);
    const registered = await register({ logo_uri: `${internalUrl}/logo.png`, client_uri: `${internalUrl}/home` });
    expect(registered.status).toBe(201);
    const browser = new UserAgent();
    const url = authorizeUrl(stack.url, {
      client_id: String(registered.body.client_id),
      code_challenge: pkce().challenge,
      resource: stack.mcpUrl,
      request_uri: `${internalUrl}/request`,
    });
    await openConsent(browser, url);
    const plain = authorizeUrl(stack.url, {
      client_id: String(registered.body.client_id),
      code_challenge: pkce().challenge,
      resource: stack.mcpUrl,
    });
    const opened = await openConsent(new UserAgent(), plain);
    expect(opened.details?.client.name).toBe('Visitor');
    expect(internalHits).toEqual([]);
  });

  it('may not name script-like URIs, and its markup reaches the page as text', async () => {
    for (const name of ['client_uri', 'logo_uri', 'policy_uri', 'tos_uri']) {
      for (const uri of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>']) {
        const answer = await register({ [name]: uri });
        expect(answer.status, `${name}=${uri}`).toBe(400);
        expect(answer.body.error).toBe('invalid_client_metadata');
      }
    }
    const markup = '<img src=x onerror=alert(1)>Claude';
    const registered = await register({ client_name: markup, logo_uri: 'https://evil.example/logo.png' });
    expect(registered.status).toBe(201);
    const opened = await openConsent(
      new UserAgent(),
      authorizeUrl(stack.url, {
        client_id: String(registered.body.client_id),
        code_challenge: pkce().challenge,
        resource: stack.mcpUrl,
      }),
    );
    // The name is data (Svelte renders it as text, with hidden characters revealed); the logo is a host, never an image.
    expect(opened.details?.client).toMatchObject({ name: markup, cimd: false, redirectHosts: ['localhost'] });
    expect(JSON.stringify(opened.details)).not.toContain('logo.png');
  });
});

describe("the consent page's long poll", () => {
  it('holds only a few waits per sign-in: the rest are answered at once, so one cookie cannot pile up held requests', async () => {
    const browser = new UserAgent();
    const opened = await openConsent(
      browser,
      authorizeUrl(stack.url, {
        client_id: await registerClient(stack.url),
        code_challenge: pkce().challenge,
        resource: stack.mcpUrl,
      }),
    );
    if (!opened.uid) throw new Error(`no consent page: ${JSON.stringify(opened)}`);
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        browser.json(`${opened.origin}/consent/${opened.uid}/wait`).then((answer) => ({
          ...answer,
          ms: performance.now() - started,
        })),
      ),
    );
    for (const answer of answers) expect(answer).toMatchObject({ status: 200, body: { state: 'pending' } });
    // The support stack holds a wait 2 s; those answered at once were never held.
    const held = answers.filter((answer) => answer.ms > 1500);
    expect(held.length).toBeGreaterThan(0);
    expect(held.length).toBeLessThanOrEqual(4);
  });
});

describe('one sign-in', () => {
  it('raises one consent in the tab, however many times at once its page asks for the details', async () => {
    // From an address of its own: this file's other sign-ins from 127.0.0.1 are at that address's cap.
    const browser = new UserAgent('127.0.0.9');
    const page = await browser.go(
      authorizeUrl(stack.url, {
        client_id: await registerClient(stack.url),
        code_challenge: pkce().challenge,
        resource: stack.mcpUrl,
      }),
    );
    const uid = /\/consent\/([A-Za-z0-9_-]+)$/.exec(new URL((page as { url: string }).url).pathname)![1]!;
    const consents = stack.relay.oauth!.consents;
    const before = consents.size;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => browser.json(`${stack.url}/consent/${uid}/details`)),
    );
    for (const answer of answers) expect(answer.status).toBe(200);
    expect(new Set(answers.map((answer) => answer.body.consentId)).size).toBe(1);
    expect(consents.size).toBe(before + 1);
  });
});

describe('endpoints Vial has no use for', () => {
  it('stores nothing for a pushed authorization request: a flood of them would fill the store unthrottled', async () => {
    const clientId = await registerClient(stack.url);
    const before = storedRecords();
    for (let at = 0; at < 30; at++) {
      const res = await fetch(`${stack.url}/oauth/par`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: clientId,
          response_type: 'code',
          redirect_uri: CALLBACK,
          scope: 'quantum',
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
          resource: stack.mcpUrl,
          state: 'x'.repeat(8000),
        }),
      });
      await res.body?.cancel();
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
    expect(storedRecords()).toBe(before);
    const meta = (await (await fetch(`${stack.url}/.well-known/oauth-authorization-server`)).json()) as Record<
      string,
      unknown
    >;
    expect(meta.pushed_authorization_request_endpoint).toBeUndefined();
  });

  it("serves no logout page (an HTML page on the app's origin, frameable, loading a font from Google)", async () => {
    const res = await fetch(`${stack.url}/oauth/logout`);
    await res.body?.cancel();
    expect(res.status).toBe(404);
    const meta = (await (await fetch(`${stack.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(meta.end_session_endpoint).toBeUndefined();
  });
});

describe('registrations, which anyone can make', () => {
  // An anonymous visitor who registers from enough addresses (10 a minute each by default;
  // unused clients live 24 h) could fill the store with clients of up to 16 KiB each, and then
  // no grant, code or token could be saved for anyone. Registered clients have a cap of their
  // own (maxClients, 5 000 by default, about 80 MB at most), under the store's cap for all records.
  it('cannot take the room grants and their tokens need', async () => {
    const store = new MemoryGrantStore({ maxEntries: 20, maxSignInEntries: 10, maxClients: 10 });
    const clients = store.adapter('Client');
    const refused: string[] = [];
    for (let at = 0; at < 20; at++) {
      await clients
        .upsert(`client-${at}`, { client_id: `client-${at}`, redirect_uris: [CALLBACK] }, undefined as never)
        .catch((error: Error) => refused.push(error.message));
    }
    expect(refused).toHaveLength(10);
    expect(refused[0]).toMatch(/too many registered clients \(10\)/);
    const code = store.adapter('AuthorizationCode');
    await expect(code.upsert('a-code', { grantId: 'g', kind: 'AuthorizationCode' }, 60)).resolves.toBeUndefined();
    store.close();
  });

  it('are refused past the cap with 503 naming it, before the authorization server sees them', async () => {
    const store = new MemoryGrantStore({ maxClients: 2 });
    const small = await startOAuthStack({ hooks: { oauthStore: store } });
    try {
      await registerClient(small.url);
      await registerClient(small.url);
      const res = await fetch(`${small.url}/oauth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          client_name: 'One too many',
          redirect_uris: [CALLBACK],
          token_endpoint_auth_method: 'none',
        }),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('3600');
      expect(await res.json()).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'too many registered clients (2); registration is closed until unused ones expire',
      });
    } finally {
      await small.close();
    }
  });
});
