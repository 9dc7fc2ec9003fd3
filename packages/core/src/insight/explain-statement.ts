import { QueryError, UnsupportedError } from "../errors.js";
import type { QueryNode } from "../query/ast.js";
import type { CompiledQuery, ExecResult } from "../sql/statement.js";
import type { DdlCompiler } from "../sql/ddl-compiler.js";
import type { Introspector } from "../sql/schema.js";
import { type ExplainOptions, type ExplainPlan, type PlanReader, planNodes } from "./explain-plan.js";
import { readColumns } from "./read-columns.js";
import { recommend } from "./recommend.js";
import { shown } from "../model/shown.js";

/** What `db.on("explain")` listeners receive, once per explained statement. */
export interface ExplainEvent {
  readonly sql: string;
  readonly params: CompiledQuery["params"];
  readonly analyzed: boolean;
  readonly model?: string;
  readonly durationMs: number;
  readonly recommendations: ExplainPlan["recommendations"];
}

/**
 * What explaining needs from a database (a connected `Database` is one): the adapter's plan reader,
 * schema reader and DDL compiler, a way to send a statement (and a transaction, to roll an ANALYZE
 * of a write back), and where to report it. Declared here so insight never imports `run/`.
 */
export interface ExplainHost {
  readonly adapter: {
    readonly dialect: string;
    readonly capabilities: { readonly transactions: boolean };
    readonly plans?: PlanReader;
    readonly introspector: Introspector;
    readonly ddl: DdlCompiler;
  };
  exec(query: CompiledQuery, info?: { readonly model?: string; readonly operation?: string }): Promise<ExecResult>;
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  readonly emitter: { emit(event: "explain", payload: ExplainEvent): void };
}

/** Statements that only read; anything else (a write, or `WITH` that may hide one) counts as a write. */
const readsOnly = /^\s*\(*\s*(select|values|table)\b/i;

/**
 * Checks the options of `explain({ ... })`: a plain object whose only key is `analyze`, a boolean.
 *
 * @example
 * checkExplainOptions({ analyze: true }); // { analyze: true }
 * checkExplainOptions({ analyse: true }); // QueryError: explain() has no option "analyse" ...
 */
export function checkExplainOptions(options: unknown): ExplainOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new QueryError(
      `explain() takes { analyze?: boolean }, got ${options === null ? "null" : Array.isArray(options) ? "an array" : typeof options}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (key !== "analyze")
      throw new QueryError(`explain() has no option ${shown(key)}: it takes { analyze?: boolean }`, key);
  }
  const analyze = (options as { analyze?: unknown }).analyze;
  if (analyze !== undefined && typeof analyze !== "boolean") {
    throw new QueryError(`explain(): analyze must be true or false, got ${typeof analyze}`, "analyze");
  }
  return { analyze: analyze === true };
}

const rollback = Symbol("explain rollback");

/**
 * Explains one statement and normalises the plan through the adapter's plan reader. `node` is the
 * query the ORM planned (filtered, sorted and joined columns come from it); without one only the
 * plan-only rules apply. ANALYZE of a write runs in a transaction that is always rolled back where
 * the adapter allows it, and is refused elsewhere.
 */
export async function explainStatement(
  db: ExplainHost,
  query: CompiledQuery,
  options: ExplainOptions,
  node?: QueryNode,
  model?: string,
): Promise<ExplainPlan> {
  const { plans, dialect } = db.adapter;
  if (!plans)
    throw new UnsupportedError(
      "explain({ ... })",
      dialect,
      "explain() without options returns the database's plan as text",
    );
  const analyzed = options.analyze === true;
  const sql = plans.statement(query.sql, analyzed);
  const send = () => db.exec({ sql, params: query.params }, { model, operation: "explain" });
  const start = performance.now();
  let result: ExecResult | undefined;
  if (analyzed && !readsOnly.test(query.sql)) {
    if (plans.analyzeWrites !== "rollback" || !db.adapter.capabilities.transactions) {
      throw new UnsupportedError(
        "explain({ analyze: true }) of a write",
        dialect,
        "ANALYZE runs the statement and it could not be undone here: explain it without analyze",
      );
    }
    await db
      .transaction(async () => {
        result = await send();
        throw rollback;
      })
      .catch((e: unknown) => {
        if (e !== rollback) throw e;
      });
  } else {
    result = await send();
  }
  const read = plans.read(result!.rows, query.sql);
  const nodes = planNodes(read.root);
  const columns = node ? readColumns(node) : { filtered: [], sorted: [], foreignKeys: [] };
  const tables = [
    ...new Set([...nodes.flatMap((n) => (n.relation ? [n.relation] : [])), ...columns.foreignKeys.map((c) => c.table)]),
  ];
  const schema =
    tables.length > 0
      ? await db.adapter.introspector.describe((q) => db.exec(q, { model, operation: "explain" }), tables)
      : new Map();
  const recommendations = recommend(nodes, columns, schema, db.adapter.ddl, plans.indexesSort ?? true);
  const plan: ExplainPlan = {
    dialect,
    analyzed,
    sql: query.sql,
    params: query.params,
    root: read.root,
    nodes,
    raw: read.raw,
    recommendations,
    ...(read.timeMs === undefined ? {} : { timeMs: read.timeMs }),
  };
  db.emitter.emit("explain", {
    sql: query.sql,
    params: query.params,
    analyzed,
    ...(model === undefined ? {} : { model }),
    durationMs: performance.now() - start,
    recommendations,
  });
  return plan;
}
