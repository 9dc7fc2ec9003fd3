import { ConfigurationError, QueryError } from "../errors.js";
import type { AnyModel } from "../model/model-meta.js";
import { CompileContext } from "../sql/compile-context.js";
import type { Runner } from "./runner.js";

/** An identifier to splice into raw SQL, quoted by the dialect. Made by `db.sql.id(name)`. */
export class SqlIdentifier {
  constructor(readonly name: string) {
    if (typeof name !== "string" || name.length === 0 || name.length > 63 || name.includes("\u0000")) {
      throw new QueryError(
        `sql.id() takes a non-empty identifier of at most 63 characters, got ${JSON.stringify(name)}`,
      );
    }
  }
}

/** The `db.sql` tag. */
export interface RawSql {
  /** Runs the statement; every `${value}` is a bound parameter. Returns plain rows. */
  <T = Record<string, unknown>>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T[]>;
  /** Quotes an identifier explicitly: `` db.sql`select ${db.sql.id("name")} from leads` ``. */
  id(name: string): SqlIdentifier;
  /** Runs the statement and hydrates the rows into records of `model` (columns must match its fields). */
  as<M extends AnyModel>(model: M): (strings: TemplateStringsArray, ...values: unknown[]) => Promise<InstanceType<M>[]>;
}

/** Builds `db.sql` for a database. */
export function rawSql(db: Runner): RawSql {
  const compile = (strings: TemplateStringsArray, values: unknown[]) => {
    if (!Array.isArray(strings) || !("raw" in strings)) {
      throw new QueryError(
        "db.sql is a template tag: write the query as a tagged template (db.sql`...`), not db.sql(string)",
      );
    }
    const compiler = db.adapter.compiler;
    const ctx = new CompileContext();
    let sql = strings[0] as string;
    values.forEach((value, i) => {
      sql += value instanceof SqlIdentifier ? compiler.quote(value.name) : compiler.param(ctx, value);
      sql += strings[i + 1] as string;
    });
    return { sql, params: compiler.finishParams(ctx) };
  };
  const run = async (strings: TemplateStringsArray, ...values: unknown[]) =>
    (await db.exec(compile(strings, values), { operation: "sql" })).rows.map((r) => ({ ...r }));
  const tag = run as RawSql;
  tag.id = (name: string) => new SqlIdentifier(name);
  tag.as = (model) => {
    const meta = model.meta;
    if (!db.models.has(meta.table))
      throw new ConfigurationError(`sql.as(): model "${meta.table}" is not connected to this database`);
    return async (strings, ...values) => {
      const rows = (await db.exec(compile(strings, values), { model: meta.table, operation: "sql" })).rows;
      const compiler = db.adapter.compiler;
      return rows.map((row) => {
        const record = Object.create(meta.ctor.prototype) as Record<string, unknown>;
        for (const [key, raw] of Object.entries(row)) {
          const field = meta.fields.get(key) ?? [...meta.fields.values()].find((f) => f.column === key);
          record[field?.name ?? key] = field ? compiler.decode(field, raw, false) : raw;
        }
        return record as InstanceType<typeof model>;
      });
    };
  };
  return tag;
}
