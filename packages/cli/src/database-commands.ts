import { writeFileSync } from "node:fs";
import { modelsSource } from "@dotorm/core";
import { type GlobalOptions, type Io, color, withDatabase } from "./context.js";

/** `dotorm sync`: creates what is missing (never drops); prints the statements it ran. */
export function sync(io: Io, options: GlobalOptions): Promise<number> {
  return withDatabase(options, async (db) => {
    const statements = await db.sync();
    for (const s of statements) io.out(s);
    io.err(statements.length ? color.green(`sync: ${statements.length} statement(s) run`) : "sync: nothing to do");
    return 0;
  });
}

/** `dotorm inspect`: model definitions for the database's tables, to stdout or a file. */
export function inspect(io: Io, options: GlobalOptions & { out?: string }): Promise<number> {
  return withDatabase(options, async (db) => {
    const info = await db.adapter.introspector.describe((q) => db.exec(q));
    const source = modelsSource(info, db.adapter.ddl);
    if (options.out) {
      writeFileSync(options.out, source);
      io.err(`${color.green("wrote")} ${options.out}`);
    } else io.out(source.trimEnd());
    return 0;
  });
}

/** `dotorm sql "<statement>"`: runs one statement as given, prints its rows (JSON with --json). */
export function sql(io: Io, statement: string, options: GlobalOptions & { json?: boolean }): Promise<number> {
  return withDatabase(options, async (db) => {
    const result = await db.exec({ sql: statement, params: [] }, { operation: "sql" });
    const rows = result.rows.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])),
    );
    if (options.json) io.out(JSON.stringify(rows));
    else if (rows.length) {
      const cols = Object.keys(rows[0] ?? {});
      io.out(cols.join("\t"));
      for (const r of rows)
        io.out(
          cols
            .map((c) => (r[c] === null ? "NULL" : r[c] instanceof Date ? (r[c] as Date).toISOString() : String(r[c])))
            .join("\t"),
        );
    }
    io.err(`${rows.length} row(s)${result.affected ? `, ${result.affected} affected` : ""}`);
    return 0;
  });
}
