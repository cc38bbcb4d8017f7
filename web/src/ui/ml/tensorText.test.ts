import { describe, expect, it } from 'vitest';
import { exampleText, parseTensorText, previewOutput } from './tensorText.ts';

const BATCH_BY_4 = { name: 'input', type: 'float32', dims: ['batch', 4] };

describe('exampleText', () => {
  it('fills one example of the batch with 0.5s', () => {
    expect(exampleText(BATCH_BY_4)).toBe('[[0.5,0.5,0.5,0.5]]');
  });

  it('uses 1 for integers and leaves large inputs empty', () => {
    expect(exampleText({ name: 'ids', type: 'int64', dims: [2] })).toBe('[1,1]');
    expect(exampleText({ name: 'image', type: 'float32', dims: [1, 3, 224, 224] })).toBe('');
  });
});

describe('parseTensorText', () => {
  it('passes a nested array as it is', () => {
    expect(parseTensorText(BATCH_BY_4, '[[1,2,3,4]]')).toEqual({ data: [[1, 2, 3, 4]] });
  });

  it('gives a flat list the signature dims with the batch the values fill', () => {
    expect(parseTensorText(BATCH_BY_4, '[1,2,3,4,5,6,7,8]')).toEqual({ data: [1, 2, 3, 4, 5, 6, 7, 8], dims: [2, 4] });
  });

  it('says what is wrong with text that is not an array or does not fill the dims', () => {
    expect(() => parseTensorText(BATCH_BY_4, '[1,')).toThrow(/Input 'input' is not JSON/);
    expect(() => parseTensorText(BATCH_BY_4, '{"a":1}')).toThrow(/must be a JSON array/);
    expect(() => parseTensorText(BATCH_BY_4, '[1,2,3]')).toThrow(
      /3 values, which do not fill \[batch,4\]; give a multiple of 4/,
    );
  });
});

describe('previewOutput', () => {
  it('shows the type, dims and the first values', () => {
    expect(previewOutput({ type: 'float32', dims: [1, 3], data: [0.123456, -2, 3] })).toBe(
      'float32[1,3]: 0.1235, -2, 3',
    );
    const many = { type: 'int64', dims: [20], data: Array.from({ length: 20 }, (_, index) => index) };
    expect(previewOutput(many)).toMatch(/^int64\[20\]: 0, 1, .*, 11 …and 8 more$/);
  });
});
