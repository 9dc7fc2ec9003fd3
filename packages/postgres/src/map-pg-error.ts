import {
  ConfigurationError,
  ConnectionError,
  DotormError,
  IntegrityError,
  QueryError,
  TransactionConflict,
  ValidationError,
} from "@dotorm/core";

interface PgError {
  code?: string;
  message?: string;
  detail?: string;
  constraint?: string;
  table?: string;
  column?: string;
}

/** The column named by a constraint (`uq_<table>_<col>`, `fk_<table>_<col>`) or the error detail. */
function columnOf(e: PgError): string | undefined {
  const fromDetail = /Key \(([^)]+)\)=/.exec(e.detail ?? "")?.[1];
  if (fromDetail && !fromDetail.includes(",")) return fromDetail.replace(/"/g, "");
  const prefix =
    e.table && e.constraint ? [`uq_${e.table}_`, `fk_${e.table}_`].find((p) => e.constraint!.startsWith(p)) : undefined;
  return e.column ?? (prefix ? e.constraint!.slice(prefix.length) : undefined);
}

/**
 * What a socket error says about the address, with what to check: `" at host:port: ..."`, or
 * undefined for any other error.
 */
function networkProblem(e: {
  code?: string;
  address?: string;
  port?: number;
  hostname?: string;
  message?: string;
}): string | undefined {
  const at = e.address ? ` at ${e.address}${e.port ? `:${e.port}` : ""}` : "";
  switch (e.code) {
    case "ECONNREFUSED":
      return `${at}: the connection was refused; is the server running there? Check the host and port in the url`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `: the host ${JSON.stringify(e.hostname ?? "")} was not found (${e.message}); check the host in the url`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `${at}: the host is unreachable (${e.message}); check the host in the url and the network`;
  }
  return undefined;
}

/**
 * Whether `error` is PostgreSQL refusing a prepared statement because its result columns changed
 * since it was parsed (a migration altered or dropped a column it reads): the statement is then
 * useless on that connection, though the connection is fine.
 */
export function resultChanged(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null | undefined;
  return e?.code === "0A000" && typeof e.message === "string" && e.message.includes("must not change result type");
}

/**
 * Maps PostgreSQL errors (by SQLSTATE) to DotORM errors, keeping the original as `cause`.
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
export function mapPgError(error: unknown, statementTimeout?: number): Error {
  if (error instanceof DotormError) return error;
  const e = (error ?? {}) as PgError & { errno?: string; address?: string; port?: number; hostname?: string };
  const code = e.code ?? "";
  const cause = { cause: error };
  const where = e.table ? ` on ${e.table}` : "";
  const column = columnOf(e);
  switch (code) {
    case "23505":
      return new IntegrityError(
        `unique constraint violated${where}: ${column ? `another record already has this ${column}` : (e.detail ?? e.message)}`,
        "unique",
        e.constraint,
        column,
        cause,
      );
    // 23001 restrict_violation: what PostgreSQL 17 (and PGlite) report for ON DELETE RESTRICT; older servers say 23503.
    case "23001":
    case "23503":
      return new IntegrityError(
        `foreign key violated${where}: ${/is still referenced/.test(e.detail ?? "") ? "the record is still referenced by other records" : `${column ?? "a reference"} points at a record that does not exist`}`,
        "foreign_key",
        e.constraint,
        column,
        cause,
      );
    case "23502":
      return new IntegrityError(
        `${e.column ?? "a column"}${where} must not be null`,
        "not_null",
        e.constraint,
        e.column,
        cause,
      );
    case "23514":
      return new IntegrityError(
        `check constraint ${e.constraint ?? ""} violated${where}`,
        "check",
        e.constraint,
        column,
        cause,
      );
    case "21000":
      return new ValidationError(
        `the same record appears twice in one upsert${where}: each conflict key may occur once per call`,
        column,
        e.table,
        cause,
      );
    case "22001":
    case "22003":
    case "22007":
    case "22008":
    case "22P02":
    case "22021":
      return new ValidationError(`the database refused a value${where}: ${e.message}`, column, e.table, cause);
    case "42P01":
    case "42703":
      return new ConfigurationError(`${e.message}; run db.sync() to create missing tables and columns`, cause);
    case "57014":
      if (/statement timeout/i.test(e.message ?? "")) {
        return new QueryError(
          `the statement ran longer than statementTimeout${statementTimeout ? ` (${statementTimeout} ms)` : ""} and PostgreSQL cancelled it; make it cheaper (an index, a smaller page) or raise statementTimeout`,
          undefined,
          cause,
        );
      }
      return new QueryError(`PostgreSQL cancelled the statement: ${e.message}`, undefined, cause);
    case "40001":
    case "40P01":
      return new TransactionConflict(
        `PostgreSQL ${code === "40P01" ? "deadlock" : "serialization failure"}: ${e.message}; the database rolled the transaction back: run it again`,
        cause,
      );
    case "0A000":
      if (resultChanged(e)) {
        return new TransactionConflict(
          "a table's columns changed (a migration) after this connection prepared the statement; it is prepared again on its next call: run the call (or its transaction) again",
          cause,
        );
      }
      break;
    case "3D000":
      return new ConnectionError(
        `the PostgreSQL database does not exist (${e.message}): create it (CREATE DATABASE) or fix the database name in the url`,
        cause,
      );
    case "28P01":
    case "28000":
      return new ConnectionError(
        `PostgreSQL refused the login (${e.message}): check the user and password in the url, and the server's pg_hba.conf`,
        cause,
      );
    case "57P01":
    case "57P03":
      return new ConnectionError(`cannot use the PostgreSQL database: ${e.message}`, cause);
  }
  const network = networkProblem(e);
  if (network) return new ConnectionError(`cannot reach PostgreSQL${network}`, cause);
  if (
    code.startsWith("08") ||
    /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EPIPE|Connection terminated|timeout exceeded|not queryable|connection error/i.test(
      `${e.errno ?? ""} ${code} ${e.message ?? ""}`,
    )
  ) {
    return new ConnectionError(`cannot reach PostgreSQL: ${e.message ?? code}`, cause);
  }
  return new DotormError(`PostgreSQL error${code ? ` ${code}` : ""}: ${e.message ?? String(error)}`, cause);
}
