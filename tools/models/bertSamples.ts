/**
 * `vial-samples/bert-*`: four tiny BERT-shaped models for transformers.js pipelines, sharing one
 * encoder and tokenizer and differing in their heads. Head weights are hand-set on the encoder's
 * feature units (see bertEncoder.ts) so each pipeline gives answers a test can check.
 */
import { FEATURE, HIDDEN, LAST_HIDDEN_STATE, MASK, buildEncoder, maskedMean } from './bertEncoder.ts';
import { FLOAT, encodeModel, floatTensor, node, valueInfo } from './onnxGraph.ts';
import type { Node, Tensor, ValueInfo } from './onnxGraph.ts';
import { jsonFile } from './outputFile.ts';
import type { OutputFile } from './outputFile.ts';
import { buildVocab, tokenizerConfigJson, tokenizerJson } from './wordpiece.ts';

const ENCODER_SEED = 2024;

interface Head {
  nodes: Node[];
  initializers: Tensor[];
  outputs: ValueInfo[];
}

interface BertSample {
  name: string;
  architecture: string;
  labels?: string[];
  head: () => Head;
}

/** [feature unit, class index, weight]: the only non-zero entries of a head's weight matrix. */
type Weights = Array<[number, number, number]>;

/** `output = input · W + b`, with W [HIDDEN, classes] zero except for `weights`. */
function linear(input: string, output: string, weights: Weights, bias: number[]): Omit<Head, 'outputs'> {
  const classes = bias.length;
  const matrix = new Float32Array(HIDDEN * classes);
  for (const [unit, cls, value] of weights) matrix[unit * classes + cls] = value;
  return {
    nodes: [
      node('MatMul', [input, 'classifier.weight'], ['classifier.matmul']),
      node('Add', ['classifier.matmul', 'classifier.bias'], [output]),
    ],
    initializers: [
      floatTensor('classifier.weight', [HIDDEN, classes], matrix),
      floatTensor('classifier.bias', [classes], Float32Array.from(bias)),
    ],
  };
}

const logits = (...dims: Array<number | string>) => [valueInfo('logits', FLOAT, ['batch', ...dims])];

/** Mean-pooled sentiment unit: positive words push POSITIVE, negative words NEGATIVE. */
function sentimentHead(): Head {
  const pool = maskedMean(MASK, 'pooled');
  const weights: Weights = [
    [FEATURE.sentiment, 0, -6],
    [FEATURE.sentiment, 1, 6],
  ];
  const classify = linear('pooled', 'logits', weights, [0, 0]);
  return { nodes: [...pool, ...classify.nodes], initializers: classify.initializers, outputs: logits(2) };
}

/** Per token: O by default (bias 1), B-PER / B-LOC when the person / place unit is on; I-* never lead. */
function nerHead(): Head {
  const weights: Weights = [
    [FEATURE.person, 1, 4],
    [FEATURE.person, 2, 1.5],
    [FEATURE.place, 3, 4],
    [FEATURE.place, 4, 1.5],
  ];
  const classify = linear(LAST_HIDDEN_STATE, 'logits', weights, [1, 0, -0.5, 0, -0.5]);
  return { ...classify, outputs: logits('sequence', 5) };
}

/**
 * Premise and hypothesis (token_type 0 and 1) are pooled apart; their sentiment units multiplied
 * say whether they agree. Agreement → entailment, disagreement → contradiction, so zero-shot
 * with labels like "positive" / "negative" follows the premise's sentiment.
 */
function nliHead(): Head {
  const nodes = [
    node('Cast', ['token_type_ids'], ['segment_float'], { to: FLOAT }),
    node('Mul', [MASK, 'segment_float'], ['hypothesis_mask']),
    node('Sub', [MASK, 'hypothesis_mask'], ['premise_mask']),
    ...maskedMean('premise_mask', 'premise'),
    ...maskedMean('hypothesis_mask', 'hypothesis'),
    node('Mul', ['premise', 'hypothesis'], ['agreement']),
  ];
  // Pooled units are small (one feature word among several tokens), hence the large weights.
  const weights: Weights = [
    [FEATURE.sentiment, 0, -40],
    [FEATURE.sentiment, 2, 40],
  ];
  const classify = linear('agreement', 'logits', weights, [0, 0, 0]);
  return { nodes: [...nodes, ...classify.nodes], initializers: classify.initializers, outputs: logits(3) };
}

const featureHead = (): Head => ({
  nodes: [],
  initializers: [],
  outputs: [valueInfo(LAST_HIDDEN_STATE, FLOAT, ['batch', 'sequence', HIDDEN])],
});

export const BERT_SAMPLES: BertSample[] = [
  { name: 'bert-embed', architecture: 'BertModel', head: featureHead },
  {
    name: 'bert-sentiment',
    architecture: 'BertForSequenceClassification',
    labels: ['NEGATIVE', 'POSITIVE'],
    head: sentimentHead,
  },
  {
    name: 'bert-nli',
    architecture: 'BertForSequenceClassification',
    labels: ['contradiction', 'neutral', 'entailment'],
    head: nliHead,
  },
  {
    name: 'bert-ner',
    architecture: 'BertForTokenClassification',
    labels: ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC'],
    head: nerHead,
  },
];

function configJson(sample: BertSample, vocabSize: number): object {
  const labels = sample.labels
    ? {
        id2label: Object.fromEntries(sample.labels.map((label, id) => [String(id), label])),
        label2id: Object.fromEntries(sample.labels.map((label, id) => [label, id])),
      }
    : {};
  return {
    model_type: 'bert',
    architectures: [sample.architecture],
    hidden_size: HIDDEN,
    vocab_size: vocabSize,
    type_vocab_size: 2,
    ...labels,
  };
}

/** Files for every sample under `vial-samples/<name>/`. */
export function buildBertSamples(): OutputFile[] {
  const vocab = buildVocab();
  const encoder = buildEncoder(vocab, ENCODER_SEED);
  return BERT_SAMPLES.flatMap((sample) => {
    const dir = `vial-samples/${sample.name}`;
    const head = sample.head();
    const onnx = encodeModel({
      name: `vial_sample_${sample.name.replace('-', '_')}`,
      inputs: encoder.inputs,
      outputs: head.outputs,
      nodes: [...encoder.nodes, ...head.nodes],
      initializers: [...encoder.initializers, ...head.initializers],
    });
    return [
      jsonFile(`${dir}/config.json`, configJson(sample, vocab.length)),
      jsonFile(`${dir}/tokenizer.json`, tokenizerJson(vocab)),
      jsonFile(`${dir}/tokenizer_config.json`, tokenizerConfigJson()),
      { path: `${dir}/onnx/model.onnx`, data: onnx },
      // transformers.js asks for this name under its default wasm dtype (q8); the float model serves.
      { path: `${dir}/onnx/model_quantized.onnx`, data: onnx },
    ];
  });
}
