/**
 * `ml_pipeline`: transformers.js tasks by model id: embeddings, text classification,
 * zero-shot classification and token classification, on WebGPU or WASM in the ML Worker.
 */
import { z } from 'zod';
import { defineTool, jsonResult } from '../../server/toolRegistry.ts';
import { requestedBackendSchema } from '../../ml/backends.ts';
import { HUB_MODEL_ID_RULE, isHubModelId, PIPELINE_TASKS, pipelineOptionsSchema } from '../../ml/pipelineSpec.ts';
import type { MlPackDependencies } from '../../ml/dependencies.ts';
import { explainingErrors } from '../../server/toolError.ts';
import { HUGGING_FACE_HUB } from '../../ml/fetchGuard.ts';

export type { PipelineOutput } from './outputs.ts';

/**
 * Whether running `model` may download from the hub: a hub id (`owner/name`, or a registry id
 * `hf:owner/name`) with remote models on. Samples never leave the tab.
 */
function mayUseHub(model: string, allowRemoteModels: boolean): boolean {
  return allowRemoteModels && isHubModelId(model.replace(/^hf:/, ''));
}

export function createPipelineTool({ ml, mlSettings, fetchGuard }: MlPackDependencies) {
  return defineTool({
    name: 'ml_pipeline',
    title: 'Run a transformers.js pipeline',
    description:
      "Runs a Hugging Face transformers.js pipeline in the user's browser: feature-extraction (embeddings, mean/cls pooling, normalised), text-classification, zero-shot-classification (options.candidate_labels) or token-classification (named entities). model is a Hugging Face id (e.g. 'Xenova/all-MiniLM-L6-v2'; fetched from the hub unless the tab has it under /models/) or a bundled sample ('sample:bert-embed', 'sample:bert-sentiment', 'sample:bert-nli', 'sample:bert-ner'). Returns one result per input, timings and the backend that ran.",
    scopes: ['ml'],
    access: 'compute',
    input: z.strictObject({
      task: z.enum(PIPELINE_TASKS),
      model: z
        .string()
        .min(1)
        .max(300)
        .refine((model) => isHubModelId(model) || /^[a-z]+:[\w.-]/.test(model), {
          message: `model is a bundled sample ('sample:bert-embed'), a registry id ('hf:owner/name') or a Hugging Face model id; ${HUB_MODEL_ID_RULE}`,
        }),
      inputs: z
        .union([z.string().max(100_000), z.array(z.string().max(100_000)).min(1).max(256)])
        .describe('A text or a list of texts'),
      options: pipelineOptionsSchema,
      backend: requestedBackendSchema,
      dtype: z
        .enum(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4'])
        .default('fp32')
        .describe("Which of the model's ONNX weight files to use"),
    }),
    annotations: { readOnlyHint: true, openWorldHint: true },
    run: async (input, { client, signal }) => {
      const inputs = typeof input.inputs === 'string' ? [input.inputs] : input.inputs;
      const settings = mlSettings.read();
      if (mayUseHub(input.model, settings.allowRemoteModels)) {
        await fetchGuard.admitOrigin(HUGGING_FACE_HUB, { client, tool: 'ml_pipeline', what: 'hub models', signal });
      }
      const reply = await explainingErrors(() => ml.pipeline({ ...input, inputs }, settings));
      // The Worker's output is transformers.js's: checked here against the task's shape, so a
      // library that changed its answer fails with what differs rather than reaching clients.
      // The schemas load with the first call, not with the tab's first paint.
      const { pipelineTaskOutputs } = await import('./outputs.ts');
      return jsonResult({ ...reply, output: pipelineTaskOutputs[input.task].parse(reply.output) });
    },
  });
}
