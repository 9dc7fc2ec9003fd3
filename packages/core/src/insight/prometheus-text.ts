import type { PromMetric } from "./prometheus-metrics.js";

const escapeLabel = (v: string | number) => String(v).replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');

/**
 * Renders metrics in the Prometheus text exposition format (version 0.0.4), as a `/metrics`
 * endpoint serves it.
 *
 * @example
 * app.get("/metrics", async (c) => c.text(await prometheusText(metrics)));
 */
export async function prometheusText(metrics: readonly PromMetric[]): Promise<string> {
  const blocks: string[] = [];
  for (const m of metrics) {
    const { name, help, type, values } = await m.get();
    const lines = [`# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`, `# TYPE ${name} ${type}`];
    for (const v of values) {
      const labels = Object.entries(v.labels).map(([k, x]) => `${k}="${escapeLabel(x)}"`);
      lines.push(
        `${v.metricName ?? name}${labels.length ? `{${labels.join(",")}}` : ""} ${Number.isFinite(v.value) ? v.value : "NaN"}`,
      );
    }
    blocks.push(lines.join("\n"));
  }
  return `${blocks.join("\n\n")}\n`;
}
