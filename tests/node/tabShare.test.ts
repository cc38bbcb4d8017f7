/**
 * The tabs' shared bandwidth (VIAL_TABS_BYTES_PER_SEC) at scale: it is split among the tabs that
 * are sending, not every tab connected, and the pong a tab owes the relay's heartbeat is not
 * counted, so hundreds of idle tabs leave a working tab its share; what a tab sends beyond what it
 * owes still counts (relay/src/hosts/tabThrottle.ts; its unit tests hold a crowd of lying tabs to
 * the total).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hashToken, mintTokenValue } from '@vial/shared';
import { openHostileTab, type HostileTab } from '../support/hostileTab.ts';
import { startRelay, type StartedRelay } from '../support/relay.ts';
import { mcpHeaders, rawInitialize } from '../support/testPack.ts';
import { until } from '../support/until.ts';

let relay: StartedRelay | undefined;
const tabs: HostileTab[] = [];
afterEach(async () => {
  for (const tab of tabs.splice(0)) tab.socket.terminate();
  await relay?.close();
  relay = undefined;
});

/** Whether `closed` settles within `ms`: the relay dropped the tab. */
async function closedWithin(tab: HostileTab, ms: number): Promise<{ code: number; reason: string } | undefined> {
  return Promise.race([tab.closed, new Promise<undefined>((resolve) => setTimeout(resolve, ms))]);
}

describe("the tabs' shared bandwidth", () => {
  it('leaves a working tab its share with 300 idle tabs connected: a new token works at once', async () => {
    // 256 KiB/s among 301 connected tabs would be some 870 bytes a second each, under a frame's least cost.
    relay = await startRelay({
      VIAL_TABS_BYTES_PER_SEC: String(256 * 1024),
      VIAL_TAB_SOCKETS_PER_ADDRESS: '1000',
      VIAL_NEW_HOSTS_PER_MIN: '1000',
      VIAL_AUTH_FAILURES_PER_MIN: '0',
    });
    const { url } = relay;
    for (let batch = 0; batch < 6; batch++) {
      tabs.push(...(await Promise.all(Array.from({ length: 50 }, () => openHostileTab(url)))));
    }
    // Past ACTIVE_WITHIN_MS the idle tabs take no part in the share.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const started = Date.now();
    const working = await openHostileTab(url);
    tabs.push(working);
    const fresh = await freshToken();
    working.send({ type: 'host-info', serverInfo: { name: 'working', version: '1' }, capabilities: { tools: {} } });
    working.send({ type: 'tokens', tokens: [fresh.record] });
    await tokenKnown(working, fresh.token);
    // Registered, described and its token known within a blink, with 300 tabs idle beside it.
    expect(Date.now() - started).toBeLessThan(1500);
    expect(await rawInitialize(working.mcpUrl, fresh.token)).toMatch(/.+/);
    const idle = await Promise.all(tabs.map((tab) => closedWithin(tab, 0)));
    expect(idle.filter((closed) => closed !== undefined)).toEqual([]);
  }, 60_000);

  // One frame of burst, refilled at a quarter frame a second, pauses of up to a second (half the heartbeat):
  // a tab three pongs in debt would have the second of two frames wait a second behind the first.
  const slowShare = {
    VIAL_HEARTBEAT_MS: '2000',
    VIAL_TAB_BYTES_PER_SEC: '1024',
    VIAL_TABS_BYTES_PER_SEC: '1024',
    VIAL_TAB_BURST_BYTES: '4096',
    VIAL_TAB_THROTTLE_DROP_MS: '60000',
    // The loop asking whether the token works fails authentication until it does.
    VIAL_AUTH_FAILURES_PER_MIN: '0',
  };

  it('never counts the pong a tab owes its heartbeat: after three, its share is whole', async () => {
    relay = await startRelay(slowShare);
    const tab = await openHostileTab(relay.url);
    tabs.push(tab);
    await until(() => tab.frames.filter((frame) => frame.type === 'ping').length >= 3, 10_000);
    expect(await secondTokenWaits(tab)).toBeLessThan(500);
  }, 30_000);

  it('counts pongs a tab does not owe like any frame', async () => {
    relay = await startRelay(slowShare);
    const tab = await openHostileTab(relay.url);
    tabs.push(tab);
    await new Promise((resolve) => setTimeout(resolve, 4500));
    tab.send({ type: 'pong', id: 0 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await secondTokenWaits(tab)).toBeGreaterThan(800);
  }, 30_000);
});

/** Sends two `tokens` frames 100 ms apart; answers how long, in ms, until the relay knows the second one's token. */
async function secondTokenWaits(tab: HostileTab): Promise<number> {
  const [first, second] = await Promise.all([freshToken(), freshToken()]);
  const started = Date.now();
  tab.send({ type: 'tokens', tokens: [first.record] });
  // Frames that arrive together are read together: a pause holds back what arrives after it.
  await new Promise((resolve) => setTimeout(resolve, 100));
  tab.send({ type: 'tokens', tokens: [second.record] });
  await tokenKnown(tab, second.token);
  return Date.now() - started;
}

/**
 * Resolves once the relay accepts `token` for the tab's host: a call without a session gets 400
 * then, an answer from the relay alone (a paused tab's socket is not read).
 */
async function tokenKnown(tab: HostileTab, token: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const res = await fetch(tab.mcpUrl, {
      method: 'POST',
      headers: mcpHeaders(token),
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    await res.text();
    if (res.status === 400) return;
    if (res.status !== 401) throw new Error(`expected 401, then 400 once the token is known; got ${res.status}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the relay never knew the token');
}

async function freshToken() {
  const token = mintTokenValue();
  return {
    token,
    record: { id: token.slice(-8), name: 'fresh', hash: await hashToken(token), scopes: [], expiresAt: null },
  };
}
