/**
 * ML on the user's device, end to end in real Chromium: an MCP SDK client calls the ML tools
 * through the real relay; the tab's ML Worker runs onnxruntime-web, tfjs and transformers.js on
 * WebGPU (SwiftShader here) and on WASM; every number is checked against the same bundled sample
 * run in Node by onnxruntime-node / tfjs / transformers.js. And what a client can make the tab
 * fetch: a new origin waits for the person's approval, Settings lists and removes it, addresses on
 * this machine are refused, redirects are not followed.
 */
import type { Client } from '@modelcontextprotocol/client';
import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { modelRegistry, pipelineTaskOutputs } from '../../web/src/tools/ml/outputs.ts';
import { maxDifference, onnxReference, pipelineReference, tfjsReference } from '../support/mlReference.ts';
import {
  callTool,
  callToolResult,
  resourceText,
  resultText,
  structuredOf,
  type ToolName,
  type ToolOutput,
} from '../support/toolResults.ts';
import { connectClient, createToken, openVial } from './support/vial.ts';
import { BLOBS_TRAINING } from './support/blobsTraining.ts';

const TOLERANCE = 1e-4;

/** Tensor values or scores that must all be numbers (none null, none an int64 string). */
const numbers = (values: unknown) => z.array(z.number()).parse(values);

let page: Page;
let client: Client;
let mcpUrl: string;
let token: string;

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  mcpUrl = await openVial(page);
  token = await createToken(page, 'ML client', ['ml']);
  ({ client } = await connectClient(mcpUrl, token));
});

/** A fresh client session, e.g. after the tab reloaded. */
async function reconnect(): Promise<void> {
  await client.close();
  ({ client } = await connectClient(mcpUrl, token));
}
test.afterAll(async () => {
  await client?.close();
  await page?.close();
});

/** Calls `name` on the current client and returns its output, typed and checked by the tool's schema. */
const call = <N extends ToolName>(name: N, args: Record<string, unknown>) => callTool(client, name, args);

/** A batch of `rows` × `columns` values, the same on every run. */
function batch(rows: number, columns: number, seed: number): number[][] {
  return Array.from({ length: rows }, (_, row) =>
    Array.from({ length: columns }, (_, column) => Math.sin(seed + row * 7.1 + column * 3.3) * 2),
  );
}

