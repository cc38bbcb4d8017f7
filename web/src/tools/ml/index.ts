import type { ToolPack } from '../../server/toolRegistry.ts';
import type { MlPackDependencies } from '../../ml/dependencies.ts';
import { createInferenceTool } from './inference.ts';
import { createModelLoadTool } from './modelLoad.ts';
import { createPipelineTool } from './pipeline.ts';
import { createModelRegistryResource, watchModels } from './registry.ts';
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
    resources: [createModelRegistryResource(deps)],
    watch: (changed) => watchModels(deps, changed),
  };
}
