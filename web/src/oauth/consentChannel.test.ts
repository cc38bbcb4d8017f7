import { afterEach, describe, expect, it } from 'vitest';
import {
  CONSENT_CHANNEL,
  ConsentHandoff,
  serveConsentChannel,
  type ChannelDecision,
  type ConsentDecider,
} from './consentChannel.ts';

const HOST = 'AAAAAAAAAAAAAAAAAAAAAA';
const OTHER_HOST = 'BBBBBBBBBBBBBBBBBBBBBB';
const CONSENT = 'consent_0123456789abcdef';

/** runtime.oauth as far as the channel uses it: pending consents, changes, and the decisions sent. */
class FakeConsents implements ConsentDecider {
  consents: { consentId: string }[] = [];
  sent: Array<{ consentId: string; decision: ChannelDecision }> = [];
  online = true;
  private readonly listeners = new Set<() => void>();
  pending() {
    return this.consents;
  }
  on(listener: () => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  decide(consentId: string, decision: ChannelDecision) {
    if (!this.online || !this.consents.some((consent) => consent.consentId === consentId)) return false;
    this.sent.push({ consentId, decision });
    return true;
  }
  arrive(consentId: string) {
    this.consents = [...this.consents, { consentId }];
    for (const listener of this.listeners) listener();
  }
  listenerCount() {
    return this.listeners.size;
  }
}

const opened: BroadcastChannel[] = [];
function channel(): BroadcastChannel {
  const made = new BroadcastChannel(CONSENT_CHANNEL);
  opened.push(made);
  return made;
}
const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  for (const made of opened.splice(0)) made.close();
});

function serve(oauth: ConsentDecider, servingHost: () => string | undefined = () => HOST, arrivalMs = 300) {
  stops.push(serveConsentChannel({ channel: channel(), oauth, servingHost, arrivalMs }));
}

const approve: ChannelDecision = {
  approve: true,
  scopes: ['quantum'],
  grantDays: 30,
  matchCode: 'tulip ocean river stone',
};

describe('the same-browser consent handoff', () => {
  it('finds the tab serving the host, and no tab for another host', async () => {
    serve(new FakeConsents());
    await expect(new ConsentHandoff(channel(), HOST).findTab(500)).resolves.toBe(true);
    await expect(new ConsentHandoff(channel(), OTHER_HOST).findTab(200)).resolves.toBe(false);
  });

  it('a tab that serves no host (replaced, not started) stays silent', async () => {
    serve(new FakeConsents(), () => undefined);
    await expect(new ConsentHandoff(channel(), HOST).findTab(200)).resolves.toBe(false);
  });

  it('hands the decision, with the match code the page was given, to runtime.oauth.decide', async () => {
    const oauth = new FakeConsents();
    oauth.arrive(CONSENT);
    serve(oauth);
    await expect(new ConsentHandoff(channel(), HOST).decide(CONSENT, approve)).resolves.toEqual({ ok: true });
    expect(oauth.sent).toEqual([{ consentId: CONSENT, decision: approve }]);
  });

  it('waits for a consent that reaches the tab after the page decided', async () => {
    const oauth = new FakeConsents();
    serve(oauth);
    const deciding = new ConsentHandoff(channel(), HOST).decide(CONSENT, { approve: false });
    setTimeout(() => oauth.arrive(CONSENT), 50);
    await expect(deciding).resolves.toEqual({ ok: true });
    expect(oauth.sent).toEqual([{ consentId: CONSENT, decision: { approve: false } }]);
    expect(oauth.listenerCount()).toBe(0);
  });

  it('says why when the consent never arrives, or the tab is offline', async () => {
    const oauth = new FakeConsents();
    serve(oauth);
    const handoff = new ConsentHandoff(channel(), HOST);
    await expect(handoff.decide(CONSENT, approve)).resolves.toEqual({
      ok: false,
      error: expect.stringMatching(/no such request waiting/),
    });
    oauth.arrive(CONSENT);
    oauth.online = false;
    await expect(handoff.decide(CONSENT, approve)).resolves.toEqual({
      ok: false,
      error: expect.stringMatching(/not connected to the relay/),
    });
    expect(oauth.sent).toEqual([]);
  });

  it('says so when no tab answers', async () => {
    await expect(new ConsentHandoff(channel(), HOST).decide(CONSENT, approve, 200)).resolves.toEqual({
      ok: false,
      error: expect.stringMatching(/No Vial tab for this host answered/),
    });
  });

  it('ignores messages that do not parse, and decisions for another host', async () => {
    const oauth = new FakeConsents();
    oauth.arrive(CONSENT);
    serve(oauth);
    const rogue = channel();
    rogue.postMessage({
      type: 'decide',
      requestId: 'r'.repeat(10),
      hostId: HOST,
      consentId: CONSENT,
      decision: { approve: 'yes' },
    });
    rogue.postMessage({
      type: 'decide',
      requestId: 'r'.repeat(10),
      hostId: HOST,
      consentId: '../x',
      decision: approve,
    });
    rogue.postMessage('garbage');
    await expect(new ConsentHandoff(channel(), OTHER_HOST).decide(CONSENT, approve, 200)).resolves.toMatchObject({
      ok: false,
    });
    // The valid one after them still goes through: nothing above was taken.
    await new ConsentHandoff(channel(), HOST).decide(CONSENT, approve);
    expect(oauth.sent).toEqual([{ consentId: CONSENT, decision: approve }]);
  });

  it('stopping ends the waits and answers nothing more', async () => {
    const oauth = new FakeConsents();
    const stop = serveConsentChannel({ channel: channel(), oauth, servingHost: () => HOST, arrivalMs: 10_000 });
    const deciding = new ConsentHandoff(channel(), HOST).decide(CONSENT, approve, 1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(oauth.listenerCount()).toBe(1);
    stop();
    expect(oauth.listenerCount()).toBe(0);
    await expect(deciding).resolves.toMatchObject({ ok: false });
    await expect(new ConsentHandoff(channel(), HOST).findTab(100)).resolves.toBe(false);
  });

  it('refuses at once a decision the channel cannot carry, instead of waiting it out', async () => {
    const uncloneable = { approve: true, scopes: ['quantum'], onSent: () => undefined } as unknown as ChannelDecision;
    const started = Date.now();
    await expect(new ConsentHandoff(channel(), HOST).decide(CONSENT, uncloneable, 5000)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
