import { jsonResource, type ToolPack } from '../../server/toolRegistry.ts';
import type { MlPackDependencies } from '../../ml/dependencies.ts';
import { createInferenceTool } from './inference.ts';
import { createModelLoadTool } from './modelLoad.ts';
import { createPipelineTool } from './pipeline.ts';
import { createTrainModelTool } from './train.ts';

export type { MlPackDependencies } from '../../ml/dependencies.ts';

/** Models on the user's GPU: the registry, ONNX and tfjs inference, training, transformers.js. */
export function createMlPack(deps: MlPackDependencies): ToolPack {
  return {
    name: 'ml',
    tools: [
      createModelLoadTool(deps),
      createInferenceTool('onnx', deps),
      createInferenceTool('tfjs', deps),
      createTrainModelTool(deps),
      createPipelineTool(deps),
    ],
    resources: [
      {
        name: 'model-registry',
        uri: 'vial://models/registry',
        title: 'Model registry',
        description:
          "The models in this tab's registry (id, kind, source, size, signature, created and last used) and the bundled samples model_load can load.",
        mimeType: 'application/json',
        scopes: ['ml'],
        read: async (uri) => jsonResource(uri, { models: await deps.ml.list(), samples: await deps.ml.samples() }),
      },
    ],
  };
}
