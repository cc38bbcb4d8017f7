/**
 * /llm as the tab meets it: only a tab with a live registration gets in (401 otherwise, and a
 * key dies with its tab connection), a host over its request rate or daily budget gets a 429
 * that names the limit and the setting, bad bodies get a 400 that says what is wrong, and the
 * provider list and metrics report what the gateway did.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { llmProvidersResponseSchema, llmRefusalSchema, type LlmChatRequest } from '@vial/shared';
import { MemoryHostStore } from '../../web/src/server/identity.ts';
import { startNodeHost } from '../support/relay.ts';
import { endOf, startGateway, type Gateway } from '../support/llmStandIns/gateway.ts';
import { until } from '../support/until.ts';

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

const chatBody: LlmChatRequest = { model: 'anthropic:claude-haiku-4-5', messages: [{ role: 'user', content: 'Hi' }] };

function post(url: string, key: string | undefined, body: unknown = chatBody): Promise<Response> {
  return fetch(`${url}/llm/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
}

async function expectUnauthorized(response: Response): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="vial-llm"/);
  expect(llmRefusalSchema.parse(await response.json()).error.class).toBe('unauthorized');
}

function llmKeyOf(host: { status: { state: string; llmKey?: string } }): string {
  if (host.status.state !== 'online' || !host.status.llmKey) throw new Error('host is not online with an llmKey');
  return host.status.llmKey;
}

describe('authentication', () => {
  it('refuses requests without a key or with an unknown key, before any provider is called', async () => {
    gateway = await startGateway();
    const { url } = gateway.relay;
    await expectUnauthorized(await post(url, undefined));
    await expectUnauthorized(await post(url, 'not-a-real-key'));
    await expectUnauthorized(await fetch(`${url}/llm/providers`));
    expect(gateway.anthropic.requests).toHaveLength(0);
    expect((await post(url, gateway.llmKey)).status).toBe(200);
  });

  it('a key stops working when its tab disconnects, and when another tab takes over the host', async () => {
    gateway = await startGateway();
    const { url } = gateway.relay;
    const store = new MemoryHostStore();
    const first = await startNodeHost(url, { packs: [], store });
    const firstKey = llmKeyOf(first);
    expect((await post(url, firstKey)).status).toBe(200);

    const second = await startNodeHost(url, { packs: [], store });
    const secondKey = llmKeyOf(second);
    expect(secondKey).not.toBe(firstKey);
    await expectUnauthorized(await post(url, firstKey));
    expect((await post(url, secondKey)).status).toBe(200);

    second.stop();
    first.stop();
    await until(() => !gateway!.relay.relay.registry.get(second.hostId)?.online);
    await expectUnauthorized(await post(url, secondKey));
  });
});

describe('per-host limits', () => {
  it('answers 429 with Retry-After and the setting when a host exceeds its requests per minute', async () => {
    gateway = await startGateway({ env: { VIAL_LLM_HOST_REQUESTS_PER_MIN: '2' } });
    expect((await gateway.chat(chatBody)).status).toBe(200);
    expect((await gateway.chat(chatBody)).status).toBe(200);
    const refused = await gateway.chat(chatBody);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const { error } = llmRefusalSchema.parse(await refused.json());
    expect(error).toMatchObject({ class: 'rate_limited', setting: 'VIAL_LLM_HOST_REQUESTS_PER_MIN', limit: 2 });
    expect(error.message).toMatch(/2 LLM requests per minute/);
    // The parts of the message, in the project's error vocabulary.
    expect(error).toMatchObject({
      name: 'RelayError',
      shortMessage: 'This host is limited to 2 LLM requests per minute (VIAL_LLM_HOST_REQUESTS_PER_MIN on the relay)',
      hints: [expect.stringMatching(/^retry after \d+ s$/)],
    });
    expect(error.message).toBe(`${error.shortMessage}; ${error.hints![0]}`);
    expect(gateway.anthropic.requests).toHaveLength(2);
  });

  it('answers 429 naming the daily budget once what is left cannot cover a request at its most', async () => {
    // At $1/$5 per M: a reply of 10 in, 4 out costs $0.00003; a request is held at its bytes as
    // tokens plus 16 per message and system, and its maxTokens of output.
    gateway = await startGateway({ env: { VIAL_LLM_HOST_DAILY_BUDGET_USD: '0.0002' } });
    gateway.anthropic.script({ kind: 'reply', usage: { input: 10, output: 4 } });
    const small = { ...chatBody, maxTokens: 20 };
    expect(endOf(await gateway.events(small))).toMatchObject({ type: 'finish', costUsd: 0.00003 });
    const refused = await gateway.chat({ ...chatBody, maxTokens: 40 });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(24 * 3600);
    const { error } = llmRefusalSchema.parse(await refused.json());
    expect(error).toMatchObject({
      class: 'budget_exceeded',
      setting: 'VIAL_LLM_HOST_DAILY_BUDGET_USD',
      limit: 0.0002,
    });
    expect(error.message).toMatch(/daily LLM budget.*could cost up to \$0\.000[0-9]+.*resets at 00:00 UTC/);
    const providers = await fetch(`${gateway.relay.url}/llm/providers`, {
      headers: { authorization: `Bearer ${gateway.llmKey}` },
    });
    expect(llmProvidersResponseSchema.parse(await providers.json()).budgetLeftUsd).toBeCloseTo(0.00017, 8);
  });
});

describe('requests', () => {
  it('says what is wrong with an invalid body', async () => {
    gateway = await startGateway();
    const response = await gateway.chat({ model: 'claude', messages: [] });
    expect(response.status).toBe(400);
    const { error } = llmRefusalSchema.parse(await response.json());
    expect(error.class).toBe('bad_request');
    expect(error.message).toMatch(/provider:model/);
    expect(error.message).toMatch(/messages/);
    const wrongMethod = await fetch(`${gateway.relay.url}/llm/chat`, {
      headers: { authorization: `Bearer ${gateway.llmKey}` },
    });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it('names the configured providers when a model asks for another one', async () => {
    gateway = await startGateway();
    const events = await gateway.events({
      model: 'mistral:mistral-small-latest',
      messages: chatBody.messages,
    });
    expect(events).toEqual([
      expect.objectContaining({
        type: 'error',
        class: 'not_configured',
        message: expect.stringMatching(/No LLM provider 'mistral'.*anthropic, openai, gemini, openrouter/),
      }),
    ]);
  });

  it('lists the configured providers with their priced models and breaker state, never a key', async () => {
    gateway = await startGateway();
    const response = await fetch(`${gateway.relay.url}/llm/providers`, {
      headers: { authorization: `Bearer ${gateway.llmKey}` },
    });
    const body = llmProvidersResponseSchema.parse(await response.json());
    expect(body.providers.map((provider) => [provider.name, provider.wire, provider.breaker])).toEqual([
      ['anthropic', 'anthropic', 'closed'],
      ['openai', 'openai-compatible', 'closed'],
      ['gemini', 'gemini', 'closed'],
      ['openrouter', 'openai-compatible', 'closed'],
    ]);
    expect(body.providers[0]!.pricedModels).toContain('claude-haiku-4-5');
    expect(body.budgetLeftUsd).toBe(5);
  });
});

describe('metrics', () => {
  it('counts requests, failed attempts by class, tokens, cost and time to first token', async () => {
    gateway = await startGateway();
    gateway.anthropic.script({ kind: 'http-error', error: 'overloaded' });
    await gateway.events(chatBody);
    await post(gateway.relay.url, 'wrong');
    const text = await (await fetch(`${gateway.relay.url}/metrics`)).text();
    const sample = (series: string) =>
      Number(
        text
          .split('\n')
          .find((line) => line.startsWith(`${series} `))
          ?.split(' ')[1],
      );
    expect(sample('vial_llm_requests_total{provider="anthropic",outcome="ok"}')).toBe(1);
    expect(sample('vial_llm_errors_total{provider="anthropic",class="overloaded"}')).toBe(1);
    expect(sample('vial_llm_retries_total{provider="anthropic",class="overloaded"}')).toBe(1);
    expect(sample('vial_llm_tokens_total{provider="anthropic",kind="input"}')).toBe(12);
    expect(sample('vial_llm_tokens_total{provider="anthropic",kind="output"}')).toBe(4);
    expect(sample('vial_llm_cost_usd_total{provider="anthropic"}')).toBeCloseTo(32e-6, 12);
    expect(sample('vial_llm_time_to_first_token_seconds_count{provider="anthropic"}')).toBe(1);
    expect(sample('vial_llm_request_seconds_count{provider="anthropic"}')).toBe(1);
    expect(sample('vial_llm_refusals_total{reason="unauthorized"}')).toBe(1);
    expect(sample('vial_llm_breaker_state{provider="anthropic"}')).toBe(0);
  });
});
