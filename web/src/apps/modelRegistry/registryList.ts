/**
 * What the model registry app works out: the registry from the resource's text (its own
 * schema), and the models a search matches, most recently used first.
 */
import type { ModelRecord } from '../../ml/modelRecords.ts';
import { modelRegistry, type ModelRegistry } from '../../tools/ml/outputs.ts';
import { describeSource } from '../../ui/ml/modelText.ts';

/** `vial://models/registry`, as the ML pack publishes it. */
export const REGISTRY_URI = 'vial://models/registry';

/** The registry from the resource's JSON text, or why it could not be read. */
export function readRegistry(text: string | undefined): { registry: ModelRegistry } | { error: string } {
  if (text === undefined)
    return { error: `The host could not read ${REGISTRY_URI} (does the token have the ml scope?).` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { error: `${REGISTRY_URI} is not JSON.` };
  }
  const parsed = modelRegistry.safeParse(json);
  return parsed.success
    ? { registry: parsed.data }
    : { error: `${REGISTRY_URI} is not what this app reads: ${parsed.error.message.slice(0, 300)}` };
}

/**
 * The models whose name, id, kind, task or source contain every word of `query` (any case),
 * most recently used first.
 */
export function matchingModels(models: readonly ModelRecord[], query: string): ModelRecord[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return models
    .filter((model) => {
      const text = [model.name, model.id, model.kind, model.task ?? '', describeSource(model.source)]
        .join(' ')
        .toLowerCase();
      return words.every((word) => text.includes(word));
    })
    .sort((a, b) => b.lastUsedAt - a.lastUsedAt);
}
