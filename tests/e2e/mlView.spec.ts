/**
 * The Models view in real Chromium: it loads a bundled sample, runs it from the form its signature
 * generates, trains a model with a live chart of one point per epoch, enforces its own size limit,
 * loads a picked file and removes it; and it shares the ML tools' Worker and settings. WASM and
 * CPU only: SwiftShader's WebGPU would be slow here.
 */
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { callToolResult } from '../support/toolResults.ts';
import { connectClient, createToken, openVial, screenshot } from './support/vial.ts';

const MLP_FILE = fileURLToPath(new URL('../../public/models/mlp/model.onnx', import.meta.url));

const modelRow = (page: Page, id: string) => page.locator(`[data-testid="ml-model-row"][data-id="${id}"]`);

test('the Models view loads, runs, trains and limits models', async ({ page }) => {
  await page.goto('/#/models');
  await expect(page.getByRole('link', { name: 'Models' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('ml-registry-empty')).toBeVisible();

  // A bundled sample, loaded with its button, joins the registry with its signature.
  await page.locator('[data-testid="ml-sample"][data-id="sample:mlp"]').getByTestId('ml-sample-load').click();
  const mlp = modelRow(page, 'sample:mlp');
  await expect(mlp).toContainText('input: float32[batch,4] → logits: float32[batch,3]');
  await expect(mlp).toContainText('bundled sample:mlp');

  // Loading selects it: the run form has one prefilled input per signature input.
  await expect(page.getByTestId('ml-run-card')).toContainText('Run Tiny MLP (ONNX)');
  const input = page.locator('[data-testid="ml-run-input"][data-input="input"]');
  await expect(input).toHaveValue('[[0.5,0.5,0.5,0.5]]');
  await input.fill('[1, 2, 3, 4, 5, 6, 7, 8]');
  await page.getByTestId('ml-run-backend-select').selectOption('wasm');
  await page.getByTestId('ml-run').click();
  await expect(page.getByTestId('ml-run-backend')).toHaveText('wasm');
  await expect(page.locator('[data-testid="ml-run-output"][data-output="logits"]')).toContainText(
    /^logits float32\[2,3\]: (-?\d[\d.e+-]*, ){5}-?\d[\d.e+-]*$/,
  );

  // Training: the chart gains one point per epoch as the epochs arrive, then the outcome shows.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { epochsSeen: string[] }).epochsSeen = seen;
    new MutationObserver((mutations) => {
      for (const mutation of mutations) seen.push((mutation.target as Element).getAttribute('data-epochs') ?? '');
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-epochs'] });
  });
  await page.getByTestId('ml-train-epochs').fill('5');
  await page.getByTestId('ml-train-backend').selectOption('cpu');
  await page.getByTestId('ml-train').click();
  const outcome = page.getByTestId('ml-train-outcome');
  await expect(outcome).toContainText(/^Trained 5 epochs on \d+ examples; saved as trained:[0-9a-f]{8}\.$/);
  expect(await page.evaluate(() => (window as unknown as { epochsSeen: string[] }).epochsSeen)).toEqual([
    '1',
    '2',
    '3',
    '4',
    '5',
  ]);
  const chart = page.getByTestId('ml-train-chart');
  for (const series of ['loss', 'acc', 'val_loss', 'val_acc']) {
    await expect(chart.locator(`[data-name="${series}"]`).getByTestId('ml-train-point')).toHaveCount(5);
  }
  const trained = /saved as (trained:[0-9a-f]{8})/.exec((await outcome.textContent())!)![1]!;
  await expect(modelRow(page, trained)).toContainText('trained here: 2 layers, 5 epochs');
  await expect(modelRow(page, trained)).toContainText('dense_Dense1_input: float32');
  await screenshot(page, 'models');

  // The size limit persists for the tools and refuses a larger model, saying what to do.
  await page.getByTestId('ml-max-model-mib').fill('0.0001');
  expect(JSON.parse((await page.evaluate(() => localStorage.getItem('vial.ml.settings')))!)).toEqual({
    maxModelBytes: 105,
    allowRemoteModels: true,
  });
  await page.getByTestId('ml-load-url').fill('/models/mlp/model.onnx');
  await page.getByTestId('ml-load-url-submit').click();
  await expect(page.getByTestId('ml-load-error')).toContainText(
    /over this tab's model size limit of 105 B\. Raise "Largest model"/,
  );

  // A picked file loads once the limit allows it, and can be removed again.
  await page.getByTestId('ml-max-model-mib').fill('1');
  await page.getByTestId('ml-load-files').setInputFiles(MLP_FILE);
  const fileRow = page.getByTestId('ml-model-row').filter({ hasText: 'file model.onnx' });
  await expect(fileRow).toContainText('input: float32[batch,4] → logits: float32[batch,3]');
  await expect(page.getByTestId('ml-load-error')).toBeHidden();
  await fileRow.getByTestId('ml-model-remove').click();
  await expect(fileRow).toHaveCount(0);
  await expect(page.getByTestId('ml-model-row')).toHaveCount(2);
});

test('a cancelled training run says so and saves nothing', async ({ page }) => {
  await page.goto('/#/models');
  await page.getByTestId('ml-train-epochs').fill('5000');
  await page.getByTestId('ml-train-backend').selectOption('cpu');
  await page.getByTestId('ml-train').click();
  await expect(page.getByTestId('ml-train-point').first()).toBeVisible();
  await page.getByTestId('ml-train-cancel').click();
  await expect(page.getByTestId('ml-train-outcome')).toContainText(/^Cancelled: stopped after batch \d+ of epoch \d+/);
  await expect(page.getByTestId('ml-train')).toBeEnabled();
  await expect(page.getByTestId('ml-registry-empty')).toBeVisible();
});

test('a transformers.js sample runs from its task form', async ({ page }) => {
  await page.goto('/#/models');
  await page.locator('[data-testid="ml-sample"][data-id="sample:bert-nli"]').getByTestId('ml-sample-load').click();
  await expect(modelRow(page, 'sample:bert-nli')).toContainText('zero-shot-classification');
  await page.getByTestId('ml-pipeline-texts').fill('I love this, it is great.');
  await page.getByTestId('ml-pipeline-labels').fill('positive, negative');
  await page.getByTestId('ml-run-backend-select').selectOption('wasm');
  await page.getByTestId('ml-run').click();
  await expect(page.getByTestId('ml-run-backend')).toHaveText('wasm');
  const output = JSON.parse((await page.getByTestId('ml-run-output').textContent())!) as Array<{ labels: string[] }>;
  expect(output[0]!.labels[0]).toBe('positive');
});

test('the view and the ML tools share one registry and one size limit', async ({ page }) => {
  const token = await createToken(page, 'ML view client', ['ml']);
  const { client } = await connectClient(await openVial(page), token);
  const loadSample = (sample: string) => callToolResult(client, 'model_load', { sample });
  try {
    await page.goto('/#/models');
    await expect(page.getByTestId('ml-registry-empty')).toBeVisible();
    expect((await loadSample('sample:tfjs-blobs')).isError).toBeFalsy();
    await page.getByTestId('ml-refresh').click();
    await expect(modelRow(page, 'sample:tfjs-blobs')).toContainText('bundled sample:tfjs-blobs');

    await page.getByTestId('ml-max-model-mib').fill('0.0001');
    const refused = await loadSample('sample:mlp');
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toContain("over this tab's model size limit of 105 B");
  } finally {
    await client.close();
  }
});
