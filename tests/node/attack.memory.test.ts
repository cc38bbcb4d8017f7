/**
 * The out-of-memory attack on a relay that lets anyone host: lying tabs open sessions on hosts of
 * their own and push notifications that parse into as many objects as possible. The relay runs
 * in a process of its own, so its memory is measured alone. Before the fix it kept such frames as
 * parsed objects (about 25 times their size) for a resume that never came, and died.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../../bench/serverProcess.ts';
import {
  objectFlood,
  openAndLeaveStream,
  openHostileTab,
  openSession,
  type HostileTab,
} from '../support/hostileTab.ts';
import { residentBytes } from '../support/processMemory.ts';
import { until } from '../support/until.ts';

const MiB = 1024 * 1024;
const HOST_SHARE = 4 * MiB;
const TOTAL = 12 * MiB;
const FRAME = MiB;

let relay: ServerProcess;

beforeAll(async () => {
  relay = await startServerProcess('relay', {
    env: {
      VIAL_HOST_MEMORY_BYTES: String(HOST_SHARE),
      VIAL_MEMORY_LIMIT_BYTES: String(TOTAL),
      VIAL_EVENT_BUFFER_BYTES: String(2 * MiB),
      VIAL_MAX_FRAME_BYTES: String(2 * FRAME),
      // Room for the whole flood: this file tests what is kept, attack.relay.test.ts the rate.
      VIAL_TAB_BURST_BYTES: String(1024 * MiB),
      VIAL_TAB_BYTES_PER_SEC: String(1024 * MiB),
      VIAL_TABS_BYTES_PER_SEC: String(1024 * MiB),
    },
  });
});

afterAll(() => relay?.close());

async function keptEventBytes(): Promise<number> {
  const text = await (await fetch(`${relay.url}/metrics`)).text();
  return Number(/^vial_kept_event_bytes (\d+)/m.exec(text)?.[1]);
}

/** Sends `frames` floods to each session, then waits until the relay has read them all (a ping is answered after). */
async function flood(tab: HostileTab, sessions: string[], frames: number): Promise<void> {
  const notification = objectFlood(FRAME);
  for (let i = 0; i < frames; i++) {
    for (const sessionId of sessions) tab.send({ type: 'mcp', sessionId, message: notification });
  }
  const id = Math.floor(Math.random() * 1e9);
  tab.send({ type: 'ping', id });
  await until(() => tab.frames.some((frame) => frame.type === 'pong' && frame.id === id), 60_000);
}

describe('a relay flooded by lying tabs', () => {
  it('keeps nothing for sessions that never opened a stream they could resume', async () => {
    const tab = await openHostileTab(relay.url);
    const sessions = [await openSession(tab), await openSession(tab)];
    // What initialize itself left: each response, kept for a client that resumes its POST stream.
    const kept = await keptEventBytes();
    expect(kept).toBeLessThan(4096);
    await flood(tab, sessions, 8);
    expect(await keptEventBytes()).toBe(kept);
    tab.socket.close();
  }, 60_000);

  it('stays within its configured memory while four hosts flood streams left for later, and keeps serving', async () => {
    const heapBefore = (await relay.memory()).heapUsed;
    const before = await residentBytes(relay.pid);
    const tabs = await Promise.all([0, 1, 2, 3].map(() => openHostileTab(relay.url)));
    let sent = 0;
    for (const tab of tabs) {
      const sessions = await Promise.all([0, 1, 2, 3].map(() => openSession(tab)));
      for (const sessionId of sessions) await openAndLeaveStream(tab, sessionId);
      await flood(tab, sessions, 12);
      sent += sessions.length * 12 * FRAME;
      expect(await keptEventBytes()).toBeLessThanOrEqual(TOTAL);
    }
    const after = await residentBytes(relay.pid);
    const heapAfter = (await relay.memory()).heapUsed;
    expect(sent).toBeGreaterThan(150 * MiB);
    // Without the bounds the relay kept about 25 times the JSON it was sent, as parsed objects.
    const retained = heapAfter - heapBefore;
    expect(retained, `the heap kept ${(retained / MiB).toFixed(1)} MiB`).toBeLessThan(TOTAL + 8 * MiB);
    // The peak also holds frames parsed and not yet collected (each 1 MB frame is ~12 MB of objects
    // for a moment): a fixed margin over the limit, whatever was sent.
    const peak = after.peak - before.now;
    expect(peak, `peak RSS grew by ${(peak / MiB).toFixed(0)} MiB`).toBeLessThan(TOTAL + 448 * MiB);
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
    // A newcomer is still served: it registers and its client initializes.
    const newcomer = await openHostileTab(relay.url);
    await openSession(newcomer);
    for (const tab of [...tabs, newcomer]) tab.socket.close();
  }, 120_000);
});
