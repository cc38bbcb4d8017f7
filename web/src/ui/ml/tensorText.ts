/**
 * The run form's tensors as text: an example to start from for each input, the text the person
 * typed turned into the `{ data, dims }` the inference call takes, and a short preview of each
 * output. The Worker checks the result against the signature and says what is wrong.
 */
import type { TensorSpec } from '../../ml/signature.ts';
import type { TensorInput, TensorOutput } from '../../ml/tensors.ts';

/** Inputs larger than this start empty: a prefilled image would be unreadable. */
const EXAMPLE_LIMIT = 64;

/** A nested array of 0.5s (batch and other symbolic dims as 1), or '' when that would be large. */
export function exampleText(spec: TensorSpec): string {
  const dims = spec.dims.map((dim) => (typeof dim === 'number' ? dim : 1));
  if (dims.reduce((product, dim) => product * dim, 1) > EXAMPLE_LIMIT) return '';
  const value = spec.type === 'bool' ? true : spec.type.startsWith('float') ? 0.5 : 1;
  const nest = (depth: number): unknown =>
    depth === dims.length ? value : Array.from({ length: dims[depth]! }, () => nest(depth + 1));
  return JSON.stringify(nest(0));
}

/**
 * JSON text as an input: a nested array passes as it is (its shape is its dims); a flat list gets
 * the signature's dims, its first symbolic dim (the batch) taking whatever the values fill.
 */
export function parseTensorText(spec: TensorSpec, text: string): TensorInput {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`Input '${spec.name}' is not JSON (${(error as Error).message}). Write an array, e.g. [[1, 2]].`);
  }
  if (!Array.isArray(data)) throw new Error(`Input '${spec.name}' must be a JSON array, nested or flat.`);
  if (data.some(Array.isArray) || spec.dims.length <= 1) return { data };
  return { data, dims: flatDims(spec, data.length) };
}

function flatDims(spec: TensorSpec, count: number): number[] {
  const fixed = spec.dims.reduce<number>((product, dim) => (typeof dim === 'number' ? product * dim : product), 1);
  const free = spec.dims.findIndex((dim) => typeof dim === 'string');
  if (free === -1 || count % fixed !== 0) {
    const shape = spec.dims.join(',');
    throw new Error(
      `Input '${spec.name}' has ${count} values, which do not fill [${shape}]; give a multiple of ${fixed} or a nested array.`,
    );
  }
  return spec.dims.map((dim, index) => (index === free ? count / fixed : typeof dim === 'number' ? dim : 1));
}

/** Values a preview shows before it says how many more there are. */
const PREVIEW_VALUES = 12;

/** `float32[1,3]: 0.1234, -0.5, 2.000 …and 5 more` */
export function previewOutput(output: TensorOutput): string {
  const shown = output.data
    .slice(0, PREVIEW_VALUES)
    .map((value) => (typeof value === 'number' ? formatValue(value) : value));
  const more = output.data.length - shown.length;
  return `${output.type}[${output.dims.join(',')}]: ${shown.join(', ')}${more > 0 ? ` …and ${more} more` : ''}`;
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}
