/**
 * What a model takes and gives: named tensors with a dtype and dims. A string dim is symbolic
 * (any size, e.g. the batch); a number is fixed. Inference checks every call against it, and a
 * refused call shows it, so the client can fix its arguments without guessing.
 */
import { z } from 'zod';

export const TENSOR_TYPES = [
  'float32',
  'float64',
  'int32',
  'int64',
  'int16',
  'int8',
  'uint8',
  'uint16',
  'uint32',
  'bool',
] as const;
export type TensorType = (typeof TENSOR_TYPES)[number];

export const tensorSpecSchema = z.object({
  name: z.string(),
  /** A tensor dtype, or what a non-tensor value is (e.g. `string` for a pipeline's text). */
  type: z.string(),
  dims: z.array(z.union([z.number().int(), z.string()])),
});
export type TensorSpec = z.infer<typeof tensorSpecSchema>;

export const modelSignatureSchema = z.object({
  inputs: z.array(tensorSpecSchema),
  outputs: z.array(tensorSpecSchema),
});
export type ModelSignature = z.infer<typeof modelSignatureSchema>;

/** `input: float32[batch,4]` */
export function describeTensorSpec(spec: TensorSpec): string {
  return `${spec.name}: ${spec.type}[${spec.dims.join(',')}]`;
}

/** One line per input, for error messages: "Expected inputs: input: float32[batch,4]". */
export function describeInputs(signature: ModelSignature): string {
  return `Expected inputs: ${signature.inputs.map(describeTensorSpec).join('; ') || '(none)'}`;
}
