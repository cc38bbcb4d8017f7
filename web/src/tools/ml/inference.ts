/**
 * `onnx_inference` and `tfjs_inference`: one contract for both runtimes. Named input tensors
 * `{ type, dims, data }` are checked against the registered model's signature in the Worker;
 * the result has the outputs, timings and the backend that actually ran.
 */
import { z } from 'zod';
import { defineTool, jsonResult } from '../../server/toolRegistry.ts';
import { requestedBackendSchema } from '../../ml/backends.ts';
import { tensorInputSchema } from '../../ml/tensors.ts';
import type { MlPackDependencies } from '../../ml/dependencies.ts';
import { explainingErrors } from '../../server/toolError.ts';
import { finiteOrNull } from './finite.ts';
import type { TensorOutput } from './outputs.ts';

export type { InferenceOutput } from './outputs.ts';

const RUNTIMES = {
  onnx: {
    title: 'Run an ONNX model',
    library: 'onnxruntime-web',
    models: "ONNX models (PyTorch models exported with torch.onnx.export), e.g. 'sample:mlp'",
    backends: "WebGPU, or WASM ('cpu' runs on WASM too)",
  },
  tfjs: {
    title: 'Run a TensorFlow.js model',
    library: 'TensorFlow.js',
    models: "tfjs Layers or graph models, e.g. 'sample:tfjs-blobs' or a model trained with train_model",
    backends: 'WebGPU, WASM or plain JS on the CPU',
  },
} as const;

export function createInferenceTool(kind: keyof typeof RUNTIMES, { ml, mlSettings }: MlPackDependencies) {
  const runtime = RUNTIMES[kind];
  return defineTool({
    name: `${kind}_inference`,
    title: runtime.title,
    description: `Runs ${runtime.models} from this tab's registry (bundled samples load on first use) with ${runtime.library} in a Web Worker on the user's own device: ${runtime.backends}. Inputs are named tensors { type, dims, data } checked against the model's signature (model_load returns it; a mismatch error shows it). Returns each output as { type, dims, data }, timings, and which backend ran.`,
    scopes: ['ml'],
    access: 'compute',
    input: z.strictObject({
      model: z.string().max(300).describe('Registry id from model_load, e.g. sample:mlp'),
      inputs: z.record(z.string().max(300), tensorInputSchema).describe('Input tensors by name'),
      backend: requestedBackendSchema,
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async (input) => {
      const reply = await explainingErrors(() => ml.infer(kind, input, mlSettings.read()));
      const outputs = Object.fromEntries(
        Object.entries(reply.outputs).map(([name, tensor]) => [name, jsonTensor(tensor)]),
      );
      return jsonResult({ ...reply, outputs });
    },
  });
}

/** A tensor as JSON carries it: a value that is not finite (NaN, ±Infinity) as null. */
function jsonTensor(tensor: TensorOutput): TensorOutput {
  if (tensor.data.every((value) => typeof value !== 'number' || Number.isFinite(value))) return tensor;
  return { ...tensor, data: tensor.data.map((value) => (typeof value === 'number' ? finiteOrNull(value) : value)) };
}
