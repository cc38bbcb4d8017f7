/**
 * A visitor using the relay to fetch URLs for it: every endpoint that takes a `client_id` (token,
 * revocation, authorization) makes the relay fetch a Client ID Metadata Document from an https
 * URL it has not cached. Distinct URLs are never cached, so without a limit one address could
 * have the relay send requests to any site as fast as it asks. Fetches are limited per address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, pkce, startOAuthStack, UserAgent } from '../../support/oauth.ts';

const fetched: string[] = [];
let stack: Awaited<ReturnType<typeof startOAuthStack>>;
beforeAll(async () => {
  stack = await startOAuthStack({
    hooks: {
      // Stands in for the network: records the fetch and answers as a site without the document would.
      cimdFetch: (url) => {
        fetched.push(String(url));
        return Promise.resolve(new Response('{}', { status: 404, headers: { 'content-type': 'application/json' } }));
      },
    },
  });
});
afterAll(async () => {
  await stack.close();
});

function post(path: string, params: Record<string, string>) {
  return fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, string> }));
}

describe('metadata document fetches a visitor causes', () => {
  it('are limited per address across the token, revocation and authorization endpoints', async () => {
    const answers: { status: number; error: string | undefined }[] = [];
    for (let at = 0; at < 40; at++) {
      const clientId = `https://victim.example/client-${at}.json`;
      const endpoint = at % 3;
      if (endpoint === 0) {
        const { status, body } = await post('/oauth/revoke', { token: 'x', client_id: clientId });
        answers.push({ status, error: body.error });
      } else if (endpoint === 1) {
        const { status, body } = await post('/oauth/token', {
          grant_type: 'authorization_code',
          code: 'x',
          code_verifier: 'x'.repeat(43),
          client_id: clientId,
          redirect_uri: 'http://localhost:1/cb',
        });
        answers.push({ status, error: body.error });
      } else {
        const page = await new UserAgent().go(
          authorizeUrl(stack.url, { client_id: clientId, code_challenge: pkce().challenge, resource: stack.mcpUrl }),
        );
        answers.push({ status: 'status' in page ? page.status : 0, error: undefined });
      }
    }
    // Each was refused (no such document), and past the limit the relay stopped fetching.
    for (const answer of answers) expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(fetched.length).toBeGreaterThan(0);
    expect(fetched.length).toBeLessThanOrEqual(20);
  });
});
