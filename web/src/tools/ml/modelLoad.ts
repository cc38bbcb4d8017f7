/**
 * `model_load`: puts a model in the tab's registry from a URL, a bundled sample or the Hugging
 * Face hub, and returns its registry id and signature. Loading the same bytes again returns
 * the same id; the bytes stay in the browser, so later calls and reloads do not download again.
 */
import { z } from 'zod';
import { defineTool, jsonResult } from '../../host/registry.ts';
import { ToolError } from '../../host/toolError.ts';
import { PIPELINE_TASKS } from '../../workers/ml/pipelineSpec.ts';
import { MODEL_KINDS } from '../../workers/ml/registry.ts';
import { explainingMlErrors, type MlPackDependencies } from './deps.ts';

export function createModelLoadTool({ ml, mlSettings }: MlPackDependencies) {
  return defineTool({
    name: 'model_load',
    title: 'Load a model',
    description:
      "Loads a model into this browser tab's model registry and returns its id and signature (input/output names, dtypes, dims). Sources: a URL to an ONNX file (e.g. from torch.onnx.export) or a tfjs model.json, a bundled sample ('sample:mlp', 'sample:tfjs-blobs', 'sample:bert-embed', …), or a Hugging Face model id for transformers.js with its task. Use the id with onnx_inference, tfjs_inference or ml_pipeline.",
    scopes: ['ml'],
    access: 'compute',
    input: z.strictObject({
      url: z
        .string()
        .max(4096)
        .optional()
        .describe('URL of a .onnx file or a tfjs model.json (relative URLs are the tab origin)'),
      sample: z.string().max(200).optional().describe("A bundled sample, e.g. 'sample:mlp'"),
      hub: z
        .string()
        .max(200)
        .optional()
        .describe("A Hugging Face model id for transformers.js, e.g. 'Xenova/all-MiniLM-L6-v2'"),
      kind: z.enum(MODEL_KINDS).optional().describe("'onnx' or 'tfjs' when the URL does not end in .onnx / .json"),
      task: z.enum(PIPELINE_TASKS).optional().describe('The transformers.js task, with hub'),
      name: z.string().max(200).optional().describe('A name to show in the registry'),
    }),
    annotations: { readOnlyHint: false, openWorldHint: true },
    run: async (input) => {
      const given = [input.url, input.sample, input.hub].filter((value) => value !== undefined);
      if (given.length !== 1) {
        throw new ToolError(
          'Give exactly one of url, sample or hub. Bundled samples are listed in vial://models/registry.',
        );
      }
      const source =
        input.url !== undefined
          ? { url: input.url }
          : input.sample !== undefined
            ? { sample: input.sample }
            : { hub: input.hub! };
      const record = await explainingMlErrors(() =>
        ml.load({ source, kind: input.kind, task: input.task, name: input.name }, mlSettings.read()),
      );
      return jsonResult({ ...record, resource: 'vial://models/registry' });
    },
  });
}
