/**
 * The router against providers that fail, each failure in the provider's own wire format:
 * retries (with the provider's retry-after) only before the first token reaches the tab,
 * fallbacks that fire, quota errors never retried, and streams that fail after the first byte
 * reported as truncated, never as success and never retried into duplicated text.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { llmChatResultSchema } from '@vial/shared';
import { endOf, startGateway, textOf, type Gateway } from '../support/llmStandIns/gateway.ts';
import type { StandIn } from '../support/llmStandIns/index.ts';

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

const messages = [{ role: 'user' as const, content: 'Say hello' }];

async function start(env: Record<string, string> = {}): Promise<Gateway> {
  gateway = await startGateway({ env });
  return gateway;
}

/** Milliseconds between the stand-in's first and second request. */
function gapMs(standIn: StandIn, times: number[]): number {
  expect(standIn.requests).toHaveLength(times.length);
  return times[1]! - times[0]!;
}

describe('retries before the first byte', () => {
  it('waits out an Anthropic 429 retry-after, then answers', async () => {
    const g = await start();
    g.anthropic.script({ kind: 'http-error', error: 'rate_limited', retryAfter: '1' });
    const started = Date.now();
    const events = await g.events({ model: 'anthropic:claude-haiku-4-5', messages });
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(textOf(events)).toBe('Hello, world!');
    expect(events[0]).toMatchObject({ type: 'start', attempt: 2 });
    expect(endOf(events)).toMatchObject({
      type: 'finish',
      attempts: [
        { provider: 'anthropic', attempt: 1, errorClass: 'rate_limited', status: 429 },
        { provider: 'anthropic', attempt: 2 },
      ],
    });
    expect(g.anthropic.requests).toHaveLength(2);
  });

  it("honours OpenAI's retry-after-ms", async () => {
    const g = await start();
    g.openai.script({ kind: 'http-error', error: 'rate_limited', retryAfterMs: '250' });
    const times: number[] = [];
    const watch = setInterval(() => {
      while (times.length < g.openai.requests.length) times.push(Date.now());
    }, 1);
    const events = await g.events({ model: 'openai:gpt-4o-mini', messages });
    clearInterval(watch);
    expect(endOf(events).type).toBe('finish');
    expect(gapMs(g.openai, times)).toBeGreaterThanOrEqual(240);
  });

  it('retries an Anthropic 529 overloaded_error and a Gemini 500', async () => {
    const g = await start();
    g.anthropic.script({ kind: 'http-error', error: 'overloaded' });
    const anthropic = await g.events({ model: 'anthropic:claude-haiku-4-5', messages });
    expect(endOf(anthropic)).toMatchObject({
      type: 'finish',
      attempts: [{ errorClass: 'overloaded', status: 529 }, {}],
    });
    g.gemini.script({ kind: 'http-error', error: 'server_error' }, { kind: 'http-error', error: 'overloaded' });
    const gemini = await g.events({ model: 'gemini:gemini-2.5-flash', messages });
    expect(textOf(gemini)).toBe('Hello, world!');
    expect(endOf(gemini)).toMatchObject({
      type: 'finish',
      attempts: [
        { errorClass: 'server_error', status: 500 },
        { errorClass: 'overloaded', status: 503 },
        { attempt: 3 },
      ],
    });
  });

  it('retries an in-stream error event that comes before any text', async () => {
    const g = await start();
    g.anthropic.script({ kind: 'stream-error', afterDeltas: 0, error: 'overloaded' });
    const events = await g.events({ model: 'anthropic:claude-haiku-4-5', messages });
    expect(textOf(events)).toBe('Hello, world!');
    expect(endOf(events)).toMatchObject({ type: 'finish', attempts: [{ errorClass: 'overloaded' }, { attempt: 2 }] });
  });

  it('gives up on a stall before the first token after the idle timeout, and retries', async () => {
    const g = await start();
    g.openai.script({ kind: 'stall', afterDeltas: 0 });
    const events = await g.events({ model: 'openai:gpt-4o-mini', messages });
    expect(textOf(events)).toBe('Hello, world!');
    expect(endOf(events)).toMatchObject({ type: 'finish', attempts: [{ errorClass: 'timeout' }, { attempt: 2 }] });
    await g.openai.requests[0]!.closed;
    expect(g.openai.requests[0]!.clientClosedEarly).toBe(true);
  });

  it('with stream: false, retries even a stream cut midway: none of it had reached the tab', async () => {
    const g = await start();
    g.gemini.script({ kind: 'cut', afterDeltas: 2 });
    const response = await g.chat({ model: 'gemini:gemini-2.5-flash', messages, stream: false });
    const result = llmChatResultSchema.parse(await response.json());
    expect(result).toMatchObject({ ok: true, text: 'Hello, world!', attempts: [{ errorClass: 'network' }, {}] });
  });
});

