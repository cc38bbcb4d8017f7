/**
 * Provider keys never leave the relay: a full run through every kind of answer (streams and
 * JSON, every provider, retries, fallbacks, truncation, stalls, refusals, and a provider whose
 * 401 quotes the key it was sent) with trace logging, then every response body and header the
 * tab got and every log line are scanned for every configured key.
 */
import { Writable } from 'node:stream';
import { afterAll, expect, it } from 'vitest';
import type { LlmChatRequest } from '@vial/shared';
import { PROVIDER_KEYS, startGateway, type Gateway } from '../support/llmStandIns/gateway.ts';

let gateway: Gateway | undefined;
afterAll(() => gateway?.close());

it('no configured key appears in any response body, header or log line', async () => {
  const logLines: string[] = [];
  const logTo = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  // The OpenAI stand-in accepts some other key, so it answers the relay's own key with a 401 quoting it.
  gateway = await startGateway({
    env: { VIAL_LOG_LEVEL: 'trace' },
    logTo,
    openAiAcceptsKey: 'sk-proj-a-different-key',
  });
  const g = gateway;
  const seen: string[] = [];
  async function call(path: string, init: RequestInit = {}, key: string | undefined = g.llmKey): Promise<string> {
    const response = await fetch(`${g.relay.url}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    });
    const body = await response.text();
    seen.push(`${response.status} ${JSON.stringify([...response.headers])}\n${body}`);
    return body;
  }
  const chat = (request: LlmChatRequest, key?: string) =>
    call('/llm/chat', { method: 'POST', body: JSON.stringify(request) }, key);
  const messages = [{ role: 'user' as const, content: 'Hi' }];

  g.anthropic.script(
    { kind: 'http-error', error: 'rate_limited', retryAfter: '0' },
    { kind: 'http-error', error: 'overloaded' },
    { kind: 'reply' },
    { kind: 'stream-error', afterDeltas: 1, error: 'overloaded' },
    { kind: 'cut', afterDeltas: 2 },
    { kind: 'http-error', error: 'quota' },
  );
  for (let i = 0; i < 4; i++) await chat({ model: 'anthropic:claude-haiku-4-5', messages });
  g.gemini.script(
    { kind: 'stall', afterDeltas: 1 },
    { kind: 'http-error', error: 'auth' },
    { kind: 'end-early', afterDeltas: 1 },
  );
  for (let i = 0; i < 3; i++) await chat({ model: 'gemini:gemini-2.5-flash', messages, stream: i === 0 });
  const refusedByOpenAi = await chat({ model: { fallbacks: ['openai:gpt-4o-mini', 'openrouter:x/y'] }, messages });
  expect(refusedByOpenAi).toMatch(/Incorrect API key provided: \[redacted key\]/);
  await chat({ model: 'openai:gpt-4o-mini', messages, stream: false });
  await chat({ model: 'openrouter:x/y', messages });
  await chat({ model: 'anthropic:claude-haiku-4-5', messages }, 'wrong-key');
  await chat({ model: 'nope' as never, messages });
  await call('/llm/providers');
  await call('/metrics');
  await call('/healthz');

  expect(seen.length).toBeGreaterThan(10);
  expect(logLines.some((line) => line.includes('llm chat failed'))).toBe(true);
  const everything = [...seen, ...logLines].join('\n');
  for (const [provider, key] of Object.entries(PROVIDER_KEYS)) {
    expect(everything.includes(key), `the ${provider} key leaked`).toBe(false);
  }
  expect(logLines.join('\n').includes(g.llmKey), "the tab's llmKey was logged").toBe(false);
});
