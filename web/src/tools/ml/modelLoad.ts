/**
 * `model_load`: puts a model in the tab's registry from a URL, a bundled sample or the Hugging
 * Face hub, and returns its registry id and signature. Loading the same bytes again returns
 * the same id; the bytes stay in the browser, so later calls and reloads do not download again.
 * A URL, and the hub, pass the fetch guard first (`fetchGuard.ts`: what a client may make the tab fetch).
 */
import { z } from 'zod';
import { defineTool, jsonResult } from '../../server/toolRegistry.ts';
import { ToolError } from '../../server/toolError.ts';
import { hubModelIdSchema, PIPELINE_TASKS } from '../../ml/pipelineSpec.ts';
import { MODEL_KINDS } from '../../ml/modelKinds.ts';
import type { LoadSource } from '../../ml/mlService.ts';
import type { MlPackDependencies } from '../../ml/dependencies.ts';
import { explainingErrors } from '../../server/toolError.ts';
import { HUGGING_FACE_HUB } from '../../ml/fetchGuard.ts';

export type { ModelLoadOutput } from './outputs.ts';

export function createModelLoadTool({ ml, mlSettings, fetchGuard }: MlPackDependencies) {
  return defineTool({
    name: 'model_load',
    title: 'Load a model',
    description:
      "Loads a model into this browser tab's model registry and returns its id and signature (input/output names, dtypes, dims). Sources: a URL to an ONNX file (e.g. from torch.onnx.export) or a tfjs model.json, a bundled sample ('sample:mlp', 'sample:tfjs-blobs', 'sample:bert-embed', …), or a Hugging Face model id for transformers.js with its task. Use the id with onnx_inference, tfjs_inference or ml_pipeline. The first fetch from a new origin waits for the person at the tab to approve it; local-network addresses are refused unless they allowed them in Settings; redirects are not followed (give the file's final URL) and tfjs weight files must sit on model.json's origin.",
    scopes: ['ml'],
    access: 'compute',
    input: z.strictObject({
      url: z
        .string()
        .max(4096)
        .optional()
        .describe('URL of a .onnx file or a tfjs model.json (relative URLs are the tab origin)'),
      sample: z.string().max(200).optional().describe("A bundled sample, e.g. 'sample:mlp'"),
      hub: hubModelIdSchema
        .optional()
        .describe("A Hugging Face model id for transformers.js, e.g. 'Xenova/all-MiniLM-L6-v2'"),
      kind: z.enum(MODEL_KINDS).optional().describe("'onnx' or 'tfjs' when the URL does not end in .onnx / .json"),
      task: z.enum(PIPELINE_TASKS).optional().describe('The transformers.js task, with hub'),
      name: z.string().max(200).optional().describe('A name to show in the registry'),
    }),
    annotations: { readOnlyHint: false, openWorldHint: true },
    run: async (input, { client, signal }) => {
      const given = [input.url, input.sample, input.hub].filter((value) => value !== undefined);
      if (given.length !== 1) {
        throw new ToolError(
          'Give exactly one of url, sample or hub. Bundled samples are listed in vial://models/registry.',
        );
      }
      const settings = mlSettings.read();
      const call = { client, tool: 'model_load', what: 'a model', signal };
      let source: LoadSource;
      if (input.url !== undefined) {
        source = { url: (await fetchGuard.admitUrl(input.url, call)).href };
      } else if (input.sample !== undefined) {
        source = { sample: input.sample };
      } else {
        // Off, transformers.js looks in the tab's /models/ only and fetches nothing remote.
        if (settings.allowRemoteModels) await fetchGuard.admitOrigin(HUGGING_FACE_HUB, { ...call, what: 'hub models' });
        source = { hub: input.hub! };
      }
      const record = await explainingErrors(() =>
        ml.load({ source, kind: input.kind, task: input.task, name: input.name }, settings),
      );
      return jsonResult({ ...record, resource: 'vial://models/registry' as const });
    },
  });
}
