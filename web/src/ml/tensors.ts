/**
 * Tensors as they travel: `{ type, dims, data }` from MCP clients, checked against the model's
 * signature and turned into typed arrays for the runtimes; outputs turned back into plain JSON.
 * Every refusal names the input, what was wrong and what the model expects.
 */
import { z } from 'zod';
import { describeInputs, describeTensorSpec, TENSOR_TYPES, type ModelSignature, type TensorType } from './signature.ts';
import { MlError } from './errors.ts';

/** An input as a client sends it. `data` may be flat (with `dims`) or nested (dims inferred). */
export const tensorInputSchema = z.object({
  type: z.enum(TENSOR_TYPES).optional().describe("dtype, e.g. 'float32'; defaults to what the model expects"),
  dims: z
    .array(z.number().int().min(0))
    .max(8)
    .optional()
    .describe('Shape, e.g. [1, 4]; optional when data is a nested array'),
  data: z.array(z.unknown()).describe('Values, flat in row-major order or nested by dimension'),
});
export type TensorInput = z.infer<typeof tensorInputSchema>;

export type TypedData =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint16Array
  | Uint32Array;

export interface CheckedTensor {
  name: string;
  type: TensorType;
  dims: number[];
  data: TypedData;
}

/** A tensor as results carry it: numbers (int64 beyond 2^53 as strings, so nothing is rounded). */
export interface TensorOutput {
  type: string;
  dims: number[];
  data: Array<number | string>;
}

/** Most elements one input may carry; far beyond any sample, well below what fits in memory. */
export const MAX_TENSOR_ELEMENTS = 16_000_000;

/** Checks each input against the signature and converts it; throws an `MlError` saying what to fix. */
export function checkInputs(signature: ModelSignature, inputs: Record<string, TensorInput>): CheckedTensor[] {
  const expected = new Map(signature.inputs.map((spec) => [spec.name, spec]));
  for (const name of Object.keys(inputs)) {
    if (!expected.has(name)) throw new MlError(`The model has no input '${name}'. ${describeInputs(signature)}`);
  }
  return signature.inputs.map((spec) => {
    const input = inputs[spec.name];
    if (!input) throw new MlError(`Input '${spec.name}' is missing. ${describeInputs(signature)}`);
    const expectedType = spec.type as TensorType;
    const type = input.type ?? expectedType;
    if (type !== expectedType) {
      throw new MlError(
        `Input '${spec.name}' is ${type} but the model expects ${describeTensorSpec(spec)}. Send type '${expectedType}'.`,
      );
    }
    const { values, shape } = flatten(spec.name, input.data);
    const dims = input.dims ?? shape;
    if (input.dims && shape.length > 1 && !sameDims(shape, input.dims)) {
      throw new MlError(
        `Input '${spec.name}' has nested data of shape [${shape.join(',')}] but dims [${input.dims.join(',')}].`,
      );
    }
    checkDims(spec.name, dims, spec.dims, signature);
    const count = dims.reduce((product, dim) => product * dim, 1);
    if (count !== values.length) {
      throw new MlError(
        `Input '${spec.name}' has dims [${dims.join(',')}] (${count} values) but ${values.length} values in data.`,
      );
    }
    return { name: spec.name, type, dims, data: toTyped(spec.name, type, values) };
  });
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, axis) => dim === b[axis]);
}

function checkDims(
  name: string,
  dims: number[],
  expected: ReadonlyArray<number | string>,
  signature: ModelSignature,
): void {
  // An empty expected shape means the model does not declare one.
  if (expected.length === 0) return;
  const wrong =
    dims.length !== expected.length ||
    dims.some((dim, axis) => typeof expected[axis] === 'number' && expected[axis] >= 0 && expected[axis] !== dim);
  if (wrong) {
    throw new MlError(
      `Input '${name}' has shape [${dims.join(',')}] but the model expects [${expected.join(',')}] (named dims take any size). ${describeInputs(signature)}`,
    );
  }
}

/** Flattens nested arrays row-major, checking they are rectangular and hold only scalars. */
function flatten(name: string, data: unknown[]): { values: unknown[]; shape: number[] } {
  const shape: number[] = [];
  let level: unknown[] = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0] as unknown[];
  }
  const values: unknown[] = [];
  const walk = (node: unknown, depth: number, path: string) => {
    if (depth === shape.length) {
      if (Array.isArray(node)) throw new MlError(`Input '${name}' is ragged: data${path} nests deeper than data[0…].`);
      values.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new MlError(`Input '${name}' is ragged: data${path} should be an array of ${shape[depth]} like data[0…].`);
    }
    if (values.length + node.length > MAX_TENSOR_ELEMENTS) {
      throw new MlError(`Input '${name}' has more than ${MAX_TENSOR_ELEMENTS.toLocaleString('en')} values.`);
    }
    node.forEach((child, index) => walk(child, depth + 1, `${path}[${index}]`));
  };
  walk(data, 0, '');
  return { values, shape };
}

function toTyped(name: string, type: TensorType, values: unknown[]): TypedData {
  const notNumber = (index: number, value: unknown) =>
    new MlError(
      `Input '${name}' value ${index} is ${JSON.stringify(value) ?? String(value)}, not a number. ${type} tensors take numbers${type === 'bool' ? ' or booleans' : ''} only.`,
    );
  if (type === 'int64') {
    return BigInt64Array.from(values, (value, index) => {
      if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
      throw notNumber(index, value);
    });
  }
  const numbers = values.map((value, index) => {
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'boolean' && type === 'bool') return value ? 1 : 0;
    // NaN and ±Infinity cannot travel in JSON; clients spell them as strings.
    if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return Number(value);
    throw notNumber(index, value);
  });
  if (type !== 'float32' && type !== 'float64' && numbers.some((value) => !Number.isInteger(value))) {
    throw new MlError(`Input '${name}' is ${type} but holds a fraction; round the values or send a float type.`);
  }
  return TYPED_ARRAYS[type].from(numbers);
}

const TYPED_ARRAYS = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int16: Int16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  bool: Uint8Array,
} as const;

/** A runtime's output as JSON. */
export function toOutput(
  type: string,
  dims: readonly number[],
  data: ArrayLike<number | bigint | boolean | string>,
): TensorOutput {
  return {
    type,
    dims: [...dims],
    data: Array.from(data, (value) => {
      if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
      if (typeof value === 'boolean') return value ? 1 : 0;
      return value;
    }),
  };
}
