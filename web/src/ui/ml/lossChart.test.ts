import { describe, expect, it } from 'vitest';
import { lossChart } from './lossChart.ts';

const BOX = { width: 220, height: 120, padding: 10 };

describe('lossChart', () => {
  it('spreads the planned epochs across the width and values from 0 to the largest down the height', () => {
    const chart = lossChart([{ loss: 2, acc: 0.5 }, { loss: 1 }], 3, BOX);
    expect(chart).toMatchObject({ yMin: 0, yMax: 2, epochs: 3 });
    const [loss, acc] = chart.series;
    expect(loss!.name).toBe('loss');
    expect(loss!.points).toEqual([
      { epoch: 1, value: 2, x: 10, y: 10 },
      { epoch: 2, value: 1, x: 110, y: 60 },
    ]);
    expect(loss!.path).toBe('10,10 110,60');
    expect(acc!.points).toEqual([{ epoch: 1, value: 0.5, x: 10, y: 85 }]);
  });

  it('centres a single epoch and keeps a flat zero line inside the box', () => {
    const [loss] = lossChart([{ loss: 0 }], 1, BOX).series;
    expect(loss!.points).toEqual([{ epoch: 1, value: 0, x: 110, y: 110 }]);
  });

  it('reaches below zero for negative figures and skips values that are not finite', () => {
    const chart = lossChart([{ score: -1 }, { score: Number.NaN }, { score: 1 }], 3, BOX);
    expect(chart).toMatchObject({ yMin: -1, yMax: 1 });
    expect(chart.series[0]!.points.map((point) => [point.epoch, point.y])).toEqual([
      [1, 110],
      [3, 10],
    ]);
  });

  it('lists training figures before validation ones', () => {
    const chart = lossChart([{ val_loss: 1, val_acc: 0.5, loss: 1, acc: 0.5 }], 1, BOX);
    expect(chart.series.map((series) => series.name)).toEqual(['loss', 'acc', 'val_loss', 'val_acc']);
  });

  it('is empty before the first epoch', () => {
    expect(lossChart([], 5, BOX)).toEqual({ series: [], yMin: 0, yMax: Number.EPSILON, epochs: 5 });
  });
});
