/**
 * The deliberate way past the SSRF guard for a metadata document served on the developer's own
 * machine (`VIAL_OAUTH_CIMD_LOCAL_ORIGINS`, with `VIAL_OAUTH_CIMD_LOCAL_CA` for its self-signed
 * certificate): a client whose document is on a listed origin signs in; the default still sends
 * every document through oidc-provider's guard, which cuts loopback; and the allowance covers the
 * listed origin only: not another port, not another name for the same server, not a redirect
 * from the listed origin to another, never a link-local address. Every fetch the relay makes goes
 * through a recording fetch here, so each test shows which dispatcher (the guard, or the local
 * one) carried it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../relay/src/config.ts';
import type { CimdFetch } from '../../../relay/src/oauth/index.ts';
import { isLinkLocal, localDocumentDispatcher, lookupNotLinkLocal } from '../../../relay/src/oauth/localDocuments.ts';
import { CIMD_CA_FILE, clientDocument, startCimdServer } from '../../support/cimdDocuments.ts';
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

type Stack = Awaited<ReturnType<typeof startOAuthStack>>;

let listedDocs: Awaited<ReturnType<typeof startCimdServer>>;
let otherDocs: Awaited<ReturnType<typeof startCimdServer>>;
let listed: Stack;
let plain: Stack;
/** The dispatcher the relay handed its fetch, by URL. */
const dispatchers = new Map<string, unknown>();
const logLines: string[] = [];

const recordingFetch: CimdFetch = (url, init) => {
  dispatchers.set(String(url), init.dispatcher);
  return fetch(url, init as RequestInit);
};

beforeAll(async () => {
  const document = (path: string) => (origin: string) =>
    clientDocument(`${origin}${path}`, 'Local CIMD client', [CALLBACK]);
  otherDocs = await startCimdServer({ '/client.json': document('/client.json') });
  listedDocs = await startCimdServer({
    '/client.json': document('/client.json'),
    '/second.json': document('/second.json'),
    // Served as JSON, so only the redirect itself can be what the relay refuses.
    '/redirect.json': () => (res) =>
      res.writeHead(302, { location: `${otherDocs.origin}/client.json`, 'content-type': 'application/json' }).end('{}'),
  });
  listed = await startOAuthStack({
    env: { VIAL_OAUTH_CIMD_LOCAL_ORIGINS: listedDocs.origin, VIAL_OAUTH_CIMD_LOCAL_CA: CIMD_CA_FILE },
    hooks: { cimdFetch: recordingFetch },
    logTo: { write: (line: string) => void logLines.push(line) },
  });
  plain = await startOAuthStack({ hooks: { cimdFetch: recordingFetch } });
});
afterAll(async () => {
  await listed?.close();
  await plain?.close();
  await listedDocs?.close();
  await otherDocs?.close();
});

/** Opens the authorization URL for `clientId` as a browser would: the page's JSON error, if refused. */
async function authorizeWith(stack: Stack, clientId: string) {
  const page = await new UserAgent().go(
    authorizeUrl(stack.url, { client_id: clientId, code_challenge: pkce().challenge, resource: stack.mcpUrl }),
  );
  if (page instanceof URLSearchParams) throw new Error(`went to the callback: ${String(page)}`);
  return { status: page.status, body: page.status >= 400 ? (JSON.parse(page.body) as { error: string }) : undefined };
}

/** What oidc-provider's guard does with a connection to loopback: shown on the relay's own plain-http port. */
async function cutsLoopback(dispatcher: unknown, stack: Stack): Promise<boolean> {
  const loopback = `${stack.url.replace('localhost', '127.0.0.1')}/healthz`;
  const failure = await fetch(loopback, { dispatcher } as RequestInit).then(
    () => undefined,
    (error: Error) => error,
  );
  return /special-use IP address/.test(String((failure?.cause as Error | undefined)?.message));
}

describe('a listed origin', () => {
  it('serves a document the relay fetches past the guard: the client signs in, works and refreshes', async () => {
    const clientId = `${listedDocs.origin}/client.json`;
    const provider = new MemoryOAuthProvider(clientId);
    const { client, details } = await connectWithOAuth(listed.mcpUrl, listed.host, provider, ['quantum']);
    expect(details.client).toMatchObject({ clientId, name: 'Local CIMD client', cimd: true });
    expect(listedDocs.requested).toContain('/client.json');
    const local = dispatchers.get(clientId);
    expect(local).toBeDefined();
    expect(await cutsLoopback(local, listed)).toBe(false);
    expect((await client.callTool({ name: 'system_diagnostics', arguments: {} })).isError).toBeFalsy();
    expect(await refresh(provider, listed.mcpUrl)).toBe('AUTHORIZED');
    await client.close();
  });
});

