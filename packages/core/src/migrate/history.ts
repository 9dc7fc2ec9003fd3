import { f } from "../model/f.js";
import type { CompiledQuery } from "../sql/statement.js";
import type { Database } from "../run/database.js";
import type { ModelMeta } from "../model/model-meta.js";
import { type TableOptions, tableMeta } from "./column-field.js";
import pkg from "../../package.json" with { type: "json" };

/** The table that records applied migrations. */
export const historyTable = "dotorm_migrations";

/** The DotORM version written into the history. */
export const dotormVersion: string = pkg.version;

/** One row of the history. */
export interface HistoryRow {
  readonly name: string;
  readonly checksum: string;
  readonly appliedAt: Date;
  readonly durationMs: number;
  readonly dotormVersion: string;
  /** "applied", or "failed" when a non-transactional migration stopped midway. */
  readonly status: "applied" | "failed";
  /** The step that failed (1-based), 0 when none did. */
  readonly step: number;
  readonly error: string;
}

const historyMeta = () =>
  tableMeta(
    historyTable,
    {
      name: f.char({ maxLength: 255, required: true }),
      checksum: f.char({ maxLength: 64, required: true }),
      applied_at: f.datetime({ required: true }),
      duration_ms: f.integer({ required: true }),
      dotorm_version: f.char({ maxLength: 32, required: true }),
      status: f.char({ maxLength: 16, required: true }),
      step: f.integer({ required: true }),
      error: f.text({ required: true }),
    },
    // ClickHouse's sorting key, passed through opaquely (the key is declared by @dotorm/clickhouse)
    { clickhouse: { orderBy: ["name"] } } as TableOptions,
  );

/** Creates `table` from `meta` unless it exists (another process may create it at the same time). */
export async function ensureTable(db: Database, meta: ModelMeta): Promise<void> {
  const exec = (q: CompiledQuery) => db.exec(q, { operation: "migrate" });
  const exists = async () => (await db.adapter.introspector.introspect(exec, [meta.table])).has(meta.table);
  if (await exists()) return;
  try {
    await exec({ sql: db.adapter.ddl.createTable(meta), params: [], kind: "ddl" });
  } catch (e) {
    if (!(await exists())) throw e;
  }
}

/** Reads and writes `dotorm_migrations` through `db.sql` (so it joins the migration's transaction). */
export class History {
  constructor(private readonly db: Database) {}

  ensure(): Promise<void> {
    return ensureTable(this.db, historyMeta());
  }

  async rows(): Promise<HistoryRow[]> {
    const { sql } = this.db;
    const rows =
      await sql`SELECT name, checksum, applied_at, duration_ms, dotorm_version, status, step, error FROM ${sql.id(historyTable)} ORDER BY name`;
    return rows.map((r) => ({
      name: String(r.name),
      checksum: String(r.checksum),
      appliedAt:
        r.applied_at instanceof Date
          ? r.applied_at
          : new Date(
              `${String(r.applied_at).replace(" ", "T")}${/Z|[+-]\d\d:?\d\d$/.test(String(r.applied_at)) ? "" : "Z"}`,
            ),
      durationMs: Number(r.duration_ms),
      dotormVersion: String(r.dotorm_version),
      status: r.status === "failed" ? "failed" : "applied",
      step: Number(r.step),
      error: String(r.error ?? ""),
    }));
  }

  async record(row: Omit<HistoryRow, "dotormVersion">): Promise<void> {
    const { sql } = this.db;
    const cols = ["name", "checksum", "applied_at", "duration_ms", "dotorm_version", "status", "step", "error"].map(
      (c) => sql.id(c),
    );
    await sql`INSERT INTO ${sql.id(historyTable)} (${cols[0]}, ${cols[1]}, ${cols[2]}, ${cols[3]}, ${cols[4]}, ${cols[5]}, ${cols[6]}, ${cols[7]}) VALUES (${row.name}, ${row.checksum}, ${row.appliedAt}, ${Math.round(row.durationMs)}, ${dotormVersion}, ${row.status}, ${row.step}, ${row.error})`;
  }

  async remove(name: string): Promise<void> {
    const { sql } = this.db;
    await sql`DELETE FROM ${sql.id(historyTable)} WHERE ${sql.id("name")} = ${name}`;
  }
}