for (const backend of ['wasm', 'webgpu'] as const) {
  test(`onnx_inference on ${backend} matches onnxruntime-node for the bundled MLP`, async () => {
    const loaded = await call('model_load', { sample: 'sample:mlp' });
    expect(loaded.id).toBe('sample:mlp');
    expect(loaded.signature.inputs).toEqual([{ name: 'input', type: 'float32', dims: ['batch', 4] }]);
    const rows = batch(3, 4, 1);
    const result = await call('onnx_inference', {
      model: 'sample:mlp',
      backend,
      inputs: { input: { type: 'float32', dims: [3, 4], data: rows.flat() } },
    });
    expect(result.backend).toBe(backend);
    const expected = await onnxReference('mlp/model.onnx', {
      input: { type: 'float32', dims: [3, 4], data: rows.flat() },
    });
    expect(result.outputs.logits!.dims).toEqual([3, 3]);
    expect(maxDifference(numbers(result.outputs.logits!.data), expected.logits!.data)).toBeLessThan(TOLERANCE);
  });

  test(`tfjs_inference on ${backend} matches tfjs in Node for the bundled classifier`, async () => {
    const loaded = await call('model_load', {
      sample: 'sample:tfjs-blobs',
    });
    const [input] = loaded.signature.inputs;
    expect(input!.dims).toEqual(['batch', 2]);
    const rows = batch(5, 2, 2);
    const result = await call('tfjs_inference', {
      model: loaded.id,
      backend,
      // Nested data: dims come from its shape.
      inputs: { [input!.name]: { data: rows } },
    });
    expect(result.backend).toBe(backend);
    const [output] = Object.values(result.outputs);
    expect(output!.dims).toEqual([5, 3]);
    expect(maxDifference(numbers(output!.data), await tfjsReference('tfjs-blobs/model.json', rows))).toBeLessThan(
      TOLERANCE,
    );
  });

  test(`ml_pipeline on ${backend} matches transformers.js in Node for each task`, async () => {
    const text = 'alice loves paris and the movie was great';
    const embedded = await call('ml_pipeline', {
      task: 'feature-extraction',
      model: 'sample:bert-embed',
      inputs: [text],
      backend,
    });
    expect(embedded.backend).toBe(backend);
    const embedding = pipelineTaskOutputs['feature-extraction'].parse(embedded.output);
    const expectedEmbedding = (await pipelineReference('feature-extraction', 'vial-samples/bert-embed', text, {
      pooling: 'mean',
      normalize: true,
    })) as number[][];
    expect(embedding.dims).toEqual([1, 32]);
    expect(maxDifference(numbers(embedding.embeddings[0]), expectedEmbedding[0]!)).toBeLessThan(TOLERANCE);

    const classified = pipelineTaskOutputs['text-classification'].parse(
      (
        await call('ml_pipeline', {
          task: 'text-classification',
          model: 'sample:bert-sentiment',
          inputs: ['i love this great movie', 'awful bad hate'],
          backend,
        })
      ).output,
    );
    expect(classified.map(([top]) => top!.label)).toEqual(['POSITIVE', 'NEGATIVE']);
    const expectedSentiment = (await pipelineReference(
      'text-classification',
      'vial-samples/bert-sentiment',
      'i love this great movie',
    )) as Array<{ score: number }>;
    expect(Math.abs(classified[0]![0]!.score - expectedSentiment[0]!.score)).toBeLessThan(TOLERANCE);

    const labels = ['positive', 'negative'];
    const zeroShot = pipelineTaskOutputs['zero-shot-classification'].parse(
      (
        await call('ml_pipeline', {
          task: 'zero-shot-classification',
          model: 'sample:bert-nli',
          inputs: 'i love this great movie',
          options: { candidate_labels: labels },
          backend,
        })
      ).output,
    );
    const expectedZeroShot = (await pipelineReference(
      'zero-shot-classification',
      'vial-samples/bert-nli',
      'i love this great movie',
      labels,
    )) as { labels: string[]; scores: number[] };
    expect(zeroShot[0]!.labels).toEqual(['positive', 'negative']);
    expect(zeroShot[0]!.labels).toEqual(expectedZeroShot.labels);
    expect(maxDifference(zeroShot[0]!.scores, expectedZeroShot.scores)).toBeLessThan(TOLERANCE);

    const entities = pipelineTaskOutputs['token-classification'].parse(
      (await call('ml_pipeline', { task: 'token-classification', model: 'sample:bert-ner', inputs: text, backend }))
        .output,
    );
    const expectedEntities = (await pipelineReference('token-classification', 'vial-samples/bert-ner', text)) as Array<{
      entity: string;
      word: string;
      score: number;
    }>;
    expect(entities[0]!.map(({ entity, word }) => [entity, word])).toEqual(
      expectedEntities.map(({ entity, word }) => [entity, word]),
    );
    expect(entities[0]!.map(({ entity, word }) => `${entity}:${word}`)).toEqual(
      expect.arrayContaining(['B-PER:alice', 'B-LOC:paris']),
    );
    expect(
      maxDifference(
        entities[0]!.map((entity) => entity.score),
        expectedEntities.map((entity) => entity.score),
      ),
    ).toBeLessThan(TOLERANCE);
  });
}

/** blobs.csv as rows and labels, to check the trained model's answers. */
async function blobs(): Promise<{ rows: number[][]; labels: number[] }> {
  const csv = await (await fetch(new URL('/models/data/blobs.csv', page.url()))).text();
  const lines = csv.trim().split('\n').slice(1);
  const cells = lines.map((line) => line.split(',').map(Number));
  return { rows: cells.map(([x1, x2]) => [x1!, x2!]), labels: cells.map((row) => row[2]!) };
}

