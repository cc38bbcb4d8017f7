/**
 * ML on the user's device, end to end in real Chromium: an MCP SDK client calls the ML tools
 * through the real relay; the tab's ML Worker runs onnxruntime-web, tfjs and transformers.js on
 * WebGPU (SwiftShader here) and on WASM; every number is checked against the same bundled sample
 * run in Node by onnxruntime-node / tfjs / transformers.js.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { expect, test, type Page } from '@playwright/test';
import { maxDifference, onnxReference, pipelineReference, tfjsReference } from '../support/mlReference.ts';
import { connectClient, createToken, openVial } from './support/vial.ts';

const TOLERANCE = 1e-4;

interface Tensor {
  type: string;
  dims: number[];
  data: number[];
}
interface TensorSpec {
  name: string;
  type: string;
  dims: Array<number | string>;
}
interface Loaded {
  id: string;
  signature: { inputs: TensorSpec[]; outputs: TensorSpec[] };
}
interface Inference {
  model: string;
  backend: string;
  outputs: Record<string, Tensor>;
  timings: { runMs: number };
}

let page: Page;
let client: Client;

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  const mcpUrl = await openVial(page);
  const token = await createToken(page, 'ML client', ['ml']);
  ({ client } = await connectClient(mcpUrl, token));
});
test.afterAll(async () => {
  await client?.close();
  await page?.close();
});

async function call<T>(name: string, args: Record<string, unknown>): Promise<T> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
  if (result.isError) throw new Error(text);
  return result.structuredContent as T;
}

/** A batch of `rows` × `columns` values, the same on every run. */
function batch(rows: number, columns: number, seed: number): number[][] {
  return Array.from({ length: rows }, (_, row) =>
    Array.from({ length: columns }, (_, column) => Math.sin(seed + row * 7.1 + column * 3.3) * 2),
  );
}

for (const backend of ['wasm', 'webgpu'] as const) {
  test(`onnx_inference on ${backend} matches onnxruntime-node for the bundled MLP`, async () => {
    const loaded = await call<Loaded>('model_load', { sample: 'sample:mlp' });
    expect(loaded.id).toBe('sample:mlp');
    expect(loaded.signature.inputs).toEqual([{ name: 'input', type: 'float32', dims: ['batch', 4] }]);
    const rows = batch(3, 4, 1);
    const result = await call<Inference>('onnx_inference', {
      model: 'sample:mlp',
      backend,
      inputs: { input: { type: 'float32', dims: [3, 4], data: rows.flat() } },
    });
    expect(result.backend).toBe(backend);
    const expected = await onnxReference('mlp/model.onnx', {
      input: { type: 'float32', dims: [3, 4], data: rows.flat() },
    });
    expect(result.outputs.logits!.dims).toEqual([3, 3]);
    expect(maxDifference(result.outputs.logits!.data, expected.logits!.data)).toBeLessThan(TOLERANCE);
  });

  test(`tfjs_inference on ${backend} matches tfjs in Node for the bundled classifier`, async () => {
    const loaded = await call<Loaded>('model_load', {
      sample: 'sample:tfjs-blobs',
    });
    const [input] = loaded.signature.inputs;
    expect(input!.dims).toEqual(['batch', 2]);
    const rows = batch(5, 2, 2);
    const result = await call<Inference>('tfjs_inference', {
      model: loaded.id,
      backend,
      // Nested data: dims come from its shape.
      inputs: { [input!.name]: { data: rows } },
    });
    expect(result.backend).toBe(backend);
    const [output] = Object.values(result.outputs);
    expect(output!.dims).toEqual([5, 3]);
    expect(maxDifference(output!.data, await tfjsReference('tfjs-blobs/model.json', rows))).toBeLessThan(TOLERANCE);
  });

  test(`ml_pipeline on ${backend} matches transformers.js in Node for each task`, async () => {
    const text = 'alice loves paris and the movie was great';
    const embedded = await call<{ backend: string; output: { dims: number[]; embeddings: number[][] } }>(
      'ml_pipeline',
      {
        task: 'feature-extraction',
        model: 'sample:bert-embed',
        inputs: [text],
        backend,
      },
    );
    expect(embedded.backend).toBe(backend);
    const expectedEmbedding = (await pipelineReference('feature-extraction', 'vial-samples/bert-embed', text, {
      pooling: 'mean',
      normalize: true,
    })) as number[][];
    expect(embedded.output.dims).toEqual([1, 32]);
    expect(maxDifference(embedded.output.embeddings[0]!, expectedEmbedding[0]!)).toBeLessThan(TOLERANCE);

    const classified = await call<{ output: Array<Array<{ label: string; score: number }>> }>('ml_pipeline', {
      task: 'text-classification',
      model: 'sample:bert-sentiment',
      inputs: ['i love this great movie', 'awful bad hate'],
      backend,
    });
    expect(classified.output.map(([top]) => top!.label)).toEqual(['POSITIVE', 'NEGATIVE']);
    const expectedSentiment = (await pipelineReference(
      'text-classification',
      'vial-samples/bert-sentiment',
      'i love this great movie',
    )) as Array<{ score: number }>;
    expect(Math.abs(classified.output[0]![0]!.score - expectedSentiment[0]!.score)).toBeLessThan(TOLERANCE);

    const labels = ['positive', 'negative'];
    const zeroShot = await call<{ output: Array<{ labels: string[]; scores: number[] }> }>('ml_pipeline', {
      task: 'zero-shot-classification',
      model: 'sample:bert-nli',
      inputs: 'i love this great movie',
      options: { candidate_labels: labels },
      backend,
    });
    const expectedZeroShot = (await pipelineReference(
      'zero-shot-classification',
      'vial-samples/bert-nli',
      'i love this great movie',
      labels,
    )) as { labels: string[]; scores: number[] };
    expect(zeroShot.output[0]!.labels).toEqual(['positive', 'negative']);
    expect(zeroShot.output[0]!.labels).toEqual(expectedZeroShot.labels);
    expect(maxDifference(zeroShot.output[0]!.scores, expectedZeroShot.scores)).toBeLessThan(TOLERANCE);

    const entities = await call<{ output: Array<Array<{ entity: string; word: string; score: number }>> }>(
      'ml_pipeline',
      {
        task: 'token-classification',
        model: 'sample:bert-ner',
        inputs: text,
        backend,
      },
    );
    const expectedEntities = (await pipelineReference('token-classification', 'vial-samples/bert-ner', text)) as Array<{
      entity: string;
      word: string;
      score: number;
    }>;
    expect(entities.output[0]!.map(({ entity, word }) => [entity, word])).toEqual(
      expectedEntities.map(({ entity, word }) => [entity, word]),
    );
    expect(entities.output[0]!.map(({ entity, word }) => `${entity}:${word}`)).toEqual(
      expect.arrayContaining(['B-PER:alice', 'B-LOC:paris']),
    );
    expect(
      maxDifference(
        entities.output[0]!.map((entity) => entity.score),
        expectedEntities.map((entity) => entity.score),
      ),
    ).toBeLessThan(TOLERANCE);
  });
}
