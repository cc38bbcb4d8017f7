/**
 * A client's own HTTPS server for its Client ID Metadata Document, as the OAuth tests run one on
 * loopback: a self-signed certificate for `localhost` (tests/fixtures/oauth), which a relay
 * trusts only when started with `VIAL_OAUTH_CIMD_LOCAL_ORIGINS` naming this server's origin and
 * `VIAL_OAUTH_CIMD_LOCAL_CA` naming CIMD_CA_FILE. It records every path it was asked for.
 */
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export const CIMD_CA_FILE = fileURLToPath(new URL('../fixtures/oauth/cert.pem', import.meta.url));
const KEY_FILE = fileURLToPath(new URL('../fixtures/oauth/key.pem', import.meta.url));

/** What a path answers: a document (JSON), or anything else the route writes itself. */
export type DocumentRoute = (origin: string) => Record<string, unknown> | ((res: ServerResponse) => void);

/** The metadata document of a public client at `clientId` whose browser comes back to `redirectUris`. */
export function clientDocument(clientId: string, name: string, redirectUris: string[]): Record<string, unknown> {
  return {
    client_id: clientId,
    client_name: name,
    client_uri: new URL(clientId).origin,
    redirect_uris: redirectUris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
}

export async function startCimdServer(routes: Record<string, DocumentRoute>) {
  const requested: string[] = [];
  const server = createServer({ key: readFileSync(KEY_FILE), cert: readFileSync(CIMD_CA_FILE) }, (req, res) => {
    const path = req.url ?? '';
    requested.push(path);
    const route = routes[path];
    if (!route) return void res.writeHead(404).end();
    const answer = route(origin);
    if (typeof answer === 'function') return answer(res);
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' });
    res.end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `https://localhost:${port}`;
  return {
    origin,
    port,
    /** Paths asked for so far, in order. */
    requested,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
