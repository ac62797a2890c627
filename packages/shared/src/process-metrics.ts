/**
 * prom-client's default process metrics under our prefix, minus the three gauges it names with a
 * `_total` suffix (`nodejs_active_{handles,requests,resources}_total`), which Prometheus reserves for
 * counters (`promtool check metrics` rejects them). The same counts stay available, by type, in the
 * unsuffixed `nodejs_active_{handles,requests,resources}` gauges.
 */
import { collectDefaultMetrics, type Registry } from 'prom-client';

export function collectProcessMetrics(registry: Registry, prefix: string): void {
  collectDefaultMetrics({ register: registry, prefix, eventLoopMonitoringPrecision: 10 });
  for (const kind of ['handles', 'requests', 'resources']) registry.removeSingleMetric(`${prefix}nodejs_active_${kind}_total`);
}
