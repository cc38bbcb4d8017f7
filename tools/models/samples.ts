/** `samples.json`: what the app lists as bundled sample models. Paths are relative to /models/. */
import { jsonFile } from './outputFile.ts';
import type { OutputFile } from './outputFile.ts';

export interface SampleEntry {
  id: string;
  kind: 'onnx' | 'tfjs' | 'transformers';
  path: string;
  title: string;
  description: string;
  task?: string;
}

export const SAMPLES: SampleEntry[] = [
  {
    id: 'sample:mlp',
    kind: 'onnx',
    path: 'mlp/model.onnx',
    title: 'Tiny MLP (ONNX)',
    description: 'Random-weight 4 → 8 → 3 perceptron; input "input" float32 [batch, 4], output "logits" [batch, 3].',
  },
  {
    id: 'sample:tfjs-blobs',
    kind: 'tfjs',
    path: 'tfjs-blobs/model.json',
    title: 'Blobs classifier (tfjs)',
    description: 'Dense 2 → 16 → 3 softmax trained on data/blobs.csv (three 2-D clusters); input [batch, 2].',
  },
  {
    id: 'sample:bert-embed',
    kind: 'transformers',
    path: 'vial-samples/bert-embed',
    title: 'Tiny text embedder',
    description: 'BERT-shaped toy encoder; 32-dim vectors with mean pooling. Not semantically meaningful.',
    task: 'feature-extraction',
  },
  {
    id: 'sample:bert-sentiment',
    kind: 'transformers',
    path: 'vial-samples/bert-sentiment',
    title: 'Toy sentiment classifier',
    description: 'POSITIVE / NEGATIVE from a hand-set word list (good, great, love … bad, awful, hate).',
    task: 'text-classification',
  },
  {
    id: 'sample:bert-nli',
    kind: 'transformers',
    path: 'vial-samples/bert-nli',
    title: 'Toy NLI model for zero-shot',
    description: 'Entailment when premise and hypothesis share sentiment; try labels "positive" and "negative".',
    task: 'zero-shot-classification',
  },
  {
    id: 'sample:bert-ner',
    kind: 'transformers',
    path: 'vial-samples/bert-ner',
    title: 'Toy named-entity tagger',
    description: 'Tags a few names (alice, bob, …) as PER and cities (paris, london, …) as LOC.',
    task: 'token-classification',
  },
];

export const samplesManifest = (): OutputFile => jsonFile('samples.json', SAMPLES);
