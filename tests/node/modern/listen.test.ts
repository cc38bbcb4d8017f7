/**
 * `subscriptions/listen` (2026-07-28) through the real relay and a Node host: the relay answers
 * it with the SDK's listen router fed by the tab's `server-event` frames. Ack first, every
 * notification stamped with the subscription id, resource updates only for the URIs asked for,
 * changes made in the tab (a circuit stored by a tool call) delivered, streams outliving a tab
 * reload, and the same change reaching a 2025 session as its notification. Attacks: no token, a
 * token with no scopes, a tab that floods events or names an oversize URI, too many streams.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMcpClient } from '../../support/mcpClient.ts';
import { openHostileTab } from '../../support/hostileTab.ts';
import { HOST_EVENT_BURST, HOST_EVENTS_OWED } from '../../../relay/src/mcp/modern/hostEvents.ts';
import { MAX_LISTEN_BODY_CHARS, MAX_RESOURCE_SUBSCRIPTIONS } from '../../../relay/src/mcp/modern/listen.ts';
import { MODERN, modernHeaders, post, rpc, startModernStack, until, type ModernStack, type Reply } from './support.ts';
import { structuredOf, toolResultOf } from '../../support/toolResults.ts';

const SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';
const CIRCUITS = 'vial://quantum/circuits';
const BELL = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\nmeasure q -> c;';

interface Listening {
  status: number;
  messages: Reply[];
  /** Resolves once the stream has ended (the relay closed it, or `close`). */
  ended: Promise<void>;
  /** The first message `test` accepts, waiting up to `ms` for it. */
  next(test: (message: Reply) => boolean, ms?: number): Promise<Reply>;
  close(): void;
}

/** Opens a listen stream with a raw POST and reads its SSE events as they come. */
async function listen(
  url: string,
  token: string,
  notifications: Record<string, unknown>,
  id: string | number = 'listen-1',
): Promise<Listening> {
  const abort = new AbortController();
  const res = await fetch(url, {
    method: 'POST',
    headers: modernHeaders(token, 'subscriptions/listen'),
    body: JSON.stringify(rpc('subscriptions/listen', { notifications }, id)),
    signal: abort.signal,
  });
  const messages: Reply[] = [];
  const ended = (async () => {
    if (!res.body) return;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += value;
        for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
          const data = buffer
            .slice(0, cut)
            .split('\n')
            .find((line) => line.startsWith('data:'));
          buffer = buffer.slice(cut + 2);
          if (data) messages.push(JSON.parse(data.slice(5)) as Reply);
        }
      }
    } catch {
      // Aborted by the test.
    }
  })();
  return {
    status: res.status,
    messages,
    ended,
    async next(test, ms = 3000) {
      await until(() => messages.some(test), ms);
      return messages.find(test)!;
    },
    close: () => abort.abort(),
  };
}

const method = (name: string) => (message: Reply) => message.method === name;
const updated = (uri: string) => (message: Reply) =>
  message.method === 'notifications/resources/updated' && message.params?.uri === uri;

async function simulate(stack: ModernStack, token: string): Promise<string> {
  const answer = await post(
    stack.mcpUrl,
    rpc('tools/call', { name: 'quantum_simulate', arguments: { qasm: BELL, shots: 16 } }),
    modernHeaders(token, 'tools/call', 'quantum_simulate'),
  );
  return structuredOf('quantum_simulate', toolResultOf(answer.last?.result)).hash;
}

