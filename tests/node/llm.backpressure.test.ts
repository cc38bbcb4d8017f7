/**
 * A tab that reads its answer slowly holds the provider back instead of making the relay buffer
 * the answer: while the tab's response is not draining, the relay stops reading the provider's
 * stream, so the relay holds no more than socket buffers' worth per stream, the provider's
 * writes block, and the idle timeout (the provider's silence) does not fire because the relay
 * itself paused. When the tab reads again, the whole answer arrives intact.
 */
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { llmStreamEventSchema, type LlmStreamEvent } from '@vial/shared';
import { endOf, startGateway, textOf, type Gateway } from '../support/llmStandIns/gateway.ts';
import { until } from '../support/until.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
/** 16 MiB of text: about twice what the loopback sockets between the stand-in and the tab buffered here (~7.5 MiB). */
const DELTA_CHARS = 4 * KiB;
const DELTAS = 4096;
/** Past the gateway's idle timeout in FAST_LLM_ENV (300 ms), so a timer that counted the relay's own pause would fire. */
const PAUSE_MS = 1200;

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

/** Delta `index`: its number, then filler, so a lost, repeated or reordered delta shows in the text. */
const deltaText = (index: number) => `${index}:`.padEnd(DELTA_CHARS, 'x');

/** POSTs a streamed chat with node:http and hands back the response without reading it. */
function openStream(g: Gateway): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${g.relay.url}/llm/chat`);
    const req = request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${g.llmKey}`, 'content-type': 'application/json' },
    });
    req.once('response', (response) => {
      response.pause();
      resolve(response);
    });
    req.once('error', reject);
    req.end(JSON.stringify({ model: 'openai:gpt-4o-mini', messages: [{ role: 'user', content: 'Go on' }] }));
  });
}

/** Reads the rest of the body, pausing after every chunk until the event loop comes round, so the tab keeps falling behind. */
function readSlowly(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      body += chunk;
      response.pause();
      setImmediate(() => response.resume());
    });
    response.once('end', () => resolve(body));
    response.once('error', reject);
    response.resume();
  });
}

function eventsOf(body: string): LlmStreamEvent[] {
  return body
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => llmStreamEventSchema.parse(JSON.parse(block.slice(block.indexOf('data: ') + 6))));
}

it('a tab that stops reading pauses the provider, the relay buffers little, and the whole answer arrives', async () => {
  const g = (gateway = await startGateway());
  g.openai.script({ kind: 'reply', deltas: deltaText, deltaCount: DELTAS });
  // The relay's response to the tab, to watch how much it holds in memory for this stream.
  let toTab: ServerResponse | undefined;
  g.relay.relay.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/llm/chat') toTab = res;
  });
  let heldByRelay = 0;
  const watch = setInterval(() => (heldByRelay = Math.max(heldByRelay, toTab?.writableLength ?? 0)), 2);

  try {
    const response = await openStream(g);
    expect(response.statusCode).toBe(200);
    await until(() => (g.openai.requests[0]?.deltasSent ?? 0) > 0);
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    const upstream = g.openai.requests[0]!;
    const sentWhilePaused = upstream.deltasSent;
    // The stand-in is stuck on a write: the relay stopped reading it, and it stays stuck (without
    // backpressure the relay read all 16 MiB and held 13 MB of it for the tab).
    expect(sentWhilePaused).toBeLessThan(DELTAS);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(upstream.deltasSent).toBe(sentWhilePaused);

    const events = eventsOf(await readSlowly(response));
    expect(endOf(events)).toMatchObject({ type: 'finish', reason: 'stop' });
    expect(textOf(events)).toBe(Array.from({ length: DELTAS }, (_, index) => deltaText(index)).join(''));
    expect(upstream.deltasSent).toBe(DELTAS);
  } finally {
    clearInterval(watch);
  }
  // Socket buffers and one upstream read's worth of events, not the 16 MiB answer.
  expect(heldByRelay).toBeGreaterThan(0);
  expect(heldByRelay).toBeLessThan(1 * MiB);
}, 15_000);
