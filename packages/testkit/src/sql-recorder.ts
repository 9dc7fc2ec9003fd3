import { type Adapter, type CompiledQuery, type Database, type DriverConnection, connect } from "@dotorm/core";
import { sqlModels } from "./sql-nodes.js";

/** The statements public calls send, read off a driver that records them instead of running them. */
export interface SqlRecorder {
  readonly db: Database;
  /** Every statement one call sends, transaction control included. */
  statements(call: () => PromiseLike<unknown>): Promise<CompiledQuery[]>;
  /** The one statement a call sends (fails the test if it sends more or none). */
  single(call: () => PromiseLike<unknown>): Promise<CompiledQuery>;
}

/**
 * Connects {@link sqlModels} to an adapter whose driver records each statement and answers every
 * one with a row that satisfies any read (`{ id: 1, n: 1 }`), so a test asserts the exact SQL and
 * params of a call through the public API and the real planning (plan -> secure -> compile), per
 * dialect, without a database. Transactions get a recording connection too (`BEGIN` ... `COMMIT`).
 *
 * @example
 * const sql = await sqlRecorder({ dialect: "postgres", capabilities, compiler: new PostgresCompiler(), ddl, introspector });
 * expect(await sql.single(() => Chat.query().distinct().values("chat_type"))).toEqual({ sql: "SELECT * FROM ...", params: [] });
 */
export async function sqlRecorder(parts: Omit<Adapter, "driver">): Promise<SqlRecorder> {
  const sent: CompiledQuery[] = [];
  const execute = async (query: CompiledQuery) => {
    // the SQL and params (and a dialect's own fields): the statement kind and id count are
    // checked where they are set (core's statement tests), not in every SQL assertion
    const { kind: _kind, generatedIds: _ids, ...text } = query;
    sent.push(text);
    return { rows: [{ id: 1, n: 1 }], affected: 1 };
  };
  const connection: DriverConnection = { execute, release: () => {} };
  const adapter: Adapter = {
    ...parts,
    driver: {
      execute,
      ...(parts.capabilities.transactions ? { acquire: async () => connection } : {}),
      mapError: (e) => e as Error,
      close: async () => {},
    },
    nextIds: (count) => Array.from({ length: count }, (_, i) => 101 + i),
  };
  const db = await connect(adapter, { models: [...sqlModels.models] });
  const statements = async (call: () => PromiseLike<unknown>) => {
    sent.length = 0;
    await call();
    return [...sent];
  };
  return {
    db,
    statements,
    async single(call) {
      const all = await statements(call);
      if (all.length !== 1)
        throw new Error(`expected one statement, got ${all.length}: ${all.map((q) => q.sql).join(" | ")}`);
      return all[0] as CompiledQuery;
    },
  };
}
