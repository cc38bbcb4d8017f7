/**
 * The tab's LLM tools seen from an MCP client through the relay: `multi_llm_query` and `llm_chat`
 * call the relay's LLM gateway with the tab's llmKey, and the gateway calls the stand-ins. Shows
 * side-by-side answers with usage and cost, one provider down without failing the others,
 * streamed text as progress, conversations that continue, fallbacks, truncation and cancellation.
 */
import type { Client } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { conversationSchema } from '../../web/src/llm/conversations.ts';
import { startGateway, type Gateway } from '../support/llmStandIns/gateway.ts';
import { connectClient, nodeToolPacks } from '../support/relay.ts';
import { resourceText, resultText as text, structuredOf } from '../support/toolResults.ts';
import { until } from '../support/until.ts';

let gateway: Gateway | undefined;
const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await gateway?.close();
  gateway = undefined;
});

async function setUp(scopes: Array<'llm' | 'quantum'> = ['llm']) {
  gateway = await startGateway({ packs: nodeToolPacks() });
  const { token } = await gateway.host.mintToken({ name: 'llm-client', scopes });
  const client = await connectClient(gateway.host.mcpUrl!, token, 'llm-client');
  clients.push(client);
  return { g: gateway, client };
}

const MODELS = ['anthropic:claude-haiku-4-5', 'openai:gpt-4o-mini', 'gemini:gemini-2.5-flash'];
/** USD per million tokens (input, output) of MODELS in relay/src/llm/prices.json. */
const PRICES = [
  [1, 5],
  [0.15, 0.6],
  [0.3, 2.5],
];

