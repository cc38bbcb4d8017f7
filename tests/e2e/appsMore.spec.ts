/**
 * The MCP Apps after quantum_simulate's, each in real Chromium with the official host side of the
 * SDK (support/appHost.ts through support/appPage.ts): the test page's client, advertising the
 * extension, reaches the real tab through the relay, calls the tool and renders its app in a
 * sandboxed iframe under the resource's CSP. Checked is what a person sees, that the app follows
 * the host's theme, and that it made no request of its own. With VIAL_SHOTS_DIR=docs/images the
 * README's pictures of each app are taken here.
 */
import { expect, test, type Page } from '@playwright/test';
import { trainModelOutput } from '../../web/src/tools/ml/outputs.ts';
import { followsHostTheme, openAppHost, ownRequests } from './support/appPage.ts';
import { createToken, openVial } from './support/vial.ts';

/** The bundled blobs: two features, three classes (as ml.spec.ts trains them, slower so the curves show). */
const BLOBS_TRAINING = {
  layers: [
    { type: 'dense', units: 16, activation: 'relu', inputShape: [2] },
    { type: 'dense', units: 3, activation: 'softmax' },
  ],
  data: { csv_url: '/models/data/blobs.csv', label: 'label' },
  batch_size: 32,
  learning_rate: 0.01,
  validation_split: 0.2,
  loss: 'sparseCategoricalCrossentropy',
  metrics: ['accuracy'],
};

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
});
