/**
 * The MCP Apps after quantum_simulate's, each in real Chromium with the official host side of the
 * SDK (support/appHost.ts through support/appPage.ts): the test page's client, advertising the
 * extension, reaches the real tab through the relay, calls the tool and renders its app in a
 * sandboxed iframe under the resource's CSP. Checked is what a person sees, that the app follows
 * the host's theme, and that it made no request of its own. With VIAL_SHOTS_DIR=docs/images the
 * README's pictures of each app are taken here.
 */
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { formatEther } from 'viem';
import { multiQueryOutput } from '../../web/src/tools/llm/outputs.ts';
import { modelLoadOutput, modelRegistry, trainModelOutput } from '../../web/src/tools/ml/outputs.ts';
import { transactionOutput, walletStatusOutput } from '../../web/src/tools/wallet/outputs.ts';
import { startAnvil, type Anvil } from '../support/chain/anvil.ts';
import { devAccount } from '../support/chain/devAccounts.ts';
import { deployTestToken, type DeployedTestToken } from '../support/chain/testToken.ts';
import { startGateway, type Gateway } from '../support/llmStandIns/gateway.ts';
import { followsHostTheme, openAppHost, ownRequests } from './support/appPage.ts';
import { installTestWallet, TEST_WALLET_INFO } from './support/testWallet.ts';
import { connectClient, createToken, expectOnline, openVial } from './support/vial.ts';
import { BLOBS_TRAINING as BLOBS_FAST } from './support/blobsTraining.ts';

/** The bundled blobs, learning slower than the ML spec's so the curves show, with a validation split for the val_ lines. */
const BLOBS_TRAINING = { ...BLOBS_FAST, learning_rate: 0.01, validation_split: 0.2 };

