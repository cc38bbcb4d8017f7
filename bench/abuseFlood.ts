/**
 * The attackers of `bench:abuse`, in a process of their own so their CPU is not the measuring
 * client's: one anonymous socket that tries to make hosts without end (a second register on
 * every socket, a fresh secret on every reconnect) and sends junk between, and `hosts` lying
 * tabs, each with two sessions whose GET stream it opened and left (so the relay keeps what
 * they are sent), pushing `[{},{},…]` notifications as fast as their sockets take them, coming
 * back as the same host whenever the relay drops them, and spending the LLM keys the relay
 * gave them with `chats` calls at a time. Started by `fork` with its settings as JSON in
 * argv[2]; sends its tallies to the parent when `seconds` are up.
 */
import { deriveHostId, randomSecret } from '@vial/shared';
import { WebSocket } from 'ws';
import {
  NotRegistered,
  objectFlood,
  openAndLeaveStream,
  openHostileTab,
  openSession,
  type HostileTab,
} from '../tests/support/hostileTab.ts';

export interface FloodSettings {
  relayUrl: string;
  hosts: number;
  seconds: number;
  frameBytes: number;
  chats: number;
  /** A model the relay prices, and the output it may produce. */
  model: string;
  maxTokens: number;
}

export interface FloodTally {
  anonymousSockets: number;
  anonymousHostsCreated: number;
  hostileRegistrations: number;
  hostileRefusals: number;
  hostileDrops: number;
  floodBytesSent: number;
  chatsAnswered: number;
  chatsRefused: number;
}

const settings = JSON.parse(process.argv[2]!) as FloodSettings;
const tally: FloodTally = {
  anonymousSockets: 0,
  anonymousHostsCreated: 0,
  hostileRegistrations: 0,
  hostileRefusals: 0,
  hostileDrops: 0,
  floodBytesSent: 0,
  chatsAnswered: 0,
  chatsRefused: 0,
};
const deadline = Date.now() + settings.seconds * 1000;
const running = () => Date.now() < deadline;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Unsent bytes a flooding socket may hold before it waits: enough to keep the relay reading. */
const IN_FLIGHT_BYTES = 2 * 1024 * 1024;

/** One socket after another, each trying to register two hosts and sending junk. */
async function anonymousSocket(): Promise<void> {
  const socketUrl = `${settings.relayUrl.replace(/^http/, 'ws')}/tab`;
  while (running()) {
    tally.anonymousSockets++;
    const socket = new WebSocket(socketUrl);
    socket.on('error', () => undefined);
    socket.on('message', (data) => {
      if (String(data).includes('"registered"')) tally.anonymousHostsCreated++;
    });
    const closed = new Promise((resolve) => socket.once('close', resolve));
    const opened = await Promise.race([new Promise((resolve) => socket.once('open', () => resolve(true))), closed]);
    if (opened === true) {
      for (let i = 0; i < 2; i++) {
        const secret = randomSecret();
        socket.send(JSON.stringify({ type: 'register', hostId: await deriveHostId(secret), secret, tokens: [] }));
        socket.send('{"not": "a frame"');
        socket.send(JSON.stringify({ type: 'mcp', sessionId: 'nobody', message: { jsonrpc: '2.0', method: 'x' } }));
      }
      await Promise.race([closed, pause(200)]);
      socket.terminate();
    }
    await closed;
  }
}

/** Waits until the socket has room, or has closed. */
async function roomIn(tab: HostileTab): Promise<boolean> {
  while (tab.socket.readyState === tab.socket.OPEN && tab.socket.bufferedAmount > IN_FLIGHT_BYTES) await pause(2);
  return tab.socket.readyState === tab.socket.OPEN;
}

async function floodFrom(tab: HostileTab): Promise<void> {
  const sessions = [await openSession(tab), await openSession(tab)];
  for (const sessionId of sessions) await openAndLeaveStream(tab, sessionId);
  const frame = JSON.stringify({ type: 'mcp', sessionId: sessions[0], message: objectFlood(settings.frameBytes) });
  const other = frame.replace(sessions[0]!, sessions[1]!);
  for (let i = 0; running() && (await roomIn(tab)); i++) {
    tab.socket.send(i % 2 ? other : frame);
    tally.floodBytesSent += frame.length;
  }
}

async function spend(tab: HostileTab): Promise<void> {
  const registered = tab.frames.find((frame) => frame.type === 'registered');
  const llmKey = registered?.type === 'registered' ? registered.llmKey : undefined;
  if (!llmKey) return;
  const body = JSON.stringify({
    model: settings.model,
    messages: [{ role: 'user', content: 'Write as much as you may' }],
    maxTokens: settings.maxTokens,
    stream: false,
  });
  while (running() && tab.socket.readyState === tab.socket.OPEN) {
    const response = await fetch(`${settings.relayUrl}/llm/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${llmKey}`, 'content-type': 'application/json' },
      body,
    }).catch(() => undefined);
    if (response?.ok) tally.chatsAnswered++;
    else tally.chatsRefused++;
    await response?.text().catch(() => undefined);
    if (!response?.ok) await pause(50);
  }
}

/** A lying tab for the whole run: floods and spends, and comes back as the same host when dropped. */
async function hostileHost(): Promise<void> {
  const secret = randomSecret();
  while (running()) {
    let tab: HostileTab;
    try {
      tab = await openHostileTab(settings.relayUrl, { secret });
      tally.hostileRegistrations++;
    } catch (error) {
      if (!(error instanceof NotRegistered) && !/refused/.test(String(error))) throw error;
      tally.hostileRefusals++;
      await pause(500);
      continue;
    }
    await Promise.all([
      floodFrom(tab).catch(() => undefined),
      ...Array.from({ length: settings.chats }, () => spend(tab)),
    ]);
    if (tab.socket.readyState !== tab.socket.OPEN) tally.hostileDrops++;
    tab.socket.terminate();
  }
}

await Promise.all([anonymousSocket(), ...Array.from({ length: settings.hosts }, () => hostileHost())]);
process.send!(tally);
process.exit(0);
