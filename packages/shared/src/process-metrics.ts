/**
 * prom-client's default process metrics under their standard names (`process_*`, `nodejs_*`: what stock
 * Node.js dashboards query; the scrape target's `job` label tells the API from a worker), minus the three gauges it names with a
 * `_total` suffix (`nodejs_active_{handles,requests,resources}_total`), which Prometheus reserves for
 * counters (`promtool check metrics` rejects them). The same counts stay available, by type, in the
 * unsuffixed `nodejs_active_{handles,requests,resources}` gauges.
 */
import { collectDefaultMetrics, type Registry } from 'prom-client';

export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  for (const kind of ['handles', 'requests', 'resources']) registry.removeSingleMetric(`nodejs_active_${kind}_total`);
}
