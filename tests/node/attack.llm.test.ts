/**
 * Spending the operator's LLM keys past what they allowed, each row an attack that used to work:
 * many calls in parallel against one budget, several hosts against the relay's budget, a model
 * missing from the price table (it cost $0), and a stream aborted before its usage chunk (it
 * cost $0). The stand-in providers report the usage a real provider would.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { llmProvidersResponseSchema, llmRefusalSchema, type LlmChatRequest, type LlmStreamEvent } from '@vial/shared';
import { startServerProcess } from '../../bench/serverProcess.ts';
import { openHostileTab } from '../support/hostileTab.ts';
import { startNodeHost } from '../support/relay.ts';
import { endOf, eventsOf, startGateway, type Gateway } from '../support/llmStandIns/gateway.ts';

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

/** claude-haiku-4-5 is $1 in, $5 out per million tokens: a reply of 10 in, 1000 out costs $0.00501. */
const costly: LlmChatRequest = {
  model: 'anthropic:claude-haiku-4-5',
  messages: [{ role: 'user', content: 'Write a lot' }],
  maxTokens: 1000,
};
const COSTLY_REPLY = { kind: 'reply', usage: { input: 10, output: 1000 }, firstDelayMs: 150 } as const;

function chatAs(llmKey: string, body: LlmChatRequest, signal?: AbortSignal): Promise<Response> {
  return fetch(`${gateway!.relay.url}/llm/chat`, {
    method: 'POST',
    headers: { authorization: `Bearer ${llmKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
}

/** What one call was charged, and whether it was refused for the budget. */
async function outcomeOf(response: Response): Promise<{ spent: number; refused: boolean }> {
  if (response.status === 429) {
    expect(llmRefusalSchema.parse(await response.json()).error.class).toBe('budget_exceeded');
    return { spent: 0, refused: true };
  }
  const end = endOf(await eventsOf(response));
  if (end.type === 'error') {
    expect(end.class).toBe('budget_exceeded');
    return { spent: end.costUsd ?? 0, refused: true };
  }
  return { spent: (end as Extract<LlmStreamEvent, { type: 'finish' }>).costUsd ?? 0, refused: false };
}

async function budgetLeft(llmKey: string): Promise<number | null> {
  const response = await fetch(`${gateway!.relay.url}/llm/providers`, {
    headers: { authorization: `Bearer ${llmKey}` },
  });
  return llmProvidersResponseSchema.parse(await response.json()).budgetLeftUsd;
}

describe('the LLM budget against parallel calls', () => {
  it('never lets 20 calls at once spend past a host budget: each is held at its most before it runs', async () => {
    gateway = await startGateway({ env: { VIAL_LLM_HOST_DAILY_BUDGET_USD: '0.05' } });
    for (let i = 0; i < 20; i++) gateway.anthropic.script(COSTLY_REPLY);
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => chatAs(gateway!.llmKey, costly).then(outcomeOf)),
    );
    const spent = outcomes.reduce((sum, outcome) => sum + outcome.spent, 0);
    // Before, every call was admitted at $0 spent: 20 x $0.00501 = $0.1 against a $0.05 budget.
    expect(spent).toBeLessThanOrEqual(0.05);
    expect(outcomes.filter((outcome) => !outcome.refused).length).toBe(9);
    expect(gateway.anthropic.requests.length).toBe(9);
    expect(await budgetLeft(gateway.llmKey)).toBeCloseTo(0.05 - spent, 8);
  });

  it("holds every host to the relay's daily budget too", async () => {
    gateway = await startGateway({
      env: { VIAL_LLM_HOST_DAILY_BUDGET_USD: '1', VIAL_LLM_DAILY_BUDGET_USD: '0.012' },
    });
    const other = await startNodeHost(gateway.relay.url);
    const otherKey = other.status.state === 'online' ? other.status.llmKey! : '';
    for (let i = 0; i < 4; i++) gateway.anthropic.script(COSTLY_REPLY);
    const mine = await Promise.all(
      [chatAs(gateway.llmKey, costly), chatAs(gateway.llmKey, costly)].map((r) => r.then(outcomeOf)),
    );
    expect(mine.every((outcome) => !outcome.refused)).toBe(true);
    const refused = await chatAs(otherKey, costly);
    expect(refused.status).toBe(429);
    expect(llmRefusalSchema.parse(await refused.json()).error).toMatchObject({
      class: 'budget_exceeded',
      setting: 'VIAL_LLM_DAILY_BUDGET_USD',
      message: expect.stringMatching(/^This relay has spent or set aside/),
    });
    other.stop();
  });
});

describe('what a call is charged', () => {
  it('refuses a model with no price instead of running it for free', async () => {
    gateway = await startGateway();
    const response = await chatAs(gateway.llmKey, { ...costly, model: 'anthropic:claude-unreleased-9' });
    const end = endOf(await eventsOf(response));
    expect(end).toMatchObject({ type: 'error', class: 'not_configured' });
    expect(gateway.anthropic.requests.length).toBe(0);
  });

  it('charges a stream cut before its usage chunk the most it could have cost, and says it is an estimate', async () => {
    gateway = await startGateway();
    const deltas = Array.from({ length: 8 }, () => 'x'.repeat(400));
    gateway.anthropic.script({ kind: 'cut', afterDeltas: 6, deltas });
    const end = endOf(await eventsOf(await chatAs(gateway.llmKey, costly)));
    expect(end).toMatchObject({ type: 'error', truncated: true, costEstimated: true });
    // What the provider billed cannot be known (hidden reasoning, say): its maxTokens of 1 000 at $5 per million.
    expect((end as Extract<LlmStreamEvent, { type: 'error' }>).costUsd).toBeGreaterThanOrEqual(0.005);
  });

  it('charges a stream the tab aborts mid-answer', async () => {
    gateway = await startGateway({ env: { VIAL_LLM_HOST_DAILY_BUDGET_USD: '1' } });
    gateway.anthropic.script({
      kind: 'stall',
      afterDeltas: 4,
      deltas: Array.from({ length: 8 }, () => 'y'.repeat(1000)),
    });
    const abort = new AbortController();
    const response = await chatAs(gateway.llmKey, costly, abort.signal);
    const reader = response.body!.getReader();
    let received = 0;
    while (received < 4000) received += (await reader.read()).value?.byteLength ?? 0;
    abort.abort();
    // The hold is settled once the relay has seen the tab go and aborted the upstream call.
    let left = 1;
    const deadline = Date.now() + 3000;
    while (left > 0.995 && Date.now() < deadline) {
      left = (await budgetLeft(gateway.llmKey))!;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // The most it could have cost, its 1 000 tokens of output: at least $0.005, not the $0 of before.
    expect(1 - left).toBeGreaterThanOrEqual(0.005);
  });
});

describe('the LLM gateway while the relay drains', () => {
  it('refuses new chats with 503 and lets a running stream finish', async () => {
    gateway = await startGateway({ env: { VIAL_DRAIN_MS: '5000' } });
    gateway.anthropic.script({ kind: 'reply', deltas: [...'abcdefghij'], chunkDelayMs: 200 });
    const running = chatAs(gateway.llmKey, costly).then(eventsOf);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = gateway.relay.close();
    const refused = await chatAs(gateway.llmKey, costly);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(llmRefusalSchema.parse(await refused.json()).error.class).toBe('shutting_down');
    // Before, the stream was cut about a second into the drain; it takes about 2 s here, whole.
    expect(endOf(await running)).toMatchObject({ type: 'finish' });
    await closed;
  });
});

describe('a relay in its own process, its keys spent by an anonymous tab', () => {
  it('charges at most its daily budget, however many calls a tab fires at once', async () => {
    // The stand-in reports 2 000 tokens out per answer: $0.0012 each at gpt-4o-mini's $0.6 per million.
    const standIn = await startServerProcess('llm-stand-in', {
      llmReply: { deltas: 4, delayMs: 50, usage: { input: 20, output: 2000 } },
    });
    const relay = await startServerProcess('relay', {
      env: {
        OPENAI_API_KEY: 'sk-test',
        VIAL_LLM_OPENAI_BASE_URL: standIn.url,
        VIAL_LLM_HOST_DAILY_BUDGET_USD: '1',
        VIAL_LLM_DAILY_BUDGET_USD: '0.01',
        VIAL_LLM_HOST_REQUESTS_PER_MIN: '0',
      },
    });
    try {
      // Anyone on a loopback relay may host, and gets a key: the quick start's defaults.
      const tab = await openHostileTab(relay.url);
      const registered = tab.frames.find((frame) => frame.type === 'registered');
      const llmKey = registered?.type === 'registered' ? registered.llmKey! : '';
      const body = JSON.stringify({
        model: 'openai:gpt-4o-mini',
        messages: [{ role: 'user', content: 'Write' }],
        maxTokens: 2000,
        stream: false,
      });
      const statuses = await Promise.all(
        Array.from({ length: 40 }, async () => {
          const response = await fetch(`${relay.url}/llm/chat`, {
            method: 'POST',
            headers: { authorization: `Bearer ${llmKey}`, 'content-type': 'application/json' },
            body,
          });
          await response.text();
          return response.status;
        }),
      );
      const metrics = await (await fetch(`${relay.url}/metrics`)).text();
      const spent = Number(/^vial_llm_spent_today_usd ([0-9.e+-]+)/m.exec(metrics)?.[1]);
      // 40 answers would cost $0.048; the relay's budget is $0.01.
      expect(spent).toBeGreaterThan(0.005);
      expect(spent).toBeLessThanOrEqual(0.01);
      expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(8);
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
      tab.socket.close();
    } finally {
      await relay.close();
      await standIn.close();
    }
  }, 60_000);
});
