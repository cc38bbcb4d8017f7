/**
 * Each provider's wire format through the relay's gateway, against stand-ins that speak it:
 * the request the provider gets, and the normalised stream (text, usage, finish, cost) the tab
 * gets, with each format's quirks in the way (Anthropic pings and unknown events, OpenAI's
 * usage chunk and [DONE], Gemini's CRLF frames and thinking tokens, OpenRouter's comments).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llmChatResultSchema, type LlmStreamEvent } from '@vial/shared';
import { endOf, eventsOf, PROVIDER_KEYS, startGateway, textOf, type Gateway } from '../support/llmStandIns/gateway.ts';

let gateway: Gateway;
beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(() => gateway.close());

const messages = [{ role: 'user' as const, content: 'Say hello' }];

function expectWellFormed(events: LlmStreamEvent[]) {
  expect(events[0]?.type).toBe('start');
  expect(events.filter((event) => event.type === 'start')).toHaveLength(1);
  expect(['finish', 'error']).toContain(endOf(events).type);
}

describe('Anthropic Messages API', () => {
  it('streams text, ignores ping and unknown events, and takes the cumulative usage from message_delta', async () => {
    gateway.anthropic.script({ kind: 'reply', usage: { input: 1200, output: 40, cached: 1000 } });
    const events = await gateway.events({
      model: 'anthropic:claude-sonnet-4-5-20250929',
      messages,
      system: 'Be brief',
      temperature: 0.2,
      stop: ['END'],
    });
    expectWellFormed(events);
    expect(events[0]).toEqual({
      type: 'start',
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      attempt: 1,
    });
    expect(textOf(events)).toBe('Hello, world!');
    const finish = endOf(events);
    expect(finish).toMatchObject({
      type: 'finish',
      reason: 'stop',
      usage: { inputTokens: 1200, outputTokens: 40, cacheReadTokens: 1000 },
    });
    // 200 fresh input at $3/M, 1000 cached at $0.30/M, 40 output at $15/M.
    expect(finish.type === 'finish' && finish.costUsd).toBeCloseTo((200 * 3 + 1000 * 0.3 + 40 * 15) / 1e6, 12);

    const request = gateway.anthropic.requests.at(-1)!;
    expect(request.headers['x-api-key']).toBe(PROVIDER_KEYS.anthropic);
    expect(request.headers['anthropic-version']).toBe('2023-06-01');
    expect(request.body).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 4096,
      messages,
      system: 'Be brief',
      temperature: 0.2,
      stop_sequences: ['END'],
      stream: true,
    });
  });

  it('maps max_tokens to finish reason length', async () => {
    gateway.anthropic.script({ kind: 'reply', finish: 'length' });
    const events = await gateway.events({ model: 'anthropic:claude-haiku-4-5', messages, maxTokens: 4 });
    expect(endOf(events)).toMatchObject({ type: 'finish', reason: 'length' });
    expect(gateway.anthropic.requests.at(-1)!.body.max_tokens).toBe(4);
  });
});

describe('OpenAI Chat Completions', () => {
  it('asks for the usage chunk, reads it after the finish chunk, and ends at [DONE]', async () => {
    gateway.openai.script({ kind: 'reply', usage: { input: 20, output: 30, reasoning: 10, cached: 8 } });
    const events = await gateway.events({ model: 'openai:gpt-4o-mini', messages, system: 'Be brief', maxTokens: 64 });
    expectWellFormed(events);
    expect(textOf(events)).toBe('Hello, world!');
    const finish = endOf(events);
    expect(finish).toMatchObject({
      type: 'finish',
      provider: 'openai',
      reason: 'stop',
      usage: { inputTokens: 20, outputTokens: 30, reasoningTokens: 10, cacheReadTokens: 8 },
    });
    expect(finish.type === 'finish' && finish.costUsd).toBeCloseTo((12 * 0.15 + 8 * 0.075 + 30 * 0.6) / 1e6, 12);
    const request = gateway.openai.requests.at(-1)!;
    expect(request.headers.authorization).toBe(`Bearer ${PROVIDER_KEYS.openai}`);
    expect(request.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'system', content: 'Be brief' }, ...messages],
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 64,
    });
  });

  it('refuses a model the relay has no price for, before calling the provider', async () => {
    const before = gateway.openrouter.requests.length;
    const events = await gateway.events({ model: 'openrouter:meta-llama/llama-3.3-70b-instruct', messages });
    expect(endOf(events)).toMatchObject({
      type: 'error',
      class: 'not_configured',
      message: expect.stringMatching(/has no price on this relay.*VIAL_LLM_PRICES or set VIAL_LLM_DEFAULT_PRICE/),
    });
    expect(gateway.openrouter.requests.length).toBe(before);
  });

  it('reads a generic OpenAI-compatible server through comment lines and frames split across reads', async () => {
    const priced = await startGateway({ env: { VIAL_LLM_DEFAULT_PRICE: '{"input":1,"output":2}' } });
    try {
      priced.openrouter.script({ kind: 'reply', splitFrames: true, deltas: ['α', 'β', 'γ'] });
      const events = await priced.events({
        model: 'openrouter:meta-llama/llama-3.3-70b-instruct',
        messages,
        maxTokens: 9,
      });
      expect(textOf(events)).toBe('αβγ');
      expect(endOf(events)).toMatchObject({ type: 'finish', provider: 'openrouter', costUsd: expect.any(Number) });
      const request = priced.openrouter.requests.at(-1)!;
      expect(request.headers.authorization).toBe(`Bearer ${PROVIDER_KEYS.openrouter}`);
      expect(request.body).toMatchObject({ model: 'meta-llama/llama-3.3-70b-instruct', max_tokens: 9 });
    } finally {
      await priced.close();
    }
  });
});

describe('Gemini streamGenerateContent', () => {
  it('reads CRLF-framed chunks, ends at the finishReason chunk and bills thinking tokens as output', async () => {
    gateway.gemini.script({ kind: 'reply', usage: { input: 100, output: 250, reasoning: 200 } });
    const events = await gateway.events({
      model: 'gemini:gemini-2.5-flash',
      messages: [...messages, { role: 'assistant', content: 'Hi' }, { role: 'user', content: 'Again' }],
      system: 'Be brief',
      temperature: 0.5,
      maxTokens: 300,
      stop: ['\n\n'],
    });
    expectWellFormed(events);
    expect(textOf(events)).toBe('Hello, world!');
    const finish = endOf(events);
    expect(finish).toMatchObject({
      type: 'finish',
      provider: 'gemini',
      reason: 'stop',
      usage: { inputTokens: 100, outputTokens: 250, reasoningTokens: 200 },
    });
    expect(finish.type === 'finish' && finish.costUsd).toBeCloseTo((100 * 0.3 + 250 * 2.5) / 1e6, 12);
    const request = gateway.gemini.requests.at(-1)!;
    expect(request.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(request.headers['x-goog-api-key']).toBe(PROVIDER_KEYS.gemini);
    expect(request.body).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'Say hello' }] },
        { role: 'model', parts: [{ text: 'Hi' }] },
        { role: 'user', parts: [{ text: 'Again' }] },
      ],
      systemInstruction: { parts: [{ text: 'Be brief' }] },
      generationConfig: { temperature: 0.5, maxOutputTokens: 300, stopSequences: ['\n\n'] },
    });
  });
});

describe('stream: false', () => {
  it('answers with one JSON body holding the whole text, usage and cost', async () => {
    const response = await gateway.chat({ model: 'anthropic:claude-haiku-4-5', messages, stream: false });
    expect(response.status).toBe(200);
    const result = llmChatResultSchema.parse(await response.json());
    expect(result).toMatchObject({
      ok: true,
      text: 'Hello, world!',
      provider: 'anthropic',
      reason: 'stop',
      usage: { inputTokens: 12, outputTokens: 4 },
      attempts: [{ provider: 'anthropic', model: 'claude-haiku-4-5', attempt: 1 }],
    });
    expect(result.ok && result.costUsd).toBeCloseTo((12 * 1 + 4 * 5) / 1e6, 12);
  });
});

describe('a provider slow to its first token', () => {
  it('still gets the response headers to the tab before its first event, which then streams as usual', async () => {
    // The headers normally travel with the first event; a tab (or a proxy in front of the
    // relay) waiting on a slow model must still see the response start.
    const slow = await startGateway({ env: { VIAL_LLM_IDLE_TIMEOUT_MS: '5000' } });
    try {
      slow.openai.script({ kind: 'reply', firstDelayMs: 1500 });
      const response = await slow.chat({ model: 'openai:gpt-4o-mini', messages });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const [request] = slow.openai.requests;
      expect(request?.deltasSent).toBe(0);
      const events = await eventsOf(response);
      expectWellFormed(events);
      expect(textOf(events)).toBe('Hello, world!');
      expect(slow.openai.requests).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });
});
