/**
 * Client ID Metadata Documents: the SDK 2.x client with an HTTPS URL as its client id, served by
 * this test (a self-signed certificate in tests/fixtures/oauth, which the relay trusts for this
 * server's origin alone through VIAL_OAUTH_CIMD_LOCAL_ORIGINS and VIAL_OAUTH_CIMD_LOCAL_CA),
 * end to end; then the documents the relay must refuse, each `invalid_client` (or
 * `invalid_client_metadata`) on the authorization server's own page, nothing shown to the tab:
 * too big, slow, not JSON, not served as JSON, on a private address (oidc-provider's SSRF guard),
 * naming another client id, without a name, or redirecting to plain
 * http elsewhere.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CimdFetch } from '../../../relay/src/oauth/index.ts';
import { CIMD_CA_FILE } from '../../support/cimdDocuments.ts';
import {
  authorizeUrl,
  CALLBACK,
  connectWithOAuth,
  MemoryOAuthProvider,
  pkce,
  refresh,
  startOAuthStack,
  UserAgent,
} from '../../support/oauth.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/oauth/${name}`, import.meta.url));

let documents: Server;
let origin: string;
let stack: Awaited<ReturnType<typeof startOAuthStack>>;
const logLines: string[] = [];

function documentFor(path: string, extra: Record<string, unknown> = {}) {
  return {
    client_id: `${origin}${path}`,
    client_name: 'Test CIMD client',
    client_uri: origin,
    logo_uri: `${origin}/logo.png`,
    redirect_uris: [CALLBACK],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    ...extra,
  };
}

beforeAll(async () => {
  documents = createServer({ key: fixture('key.pem'), cert: fixture('cert.pem') }, (req, res) => {
    const send = (body: unknown, type = 'application/json') => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'max-age=60' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const path = req.url ?? '';
    switch (path) {
      case '/client.json':
        return send(documentFor(path));
      case '/big.json':
        return send(documentFor(path, { padding: 'x'.repeat(6000) }));
      case '/notjson.json':
        return send('{"client_id": nope');
      case '/html.json':
        return send(documentFor(path), 'text/html');
      case '/mismatch.json':
        return send(documentFor('/other.json'));
      case '/noname.json':
        return send({ ...documentFor(path), client_name: undefined });
      case '/httpredirect.json':
        return send(documentFor(path, { redirect_uris: ['http://evil.example/cb'] }));
      case '/slow.json':
        return void setTimeout(() => send(documentFor(path)), 3000);
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => documents.listen(0, '127.0.0.1', resolve));
  const { port } = documents.address() as AddressInfo;
  origin = `https://localhost:${port}`;
  stack = await startOAuthStack({
    env: { VIAL_OAUTH_CIMD_LOCAL_ORIGINS: origin, VIAL_OAUTH_CIMD_LOCAL_CA: CIMD_CA_FILE },
    hooks: { cimdFetch: recordingGuard },
    logTo: { write: (line: string) => void logLines.push(line) },
  });
});
afterAll(async () => {
  await stack?.close();
  documents.closeAllConnections();
  await new Promise((resolve) => documents.close(resolve));
});

/** The relay's fetch, noting the dispatcher it was handed for any URL but the test server's origin. */
const recordingGuard: CimdFetch = (url, init) => {
  if (new URL(String(url)).origin !== origin) guardSeen = init.dispatcher;
  return fetch(url, init as RequestInit);
};

/** oidc-provider's SSRF-guarded dispatcher, as the relay handed it to a fetch that was not the test server's. */
let guardSeen: unknown;

async function authorizeWith(clientId: string) {
  return new UserAgent().go(
    authorizeUrl(stack.url, { client_id: clientId, code_challenge: pkce().challenge, resource: stack.mcpUrl }),
  );
}

describe('SDK 2.x client with a Client ID Metadata Document', () => {
  it('signs in with its URL as client id, calls within its scopes, is refused outside, refreshes, and is cut off', async () => {
    const provider = new MemoryOAuthProvider(`${origin}/client.json`);
    const { client, details } = await connectWithOAuth(stack.mcpUrl, stack.host, provider, ['quantum', 'ml']);
    expect(provider.client?.client_id).toBe(`${origin}/client.json`);
    expect(details.client).toMatchObject({
      clientId: `${origin}/client.json`,
      name: 'Test CIMD client',
      cimd: true,
      redirectHosts: ['localhost'],
    });
    expect(provider.savedTokens!.scope!.split(' ').sort()).toEqual(['ml', 'quantum']);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    const denied = await client.callTool({ name: 'wallet_status', arguments: {} });
    expect(denied.isError).toBe(true);
    expect(await refresh(provider, stack.mcpUrl)).toBe('AUTHORIZED');
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    const grant = stack.host.oauth.grants().find((record) => record.client.clientId === `${origin}/client.json`)!;
    expect(grant.client.cimd).toBe(true);
    stack.host.oauth.revoke(grant.grantId);
    await expect.poll(() => stack.host.oauth.grants().length).toBe(0);
    await expect(client.listTools()).rejects.toThrow(/Unauthorized/);
  });
});

describe('documents the relay refuses', () => {
  it.each([
    ['too big (6 KiB)', '/big.json', 'invalid_client'],
    ['not JSON', '/notjson.json', 'invalid_client'],
    ['served as text/html', '/html.json', 'invalid_client'],
    ['naming another client id', '/mismatch.json', 'invalid_client_metadata'],
    ['without client_name', '/noname.json', 'invalid_client'],
    ['redirecting to http elsewhere', '/httpredirect.json', 'invalid_client'],
  ])('%s: %s is %s on the page, and the tab sees nothing', async (_what, path, error) => {
    const page = await authorizeWith(`${origin}${path}`);
    expect(page).toMatchObject({ status: 400 });
    expect(JSON.parse((page as { body: string }).body)).toMatchObject({ error });
    expect(stack.host.oauth.pending()).toEqual([]);
    expect(stack.relay.oauth!.consents.size).toBe(0);
  });

  it('gives up on a slow document within about 2 s, and does not fetch it again at once', async () => {
    const started = performance.now();
    const page = await authorizeWith(`${origin}/slow.json`);
    expect(JSON.parse((page as { body: string }).body)).toMatchObject({ error: 'invalid_client' });
    expect(performance.now() - started).toBeLessThan(2900);
    const again = performance.now();
    await authorizeWith(`${origin}/slow.json`);
    expect(performance.now() - again).toBeLessThan(500);
  });

  it('refuses a document on a private address through the SSRF guard', async () => {
    const { port } = documents.address() as AddressInfo;
    const page = await authorizeWith(`https://127.0.0.1:${port}/client.json`);
    expect(JSON.parse((page as { body: string }).body)).toMatchObject({ error: 'invalid_client' });
    expect(logLines.join('\n')).toMatch(/OAuth authorization refused/);
    // That fetch went through oidc-provider's guarded dispatcher, not the test's; the test server's
    // certificate stops it before the guard would, so the guard itself is shown on plain http: it
    // cuts a connection to a loopback address.
    expect(guardSeen).toBeDefined();
    const loopback = `${stack.url.replace('localhost', '127.0.0.1')}/healthz`;
    const error = await fetch(loopback, { dispatcher: guardSeen } as RequestInit).then(
      () => undefined,
      (failure: Error) => failure,
    );
    expect(String((error?.cause as Error | undefined)?.message)).toMatch(/special-use IP address/);
  });
});