for (const backend of ['wasm', 'webgpu'] as const) {
  test(`train_model on ${backend}: a progress notification per epoch, loss falls, and the model answers after a reload`, async () => {
    const epochs = 6;
    const progress: Array<{ progress: number; total?: number; message?: string }> = [];
    const result = await callToolResult(
      client,
      'train_model',
      { ...BLOBS_TRAINING, epochs, backend, name: `blobs on ${backend}` },
      { onprogress: (notification) => progress.push(notification) },
    );
    const trained = structuredOf('train_model', result);
    expect(trained.backend).toBe(backend);
    expect(progress.map((notification) => notification.progress)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(progress[0]!.total).toBe(epochs);
    expect(progress[0]!.message).toMatch(/^epoch 1\/6: loss \d/);
    const losses = trained.history.map((epoch) => epoch.loss);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.7);
    expect(trained.model).toMatch(/^trained:/);

    // The tab reloads: the model comes back from IndexedDB and still classifies the blobs, and
    // a model loaded before the reload runs without being downloaded again.
    const byUrl = await call('model_load', { url: '/models/mlp/model.onnx' });
    await page.reload();
    await expect(page.getByTestId('relay-status')).toHaveAttribute('data-state', 'online');
    await reconnect();
    // With the model's URL unreachable (the failing load shows the block reaches the Worker),
    // the model loaded before the reload still runs: its bytes come from IndexedDB.
    await page.context().route('**/models/mlp/model.onnx', (route) => route.abort());
    try {
      expect(await toolError('model_load', { url: '/models/mlp/model.onnx' })).toMatch(/Could not fetch/);
      const rerun = await call('onnx_inference', {
        model: byUrl.id,
        backend,
        inputs: { input: { data: [[1, 2, 3, 4]] } },
      });
      expect(rerun.outputs.logits!.dims).toEqual([1, 3]);
    } finally {
      await page.context().unroute('**/models/mlp/model.onnx');
    }
    const { rows, labels } = await blobs();
    const registry = await client.readResource({ uri: 'vial://models/registry' });
    const { models } = modelRegistry.parse(JSON.parse(resourceText(registry)));
    const saved = models.find((model) => model.id === trained.model)!;
    expect(saved).toBeDefined();
    const predicted = await call('tfjs_inference', {
      model: trained.model,
      backend,
      inputs: { [saved.signature.inputs[0]!.name]: { data: rows } },
    });
    const probabilities = numbers(Object.values(predicted.outputs)[0]!.data);
    const correct = labels.filter((label, row) => {
      const scores = probabilities.slice(row * 3, row * 3 + 3);
      return scores.indexOf(Math.max(...scores)) === label;
    }).length;
    expect(correct / labels.length).toBeGreaterThan(0.9);
  });
}

test('cancelling train_model stops it after the current batch, saves nothing, and says so', async () => {
  const before = await registryIds();
  const controller = new AbortController();
  const progress: number[] = [];
  const training = client.callTool(
    { name: 'train_model', arguments: { ...BLOBS_TRAINING, epochs: 500, batch_size: 8, backend: 'wasm' } },
    {
      signal: controller.signal,
      onprogress: ({ progress: epoch }) => {
        progress.push(epoch);
        if (epoch === 2) controller.abort('enough');
      },
    },
  );
  await expect(training).rejects.toThrow();
  // The audit entry is written when the Worker has stopped: it says where training stopped.
  let entry: ToolOutput<'system_logs_tail'>['entries'][number] | undefined;
  await expect
    .poll(async () => {
      const tail = await call('system_logs_tail', { tool: 'train_model', lines: 1 });
      entry = tail.entries[0];
      return entry?.outcome;
    })
    .toBe('cancelled');
  // The abort travels client → relay → tab → Worker while epochs run: it lands an epoch or so later.
  const stopped =
    /stopped after batch \d+ of epoch (\d+) \((\d+) of 500 epochs complete\); the model was not saved/.exec(
      entry!.detail ?? '',
    );
  expect(stopped, entry!.detail).not.toBeNull();
  const [, stoppedIn, completed] = stopped!.map(Number);
  expect(stoppedIn).toBe(completed! + 1);
  expect(completed).toBeLessThan(20);
  // The client stops listening at the abort: it heard epoch 2, and the tab got no further than this.
  expect(progress.at(-1)).toBe(2);
  expect(completed).toBeGreaterThanOrEqual(2);
  expect(await registryIds()).toEqual(before);
  // The Worker is free again.
  const after = await call('onnx_inference', {
    model: 'sample:mlp',
    backend: 'wasm',
    inputs: { input: { data: [[1, 2, 3, 4]] } },
  });
  expect(after.outputs.logits!.dims).toEqual([1, 3]);
});

