import type { PromMetric } from "./prometheus-metrics.js";
import { prometheusMetrics } from "./prometheus-metrics.js";
import { prometheusText } from "./prometheus-text.js";
import type { StatementStat, StatementStats } from "./statement-stats.js";

/**
 * A prom-client `Registry` (or anything with its `registerMetric`). It receives {@link PromMetric}s;
 * the parameter is typed loosely so prom-client's own `Metric` union type accepts them.
 */
export interface MetricRegistry {
  registerMetric(metric: never): void;
}

/**
 * `db.stats`: call it for the per-shape metrics (the most total time first); `reset()`, `json()`,
 * `prometheus()` (text format) and `register(registry)` (a prom-client registry) export them.
 *
 * @example
 * const slowest = db.stats()[0];
 * app.get("/metrics", async (c) => c.text(await db.stats.prometheus()));
 * db.stats.register(promClient.register);
 */
export interface StatsView {
  (): StatementStat[];
  /** Forgets every shape (e.g. between test cases or after a deploy). */
  reset(): void;
  /** The shapes as JSON text. */
  json(): string;
  /** The shapes in the Prometheus text exposition format. */
  prometheus(options?: { prefix?: string }): Promise<string>;
  /** Registers the metrics in a prom-client registry; they are read at scrape time. */
  register(registry: MetricRegistry, options?: { prefix?: string }): void;
  /** Statements of shapes not kept because the shape limit was reached. */
  readonly dropped: number;
}

/** The `db.stats` function over a {@link StatementStats}, or one that explains how to turn metrics on. */
export function statsView(stats: StatementStats | undefined, off: () => never): StatsView {
  const list = () => (stats ? stats.list() : off());
  const reset = () => (stats ? stats.reset() : off());
  const metrics = (prefix?: string) => prometheusMetrics(list, reset, prefix);
  const view = Object.assign(list, {
    reset,
    json: () => JSON.stringify(list()),
    prometheus: (options?: { prefix?: string }) => prometheusText(metrics(options?.prefix)),
    register(registry: MetricRegistry, options?: { prefix?: string }) {
      for (const m of metrics(options?.prefix)) registry.registerMetric(m as never);
    },
  });
  Object.defineProperty(view, "dropped", { get: () => stats?.dropped ?? 0, enumerable: true });
  return view as StatsView;
}
