/**
 * The lines of the training chart: one per figure the epochs report (loss, val_loss, acc …),
 * scaled into an SVG box, so the chart component only draws what this returns.
 */

export interface ChartBox {
  width: number;
  height: number;
  /** Room left around the plot for the axis labels. */
  padding: number;
}

export interface ChartPoint {
  epoch: number;
  value: number;
  x: number;
  y: number;
}

export interface ChartSeries {
  name: string;
  points: ChartPoint[];
  /** The points as an SVG `polyline` `points` attribute. */
  path: string;
}

export interface LossChart {
  series: ChartSeries[];
  /** The value range the y axis spans: 0 up to the largest value (or down to the smallest, if negative). */
  yMin: number;
  yMax: number;
  /** Epochs the x axis spans: 1 to this. */
  epochs: number;
}

/**
 * Scales each figure of `history` (one entry per finished epoch) into `box`. The x axis runs from
 * epoch 1 to `epochs` (the planned total, so the line grows rightwards as epochs arrive); the y axis
 * from 0 to the largest value, so losses and accuracies (0..1) share it. Training figures come before
 * their `val_` twins.
 */
export function lossChart(history: Array<Record<string, number>>, epochs: number, box: ChartBox): LossChart {
  // Training figures first, then their val_ twins, whatever order the logs list them in.
  const names = [...new Set(history.flatMap((logs) => Object.keys(logs)))].sort(
    (a, b) => Number(a.startsWith('val_')) - Number(b.startsWith('val_')),
  );
  const values = history.flatMap((logs) => Object.values(logs)).filter(Number.isFinite);
  const yMin = Math.min(0, ...values);
  const yMax = Math.max(yMin + Number.EPSILON, ...values);
  const span = Math.max(epochs, history.length, 1);
  const plotWidth = box.width - 2 * box.padding;
  const plotHeight = box.height - 2 * box.padding;
  const x = (epoch: number) => box.padding + (span === 1 ? plotWidth / 2 : ((epoch - 1) / (span - 1)) * plotWidth);
  const y = (value: number) => box.padding + plotHeight * (1 - (value - yMin) / (yMax - yMin));
  const series = names.map((name) => {
    const points = history.flatMap((logs, index) => {
      const value = logs[name];
      return value === undefined || !Number.isFinite(value)
        ? []
        : [{ epoch: index + 1, value, x: x(index + 1), y: y(value) }];
    });
    return { name, points, path: points.map((point) => `${round(point.x)},${round(point.y)}`).join(' ') };
  });
  return { series, yMin, yMax, epochs: span };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
