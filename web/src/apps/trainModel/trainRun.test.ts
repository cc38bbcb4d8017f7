import { describe, expect, it } from 'vitest';
import { chartHistory, metricRows, plannedEpochs } from './trainRun.ts';

describe('the train_model app', () => {
  it('charts every finite figure of each epoch and leaves out the ones that diverged', () => {
    expect(
      chartHistory([
        { loss: 1.2, acc: 0.4 },
        { loss: null, acc: 0.5 },
      ]),
    ).toEqual([{ loss: 1.2, acc: 0.4 }, { acc: 0.5 }]);
    expect(chartHistory([])).toEqual([]);
  });

  it("reads the epochs asked for from the call's arguments, and nothing that is not a positive integer", () => {
    expect(plannedEpochs({ epochs: 12 })).toBe(12);
    for (const input of [undefined, {}, { epochs: '12' }, { epochs: 0 }, { epochs: 2.5 }]) {
      expect(plannedEpochs(input)).toBeUndefined();
    }
  });

  it('lists loss first, then the metrics, then their validation twins, a diverged one without a value', () => {
    const rows = metricRows({ val_acc: 0.8, acc: 0.9, val_loss: 0.3, loss: null, mse: 0.1 });
    expect(rows.map((row) => row.name)).toEqual(['loss', 'acc', 'mse', 'val_loss', 'val_acc']);
    expect(rows[0]).toEqual({ name: 'loss', value: undefined });
    expect(rows[1]).toEqual({ name: 'acc', value: 0.9 });
  });
});
