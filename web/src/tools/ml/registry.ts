/** `vial://models/registry`: the models in this tab's registry and the bundled samples. */
import { jsonResource, type HostServices, type ResourceDefinition } from '../../server/toolRegistry.ts';
import type { MlPackDependencies } from '../../ml/dependencies.ts';

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
    read: async (uri) => jsonResource(uri, { models: await deps.ml.list(), samples: await deps.ml.samples() }),
  };
}

/** A model was loaded, trained or registered for a pipeline: the registry changed, for tokens with `ml`. */
export function modelsChanged(services: HostServices): void {
  services.changed?.({ kind: 'resource_updated', uri: REGISTRY_URI }, { scopes: ['ml'] });
}
