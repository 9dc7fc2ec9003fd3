import {
  type CompiledQuery,
  ConfigurationError,
  ConnectionError,
  DotormError,
  IntegrityError,
  QueryError,
  TransactionConflict,
  ValidationError,
} from "@dotorm/core";

interface MysqlError {
  code?: string;
  errno?: number;
  message?: string;
  sqlMessage?: string;
  fatal?: boolean;
  address?: string;
  port?: number;
  hostname?: string;
}

/** The table a write statement targets (`INSERT INTO \`t\``, `UPDATE \`t\``, `DELETE a FROM \`t\``). */
function tableOf(query?: CompiledQuery): string | undefined {
  const m = /^\s*(?:INSERT INTO|UPDATE|DELETE \S+ FROM)\s+`((?:[^`]|``)+)`/i.exec(query?.sql ?? "");
  return m?.[1]?.replace(/``/g, "`");
}

/** The column a unique key covers: `uq_<table>_<col>` (named by sync), or `id` for the primary key. */
function uniqueColumn(key: string, table?: string): string | undefined {
  if (key === "PRIMARY") return "id";
  const prefix = table ? `uq_${table}_` : undefined;
  return prefix && key.startsWith(prefix) ? key.slice(prefix.length) : undefined;
}

/** The quoted name after `for column` / `Column` in a MySQL message. */
const columnIn = (msg: string) =>
  /[Cc]olumn [`'](?:[^`']+[`']\.[`'])*([^`']+)[`']/.exec(msg)?.[1] ?? /Field '([^']+)'/.exec(msg)?.[1];

/**
 * Maps mysql2 errors (by MySQL / MariaDB error number) to DotORM errors, keeping the original as `cause`.
 * https://dev.mysql.com/doc/mysql-errors/8.0/en/server-error-reference.html · https://mariadb.com/kb/en/mariadb-error-code-reference/
 *
 * @example
 * mapMysqlError({ errno: 1062, sqlMessage: "Duplicate entry 'ann' for key 'uq_users_login'" }, { sql: "INSERT INTO `users` ...", params: [] })
 * // IntegrityError { kind: "unique", constraint: "uq_users_login", field: "login" }
 */
export function mapMysqlError(error: unknown, query?: CompiledQuery, statementTimeout?: number): Error {
  if (error instanceof DotormError) return error;
  const e = (error ?? {}) as MysqlError;
  const msg = e.sqlMessage ?? e.message ?? String(error);
  const cause = { cause: error };
  const table = tableOf(query);
  const where = table ? ` on ${table}` : "";
  switch (e.errno) {
    case 1062:
    case 1586: {
      // MariaDB names the key `uq_x`, MySQL 8 `table.uq_x`.
      const key = /for key '(?:[^'.]+\.)?([^']+)'/.exec(msg)?.[1];
      const column = key ? uniqueColumn(key, table) : undefined;
      return new IntegrityError(
        `unique constraint violated${where}: ${column ? `another record already has this ${column}` : msg}`,
        "unique",
        key,
        column,
        cause,
      );
    }
    case 1451:
    case 1452:
    case 1216:
    case 1217: {
      const constraint = /CONSTRAINT `([^`]+)`/.exec(msg)?.[1];
      const column = /FOREIGN KEY \(`([^`]+)`\)/.exec(msg)?.[1];
      const referenced = e.errno === 1451 || e.errno === 1217;
      return new IntegrityError(
        `foreign key violated${where}: ${referenced ? "the record is still referenced by other records" : `${column ?? "a reference"} points at a record that does not exist`}`,
        "foreign_key",
        constraint,
        column,
        cause,
      );
    }
    case 1048:
    case 1364: {
      const column = columnIn(msg);
      return new IntegrityError(
        `${column ?? "a column"}${where} must not be null`,
        "not_null",
        undefined,
        column,
        cause,
      );
    }
    case 3819:
    case 4025:
      return new IntegrityError(
        `check constraint violated${where}: ${msg}`,
        "check",
        /[Cc]heck constraint '([^']+)'|CONSTRAINT `([^`]+)`/.exec(msg)?.slice(1).find(Boolean),
        undefined,
        cause,
      );
    case 1406:
    case 1264:
    case 1265:
    case 1292:
    case 1366:
    case 1367:
    case 3140:
    case 4078:
      return new ValidationError(`the database refused a value${where}: ${msg}`, columnIn(msg), table, cause);
    case 1146:
    case 1054:
      return new ConfigurationError(`${msg}; run db.sync() to create missing tables and columns`, cause);
    case 1045:
      return new ConnectionError(`MySQL refused the login (${msg}): check the user and password in the url`, cause);
    case 1044:
      return new ConnectionError(
        `MySQL refused the database to this user (${msg}): GRANT the user access to it, or fix the database name in the url`,
        cause,
      );
    case 1049:
      return new ConnectionError(
        `the MySQL database does not exist (${msg}): create it (CREATE DATABASE) or fix the database name in the url`,
        cause,
      );
    case 1040:
    case 1129:
    case 1130:
      return new ConnectionError(`cannot use the MySQL database: ${msg}`, cause);
    case 1969:
    case 3024:
      return new QueryError(
        `the statement ran longer than statementTimeout${statementTimeout ? ` (${statementTimeout} ms)` : ""} and the server stopped it; make it cheaper (an index, a smaller page) or raise statementTimeout`,
        undefined,
        cause,
      );
    case 1213:
      return new TransactionConflict(
        `MySQL deadlock${where}: the database rolled the transaction back; run it again`,
        cause,
      );
    case 1205:
      return new DotormError(
        `MySQL lock wait timeout${where}: the statement waited too long for a row another transaction holds; retry it`,
        cause,
      );
  }
  const at = e.address ? ` at ${e.address}${e.port ? `:${e.port}` : ""}` : "";
  if (e.code === "ECONNREFUSED") {
    return new ConnectionError(
      `cannot reach MySQL${at}: the connection was refused; is the server running there? Check the host and port in the url`,
      cause,
    );
  }
  if (e.code === "ENOTFOUND" || e.code === "EAI_AGAIN") {
    return new ConnectionError(
      `cannot reach MySQL: the host ${JSON.stringify(e.hostname ?? "")} was not found (${msg}); check the host in the url`,
      cause,
    );
  }
  if (
    e.fatal ||
    /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EPIPE|PROTOCOL_CONNECTION_LOST|Pool is closed|closed state|connect ETIMEDOUT/i.test(
      `${e.code ?? ""} ${msg}`,
    )
  ) {
    return new ConnectionError(`cannot reach MySQL: ${msg}`, cause);
  }
  return new DotormError(`MySQL error${e.errno ? ` ${e.errno}` : ""}${e.code ? ` (${e.code})` : ""}: ${msg}`, cause);
}
