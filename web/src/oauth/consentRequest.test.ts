import { describe, expect, it, vi } from 'vitest';
import { consentUidFromPath } from './consentPath.ts';
import { fetchConsentDetails, GONE_MESSAGE, safeRedirect, waitForDecision } from './consentRequest.ts';

const BASE = 'http://localhost:8787/consent/abc';
const details = {
  hostId: 'AAAAAAAAAAAAAAAAAAAAAA',
  consentId: 'c'.repeat(22),
  client: {
    clientId: 'https://client.example.com/meta.json',
    name: 'Example',
    cimd: true,
    redirectHosts: ['client.example.com'],
    loopbackOnly: false,
  },
  scopes: ['quantum', 'wallet:read'],
  requestedFrom: '203.0.113.9',
  expiresAt: 1_900_000_000_000,
  matchCode: 'tulip ocean river stone',
};

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A fetch that answers each call with the next of `answers` and records the URLs asked. */
function scripted(...answers: Array<Response | Error>) {
  const urls: string[] = [];
  const impl = vi.fn(async (url: string | URL | Request) => {
    urls.push(String(url));
    const next = answers.shift();
    if (next === undefined) throw new Error('no more scripted answers');
    if (next instanceof Error) throw next;
    return next;
  });
  return { fetch: impl as unknown as typeof fetch, urls };
}

describe('consentUidFromPath', () => {
  it('takes the id from /consent/<uid> and nothing else', () => {
    expect(consentUidFromPath('/consent/Ab3_-x')).toBe('Ab3_-x');
    expect(consentUidFromPath('/consent/Ab3_-x/')).toBe('Ab3_-x');
    expect(consentUidFromPath('/')).toBeUndefined();
    expect(consentUidFromPath('/consent/')).toBeUndefined();
    expect(consentUidFromPath('/consent/a/details')).toBeUndefined();
    expect(consentUidFromPath('/consent/a%2F..')).toBeUndefined();
    expect(consentUidFromPath(`/consent/${'a'.repeat(129)}`)).toBeUndefined();
  });
});

describe('fetchConsentDetails', () => {
  it('reads the details the relay sends', async () => {
    const { fetch, urls } = scripted(json(200, details));
    await expect(fetchConsentDetails('abc', fetch)).resolves.toEqual({ ok: true, value: details });
    expect(urls).toEqual(['/consent/abc/details']);
  });

  it('says an unknown or expired consent is gone, and what to do', async () => {
    const { fetch } = scripted(json(404, { error: 'unknown consent' }));
    await expect(fetchConsentDetails('abc', fetch)).resolves.toEqual({
      ok: false,
      kind: 'gone',
      message: GONE_MESSAGE,
    });
  });

  it('says the relay could not be reached', async () => {
    const { fetch } = scripted(new TypeError('Failed to fetch'));
    const outcome = await fetchConsentDetails('abc', fetch);
    expect(outcome).toMatchObject({ ok: false, kind: 'network' });
    expect(!outcome.ok && outcome.message).toMatch(/Could not reach the Vial relay \(Failed to fetch\)/);
  });

  it('refuses details that do not parse, naming the field', async () => {
    const { fetch } = scripted(json(200, { ...details, scopes: ['root'] }));
    const outcome = await fetchConsentDetails('abc', fetch);
    expect(outcome).toMatchObject({ ok: false, kind: 'bad-answer' });
    expect(!outcome.ok && outcome.message).toMatch(/scopes/);
  });

  it('passes on the relay error text of another status', async () => {
    const { fetch } = scripted(json(400, { error: 'invalid_request' }));
    await expect(fetchConsentDetails('abc', fetch)).resolves.toMatchObject({
      ok: false,
      kind: 'bad-answer',
      message: 'The relay answered 400: invalid_request.',
    });
  });
});

describe('safeRedirect', () => {
  it('resolves a relative address and refuses anything but http(s)', () => {
    expect(safeRedirect('/oauth/authorize/abc', BASE)).toBe('http://localhost:8787/oauth/authorize/abc');
    expect(safeRedirect('https://client.example.com/cb?code=x', BASE)).toBe('https://client.example.com/cb?code=x');
    expect(safeRedirect('javascript:alert(1)', BASE)).toBeUndefined();
    expect(safeRedirect('data:text/html,x', BASE)).toBeUndefined();
  });
});

describe('waitForDecision', () => {
  it('polls through pending answers and network failures to the address the relay gives', async () => {
    const { fetch, urls } = scripted(
      json(200, { state: 'pending' }),
      new TypeError('Failed to fetch'),
      json(200, { state: 'pending' }),
      json(200, { state: 'done', redirectTo: '/oauth/authorize/abc' }),
    );
    const problems: Array<string | undefined> = [];
    const outcome = await waitForDecision('abc', {
      fetch,
      base: BASE,
      retryMs: 1,
      onProblem: (problem) => problems.push(problem?.kind),
    });
    expect(outcome).toEqual({ ok: true, value: 'http://localhost:8787/oauth/authorize/abc' });
    expect(urls).toHaveLength(4);
    expect(new Set(urls)).toEqual(new Set(['/consent/abc/wait']));
    // Told of the failure, then that it passed.
    expect(problems).toEqual([undefined, 'network', undefined, undefined]);
  });

  it('ends when the consent is gone', async () => {
    const { fetch } = scripted(json(200, { state: 'pending' }), json(404, { error: 'expired' }));
    await expect(waitForDecision('abc', { fetch, base: BASE, retryMs: 1 })).resolves.toEqual({
      ok: false,
      kind: 'gone',
      message: GONE_MESSAGE,
    });
  });

  it('refuses an answer it cannot read, and an address that is not http(s)', async () => {
    const odd = scripted(json(200, { state: 'maybe' }));
    await expect(waitForDecision('abc', { fetch: odd.fetch, base: BASE })).resolves.toMatchObject({
      ok: false,
      kind: 'bad-answer',
    });
    const script = scripted(json(200, { state: 'done', redirectTo: 'javascript:alert(1)' }));
    await expect(waitForDecision('abc', { fetch: script.fetch, base: BASE })).resolves.toMatchObject({
      ok: false,
      kind: 'bad-answer',
      message: 'The relay asked to go to an address that is not http(s).',
    });
  });

  it('stops when the page aborts it', async () => {
    const controller = new AbortController();
    const fetch = ((_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) =>
        init.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      )) as unknown as typeof globalThis.fetch;
    const waiting = waitForDecision('abc', { fetch, base: BASE, signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toThrow('aborted');
  });
});