async function registryIds(): Promise<string[]> {
  const registry = await client.readResource({ uri: 'vial://models/registry' });
  return modelRegistry
    .parse(JSON.parse(resourceText(registry)))
    .models.map((model) => model.id)
    .sort();
}

async function toolError(name: ToolName, args: Record<string, unknown>): Promise<string> {
  const result = await callToolResult(client, name, args);
  expect(result.isError, `${name} should have failed`).toBe(true);
  return resultText(result);
}

async function setMlSettings(settings: { maxModelBytes: number; allowRemoteModels: boolean }): Promise<void> {
  await page.evaluate((value) => localStorage.setItem('vial.ml.settings', JSON.stringify(value)), settings);
}

test('bad input gets an error that names the problem and the fix, and the Worker keeps serving', async () => {
  const mlp = (inputs: Record<string, unknown>) => ({ model: 'sample:mlp', backend: 'wasm', inputs });
  expect(await toolError('onnx_inference', { ...mlp({}), model: 'no-such-model' })).toMatch(
    /No model 'no-such-model' in this tab's registry\. Load it first with model_load: a URL, or a bundled sample \(sample:mlp, sample:tfjs-blobs, .*\)/,
  );
  expect(await toolError('onnx_inference', mlp({ input: { dims: [2, 5], data: Array(10).fill(0) } }))).toContain(
    "Input 'input' has shape [2,5] but the model expects [batch,4] (named dims take any size). Expected inputs: input: float32[batch,4]",
  );
  expect(
    await toolError('onnx_inference', mlp({ input: { type: 'int32', dims: [1, 4], data: [1, 2, 3, 4] } })),
  ).toContain("Input 'input' is int32 but the model expects input: float32[batch,4]. Send type 'float32'.");
  expect(await toolError('onnx_inference', mlp({ input: { dims: [1, 4], data: [1, 2, 'abc', 4] } }))).toContain(
    `Input 'input' value 2 is "abc", not a number.`,
  );
  expect(await toolError('onnx_inference', mlp({ x: { data: [[1, 2, 3, 4]] } }))).toContain(
    "The model has no input 'x'. Expected inputs: input: float32[batch,4]",
  );
  expect(await toolError('tfjs_inference', mlp({}))).toContain(
    "'sample:mlp' is a onnx model; call onnx_inference for it.",
  );
  expect(await toolError('model_load', { url: '/index.html', kind: 'onnx' })).toMatch(
    /\/index\.html is not an ONNX model: .*The server sent an HTML page, not model bytes\. Point model_load at the model file itself\./,
  );
  expect(await toolError('model_load', { url: '/models/missing.onnx' })).toMatch(/missing\.onnx answered HTTP 404/);
  expect(await toolError('model_load', { url: '/models/data/blobs.csv' })).toContain(
    'Cannot tell what kind of model http://localhost',
  );
  expect(
    await toolError('train_model', { ...BLOBS_TRAINING, layers: [{ type: 'lstm', units: 4, inputShape: [2] }] }),
  ).toContain(
    "Layer 1 has type 'lstm', which train_model does not support. Supported layers: dense, conv2d, maxPooling2d, flatten, dropout, batchNormalization, activation.",
  );
  expect(await toolError('train_model', { ...BLOBS_TRAINING, data: { x: [[1, 'two']], y: [0] } })).toContain(
    'data.x[0] value 1 is "two", not a number.',
  );

  // A model over the tab's size limit (set in the Models view; stored in localStorage).
  await setMlSettings({ maxModelBytes: 100, allowRemoteModels: true });
  expect(await toolError('model_load', { url: '/models/mlp/model.onnx', name: 'too big' })).toMatch(
    /The model at .*\/models\/mlp\/model\.onnx is 668 B, over this tab's model size limit of 100 B\. Raise "Largest model" in the Models view, or use a smaller model\./,
  );

  // Offline, hub models are refused with the setting named; the bundled samples still work.
  await setMlSettings({ maxModelBytes: 512 * 1024 * 1024, allowRemoteModels: false });
  expect(
    await toolError('ml_pipeline', { task: 'feature-extraction', model: 'Xenova/all-MiniLM-L6-v2', inputs: 'hello' }),
  ).toMatch(/Could not load 'Xenova\/all-MiniLM-L6-v2' in \/models\/ \(remote models are off in the Models view\)/);
  const offline = await call('ml_pipeline', {
    task: 'feature-extraction',
    model: 'sample:bert-embed',
    inputs: 'hello',
    backend: 'wasm',
  });
  expect(pipelineTaskOutputs['feature-extraction'].parse(offline.output).dims).toEqual([1, 32]);
  await page.evaluate(() => localStorage.removeItem('vial.ml.settings'));

  // After all of that the Worker still answers.
  const healthy = await call('onnx_inference', mlp({ input: { data: [[0.5, 0.5, 0.5, 0.5]] } }));
  expect(healthy.outputs.logits!.dims).toEqual([1, 3]);
});

