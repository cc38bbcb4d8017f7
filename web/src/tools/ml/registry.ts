/** `vial://models/registry`: the models in this tab's registry and the bundled samples. */
import { jsonResource, type PublishChange, type ResourceDefinition } from '../../server/toolRegistry.ts';
import type { MlPackDependencies } from '../../ml/dependencies.ts';
import type { ModelRegistry } from './outputs.ts';

export type { ModelRegistry } from './outputs.ts';

const REGISTRY_URI = 'vial://models/registry';

export function createModelRegistryResource(deps: MlPackDependencies): ResourceDefinition {
  return {
    name: 'model-registry',
    uri: REGISTRY_URI,
    title: 'Model registry',
    description:
      "The models in this tab's registry (id, kind, source, size, signature, created and last used) and the bundled samples model_load can load.",
    mimeType: 'application/json',
    scopes: ['ml'],
    read: async (uri) => {
      const registry: ModelRegistry = { models: await deps.ml.list(), samples: await deps.ml.samples() };
      return jsonResource(uri, registry);
    },
  };
}

/**
 * Each change of the engine's registry (a model loaded, trained, registered for a pipeline or
 * removed; by a client or in the Models view) updates the registry resource, for tokens with `ml`.
 * An engine that does not say when it changes (a Node host's) publishes nothing.
 */
export function watchModels(deps: MlPackDependencies, changed: PublishChange): () => void {
  return (
    deps.ml.onChange?.(() => changed({ kind: 'resource_updated', uri: REGISTRY_URI }, { scopes: ['ml'] })) ??
    (() => undefined)
  );
}
