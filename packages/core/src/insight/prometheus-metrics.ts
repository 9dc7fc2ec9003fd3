import type { StatementStat } from "./statement-stats.js";

/** One sample of a metric, as prom-client's `metric.get()` returns them. */
export interface MetricValue {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly metricName?: string;
}

/** A metric in prom-client's shape: `registry.registerMetric(m)` accepts it. */
export interface PromMetric {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "summary";
  readonly aggregator: "sum";
  get(): Promise<{ name: string; help: string; type: string; aggregator: "sum"; values: MetricValue[] }>;
  reset(): void;
}

const quantiles = [
  [0.5, "p50Ms"],
  [0.95, "p95Ms"],
  [0.99, "p99Ms"],
] as const;

function labelsOf(s: StatementStat): Record<string, string> {
  return { statement: s.sql, model: s.model ?? "", operation: s.operation ?? "" };
}

/**
 * The statement metrics as prom-client metrics, read from `list()` at scrape time:
 * `<prefix>statement_calls_total`, `..._rows_total`, `..._errors_total` (counters) and
 * `<prefix>statement_duration_seconds` (a summary with p50/p95/p99, sum and count).
 *
 * @example
 * for (const m of prometheusMetrics(() => db.stats(), () => db.stats.reset())) registry.registerMetric(m);
 */
export function prometheusMetrics(
  list: () => readonly StatementStat[],
  reset: () => void,
  prefix = "dotorm_",
): PromMetric[] {
  const metric = (
    name: string,
    help: string,
    type: PromMetric["type"],
    values: (s: StatementStat) => MetricValue[],
  ): PromMetric => ({
    name: `${prefix}${name}`,
    help,
    type,
    aggregator: "sum",
    async get() {
      return { name: `${prefix}${name}`, help, type, aggregator: "sum", values: list().flatMap(values) };
    },
    reset,
  });
  const duration = `${prefix}statement_duration_seconds`;
  return [
    metric("statement_calls_total", "Statements sent, per statement shape.", "counter", (s) => [
      { value: s.calls, labels: labelsOf(s) },
    ]),
    metric("statement_rows_total", "Rows returned or changed, per statement shape.", "counter", (s) => [
      { value: s.rows, labels: labelsOf(s) },
    ]),
    metric("statement_errors_total", "Statements that failed, per statement shape.", "counter", (s) => [
      { value: s.errors, labels: labelsOf(s) },
    ]),
    metric(
      "statement_duration_seconds",
      "Statement time in seconds, per statement shape (quantiles over recent calls).",
      "summary",
      (s) => [
        ...quantiles.map(([q, key]) => ({ value: s[key] / 1000, labels: { ...labelsOf(s), quantile: q } })),
        { metricName: `${duration}_sum`, value: s.totalMs / 1000, labels: labelsOf(s) },
        { metricName: `${duration}_count`, value: s.calls, labels: labelsOf(s) },
      ],
    ),
  ];
}
