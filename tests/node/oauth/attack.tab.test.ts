/**
 * Attacks by a tab that lies about its own host's consents (a raw socket, no Vial code): a
 * lifetime over the relay's maximum, an approval replayed at once and later, the same scope
 * granted twice, and a decision for a consent its page never asked about. What the relay keeps
 * must be what the person could have chosen: one grant, within VIAL_OAUTH_GRANT_MAX_DAYS, with
 * the scopes asked.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RelayFrame } from '@vial/shared';
import { openHostileTab, type HostileTab } from '../../support/hostileTab.ts';
import { until } from '../../support/until.ts';
import {
  authorizeUrl,
  finishConsent,
  openConsent,
  pkce,
  registerClient,
  startOAuthStack,
  UserAgent,
} from '../../support/oauth.ts';

let stack: Awaited<ReturnType<typeof startOAuthStack>>;
let tab: HostileTab;
beforeAll(async () => {
  stack = await startOAuthStack({ env: { VIAL_OAUTH_GRANT_MAX_DAYS: '7' } });
});
afterAll(async () => {
  await stack.close();
});
afterEach(() => {
  tab.socket.close();
});

/** A sign-in for the lying tab's own host, opened up to the page's details; the tab has the consent frame. */
async function consentForTab() {
  tab = await openHostileTab(stack.url);
  const browser = new UserAgent();
  const url = authorizeUrl(stack.url, {
    client_id: await registerClient(stack.url),
    code_challenge: pkce().challenge,
    resource: tab.mcpUrl,
  });
  const opened = await openConsent(browser, url);
  if (!opened.details || !opened.uid) throw new Error(`no consent page: ${JSON.stringify(opened)}`);
  const { consentId, matchCode } = opened.details;
  await until(() => tab.frames.some((frame) => frame.type === 'oauth-consent' && frame.consentId === consentId));
  return { browser, uid: opened.uid, origin: opened.origin, consentId, matchCode };
}

function grantsOf(hostId: string) {
  return stack.relay.oauth!.store.grants(hostId);
}

function errorsSince(from: number): string[] {
  return tab.frames.slice(from).flatMap((frame: RelayFrame) => (frame.type === 'error' ? [frame.message] : []));
}

describe('a tab that lies about its own consents', () => {
  it('cannot grant for longer than VIAL_OAUTH_GRANT_MAX_DAYS, whatever grantDays says', async () => {
    const consent = await consentForTab();
    tab.send({
      type: 'oauth-consent-decision',
      consentId: consent.consentId,
      approve: true,
      scopes: ['quantum', 'quantum'],
      grantDays: 365,
      matchCode: consent.matchCode,
    });
    await until(() => grantsOf(tab.hostId).length === 1);
    const [grant] = grantsOf(tab.hostId);
    expect(grant!.expiresAt).toBeLessThanOrEqual(Date.now() + 7 * 86_400_000);
    expect(grant!.scopes).toEqual(['quantum']);
    const callback = await finishConsent(consent.browser, consent.origin, consent.uid);
    expect(callback).toBeInstanceOf(URLSearchParams);
    expect((callback as URLSearchParams).get('code')).toBeTruthy();
  });

  it('gets one grant from an approval sent twice at once, and an error for the copy', async () => {
    const consent = await consentForTab();
    const from = tab.frames.length;
    const approval = {
      type: 'oauth-consent-decision',
      consentId: consent.consentId,
      approve: true,
      scopes: ['quantum'],
      matchCode: consent.matchCode,
    } as const;
    tab.send(approval);
    tab.send(approval);
    await until(() => errorsSince(from).length > 0);
    expect(errorsSince(from)[0]).toMatch(/no consent .* is waiting for this host/);
    expect(grantsOf(tab.hostId)).toHaveLength(1);
    // Replayed after the flow finished: still one grant, and the same answer.
    await finishConsent(consent.browser, consent.origin, consent.uid);
    const later = tab.frames.length;
    tab.send(approval);
    await until(() => errorsSince(later).length > 0);
    expect(grantsOf(tab.hostId)).toHaveLength(1);
  });

  it('cannot turn a denial into an approval: once denied, an approval with the right code is refused', async () => {
    const consent = await consentForTab();
    const from = tab.frames.length;
    tab.send({ type: 'oauth-consent-decision', consentId: consent.consentId, approve: false });
    tab.send({
      type: 'oauth-consent-decision',
      consentId: consent.consentId,
      approve: true,
      scopes: ['quantum'],
      matchCode: consent.matchCode,
    });
    await until(() => errorsSince(from).length > 0);
    expect(grantsOf(tab.hostId)).toHaveLength(0);
    const callback = await finishConsent(consent.browser, consent.origin, consent.uid);
    expect((callback as URLSearchParams).get('error')).toBe('access_denied');
  });
});
