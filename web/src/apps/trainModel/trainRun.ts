/**
 * What the train_model app works out from a run: the chart's history (figures JSON could not
 * carry left out), the epochs asked for, and the final metrics in reading order.
 */
import type { TrainModelOutput } from '../../tools/ml/outputs.ts';

/** Each epoch's finite figures, as the tab's training chart takes them (a diverged one, sent as null, is left out). */
export function chartHistory(history: TrainModelOutput['history']): Array<Record<string, number>> {
  return history.map((figures) =>
    Object.fromEntries(Object.entries(figures).filter((entry): entry is [string, number] => Number.isFinite(entry[1]))),
  );
}

/** The epochs the call asked for, from the host's copy of its arguments (undefined when it does not say). */
export function plannedEpochs(input: Record<string, unknown> | undefined): number | undefined {
  const epochs = input?.epochs;
  return typeof epochs === 'number' && Number.isInteger(epochs) && epochs > 0 ? epochs : undefined;
}

export interface MetricRow {
  name: string;
  /** The figure, or undefined where it diverged (NaN or infinite). */
  value: number | undefined;
}

/** The final metrics: loss first, then the other training figures, then their `val_` twins, each group by name. */
export function metricRows(finalMetrics: TrainModelOutput['finalMetrics']): MetricRow[] {
  const rank = (name: string) => (name.startsWith('val_') ? 2 : 0) + (name === 'loss' || name === 'val_loss' ? 0 : 1);
  return Object.entries(finalMetrics)
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([name, value]) => ({ name, value: value ?? undefined }));
}