test('what a client can make the tab fetch: the person approves a new origin, Settings lists and removes it', async () => {
  const model = await readFile(new URL('../../public/models/mlp/model.onnx', import.meta.url));
  const cors = { 'access-control-allow-origin': '*' };
  const local: string[] = [];
  await page.context().route('http://127.0.0.1:9/**', async (route) => {
    local.push(route.request().url());
    await route.abort();
  });
  await page
    .context()
    .route('https://models.example.com/**', (route) =>
      route.request().url().endsWith('/moved.onnx')
        ? route.fulfill({ status: 302, headers: { ...cors, location: 'http://127.0.0.1:9/secret.onnx' } })
        : route.fulfill({ status: 200, headers: cors, contentType: 'application/octet-stream', body: model }),
    );
  try {
    // An address on this machine: refused at once, nobody asked, nothing fetched.
    expect(await toolError('model_load', { url: 'http://127.0.0.1:9/model.onnx' })).toContain(
      'model_load refused to fetch from http://127.0.0.1:9: it is a loopback address (this machine)',
    );

    // A new public origin waits for the person, who sees the client, the tool and the origin.
    const loading = call('model_load', { url: 'https://models.example.com/mlp/model.onnx' });
    const request = page.getByTestId('approval-request');
    await expect(request).toContainText('ML client wants this tab to fetch a model from https://models.example.com');
    await expect(request).toContainText('model_load');
    await request.getByTestId('approval-approve').click();
    expect((await loading).signature.inputs[0]!.name).toBe('input');

    // Remembered: the next call from that origin asks nobody; its redirect is not followed.
    expect(await toolError('model_load', { url: 'https://models.example.com/moved.onnx' })).toContain(
      'https://models.example.com/moved.onnx answered with a redirect, which Vial does not follow',
    );
    expect(local).toEqual([]);

    // Settings lists the origin with the client it was approved for; removed, the next call asks again.
    await page.getByRole('link', { name: 'Settings' }).click();
    const row = page.locator('[data-testid="fetch-origin"][data-origin="https://models.example.com"]');
    await expect(row).toContainText('Approved for ML client');
    await row.getByTestId('fetch-origin-remove').click();
    await expect(row).toHaveCount(0);
    const again = toolError('model_load', { url: 'https://models.example.com/mlp/model.onnx' });
    await expect(request).toContainText('https://models.example.com');
    await request.getByTestId('approval-reject').click();
    expect(await again).toContain('model_load was rejected by the user');

    // The person adds a local origin in Settings; clients may then use it without asking.
    await page.getByTestId('fetch-origin-input').fill('http://127.0.0.1:9/anything');
    await page.getByTestId('fetch-origin-add').click();
    await expect(page.locator('[data-testid="fetch-origin"][data-origin="http://127.0.0.1:9"]')).toContainText(
      'Added here',
    );
    expect(await toolError('model_load', { url: 'http://127.0.0.1:9/model.onnx' })).toContain('Could not fetch');
    expect(local).toEqual(['http://127.0.0.1:9/model.onnx']);
  } finally {
    await page.context().unrouteAll();
    await page.evaluate(() => localStorage.removeItem('vial.fetch.origins'));
  }
});