test.describe('MCP Apps on the shared relay', () => {
  test.describe.configure({ mode: 'serial' });

  let tab: Page;
  let mcpUrl: string;
  let token: string;

  test.beforeAll(async ({ browser }) => {
    tab = await browser.newPage();
    mcpUrl = await openVial(tab);
    token = await createToken(tab, 'Apps client (more)', ['ml']);
  });

  test.afterAll(async () => {
    await tab.close();
  });

  test("train_model's app draws one point per epoch for each figure, and the final metrics", async ({ page }) => {
    const host = await openAppHost(page, mcpUrl, mcpUrl, token);
    const epochs = 10;
    const raw = await page.evaluate((args) => window.appHost.callAndRender('train_model', args, 'light'), {
      ...BLOBS_TRAINING,
      epochs,
      backend: 'wasm',
      name: 'blobs in an app',
    });
    const trained = trainModelOutput.parse(raw.structuredContent);
    expect(trained.history).toHaveLength(epochs);

    // One line per figure the epochs reported (loss, acc and their val_ twins), each with one point per epoch.
    const chart = host.app.getByTestId('ml-train-chart');
    await expect(chart).toHaveAttribute('data-epochs', String(epochs));
    const figures = Object.keys(trained.history[0]!);
    expect(figures).toEqual(expect.arrayContaining(['loss', 'val_loss']));
    const series = host.app.getByTestId('ml-train-series');
    await expect(series).toHaveCount(figures.length);
    for (const name of figures) {
      const points = series.and(host.app.locator(`[data-name="${name}"]`)).getByTestId('ml-train-point');
      await expect(points).toHaveCount(epochs);
      // Each point's label is that epoch's figure, in order.
      const titles = await points.locator('title').allTextContents();
      expect(titles).toEqual(
        trained.history.map((figure, index) => `epoch ${index + 1}: ${name} ${figure[name]!.toPrecision(4)}`),
      );
    }

    // The final metrics, backend and the saved model, as the result has them.
    for (const [name, value] of Object.entries(trained.finalMetrics)) {
      await expect(host.app.locator(`[data-testid="train-metric"][data-name="${name}"]`)).toHaveText(
        value!.toPrecision(4),
      );
    }
    await expect(host.app.getByTestId('train-backend')).toHaveAttribute('data-backend', trained.backend);
    await expect(host.app.getByTestId('train-model-id')).toHaveText(trained.model!);
    await expect(host.app.getByTestId('train-state')).toHaveAttribute('data-state', 'trained');
    await expect(host.app.getByTestId('train-summary')).toHaveText(trained.summary);

    await followsHostTheme(page, host, '.train-app', 'app-train-model');
    expect(ownRequests(host, mcpUrl)).toEqual([]);
    expect(host.cspViolations).toEqual([]);
  });
  test("train_model's app, shown as the call starts, draws the epochs asked for, then every one", async ({ page }) => {
    const host = await openAppHost(page, mcpUrl, mcpUrl, token);
    const epochs = 30;
    await page.evaluate((args) => window.appHost.renderThenCall('train_model', args, 'light'), {
      ...BLOBS_TRAINING,
      epochs,
      batch_size: 8,
      backend: 'wasm',
      name: 'blobs, watched',
    });
    // While it trains: the axes span the epochs asked for, with no point yet (no progress reaches an app).
    await expect(host.app.getByTestId('train-app-waiting')).toContainText(`Training ${epochs} epochs`);
    const chart = host.app.getByTestId('ml-train-chart');
    await expect(chart).toHaveAttribute('data-epochs', '0');
    await expect(chart.locator('text').filter({ hasText: String(epochs) })).toHaveCount(1);
    // The result: one point per epoch on every line.
    const trained = trainModelOutput.parse(
      (await page.evaluate(() => window.appHost.renderedResult())).structuredContent,
    );
    await expect(chart).toHaveAttribute('data-epochs', String(epochs));
    const series = host.app.getByTestId('ml-train-series');
    await expect(series).toHaveCount(Object.keys(trained.history[0]!).length);
    for (const line of await series.all()) await expect(line.getByTestId('ml-train-point')).toHaveCount(epochs);
  });

  test("model_load's app browses the registry read through the host, and loads a sample through it", async ({
    page,
  }) => {
    const host = await openAppHost(page, mcpUrl, mcpUrl, token);
    const raw = await page.evaluate((args) => window.appHost.callAndRender('model_load', args, 'light'), {
      sample: 'sample:mlp',
    });
    const loaded = modelLoadOutput.parse(raw.structuredContent);

    // Every model the registry holds (read here by a client of our own), the one just loaded marked.
    const { client } = await connectClient(mcpUrl, token, 'e2e-registry-reader');
    const readRegistry = async () => {
      const [content] = (await client.readResource({ uri: 'vial://models/registry' })).contents;
      return modelRegistry.parse(JSON.parse((content as { text: string }).text));
    };
    try {
      const registry = await readRegistry();
      const rows = host.app.getByTestId('registry-model');
      await expect(rows).toHaveCount(registry.models.length);
      expect((await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')))).sort()).toEqual(
        registry.models.map((model) => model.id).sort(),
      );
      const mlp = host.app.locator(`[data-testid="registry-model"][data-id="${loaded.id}"]`);
      await expect(mlp).toHaveAttribute('aria-selected', 'true');
      await expect(mlp.getByTestId('registry-signature')).toHaveText(
        'input: float32[batch,4] → logits: float32[batch,3]',
      );
      await expect(host.app.getByTestId('ml-sample')).toHaveCount(registry.samples.length);

      // A search narrows the list; one that matches nothing says so.
      await host.app.getByTestId('registry-search').fill('onnx mlp');
      await expect(rows).toHaveCount(1);
      await expect(rows).toHaveAttribute('data-id', 'sample:mlp');
      await host.app.getByTestId('registry-search').fill('no such model');
      await expect(host.app.getByTestId('registry-none')).toBeVisible();
      await host.app.getByTestId('registry-search').fill('');

      // Load a sample from the app: model_load through the host, then the registry again.
      const blobs = host.app.locator('[data-testid="ml-sample"][data-id="sample:tfjs-blobs"]');
      const alreadyThere = registry.models.some((model) => model.id === 'sample:tfjs-blobs');
      if (!alreadyThere) await blobs.getByTestId('ml-sample-load').click();
      await expect(blobs.getByTestId('ml-sample-load')).toHaveText('Loaded');
      const after = await readRegistry();
      expect(after.models.map((model) => model.id)).toContain('sample:tfjs-blobs');
      await expect(rows).toHaveCount(after.models.length);
      if (!alreadyThere) {
        await expect(host.app.locator('[data-testid="registry-model"][data-id="sample:tfjs-blobs"]')).toHaveAttribute(
          'aria-selected',
          'true',
        );
      }
    } finally {
      await client.close();
    }

    // The app's call is in the tab's audit log like the host's own, by this client's token.
    await tab.goto('/#/activity');
    const calls = tab.getByTestId('activity-row').filter({ hasText: 'model_load' });
    await expect(calls.first()).toContainText('Apps client (more)');
    await expect(calls).toHaveCount(2);

    await followsHostTheme(page, host, '.registry-app', 'app-model-registry');
    expect(ownRequests(host, mcpUrl)).toEqual([]);
    expect(host.cspViolations).toEqual([]);
  });
});

test.describe('MCP Apps on a relay with the LLM stand-ins', () => {
  let gateway: Gateway;
  test.beforeAll(async () => {
    gateway = await startGateway({
      env: { VIAL_WEB_DIR: fileURLToPath(new URL('../../dist/web', import.meta.url)) },
    });
  });
  test.afterAll(async () => {
    await gateway?.close();
  });

  const MODELS = ['anthropic:claude-haiku-4-5', 'openai:gpt-4o-mini', 'gemini:gemini-2.5-flash'];

  test("multi_llm_query's app shows the three answers side by side with tokens, cost, TTFT and latency", async ({
    page,
    browser,
  }) => {
    const tab = await browser.newPage();
    try {
      await tab.goto(`${gateway.relay.url}/`);
      await expectOnline(tab);
      const mcpUrl = (await tab.getByTestId('mcp-url').textContent())!;
      const token = await createToken(tab, 'Apps client (LLM)', ['llm']);
      // Three providers, three different answers, each in its own wire format.
      gateway.anthropic.script({
        kind: 'reply',
        deltas: ['Bonjour', ' le', ' monde'],
        usage: { input: 14, output: 3 },
      });
      gateway.openai.script({ kind: 'reply', deltas: ['Hallo', ' Welt'], usage: { input: 11, output: 2 } });
      gateway.gemini.script({ kind: 'reply', deltas: ['Hola', ' mundo'], usage: { input: 9, output: 2 } });

      const host = await openAppHost(page, gateway.relay.url, mcpUrl, token);
      const args = { prompt: 'Say hello world in another language', models: MODELS };
      const raw = await page.evaluate((call) => window.appHost.callAndRender('multi_llm_query', call, 'light'), args);
      const { answers, summary } = multiQueryOutput.parse(raw.structuredContent);
      expect(answers.map((answer) => [answer.model, answer.ok, answer.text])).toEqual([
        [MODELS[0], true, 'Bonjour le monde'],
        [MODELS[1], true, 'Hallo Welt'],
        [MODELS[2], true, 'Hola mundo'],
      ]);

      // Three cards, in the order asked, each with its answer and its own figures.
      const cards = host.app.getByTestId('llm-answer');
      await expect(cards).toHaveCount(3);
      for (const [index, answer] of answers.entries()) {
        const card = cards.nth(index);
        await expect(card).toHaveAttribute('data-model', answer.model);
        await expect(card).toHaveAttribute('data-state', 'ok');
        await expect(card.getByTestId('llm-answer-text')).toHaveText(answer.text);
        const figures = card.getByTestId('llm-answer-figures');
        await expect(figures).toContainText(`${answer.usage!.inputTokens} in · ${answer.usage!.outputTokens} out`);
        await expect(card.getByTestId('llm-answer-cost')).toHaveText(`$${answer.costUsd!.toFixed(6)}`);
        await expect(figures.locator('dt')).toHaveText(['First token', 'Total', 'Tokens', 'Cost']);
        await expect(figures.locator('dd').nth(0)).toHaveText(/^\d+ ms$|^\d+\.\d+ s$/);
        await expect(figures.locator('dd').nth(1)).toHaveText(/^\d+ ms$|^\d+\.\d+ s$/);
      }
      // The side-by-side figures: all three answered, the cost of all three, who was first.
      await expect(host.app.getByTestId('answers-summary')).toContainText(
        `3 answered · $${summary.totalCostUsd.toFixed(6)}`,
      );
      await expect(host.app.getByTestId('answers-summary')).toContainText(summary.fastestFirstToken!);
      await expect(host.app.getByTestId('answers-prompt')).toHaveText(args.prompt);
      // Side by side: the three cards share a row.
      const tops = await cards.evaluateAll((elements) => elements.map((el) => el.getBoundingClientRect().top));
      expect(new Set(tops).size).toBe(1);

      await followsHostTheme(page, host, '.answers-app', 'app-multi-llm-query');
      expect(ownRequests(host, mcpUrl)).toEqual([]);
      expect(host.cspViolations).toEqual([]);
    } finally {
      await tab.close();
    }
  });
  test("an answer's markup is shown as text in multi_llm_query's app, never run", async ({ page, browser }) => {
    const tab = await browser.newPage();
    try {
      await tab.goto(`${gateway.relay.url}/`);
      await expectOnline(tab);
      const mcpUrl = (await tab.getByTestId('mcp-url').textContent())!;
      const token = await createToken(tab, 'Apps client (LLM markup)', ['llm']);
      // What a model says is anyone's to steer (a prompt injection, a hostile page it read).
      const markup = '<img src=x onerror="document.title=\'ran\'"><script>document.title="ran"</script>';
      gateway.anthropic.script({ kind: 'reply', deltas: [markup] });
      const host = await openAppHost(page, gateway.relay.url, mcpUrl, token);
      await page.evaluate(
        (models) => window.appHost.callAndRender('multi_llm_query', { prompt: 'Say something', models }, 'light'),
        [MODELS[0]!],
      );
      await expect(host.app.getByTestId('llm-answer-text')).toHaveText(markup);
      await expect(host.app.locator('.answers img, .answers script')).toHaveCount(0);
      expect(await host.app.locator('html').evaluate(() => document.title)).toBe('Answers side by side');
      expect(ownRequests(host, mcpUrl)).toEqual([]);
    } finally {
      await tab.close();
    }
  });
});

test.describe('MCP Apps of the wallet, on a local anvil chain', () => {
  let chain: Anvil;
  let erc20: DeployedTestToken;
  test.beforeAll(async () => {
    chain = await startAnvil();
    erc20 = await deployTestToken(chain.clients, { supply: 1_000_000n * 10n ** 6n });
  });
  test.afterAll(() => chain?.stop());

  test("web3_transaction's app shows the receipt after the tab's approval, and wallet_status's the balances and what was sent", async ({
    page,
    browser,
  }) => {
    const me = devAccount(0).address;
    const recipient = devAccount(5).address;
    // The tab, with the test wallet standing in for MetaMask, connected in the Wallet view (as wallet.spec.ts does).
    const context = await browser.newContext();
    const tab = await context.newPage();
    try {
      await installTestWallet(tab, { rpcUrl: chain.rpcUrl });
      const mcpUrl = await openVial(tab);
      await tab.goto('/#/wallet');
      await tab.getByTestId('wallet-local-rpc').fill(chain.rpcUrl);
      await tab.getByRole('button', { name: 'Save' }).click();
      await tab.reload();
      const token = await createToken(tab, 'Apps client (wallet)', ['wallet:read', 'wallet:sign']);
      await tab.goto('/#/wallet');
      await tab.locator(`[data-testid="wallet-choice"][data-wallet-id="${TEST_WALLET_INFO.rdns}"]`).click();
      await expect(tab.getByTestId('wallet-address')).toHaveText(me);

      // web3_transaction from the host: the call waits for the person in the tab like any other.
      const host = await openAppHost(page, mcpUrl, mcpUrl, token);
      const sending = page.evaluate((args) => window.appHost.callAndRender('web3_transaction', args, 'light'), {
        to: recipient,
        amount: '0.25',
      });
      const approval = tab.getByTestId('approval-request');
      await expect(approval).toHaveAttribute('data-tool', 'web3_transaction');
      await expect(approval).toContainText(recipient);
      await approval.getByTestId('approval-approve').click();
      const receipt = transactionOutput.parse((await sending).structuredContent);
      const mined = await chain.clients.public.getTransactionReceipt({ hash: receipt.hash });

      // The receipt as anvil has it: status, block, from, to, gas and fee.
      await expect(host.app.getByTestId('receipt-status')).toHaveAttribute('data-status', 'success');
      await expect(host.app.getByTestId('receipt-hash')).toHaveText(receipt.hash);
      await expect(host.app.getByTestId('receipt-block')).toHaveText(mined.blockNumber.toString());
      await expect(host.app.getByTestId('receipt-from')).toHaveText(me);
      await expect(host.app.getByTestId('receipt-to')).toHaveText(recipient);
      await expect(host.app.getByTestId('receipt-gas')).toHaveText(mined.gasUsed.toLocaleString('en-US'));
      await expect(host.app.getByTestId('receipt-fee')).toContainText(
        formatEther(mined.gasUsed * mined.effectiveGasPrice),
      );
      // The local chain has no explorer: the app says so rather than offering a link.
      await expect(host.app.getByTestId('receipt-explorer')).toHaveCount(0);
      await expect(host.app.getByTestId('receipt-no-explorer')).toContainText('Chain 31337 has no block explorer');
      // Nothing in the app signs.
      await expect(host.app.getByRole('button')).toHaveCount(0);
      await followsHostTheme(page, host, '.wallet-app', 'app-web3-transaction');
      expect(ownRequests(host, mcpUrl)).toEqual([]);
      expect(host.cspViolations).toEqual([]);

      // Two transactions sent earlier, in the tab's own store: one on Sepolia (which has an
      // explorer) and one whose stored link was tampered with.
      const earlier = (n: number, explorerUrl: string) => ({
        hash: `0x${String(n).repeat(64)}`,
        chainId: 11155111,
        chainName: 'Sepolia',
        from: me,
        to: recipient,
        amount: '0.01',
        symbol: 'ETH',
        status: 'success',
        blockNumber: String(100 + n),
        sentAt: Date.now() - 60_000 * n,
        explorerUrl,
      });
      const sepolia = earlier(1, `https://sepolia.etherscan.io/tx/0x${'1'.repeat(64)}`);
      const tampered = earlier(2, 'javascript:parent.postMessage("pwned", "*")');
      await tab.evaluate(
        (records) =>
          new Promise<void>((resolve, reject) => {
            const open = indexedDB.open('vial-wallet', 1);
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const tx = open.result.transaction('transactions', 'readwrite');
              for (const record of records) tx.objectStore('transactions').put(record, record.hash);
              tx.oncomplete = () => resolve();
              tx.onerror = () => reject(tx.error);
            };
          }),
        [sepolia, tampered],
      );

      // wallet_status in another host page: the balances anvil has, the token's, and what was sent.
      const statusPage = await page.context().newPage();
      const statusHost = await openAppHost(statusPage, mcpUrl, mcpUrl, token);
      const status = walletStatusOutput.parse(
        (
          await statusPage.evaluate((args) => window.appHost.callAndRender('wallet_status', args, 'light'), {
            tokens: [erc20.address],
          })
        ).structuredContent,
      );
      const wei = await chain.clients.public.getBalance({ address: me });
      expect(status.balance?.wei).toBe(wei.toString());
      await expect(statusHost.app.getByTestId('wallet-state')).toHaveAttribute('data-state', 'connected');
      await expect(statusHost.app.getByTestId('wallet-address')).toHaveText(me);
      await expect(statusHost.app.getByTestId('wallet-chain')).toHaveAttribute('data-chain-id', '31337');
      await expect(statusHost.app.getByTestId('wallet-balance')).toHaveText(`${formatEther(wei)} ETH`);
      await expect(statusHost.app.getByTestId('wallet-token-balance')).toHaveText('1000000 vTEST');
      const sent = statusHost.app.getByTestId('wallet-transaction');
      expect(status.recentTransactions.map((tx) => tx.hash)).toEqual([receipt.hash, sepolia.hash, tampered.hash]);
      await expect(sent).toHaveCount(3);
      await expect(sent.first()).toHaveAttribute('data-hash', receipt.hash);
      await expect(sent.first()).toContainText(`0.25 ETH to ${recipient}`);
      await expect(sent.first().locator('a')).toHaveCount(0);
      // The Sepolia one links to its explorer: a click asks the host to open it, the frame stays put.
      await sent.nth(1).locator('a').click();
      await expect.poll(() => statusPage.evaluate(() => window.appHost.openedLinks())).toEqual([sepolia.explorerUrl]);
      await expect(statusHost.app.getByTestId('wallet-app')).toBeVisible();
      await expect(statusHost.app.getByTestId('wallet-link-error')).toHaveCount(0);
      // A stored link that is not https is not offered at all.
      await expect(sent.nth(2)).toHaveAttribute('data-hash', tampered.hash);
      await expect(sent.nth(2).locator('a')).toHaveCount(0);
      await followsHostTheme(statusPage, statusHost, '.wallet-app', 'app-wallet-status');
      expect(ownRequests(statusHost, mcpUrl)).toEqual([]);
      expect(statusHost.cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
