/**
 * The judgement of `pnpm bench:check`, apart from running the benches: each workload's ratio is the
 * median of the runs made of it, and fails when it is more than `tolerance` below its record.
 *
 * @example
 * const rows = verdict({ get: 1.1 }, [{ get: 0.9 }, { get: 1.0 }, { get: 0.8 }], 0.15);
 * // rows[0]: { name: "get", median: 0.9, floor: 0.935, ok: false }
 */

/** One run of a bench: each workload's ratio to the raw driver (median of that run's rounds). */
export type RunRatios = Readonly<Record<string, number>>;

export interface RowVerdict {
  readonly name: string;
  /** Median of the runs' ratios for this workload. */
  readonly median: number;
  readonly runs: readonly number[];
  /** The recorded ratio, or undefined when the workload has no record yet (it then passes). */
  readonly recorded: number | undefined;
  /** recorded × (1 − tolerance): the lowest median that passes. */
  readonly floor: number | undefined;
  readonly ok: boolean;
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Judges every workload seen in `runs` against `record` (workload name → recorded median ratio). */
export function verdict(record: RunRatios | undefined, runs: readonly RunRatios[], tolerance: number): RowVerdict[] {
  if (!(tolerance >= 0 && tolerance < 1)) throw new Error(`tolerance must be in [0, 1), got ${tolerance}`);
  const names = [...new Set(runs.flatMap((r) => Object.keys(r)))];
  return names.map((name) => {
    const seen = runs.map((r) => r[name]).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
    if (seen.length === 0) throw new Error(`workload ${name} has no finite ratio in any run`);
    const m = median(seen);
    const recorded = record?.[name];
    const floor = recorded === undefined ? undefined : recorded * (1 - tolerance);
    return { name, median: m, runs: seen, recorded, floor, ok: floor === undefined || m >= floor };
  });
}

/** Whether another run could change the outcome: some row is below its floor and fewer than `most` runs were made. */
export function needsMoreRuns(rows: readonly RowVerdict[], most: number): boolean {
  return rows.some((r) => !r.ok && r.runs.length < most);
}