describe('multi_llm_query', () => {
  it('gets every provider’s answer side by side, with usage, cost and timings', async () => {
    const { client } = await setUp();
    const progress: Array<{ progress: number; total?: number }> = [];
    const result = await client.callTool(
      { name: 'multi_llm_query', arguments: { prompt: 'Say hello', models: MODELS } },
      { onprogress: (params) => progress.push(params) },
    );
    expect(result.isError).toBeFalsy();
    const { answers, summary } = structuredOf('multi_llm_query', result);
    expect(answers.map((answer) => [answer.model, answer.ok, answer.text])).toEqual(
      MODELS.map((model) => [model, true, 'Hello, world!']),
    );
    answers.forEach((answer, index) => {
      expect(answer.answeredBy).toBe(MODELS[index]);
      expect(answer.usage).toMatchObject({ inputTokens: 12, outputTokens: 4 });
      const [input, output] = PRICES[index]!;
      expect(answer.costUsd).toBeCloseTo((12 * input! + 4 * output!) / 1e6, 12);
      expect(answer.latencyMs).toBeGreaterThan(0);
      expect(answer.ttftMs).toBeGreaterThan(0);
    });
    expect(summary).toMatchObject({ answered: 3, failed: 0 });
    expect(summary.totalCostUsd).toBeCloseTo(
      answers.reduce((sum, answer) => sum + answer.costUsd!, 0),
      12,
    );
    expect(progress.map((params) => [params.progress, params.total])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it('still answers with the others, plus that provider’s error, when one provider is down', async () => {
    const { g, client } = await setUp();
    await g.gemini.close();
    g.anthropic.script({ kind: 'http-error', error: 'quota' });
    const result = await client.callTool({
      name: 'multi_llm_query',
      arguments: { prompt: 'Say hello', models: MODELS },
    });
    expect(result.isError).toBeFalsy();
    const { answers, summary } = structuredOf('multi_llm_query', result);
    expect(answers[1]).toMatchObject({ model: MODELS[1], ok: true, text: 'Hello, world!' });
    expect(answers[0]).toMatchObject({ model: MODELS[0], ok: false, error: { class: 'quota_exceeded' } });
    expect(answers[2]).toMatchObject({ model: MODELS[2], ok: false, error: { class: 'network' } });
    expect(answers[2]!.error!.message).toMatch(/.+/);
    expect(summary).toMatchObject({ answered: 1, failed: 2, fastestFirstToken: MODELS[1] });
  });

  it('needs the llm scope, and says so', async () => {
    const { client } = await setUp(['quantum']);
    const result = await client.callTool({ name: 'multi_llm_query', arguments: { prompt: 'x', models: MODELS } });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/lacks the scope llm needed by multi_llm_query/);
  });

  it('rejects a model that is not "provider:model" with the expected form', async () => {
    const { client } = await setUp();
    const result = await client.callTool({ name: 'multi_llm_query', arguments: { prompt: 'x', models: ['gpt-4o'] } });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/provider:model/);
  });
});

describe('llm_chat', () => {
  it('streams the text as progress, and continues the conversation by id', async () => {
    const { g, client } = await setUp();
    const streamed: string[] = [];
    const first = await client.callTool(
      { name: 'llm_chat', arguments: { prompt: 'Greet me', model: 'openai:gpt-4o-mini', system: 'Be brief.' } },
      { onprogress: (params) => streamed.push(params.message ?? '') },
    );
    expect(first.isError).toBeFalsy();
    const answer = structuredOf('llm_chat', first);
    expect(answer).toMatchObject({
      ok: true,
      text: 'Hello, world!',
      answeredBy: 'openai:gpt-4o-mini',
      finishReason: 'stop',
    });
    expect(streamed.join('')).toBe('Hello, world!');

    g.openai.script({ kind: 'reply', deltas: ['Again', '.'] });
    const second = await client.callTool({
      name: 'llm_chat',
      arguments: { prompt: 'Once more', model: 'openai:gpt-4o-mini', conversation_id: answer.conversationId },
    });
    expect(structuredOf('llm_chat', second).text).toBe('Again.');
    // The provider got the whole conversation: system, first prompt, first answer, new prompt.
    expect(g.openai.requests.at(-1)!.body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Greet me' },
      { role: 'assistant', content: 'Hello, world!' },
      { role: 'user', content: 'Once more' },
    ]);

    const resource = await client.readResource({ uri: `vial://llm/conversations/${answer.conversationId}` });
    const conversation = conversationSchema.parse(JSON.parse(resourceText(resource)));
    expect(conversation.exchanges.map((exchange) => exchange.prompt)).toEqual(['Greet me', 'Once more']);
    const list = await client.readResource({ uri: 'vial://llm/conversations' });
    expect(resourceText(list)).toContain(answer.conversationId);
  });

  it('falls back to the next model when the first cannot answer', async () => {
    const { g, client } = await setUp();
    g.anthropic.script({ kind: 'http-error', error: 'quota' });
    const result = await client.callTool({
      name: 'llm_chat',
      arguments: { prompt: 'hi', model: 'anthropic:claude-haiku-4-5', fallbacks: ['openai:gpt-4o-mini'] },
    });
    expect(result.structuredContent).toMatchObject({
      ok: true,
      model: 'anthropic:claude-haiku-4-5',
      answeredBy: 'openai:gpt-4o-mini',
    });
  });

  it('reports a stream cut after the first token as incomplete, never as an answer', async () => {
    const { g, client } = await setUp();
    g.openai.script({ kind: 'cut', afterDeltas: 2 });
    const result = await client.callTool({
      name: 'llm_chat',
      arguments: { prompt: 'hi', model: 'openai:gpt-4o-mini' },
    });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/openai:gpt-4o-mini failed \(network\).*incomplete: 7 characters had arrived/);
  });

  it('cancelling the call closes the provider connection', async () => {
    const { g, client } = await setUp();
    g.anthropic.script({ kind: 'reply', deltaCount: 100, deltas: () => 'word ', chunkDelayMs: 50 });
    const cancel = new AbortController();
    const call = client.callTool(
      { name: 'llm_chat', arguments: { prompt: 'long', model: 'anthropic:claude-haiku-4-5' } },
      { signal: cancel.signal, onprogress: () => cancel.abort() },
    );
    await expect(call).rejects.toThrow();
    await until(() => g.anthropic.requests.length === 1);
    await g.anthropic.requests[0]!.closed;
    expect(g.anthropic.requests[0]!.clientClosedEarly).toBe(true);
  });

  it('names an unknown conversation and where to find the real ones', async () => {
    const { client } = await setUp();
    const result = await client.callTool({
      name: 'llm_chat',
      arguments: { prompt: 'hi', model: 'openai:gpt-4o-mini', conversation_id: 'nope' },
    });
    expect(text(result)).toMatch(/No conversation 'nope'.*\n.*vial:\/\/llm\/conversations/);
  });
});

describe('compare_llms prompt', () => {
  it('suggests one priced model per configured provider when none are named', async () => {
    const { client } = await setUp();
    const prompt = await client.getPrompt({ name: 'compare_llms', arguments: { question: 'Why is the sky blue?' } });
    const body = (prompt.messages[0]!.content as { text: string }).text;
    expect(body).toContain('multi_llm_query');
    expect(body).toContain('Why is the sky blue?');
    for (const provider of ['anthropic:', 'openai:', 'gemini:']) expect(body).toContain(provider);
  });
});