describe('subscriptions/listen at the relay (2026-07-28)', () => {
  let stack: ModernStack;

  beforeAll(async () => {
    stack = await startModernStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  it('server/discover promises list changes and resource subscriptions, which the relay now delivers', async () => {
    const answer = await post(stack.mcpUrl, rpc('server/discover'), modernHeaders(stack.token, 'server/discover'));
    const capabilities = answer.last?.result.capabilities;
    expect(capabilities.tools.listChanged).toBe(true);
    expect(capabilities.prompts.listChanged).toBe(true);
    expect(capabilities.resources).toMatchObject({ listChanged: true, subscribe: true });
  });

  it('acknowledges first, stamps the subscription id, and delivers a circuit stored in the tab only for the URIs asked for', async () => {
    const stream = await listen(
      stack.mcpUrl,
      stack.token,
      { resourcesListChanged: true, toolsListChanged: true, resourceSubscriptions: [CIRCUITS] },
      'listen-circuits',
    );
    expect(stream.status).toBe(200);
    const ack = await stream.next(() => true);
    expect(ack).toMatchObject({
      method: 'notifications/subscriptions/acknowledged',
      params: {
        notifications: { resourcesListChanged: true, toolsListChanged: true, resourceSubscriptions: [CIRCUITS] },
        _meta: { [SUBSCRIPTION_ID]: 'listen-circuits' },
      },
    });

    const hash = await simulate(stack, stack.token);
    const listChanged = await stream.next(method('notifications/resources/list_changed'));
    const update = await stream.next(updated(CIRCUITS));
    for (const message of [listChanged, update]) {
      expect(message.params._meta[SUBSCRIPTION_ID]).toBe('listen-circuits');
    }
    // The tab published an update for the circuit's own URI too; nobody asked for it here.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stream.messages.some(updated(`${CIRCUITS}/${hash}`))).toBe(false);
    // Nor did it ask for prompt changes.
    stack.host.publish({ kind: 'prompts_list_changed' });
    stack.host.publish({ kind: 'tools_list_changed' });
    await stream.next(method('notifications/tools/list_changed'));
    expect(stream.messages.some(method('notifications/prompts/list_changed'))).toBe(false);
    stream.close();
    await stream.ended;
  });

  it('a listen stream outlives a tab reload and hears all three lists changed when the tab is back', async () => {
    const stream = await listen(stack.mcpUrl, stack.token, {
      toolsListChanged: true,
      promptsListChanged: true,
      resourcesListChanged: true,
    });
    await stream.next(method('notifications/subscriptions/acknowledged'));
    stack.host.stop();
    await until(() => stack.relay.relay.registry.get(stack.host.hostId)?.online === false);
    await stack.restartHost();
    for (const name of ['tools', 'prompts', 'resources']) {
      await stream.next(method(`notifications/${name}/list_changed`));
    }
    // Still open, and still fed by the new tab.
    await simulate(stack, stack.token);
    await until(() => stream.messages.filter(method('notifications/resources/list_changed')).length >= 2);
    stream.close();
  });

  it('one change, two deliveries: the same stored circuit reaches a 2025 session as notifications/resources/list_changed', async () => {
    const { client } = await connectMcpClient(stack.mcpUrl, stack.token, 'legacy-listener');
    const heard: string[] = [];
    client.setNotificationHandler('notifications/resources/list_changed', () => void heard.push('resources'));
    const modern = await connectMcpClient(stack.mcpUrl, stack.token, 'modern-listener', {
      versionNegotiation: { pin: MODERN },
    });
    const modernHeard: string[] = [];
    modern.client.setNotificationHandler(
      'notifications/resources/list_changed',
      () => void modernHeard.push('resources'),
    );
    const subscription = await modern.client.listen({ resourcesListChanged: true });
    expect(subscription.honoredFilter).toEqual({ resourcesListChanged: true });
    // The legacy client's standalone GET stream opens after initialize; give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await simulate(stack, stack.token);
    await until(() => heard.length >= 1 && modernHeard.length >= 1);
    await subscription.close();
    await client.close();
    await modern.client.close();
  });

  it('list results carry private cache hints on the 2026-07-28 era', async () => {
    const hints: Record<string, number> = {
      'tools/list': 60_000,
      'prompts/list': 60_000,
      'resources/list': 5_000,
      'resources/templates/list': 300_000,
    };
    for (const [name, ttlMs] of Object.entries(hints)) {
      const answer = await post(stack.mcpUrl, rpc(name), modernHeaders(stack.token, name));
      expect(answer.last?.result).toMatchObject({ ttlMs, cacheScope: 'private' });
    }
  });

  it('no token: 401, and no stream', async () => {
    const headers = modernHeaders(stack.token, 'subscriptions/listen');
    delete headers.authorization;
    const answer = await post(
      stack.mcpUrl,
      rpc('subscriptions/listen', { notifications: { toolsListChanged: true } }),
      headers,
    );
    expect(answer.status).toBe(401);
    expect(stack.relay.relay.registry.get(stack.host.hostId)!.events.streamCount).toBe(0);
  });

  it('a token with no scopes may listen, and hears only what it could list: tool and prompt changes, never circuits', async () => {
    const { token: none } = await stack.host.mintToken({ name: 'no scopes', scopes: [] });
    const stream = await listen(stack.mcpUrl, none, {
      toolsListChanged: true,
      resourcesListChanged: true,
      resourceSubscriptions: [CIRCUITS],
    });
    const ack = await stream.next(() => true);
    expect(ack.method).toBe('notifications/subscriptions/acknowledged');
    const full = await listen(stack.mcpUrl, stack.token, { resourcesListChanged: true });
    await full.next(() => true);

    await simulate(stack, stack.token);
    await full.next(method('notifications/resources/list_changed'));
    stack.host.publish({ kind: 'tools_list_changed' });
    await stream.next(method('notifications/tools/list_changed'));
    expect(stream.messages.some(method('notifications/resources/list_changed'))).toBe(false);
    expect(stream.messages.some(updated(CIRCUITS))).toBe(false);
    stream.close();
    full.close();
  });

  it('a filter naming too many resource URIs is refused, naming the limit', async () => {
    const uris = Array.from({ length: MAX_RESOURCE_SUBSCRIPTIONS + 1 }, (_, index) => `vial://x/${index}`);
    const answer = await post(
      stack.mcpUrl,
      rpc('subscriptions/listen', { notifications: { resourceSubscriptions: uris } }),
      modernHeaders(stack.token, 'subscriptions/listen'),
    );
    expect(answer.last?.error).toMatchObject({ code: -32602 });
    expect(answer.last?.error.message).toContain(String(MAX_RESOURCE_SUBSCRIPTIONS));
  });

  it('a listen request is at most MAX_LISTEN_BODY_CHARS: a stream holds it while open', async () => {
    const padded = rpc('subscriptions/listen', {
      notifications: { toolsListChanged: true },
      pad: 'x'.repeat(MAX_LISTEN_BODY_CHARS),
    });
    const answer = await post(stack.mcpUrl, padded, modernHeaders(stack.token, 'subscriptions/listen'));
    expect(answer.last?.error).toMatchObject({ code: -32602 });
    expect(answer.last?.error.message).toContain(String(MAX_LISTEN_BODY_CHARS));
  });

  it("a revoked token's listen stream ends with an error saying so", async () => {
    const { token, record } = await stack.host.mintToken({ name: 'to revoke', scopes: [] });
    const stream = await listen(stack.mcpUrl, token, { toolsListChanged: true }, 'revoked');
    await stream.next(() => true);
    await stack.host.revokeToken(record.id);
    await stream.ended;
    expect(stream.messages.at(-1)).toMatchObject({ id: 'revoked', error: { code: -32000 } });
    expect(stream.messages.at(-1)?.error.message).toMatch(/revoked/);
  });
});

describe('subscriptions/listen against a lying tab and too many streams', () => {
  let stack: ModernStack;

  beforeAll(async () => {
    stack = await startModernStack({ VIAL_MAX_SESSIONS_PER_TOKEN: '2' });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('a tab flooding server-event frames reaches its listeners at a bounded rate, an oversize URI not at all, and the relay serves others meanwhile', async () => {
    const tab = await openHostileTab(stack.relay.url);
    const stream = await listen(tab.mcpUrl, tab.token, {
      toolsListChanged: true,
      resourceSubscriptions: ['vial://flood/0', 'vial://flood/1'],
    });
    await stream.next(() => true);
    tab.send({ type: 'server-event', event: { kind: 'resource_updated', uri: `vial://flood/${'x'.repeat(3000)}` } });
    await until(() => tab.frames.some((frame) => frame.type === 'error' && /uri/i.test(frame.message)));
    for (let index = 0; index < 5000; index++) {
      tab.send({ type: 'server-event', event: { kind: 'tools_list_changed' } });
      tab.send({ type: 'server-event', event: { kind: 'resource_updated', uri: `vial://flood/${index % 500}` } });
    }
    // Meanwhile an honest host's client is answered as ever.
    const started = performance.now();
    const answer = await post(stack.mcpUrl, rpc('tools/list'), modernHeaders(stack.token, 'tools/list'));
    expect(answer.last?.result.tools.length).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(1000);

    await new Promise((resolve) => setTimeout(resolve, 500));
    const delivered = stream.messages.length - 1;
    // Burst, what was held back (repeats are one) and half a second's refill: 10 000 sent.
    expect(delivered).toBeLessThanOrEqual(HOST_EVENT_BURST + HOST_EVENTS_OWED + 20);
    expect(stream.messages.filter(method('notifications/tools/list_changed')).length).toBeGreaterThan(0);
    expect(stream.messages.filter(updated('vial://flood/1')).length).toBeGreaterThan(0);
    expect(stream.messages.some((message) => String(message.params?.uri).length > 2048)).toBe(false);
    const events = stack.relay.relay.registry.get(tab.hostId)!.events;
    expect(events.dropped).toBeGreaterThan(0);
    stream.close();
    tab.socket.close();
  });

  it('past VIAL_MAX_SESSIONS_PER_TOKEN open listen streams, another is refused with an error naming the setting', async () => {
    const open = [await listen(stack.mcpUrl, stack.token, { toolsListChanged: true }, 'a')];
    open.push(await listen(stack.mcpUrl, stack.token, { toolsListChanged: true }, 'b'));
    await Promise.all(open.map((stream) => stream.next(() => true)));
    const refused = await post(
      stack.mcpUrl,
      rpc('subscriptions/listen', { notifications: { toolsListChanged: true } }, 'c'),
      modernHeaders(stack.token, 'subscriptions/listen'),
    );
    expect(refused.status).toBe(200);
    expect(refused.last).toMatchObject({
      id: 'c',
      error: { code: -32000, data: { limit: 'listen-streams', setting: 'VIAL_MAX_SESSIONS_PER_TOKEN', max: 2 } },
    });
    expect(refused.last?.error.message).toMatch(/Too many listen streams/);
    // Closing one makes room.
    open[0]!.close();
    await until(() => stack.relay.relay.registry.get(stack.host.hostId)!.events.streamsOf(tokenIdOf(stack)) < 2);
    const again = await listen(stack.mcpUrl, stack.token, { toolsListChanged: true }, 'd');
    expect((await again.next(() => true)).method).toBe('notifications/subscriptions/acknowledged');
    again.close();
    open[1]!.close();
  });
});

function tokenIdOf(stack: ModernStack): string {
  return stack.host.listTokens().find((token) => token.name === 'modern')!.id;
}
