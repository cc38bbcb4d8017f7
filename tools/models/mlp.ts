/**
 * `mlp/model.onnx`: a 4 → 8 → 3 perceptron laid out as torch.onnx.export lays out
 * `nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))`.
 */
import { FLOAT, encodeModel, floatTensor, node, valueInfo } from './onnxGraph.ts';
import { normalArray, seededRandom } from './random.ts';

const INPUTS = 4;
const HIDDEN = 8;
const CLASSES = 3;

export function buildMlp(seed = 17): Uint8Array {
  const random = seededRandom(seed);
  return encodeModel({
    name: 'vial_sample_mlp',
    inputs: [valueInfo('input', FLOAT, ['batch', INPUTS])],
    outputs: [valueInfo('logits', FLOAT, ['batch', CLASSES])],
    initializers: [
      floatTensor('fc1.weight', [INPUTS, HIDDEN], normalArray(random, INPUTS * HIDDEN, 1 / Math.sqrt(INPUTS))),
      floatTensor('fc1.bias', [HIDDEN], normalArray(random, HIDDEN, 0.1)),
      // Stored [out, in] and used with transB, as exporters write nn.Linear.
      floatTensor('fc2.weight', [CLASSES, HIDDEN], normalArray(random, CLASSES * HIDDEN, 1 / Math.sqrt(HIDDEN))),
      floatTensor('fc2.bias', [CLASSES], normalArray(random, CLASSES, 0.1)),
    ],
    nodes: [
      node('MatMul', ['input', 'fc1.weight'], ['fc1.matmul']),
      node('Add', ['fc1.matmul', 'fc1.bias'], ['fc1.out']),
      node('Relu', ['fc1.out'], ['relu.out']),
      node('Gemm', ['relu.out', 'fc2.weight', 'fc2.bias'], ['logits'], { transB: 1 }),
    ],
  });
}
