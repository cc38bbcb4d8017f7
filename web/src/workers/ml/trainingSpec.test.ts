import { describe, expect, it } from 'vitest';
import { parseCsv } from './trainingData.ts';
import { parseLayers } from './trainingSpec.ts';

describe('parseLayers', () => {
  it('accepts the supported layers', () => {
    const layers = parseLayers([
      { type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 1] },
      { type: 'maxPooling2d', poolSize: 2 },
      { type: 'batchNormalization' },
      { type: 'flatten' },
      { type: 'dropout', rate: 0.2 },
      { type: 'dense', units: 2 },
      { type: 'activation', activation: 'softmax' },
    ]);
    expect(layers.map((layer) => layer.type)).toEqual([
      'conv2d',
      'maxPooling2d',
      'batchNormalization',
      'flatten',
      'dropout',
      'dense',
      'activation',
    ]);
  });

  it.each([
    [
      [{ type: 'lstm', units: 4, inputShape: [2] }],
      "Layer 1 has type 'lstm', which train_model does not support. Supported layers: dense, conv2d",
    ],
    [[{ type: 'dense', units: 4 }], 'Layer 1 (dense) needs inputShape'],
    [
      [
        { type: 'dense', units: 4, inputShape: [2] },
        { type: 'dense', units: 0 },
      ],
      'Layer 2 (dense) is misconfigured',
    ],
    [[{ type: 'dense', units: 4, inputShape: [2], kernel: 'x' }], 'Layer 1 (dense) is misconfigured'],
  ])('refuses %j', (layers, message) => {
    expect(() => parseLayers(layers)).toThrow(message);
  });
});

describe('parseCsv', () => {
  it('splits features from the named or last target column', () => {
    expect(parseCsv('a,b,label\n1,2,0\n3,4,1\n', undefined)).toEqual({
      x: [
        [1, 2],
        [3, 4],
      ],
      y: [[0], [1]],
    });
    expect(parseCsv('label,a\r\n1,5\r\n', 'label')).toEqual({ x: [[5]], y: [[1]] });
  });

  it.each([
    ['a,b\n1,x\n', undefined, "CSV row 2, column 'b' is 'x', not a number"],
    ['a,b\n1\n', undefined, 'CSV row 2 has 1 cells but the header has 2'],
    ['a,b\n1,2\n', 'c', "The CSV has no column 'c'. Its columns: a, b."],
    ['a,b\n', undefined, 'The CSV needs a header row and at least one data row.'],
  ])('refuses %j', (csv, label, message) => {
    expect(() => parseCsv(csv, label)).toThrow(message);
  });
});
