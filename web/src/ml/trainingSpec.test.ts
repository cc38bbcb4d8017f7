import { describe, expect, it } from 'vitest';
import { parseCsv } from './trainingData.ts';
import { MAX_TRAINING_VALUES, parseLayers } from './trainingSpec.ts';

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
    ['a,b\n1,x\n', undefined, 'CSV line 2, column 2 of 2 is not a number (expected digits'],
    ['a,b\n\n1,\n', undefined, 'CSV line 3, column 2 of 2 is not a number (it is empty)'],
    ['a,b\n1\n', undefined, 'CSV line 2 has 1 cells but the header has 2'],
    ['a,b\n1,2\n', 'c', "The CSV's header row (line 1, 2 columns) has no column named 'c'"],
    ['a,b\n', undefined, 'The CSV needs a header row and at least one data row.'],
  ])('refuses %j', (csv, label, message) => {
    expect(() => parseCsv(csv, label)).toThrow(message);
  });

  it('never quotes the CSV in an error (a csv_url may be a file its caller cannot read)', () => {
    const secret = 'DB_PASSWORD=hunter2';
    const files = [
      `${secret},b\n1,x\n`,
      `a,b\n1,${secret}\n`,
      `a,b\n${secret}\n`,
      `${secret}\n1\n`,
      `a,${secret}\n1,2,3\n`,
    ];
    for (const file of files) {
      for (const label of [undefined, 'label']) {
        let message = '';
        try {
          parseCsv(file, label);
        } catch (error) {
          message = (error as Error).message;
        }
        expect(message, file).not.toBe('');
        expect(message).not.toContain('hunter2');
        expect(message).not.toContain('DB_PASSWORD');
      }
    }
  });

  it('refuses a CSV over the training data limit before converting it', () => {
    const row = '1,2,3,4,5,6,7,8\n';
    const rows = Math.ceil(MAX_TRAINING_VALUES / 8) + 1;
    expect(() => parseCsv('a,b,c,d,e,f,g,h\n' + row.repeat(rows), undefined)).toThrow(
      /The CSV has [\d,]+ cells, over train_model's limit of 16,777,216 numbers/,
    );
  });
});
