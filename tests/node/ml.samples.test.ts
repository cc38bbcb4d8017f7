import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { pipeline } from '@huggingface/transformers';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { generateSamples } from '../../tools/models/generateSamples.ts';
import { loadSampleTfjsModel, MODELS_DIR as MODELS, useOfflineSamples } from '../support/mlReference.ts';

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

describe('bundled sample models (public/models)', () => {
  it('regenerate byte-for-byte from tools/models', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vial-models-'));
    try {
      const written = (await generateSamples(dir)).sort();
      expect(await listFiles(dir)).toEqual(written);
      // README.md is written by hand; everything else committed must come from the generator.
      expect(await listFiles(MODELS)).toEqual([...written, 'README.md'].sort());
      for (const path of written) {
        const fresh = await readFile(join(dir, path));
        expect(fresh.equals(await readFile(join(MODELS, path))), path).toBe(true);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('samples.json lists every sample with a path that exists', async () => {
    const samples = JSON.parse(await readFile(join(MODELS, 'samples.json'), 'utf8')) as Array<{
      id: string;
      path: string;
    }>;
    expect(samples.map((s) => s.id)).toEqual([
      'sample:mlp',
      'sample:tfjs-blobs',
      'sample:bert-embed',
      'sample:bert-sentiment',
      'sample:bert-nli',
      'sample:bert-ner',
    ]);
    const files = await listFiles(MODELS);
    for (const { path } of samples)
      expect(
        files.some((f) => f === path || f.startsWith(`${path}/`)),
        path,
      ).toBe(true);
  });
});

describe('mlp/model.onnx in onnxruntime-node', () => {
  const path = join(MODELS, 'mlp/model.onnx');

  /** The same MLP computed by hand from the model's own initializers (fc2 is stored [out, in]). */
  async function reference(rows: number[][]): Promise<number[][]> {
    const { graph } = onnxProto.onnx.ModelProto.decode(await readFile(path));
    const weight = (name: string): Float32Array => {
      const raw = graph?.initializer?.find((i) => i.name === name)?.rawData;
      if (!raw) throw new Error(`mlp has no initializer ${name}`);
      return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    };
    const [w1, b1, w2, b2] = ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'].map(weight) as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    const dot = (n: number, at: (i: number) => number, bias: number) =>
      Array.from({ length: n }, (_, i) => at(i)).reduce((a, b) => a + b, bias);
    return rows.map((x) => {
      const hidden = Array.from(b1, (b, j) =>
        Math.max(
          0,
          dot(4, (i) => x[i]! * w1[i * 8 + j]!, b),
        ),
      );
      return Array.from(b2, (b, k) => dot(8, (j) => hidden[j]! * w2[k * 8 + j]!, b));
    });
  }

  it.each([1, 3])('runs a batch of %i and matches the hand-computed logits', async (batch) => {
    const session = await ort.InferenceSession.create(path);
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['logits']);
    const rows = Array.from({ length: batch }, (_, r) => [0.5 - r, 1 + r, -0.25 * r, 2]);
    const input = new ort.Tensor('float32', Float32Array.from(rows.flat()), [batch, 4]);
    const { logits } = await session.run({ input });
    expect(logits!.dims).toEqual([batch, 3]);
    const expected = (await reference(rows)).flat();
    Array.from(logits!.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
    await session.release();
  });
});

describe('tfjs-blobs in @tensorflow/tfjs (cpu)', () => {
  it('loads from model.json + weights.bin and classifies data/blobs.csv above 90%', async () => {
    const model = await loadSampleTfjsModel('tfjs-blobs/model.json');

    const [header, ...lines] = (await readFile(join(MODELS, 'data/blobs.csv'), 'utf8')).trim().split('\n');
    expect(header).toBe('x1,x2,label');
    expect(lines.length).toBe(300);
    const rows = lines.map((line) => line.split(',').map(Number) as [number, number, number]);
    expect(new Set(rows.map((r) => r[2]))).toEqual(new Set([0, 1, 2]));

    const probs = model.predict(tf.tensor2d(rows.map(([x1, x2]) => [x1, x2]))) as tf.Tensor2D;
    expect(probs.shape).toEqual([300, 3]);
    const predicted = (await probs.argMax(1).array()) as number[];
    const accuracy = predicted.filter((p, i) => p === rows[i]![2]).length / rows.length;
    expect(accuracy).toBeGreaterThan(0.9);
    model.dispose();
  });
});

describe('transformers.js samples, offline in Node', () => {
  useOfflineSamples();

  it('bert-embed: mean-pooled, normalised 32-dim vectors', async () => {
    const extract = await pipeline('feature-extraction', 'vial-samples/bert-embed');
    const output = await extract(['i love paris', 'the weather today', 'i love paris'], {
      pooling: 'mean',
      normalize: true,
    });
    expect(output.dims).toEqual([3, 32]);
    const [a, b, c] = output.tolist() as number[][];
    for (const v of [a!, b!]) expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    expect(c).toEqual(a);
    expect(a).not.toEqual(b);
  });

  it('bert-sentiment: POSITIVE for praise, NEGATIVE for complaints', async () => {
    const classify = await pipeline('text-classification', 'vial-samples/bert-sentiment');
    const [positive] = (await classify('i love this great movie')) as Array<{ label: string; score: number }>;
    const [negative] = (await classify('awful bad hate')) as Array<{ label: string; score: number }>;
    expect(positive!.label).toBe('POSITIVE');
    expect(positive!.score).toBeGreaterThan(0.8);
    expect(negative!.label).toBe('NEGATIVE');
    expect(negative!.score).toBeGreaterThan(0.8);
  });

  it('bert-nli: zero-shot returns every candidate label with scores summing to 1', async () => {
    const zeroShot = await pipeline('zero-shot-classification', 'vial-samples/bert-nli');
    const result = (await zeroShot('i love this great movie', ['negative', 'sports', 'positive'])) as {
      labels: string[];
      scores: number[];
    };
    expect([...result.labels].sort()).toEqual(['negative', 'positive', 'sports']);
    expect(result.scores.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(result.labels[0]).toBe('positive');
    expect(result.labels.at(-1)).toBe('negative');
  });

  it('bert-ner: tags alice as PER and paris as LOC, nothing else', async () => {
    const tag = await pipeline('token-classification', 'vial-samples/bert-ner');
    const entities = (await tag('alice went to paris with the book')) as Array<{ entity: string; word: string }>;
    expect(entities.map(({ word, entity }) => [word, entity])).toEqual([
      ['alice', 'B-PER'],
      ['paris', 'B-LOC'],
    ]);
  });
});