describe('what stays refused', () => {
  it('by default: the same document goes through the guard, which cuts loopback, and is refused', async () => {
    const clientId = `${listedDocs.origin}/second.json`;
    const served = listedDocs.requested.length;
    expect(await authorizeWith(plain, clientId)).toMatchObject({ status: 400, body: { error: 'invalid_client' } });
    expect(await cutsLoopback(dispatchers.get(clientId), plain)).toBe(true);
    expect(listedDocs.requested.length).toBe(served);
    expect(plain.relay.oauth!.consents.size).toBe(0);
  });

  it('another port on the same host', async () => {
    const clientId = `${otherDocs.origin}/client.json`;
    expect(await authorizeWith(listed, clientId)).toMatchObject({ status: 400, body: { error: 'invalid_client' } });
    expect(await cutsLoopback(dispatchers.get(clientId), listed)).toBe(true);
    expect(otherDocs.requested).toEqual([]);
  });

  it('another name for the listed server (127.0.0.1 for localhost)', async () => {
    const clientId = `https://127.0.0.1:${listedDocs.port}/second.json`;
    const served = listedDocs.requested.length;
    expect(await authorizeWith(listed, clientId)).toMatchObject({ status: 400, body: { error: 'invalid_client' } });
    expect(await cutsLoopback(dispatchers.get(clientId), listed)).toBe(true);
    expect(listedDocs.requested.length).toBe(served);
  });

  it('a redirect from the listed origin to another: not followed', async () => {
    const clientId = `${listedDocs.origin}/redirect.json`;
    expect(await authorizeWith(listed, clientId)).toMatchObject({ status: 400, body: { error: 'invalid_client' } });
    expect(listedDocs.requested).toContain('/redirect.json');
    expect(otherDocs.requested).toEqual([]);
    expect(logLines.join('\n')).toMatch(/OAuth authorization refused/);
    expect(listed.relay.oauth!.consents.size).toBe(0);
  });

  it('link-local addresses, by name or as the listed host itself', async () => {
    expect(['169.254.169.254', 'fe80::1', '[fe80::1]', '::ffff:169.254.0.1'].map(isLinkLocal)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['127.0.0.1', '::1', '10.0.0.1', '192.168.1.1', 'fd00::1', 'localhost'].some(isLinkLocal)).toBe(false);
    const dispatcherFor = localDocumentDispatcher(['https://169.254.169.254', 'https://[fe80::1]:8443']);
    expect(dispatcherFor('https://169.254.169.254/client.json')).toBeUndefined();
    expect(dispatcherFor('https://[fe80::1]:8443/client.json')).toBeUndefined();
    const resolved = (hostname: string) =>
      new Promise<string>((resolve) =>
        lookupNotLinkLocal(hostname, { all: true }, (error, addresses) =>
          resolve(error ? `refused: ${error.message}` : JSON.stringify(addresses)),
        ),
      );
    expect(await resolved('169.254.169.254')).toMatch(/^refused: .*link-local address 169\.254\.169\.254/);
    expect(await resolved('localhost')).toMatch(/"address":"(127\.0\.0\.1|::1)"/);
  });
});

describe('the settings', () => {
  const base = { VIAL_PORT: '0', VIAL_WEB_DIR: '' };

  it('keep each origin as URL.origin writes it, and are off by default', () => {
    expect(loadConfig(base).oauth.cimdLocalOrigins).toEqual([]);
    expect(
      loadConfig({ ...base, VIAL_OAUTH_CIMD_LOCAL_ORIGINS: 'https://LocalHost:443/, https://dev.test:8443' }).oauth
        .cimdLocalOrigins,
    ).toEqual(['https://localhost', 'https://dev.test:8443']);
  });

  it.each([
    ['http://localhost:8443', /VIAL_OAUTH_CIMD_LOCAL_ORIGINS=.*'http:\/\/localhost:8443' is not an https origin/],
    ['https://localhost:8443/client.json', /is not an https origin: write https:\/\/host:port, no path/],
    ['https://user@localhost:8443', /is not an https origin/],
  ])('refuse the origin %s', (origins, message) => {
    expect(() => loadConfig({ ...base, VIAL_OAUTH_CIMD_LOCAL_ORIGINS: origins })).toThrow(message);
  });

  it('refuse a CA that is not a readable certificate, or one with no origin to trust it for', () => {
    const origins = { VIAL_OAUTH_CIMD_LOCAL_ORIGINS: 'https://localhost:8443' };
    expect(() => loadConfig({ ...base, ...origins, VIAL_OAUTH_CIMD_LOCAL_CA: '/no/such/ca.pem' })).toThrow(
      /VIAL_OAUTH_CIMD_LOCAL_CA=.*cannot read the file/,
    );
    expect(() => loadConfig({ ...base, ...origins, VIAL_OAUTH_CIMD_LOCAL_CA: __filename })).toThrow(
      /not a PEM certificate/,
    );
    expect(() => loadConfig({ ...base, VIAL_OAUTH_CIMD_LOCAL_CA: CIMD_CA_FILE })).toThrow(
      /VIAL_OAUTH_CIMD_LOCAL_CA is set but VIAL_OAUTH_CIMD_LOCAL_ORIGINS lists no origin/,
    );
    expect(loadConfig({ ...base, ...origins, VIAL_OAUTH_CIMD_LOCAL_CA: CIMD_CA_FILE }).oauth.cimdLocalCa).toMatch(
      /BEGIN CERTIFICATE/,
    );
  });
});
