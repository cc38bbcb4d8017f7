/**
 * The LLM gateway from real Chromium: the tab reaches the relay's /llm with its own llmKey (no
 * provider key in the browser), for an MCP client's multi_llm_query and for the LLM view. The
 * relay here is our own, wired to the provider stand-ins, and serves the built app.
 */
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { startGateway, type Gateway } from '../support/llmStandIns/gateway.ts';
import { callTool } from '../support/toolResults.ts';
import { connectClient, createToken, screenshot } from './support/vial.ts';

let gateway: Gateway;
test.beforeAll(async () => {
  gateway = await startGateway({ env: { VIAL_WEB_DIR: fileURLToPath(new URL('../../dist/web', import.meta.url)) } });
});
test.afterAll(async () => {
  await gateway?.close();
});

const MODELS = ['anthropic:claude-haiku-4-5', 'openai:gpt-4o-mini', 'gemini:gemini-2.5-flash'];

test('an MCP client and the LLM view ask several providers through the tab, one of them failing', async ({ page }) => {
  await page.goto(`${gateway.relay.url}/`);
  await expect(page.getByTestId('relay-status')).toHaveAttribute('data-state', 'online');
  const mcpUrl = (await page.getByTestId('mcp-url').textContent())!;
  const token = await createToken(page, 'LLM client', ['llm']);
  const { client } = await connectClient(mcpUrl, token);

  // An MCP client: the tab fans out to three providers; one is out of quota and says so.
  gateway.openai.script({ kind: 'http-error', error: 'quota' });
  const { answers } = await callTool(client, 'multi_llm_query', { prompt: 'Say hello', models: MODELS });
  expect(answers.map((answer) => [answer.model, answer.ok])).toEqual([
    [MODELS[0], true],
    [MODELS[1], false],
    [MODELS[2], true],
  ]);
  expect(answers[0]!.text).toBe('Hello, world!');
  expect(answers[1]!.error?.class).toBe('quota_exceeded');
  await client.close();

  // The LLM view: pick two models, ask, and watch both answers arrive with their figures.
  await page.goto(`${gateway.relay.url}/#/llm`);
  await expect(page.getByTestId('llm-provider')).toHaveCount(4); // the three above and an OpenAI-compatible one
  await page.locator(`[data-testid="llm-model"][value="${MODELS[0]}"]`).check();
  await page.locator(`[data-testid="llm-model"][value="${MODELS[2]}"]`).check();
  await page.getByTestId('llm-prompt').fill('Say hello');
  await page.getByTestId('llm-ask').click();
  const cards = page.getByTestId('llm-answer');
  await expect(cards).toHaveCount(2);
  for (const model of [MODELS[0], MODELS[2]]) {
    const card = cards.filter({ has: page.locator(`code:text-is("${model}")`) });
    await expect(card).toHaveAttribute('data-state', 'ok');
    await expect(card.getByTestId('llm-answer-text')).toHaveText('Hello, world!');
    await expect(card.getByTestId('llm-answer-cost')).toHaveText(/^\$0\.0000\d\d$/);
  }
  await screenshot(page, 'llm');
  // No provider key ever reached the page.
  const html = await page.content();
  for (const key of ['sk-ant-', 'sk-proj-', 'AIzaSy']) expect(html).not.toContain(key);
});
