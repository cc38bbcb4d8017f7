/**
 * The encoder shared by the BERT samples: not a transformer, just the smallest graph with a
 * BERT model's interface — token and segment embeddings, one tanh projection, masked by
 * attention_mask — so transformers.js pipelines run it like the real thing.
 */
import { FLOAT, INT64, floatTensor, int64Tensor, node, valueInfo } from './onnxGraph.ts';
import type { Node, Tensor, ValueInfo } from './onnxGraph.ts';
import { NEGATIVE_WORDS, PERSON_NAMES, PLACE_NAMES, POSITIVE_WORDS } from './lexicon.ts';
import { normalArray, seededRandom } from './random.ts';

export const HIDDEN = 32;

/** Hidden units that carry hand-set features; the heads read these. */
export const FEATURE = { sentiment: 0, person: 1, place: 2 } as const;
const FEATURE_COUNT = 3;
/** tanh(2) ≈ 0.96: a feature word saturates its unit, an ordinary word leaves it at 0. */
const FEATURE_STRENGTH = 2;

export const LAST_HIDDEN_STATE = 'last_hidden_state';
/** attention_mask as float [batch, seq]; the heads pool with it. */
export const MASK = 'mask_float';

export interface EncoderGraph {
  inputs: ValueInfo[];
  nodes: Node[];
  initializers: Tensor[];
}

function featureOf(word: string): [number, number] | undefined {
  if (POSITIVE_WORDS.includes(word)) return [FEATURE.sentiment, FEATURE_STRENGTH];
  if (NEGATIVE_WORDS.includes(word)) return [FEATURE.sentiment, -FEATURE_STRENGTH];
  if (PERSON_NAMES.includes(word)) return [FEATURE.person, FEATURE_STRENGTH];
  if (PLACE_NAMES.includes(word)) return [FEATURE.place, FEATURE_STRENGTH];
  return undefined;
}

/** Random units describe each token; feature units are 0 except for the lexicon's marked words. */
function wordEmbeddings(vocab: string[], seed: number): Float32Array {
  const random = seededRandom(seed);
  const table = new Float32Array(vocab.length * HIDDEN);
  vocab.forEach((word, row) => {
    table.set(normalArray(random, HIDDEN - FEATURE_COUNT, 0.5), row * HIDDEN + FEATURE_COUNT);
    const feature = featureOf(word);
    if (feature) table[row * HIDDEN + feature[0]] = feature[1];
  });
  return table;
}

/**
 * Identity on the feature units and a random mix of the rest, with no cross terms, so the
 * projection keeps each feature on its own unit.
 */
function projection(seed: number): { weight: Float32Array; bias: Float32Array } {
  const random = seededRandom(seed);
  const weight = new Float32Array(HIDDEN * HIDDEN);
  const bias = new Float32Array(HIDDEN);
  for (let row = 0; row < HIDDEN; row++) {
    for (let col = 0; col < HIDDEN; col++) {
      const inFeatures = row < FEATURE_COUNT || col < FEATURE_COUNT;
      if (!inFeatures) weight[row * HIDDEN + col] = random.normal() / Math.sqrt(HIDDEN - FEATURE_COUNT);
      else if (row === col) weight[row * HIDDEN + col] = 1;
    }
    if (row >= FEATURE_COUNT) bias[row] = random.normal() * 0.1;
  }
  return { weight, bias };
}

function segmentEmbeddings(seed: number): Float32Array {
  const random = seededRandom(seed);
  const table = new Float32Array(2 * HIDDEN);
  for (let row = 0; row < 2; row++)
    table.set(normalArray(random, HIDDEN - FEATURE_COUNT, 0.1), row * HIDDEN + FEATURE_COUNT);
  return table;
}

export function buildEncoder(vocab: string[], seed: number): EncoderGraph {
  const dense = projection(seed + 1);
  const tokenInput = (name: string) => valueInfo(name, INT64, ['batch', 'sequence']);
  return {
    inputs: [tokenInput('input_ids'), tokenInput('attention_mask'), tokenInput('token_type_ids')],
    initializers: [
      floatTensor('embeddings.word', [vocab.length, HIDDEN], wordEmbeddings(vocab, seed)),
      floatTensor('embeddings.token_type', [2, HIDDEN], segmentEmbeddings(seed + 2)),
      floatTensor('encoder.dense.weight', [HIDDEN, HIDDEN], dense.weight),
      floatTensor('encoder.dense.bias', [HIDDEN], dense.bias),
      int64Tensor('axes.last', [2]),
      int64Tensor('axes.sequence', [1]),
      floatTensor('one', [1], Float32Array.of(1)),
    ],
    nodes: [
      node('Gather', ['embeddings.word', 'input_ids'], ['word_embeds'], { axis: 0 }),
      node('Gather', ['embeddings.token_type', 'token_type_ids'], ['segment_embeds'], { axis: 0 }),
      node('Add', ['word_embeds', 'segment_embeds'], ['embeds']),
      node('MatMul', ['embeds', 'encoder.dense.weight'], ['dense.matmul']),
      node('Add', ['dense.matmul', 'encoder.dense.bias'], ['dense.out']),
      node('Tanh', ['dense.out'], ['hidden']),
      node('Cast', ['attention_mask'], [MASK], { to: FLOAT }),
      node('Unsqueeze', [MASK, 'axes.last'], ['mask_3d']),
      // Zeroing padded positions keeps them out of every pooled head.
      node('Mul', ['hidden', 'mask_3d'], [LAST_HIDDEN_STATE]),
    ],
  };
}

/**
 * Mean of last_hidden_state over the positions where `weights` [batch, seq] is 1, giving
 * `output` [batch, HIDDEN]. The count is floored at 1 so an empty segment gives zeros, not NaN.
 */
export function maskedMean(weights: string, output: string): Node[] {
  const p = `${output}.`;
  return [
    node('Unsqueeze', [weights, 'axes.last'], [`${p}weights_3d`]),
    node('Mul', [LAST_HIDDEN_STATE, `${p}weights_3d`], [`${p}weighted`]),
    node('ReduceSum', [`${p}weighted`, 'axes.sequence'], [`${p}sum`], { keepdims: 0 }),
    node('ReduceSum', [weights, 'axes.sequence'], [`${p}count`], { keepdims: 1 }),
    node('Max', [`${p}count`, 'one'], [`${p}count_safe`]),
    node('Div', [`${p}sum`, `${p}count_safe`], [output]),
  ];
}
