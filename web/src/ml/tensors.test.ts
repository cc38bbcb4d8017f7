import { describe, expect, it } from 'vitest';
import type { ModelSignature } from './signature.ts';
import { checkInputs, toOutput } from './tensors.ts';

const SIGNATURE: ModelSignature = {
  inputs: [
    { name: 'input_ids', type: 'int64', dims: ['batch', 'sequence'] },
    { name: 'scale', type: 'float32', dims: [1] },
  ],
  outputs: [{ name: 'logits', type: 'float32', dims: ['batch', 2] }],
};

describe('checkInputs', () => {
  it('converts flat and nested data to typed arrays in signature order, types defaulting to the model', () => {
    const [ids, scale] = checkInputs(SIGNATURE, {
      scale: { data: [0.5] },
      input_ids: { data: [[1, 2, '9007199254740993']] },
    });
    expect(ids).toEqual({
      name: 'input_ids',
      type: 'int64',
      dims: [1, 3],
      data: BigInt64Array.from([1n, 2n, 9007199254740993n]),
    });
    expect(scale).toEqual({ name: 'scale', type: 'float32', dims: [1], data: Float32Array.from([0.5]) });
  });

  it.each([
    [
      { input_ids: { data: [[1]] } },
      "Input 'scale' is missing. Expected inputs: input_ids: int64[batch,sequence]; scale: float32[1]",
    ],
    [{ input_ids: { data: [[1]] }, scale: { data: [1, 2] } }, "Input 'scale' has shape [2] but the model expects [1]"],
    [
      { input_ids: { data: [[1], [2, 3]] }, scale: { data: [1] } },
      "Input 'input_ids' is ragged: data[1] should be an array of 1",
    ],
    [{ input_ids: { data: [[1.5]] }, scale: { data: [1] } }, "Input 'input_ids' value 0 is 1.5, not a number"],
    [
      { input_ids: { dims: [1, 2], data: [1, 2, 3] }, scale: { data: [1] } },
      "Input 'input_ids' has dims [1,2] (2 values) but 3 values in data.",
    ],
    [
      { input_ids: { dims: [1, 2], data: [[1, 2]] }, scale: { data: [null] } },
      "Input 'scale' value 0 is null, not a number.",
    ],
    [
      { input_ids: { data: [[1]] }, scale: { type: 'float64', data: [1] } },
      "Input 'scale' is float64 but the model expects scale: float32[1]. Send type 'float32'.",
    ],
  ])('refuses %j: %s', (inputs, message) => {
    expect(() => checkInputs(SIGNATURE, inputs as never)).toThrow(message);
  });

  it('refuses fractions for integer types and accepts NaN spelled as a string for floats', () => {
    const signature: ModelSignature = { inputs: [{ name: 'x', type: 'int32', dims: [] }], outputs: [] };
    expect(() => checkInputs(signature, { x: { data: [1.25] } })).toThrow("Input 'x' is int32 but holds a fraction");
    const floats: ModelSignature = { inputs: [{ name: 'x', type: 'float32', dims: [2] }], outputs: [] };
    expect(checkInputs(floats, { x: { data: ['NaN', 1] } })[0]!.data).toEqual(Float32Array.from([NaN, 1]));
  });
});

describe('toOutput', () => {
  it('keeps int64 values beyond 2^53 exact as strings', () => {
    expect(toOutput('int64', [2], BigInt64Array.from([3n, 2n ** 60n]))).toEqual({
      type: 'int64',
      dims: [2],
      data: [3, '1152921504606846976'],
    });
  });
});