describe('errors that are not retried', () => {
  it('never retries OpenAI insufficient_quota, and falls back to the next model', async () => {
    const g = await start();
    g.openai.script({ kind: 'http-error', error: 'quota' });
    const events = await g.events({
      model: { fallbacks: ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5'] },
      messages,
    });
    expect(g.openai.requests).toHaveLength(1);
    expect(events[0]).toEqual({ type: 'start', provider: 'anthropic', model: 'claude-haiku-4-5', attempt: 1 });
    expect(textOf(events)).toBe('Hello, world!');
    const finish = endOf(events);
    expect(finish).toMatchObject({
      type: 'finish',
      provider: 'anthropic',
      attempts: [{ provider: 'openai', errorClass: 'quota_exceeded', status: 429 }, { provider: 'anthropic' }],
    });
    expect(finish.type === 'finish' && finish.attempts[0]!.message).toMatch(/exceeded your current quota/);
  });

  it("never retries Anthropic's credit-balance error or Gemini's per-day quota", async () => {
    const g = await start();
    g.anthropic.script({ kind: 'http-error', error: 'quota' });
    g.gemini.script({ kind: 'http-error', error: 'quota' });
    const anthropic = await g.events({ model: 'anthropic:claude-haiku-4-5', messages });
    const gemini = await g.events({ model: 'gemini:gemini-2.5-flash', messages });
    expect(g.anthropic.requests).toHaveLength(1);
    expect(g.gemini.requests).toHaveLength(1);
    expect(anthropic).toEqual([expect.objectContaining({ type: 'error', class: 'quota_exceeded', retryable: false })]);
    expect(gemini).toEqual([expect.objectContaining({ type: 'error', class: 'quota_exceeded', retryable: false })]);
  });

  it('falls back at once when retry-after is longer than the cap, instead of waiting', async () => {
    const g = await start();
    g.anthropic.script({ kind: 'http-error', error: 'rate_limited', retryAfter: '60' });
    const started = Date.now();
    const events = await g.events({
      model: { fallbacks: ['anthropic:claude-haiku-4-5', 'gemini:gemini-2.5-flash'] },
      messages,
    });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(g.anthropic.requests).toHaveLength(1);
    expect(endOf(events)).toMatchObject({ type: 'finish', provider: 'gemini' });
  });

  it('reports the last failure when every model fails, with every attempt listed', async () => {
    const g = await start({ VIAL_LLM_MAX_RETRIES: '1' });
    g.anthropic.script({ kind: 'http-error', error: 'server_error' }, { kind: 'http-error', error: 'server_error' });
    g.openai.script({ kind: 'http-error', error: 'bad_request' });
    const events = await g.events({
      model: { fallbacks: ['anthropic:claude-haiku-4-5', 'openai:gpt-4o-mini'] },
      messages,
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'error',
      class: 'bad_request',
      provider: 'openai',
      retryable: false,
      attempts: [
        { provider: 'anthropic', attempt: 1, errorClass: 'server_error' },
        { provider: 'anthropic', attempt: 2, errorClass: 'server_error' },
        { provider: 'openai', attempt: 1, errorClass: 'bad_request', status: 400 },
      ],
    });
  });
});

describe('failures after the first byte', () => {
  it.each(['anthropic', 'openai', 'gemini'] as const)(
    'a %s stream that ends cleanly without its end marker is truncated, not finished, and not retried',
    async (provider) => {
      const g = await start();
      g[provider].script({ kind: 'end-early', afterDeltas: 2 });
      const model = { anthropic: 'claude-haiku-4-5', openai: 'gpt-4o-mini', gemini: 'gemini-2.5-flash' }[provider];
      const events = await g.events({ model: { fallbacks: [`${provider}:${model}`, 'openrouter:any'] }, messages });
      expect(events.map((event) => event.type).filter((type) => type !== 'usage')).toEqual([
        'start',
        'delta',
        'delta',
        'error',
      ]);
      expect(textOf(events)).toBe('Hello, ');
      expect(endOf(events)).toMatchObject({ type: 'error', class: 'truncated', truncated: true, provider });
      expect(g[provider].requests).toHaveLength(1);
      expect(g.openrouter.requests).toHaveLength(0);
    },
  );

  it('a connection cut mid-stream is reported truncated, with no retry and no fallback', async () => {
    const g = await start();
    g.openai.script({ kind: 'cut', afterDeltas: 3 });
    const events = await g.events({
      model: { fallbacks: ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5'] },
      messages,
    });
    expect(textOf(events)).toBe('Hello, world');
    expect(endOf(events)).toMatchObject({ type: 'error', class: 'network', truncated: true, retryable: true });
    expect(g.openai.requests).toHaveLength(1);
    expect(g.anthropic.requests).toHaveLength(0);
  });

  it('an in-stream error event after text is passed on, not retried', async () => {
    const g = await start();
    g.anthropic.script({ kind: 'stream-error', afterDeltas: 1, error: 'overloaded' });
    const events = await g.events({ model: 'anthropic:claude-haiku-4-5', messages });
    expect(events.map((event) => event.type)).toEqual(['start', 'delta', 'error']);
    expect(endOf(events)).toMatchObject({ type: 'error', class: 'overloaded', truncated: true });
    expect(endOf(events).type === 'error' && endOf(events)).toMatchObject({
      message: expect.stringMatching(/Overloaded/),
    });
    expect(g.anthropic.requests).toHaveLength(1);
  });

  it('a stall after text ends with a timeout error, and the relay closes the upstream connection', async () => {
    const g = await start();
    g.gemini.script({ kind: 'stall', afterDeltas: 1 });
    const events = await g.events({ model: 'gemini:gemini-2.5-flash', messages });
    expect(textOf(events)).toBe('Hello');
    expect(endOf(events)).toMatchObject({
      type: 'error',
      class: 'timeout',
      truncated: true,
      message: expect.stringMatching(/VIAL_LLM_IDLE_TIMEOUT_MS/),
    });
    await g.gemini.requests[0]!.closed;
    expect(g.gemini.requests[0]!.clientClosedEarly).toBe(true);
    expect(g.gemini.requests).toHaveLength(1);
  });
});

describe('cancellation', () => {
  it('the tab aborting its request closes the connection to the provider', async () => {
    const g = await start();
    g.anthropic.script({ kind: 'reply', deltas: Array.from({ length: 50 }, (_, i) => `${i} `), chunkDelayMs: 20 });
    const abort = new AbortController();
    const response = await g.chat({ model: 'anthropic:claude-haiku-4-5', messages }, { signal: abort.signal });
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBeTruthy();
    abort.abort();
    const request = g.anthropic.requests[0]!;
    await request.closed;
    expect(request.clientClosedEarly).toBe(true);
  });
});

describe('circuit breaker', () => {
  it('opens after repeated failures (then falls back at once), and a half-open probe closes it again', async () => {
    const g = await start({
      VIAL_LLM_MAX_RETRIES: '0',
      VIAL_LLM_BREAKER_FAILURES: '2',
      VIAL_LLM_BREAKER_OPEN_MS: '400',
    });
    const breakerOf = async () => {
      const response = await fetch(`${g.relay.url}/llm/providers`, {
        headers: { authorization: `Bearer ${g.llmKey}` },
      });
      const body = (await response.json()) as { providers: Array<{ name: string; breaker: string }> };
      return body.providers.find((provider) => provider.name === 'anthropic')!.breaker;
    };
    g.anthropic.script({ kind: 'http-error', error: 'server_error' }, { kind: 'http-error', error: 'overloaded' });
    for (let i = 0; i < 2; i++) {
      const events = await g.events({ model: 'anthropic:claude-haiku-4-5', messages });
      expect(endOf(events).type).toBe('error');
    }
    expect(await breakerOf()).toBe('open');
    const metrics = await (await fetch(`${g.relay.url}/metrics`)).text();
    expect(metrics).toMatch(/vial_llm_breaker_state\{provider="anthropic"\} 2/);

    const fallback = await g.events({
      model: { fallbacks: ['anthropic:claude-haiku-4-5', 'openai:gpt-4o-mini'] },
      messages,
    });
    expect(g.anthropic.requests).toHaveLength(2);
    expect(endOf(fallback)).toMatchObject({
      type: 'finish',
      provider: 'openai',
      attempts: [{ provider: 'anthropic', errorClass: 'circuit_open' }, { provider: 'openai' }],
    });

    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await breakerOf()).toBe('half_open');
    const probe = await g.events({ model: 'anthropic:claude-haiku-4-5', messages });
    expect(endOf(probe)).toMatchObject({ type: 'finish', provider: 'anthropic' });
    expect(g.anthropic.requests).toHaveLength(3);
    expect(await breakerOf()).toBe('closed');
  });
});
