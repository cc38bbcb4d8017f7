/**
 * A visitor spamming sign-ins at a host whose MCP URL they know, to push the person's own consent
 * out of the tab. Each browser here comes from its own loopback address (127.0.0.x), as visitors
 * elsewhere would. One address past its own cap (3) loses only its own oldest sign-in; many
 * addresses past the host's cap (8) or the relay's get their new sign-in refused with 429 naming
 * the cap, and no waiting consent is denied: the person's is still there to approve, and a
 * refused page that is reloaded once there is room opens its consent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PENDING_PER_ADDRESS } from '../../../relay/src/oauth/consent.ts';
import { until } from '../../support/until.ts';
import {
  authorizeUrl,
  finishConsent,
  openConsent,
  pkce,
  registerClient,
  startOAuthStack,
  UserAgent,
  type ConsentDetails,
} from '../../support/oauth.ts';

type Stack = Awaited<ReturnType<typeof startOAuthStack>>;

let stack: Stack;
beforeAll(async () => {
  stack = await startOAuthStack({ env: { VIAL_OAUTH_REGISTRATIONS_PER_MIN: '100' } });
});
afterAll(async () => {
  await stack.close();
});

/** A sign-in started in a browser at `from` (127.0.0.1 when undefined), up to its consent page's details. */
async function signInFrom(at: Stack, from?: string) {
  const browser = new UserAgent(from);
  const url = authorizeUrl(at.url, {
    client_id: await registerClient(at.url),
    code_challenge: pkce().challenge,
    resource: at.mcpUrl,
  });
  const opened = await openConsent(browser, url);
  if (!opened.uid) throw new Error(`no consent page: ${JSON.stringify(opened)}`);
  const details = opened.status === 200 ? opened.details : undefined;
  const refusal = opened.status === 200 ? undefined : (opened.details as unknown as { error: string }).error;
  return { browser, uid: opened.uid, origin: opened.origin, status: opened.status, details, refusal };
}

function pendingIds(at: Stack): string[] {
  return at.host.oauth.pending().map((consent) => consent.consentId);
}

async function denyAll(at: Stack): Promise<void> {
  for (const consent of at.host.oauth.pending()) at.host.oauth.decide(consent.consentId, { approve: false });
  await until(() => at.host.oauth.pending().length === 0);
}

/** The person approves `details` in the tab with the page's code; the browser comes back with a code. */
async function approve(at: Stack, signIn: Awaited<ReturnType<typeof signInFrom>>) {
  const details = signIn.details as ConsentDetails;
  expect(
    at.host.oauth.decide(details.consentId, { approve: true, scopes: ['quantum'], matchCode: details.matchCode }),
  ).toBe(true);
  return (await finishConsent(signIn.browser, signIn.origin!, signIn.uid)) as URLSearchParams;
}

describe('one address spamming sign-ins', () => {
  it(`keeps ${MAX_PENDING_PER_ADDRESS} of its own waiting, pushing out only its own: the person's stays and is approved`, async () => {
    const person = await signInFrom(stack);
    await until(() => pendingIds(stack).includes(person.details!.consentId));
    const spam = [];
    for (let at = 0; at < 10; at++) spam.push(await signInFrom(stack, '127.0.0.2'));
    expect(spam.every((signIn) => signIn.status === 200)).toBe(true);
    await until(() => stack.host.oauth.pending().length === 1 + MAX_PENDING_PER_ADDRESS);
    expect(pendingIds(stack)).toContain(person.details!.consentId);
    expect(pendingIds(stack)).toEqual(
      expect.arrayContaining(spam.slice(-MAX_PENDING_PER_ADDRESS).map((signIn) => signIn.details!.consentId)),
    );
    // The visitor's first sign-in was the one denied, and told why.
    const first = (await finishConsent(spam[0]!.browser, spam[0]!.origin!, spam[0]!.uid)) as URLSearchParams;
    expect(first.get('error')).toBe('access_denied');
    expect(first.get('error_description')).toBe('a newer sign-in from the same address replaced this one');

    const callback = await approve(stack, person);
    expect(callback.get('code')).toBeTruthy();
    await denyAll(stack);
  });
});

describe('many addresses filling the host', () => {
  it('get their new sign-in refused (429 naming the cap) once 8 wait, and no waiting one is denied', async () => {
    const person = await signInFrom(stack);
    const visitors = [];
    for (const from of ['127.0.0.3', '127.0.0.4', '127.0.0.5']) {
      for (let at = 0; at < MAX_PENDING_PER_ADDRESS; at++) visitors.push(await signInFrom(stack, from));
    }
    // The person's and 7 visitors' fit; the last two are refused, the tab shown nothing of them.
    expect(visitors.slice(0, 7).every((signIn) => signIn.status === 200)).toBe(true);
    const refused = visitors.slice(7);
    expect(refused.map((signIn) => signIn.status)).toEqual([429, 429]);
    expect(refused[0]!.refusal).toMatch(
      /^8 sign-ins are already waiting for this host \(VIAL_OAUTH_MAX_PENDING_CONSENTS\): approve or deny them in your Vial tab/,
    );
    await until(() => stack.host.oauth.pending().length === 8);
    expect(pendingIds(stack)).toContain(person.details!.consentId);
    expect(stack.relay.oauth!.consents.size).toBe(8);

    // The person approves theirs; the refused page, reloaded, now opens its consent.
    expect((await approve(stack, person)).get('code')).toBeTruthy();
    const reloaded = await refused[0]!.browser.json(`${refused[0]!.origin}/consent/${refused[0]!.uid}/details`);
    expect(reloaded.status).toBe(200);
    await until(() => stack.host.oauth.pending().length === 8);
    await denyAll(stack);
  });
});

describe('the relay full', () => {
  it('refuses a new sign-in with 429 naming VIAL_OAUTH_MAX_PENDING_CONSENTS_TOTAL, denying none', async () => {
    const small = await startOAuthStack({ env: { VIAL_OAUTH_MAX_PENDING_CONSENTS_TOTAL: '2' } });
    try {
      const waiting = [await signInFrom(small), await signInFrom(small, '127.0.0.6')];
      const refused = await signInFrom(small, '127.0.0.7');
      expect(waiting.map((signIn) => signIn.status)).toEqual([200, 200]);
      expect(refused).toMatchObject({ status: 429 });
      expect(refused.refusal).toMatch(
        /^2 sign-ins are waiting on this relay \(VIAL_OAUTH_MAX_PENDING_CONSENTS_TOTAL\)/,
      );
      await until(() => small.host.oauth.pending().length === 2);
      expect(small.relay.oauth!.consents.size).toBe(2);
    } finally {
      await small.close();
    }
  });
});
