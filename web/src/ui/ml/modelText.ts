/** How the registry table words a model: its signature, where it came from and its size. */
import type { ModelSource } from '../../ml/modelRecords.ts';
import { describeTensorSpec, type ModelSignature } from '../../ml/signature.ts';

/** `input: float32[batch,4] → logits: float32[batch,3]` */
export function describeSignature(signature: ModelSignature): string {
  const side = (specs: ModelSignature['inputs']) => specs.map(describeTensorSpec).join(', ') || '(none)';
  return `${side(signature.inputs)} → ${side(signature.outputs)}`;
}

export function describeSource(source: ModelSource): string {
  switch (source.type) {
    case 'url':
      return source.url;
    case 'file':
      return `file ${source.fileName}`;
    case 'sample':
      return `bundled ${source.sample}`;
    case 'trained':
      return `trained here: ${source.layers} layers, ${source.epochs} epochs`;
    case 'hub':
      return `Hugging Face ${source.model}`;
  }
}

/** transformers.js keeps its own cache, so its models report 0 bytes: shown as a dash. */
export function formatBytes(bytes: number): string {
  if (bytes === 0) return '—';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
