/** Reading a test relay's Prometheus metrics straight from its registry. */
import type { StartedRelay } from './relay.ts';

/** The sum of metric `name` over the series whose labels include `labels` (0 when none match). */
export async function metricSum(
  relay: StartedRelay,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = relay.relay.metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`the relay has no metric named ${name}`);
  const { values } = await metric.get();
  return values
    .filter((value) => Object.entries(labels).every(([key, label]) => value.labels[key] === label))
    .reduce((sum, value) => sum + value.value, 0);
}
