import {
  ConfigurationError,
  ConnectionError,
  DotormError,
  QueryError,
  UnsupportedError,
  ValidationError,
} from "@dotorm/core";

const firstLine = (message: string) => message.split("\n")[0]!.trim();

/**
 * Maps ClickHouse errors (by exception type, as `@clickhouse/client` and chDB both report it) to
 * DotORM errors, keeping the original as `cause`.
 * https://github.com/ClickHouse/ClickHouse/blob/master/src/Common/ErrorCodes.cpp
 */
export function mapClickHouseError(
  error: unknown,
  limits: { statementTimeout?: number; queryTimeout?: number } = {},
): Error {
  if (error instanceof DotormError) return error;
  const e = (error ?? {}) as { type?: string; code?: string; message?: string };
  const type = e.type ?? "";
  const message = e.message ?? String(error);
  const cause = { cause: error };
  switch (type) {
    case "UNKNOWN_TABLE":
    case "UNKNOWN_IDENTIFIER":
    case "NO_SUCH_COLUMN_IN_TABLE":
    case "THERE_IS_NO_COLUMN":
      return new ConfigurationError(`${message}; run db.sync() to create missing tables and columns`, cause);
    case "AUTHENTICATION_FAILED":
    case "REQUIRED_PASSWORD":
      return new ConnectionError(
        `ClickHouse refused the login (${firstLine(message)}): check username and password`,
        cause,
      );
    case "UNKNOWN_DATABASE":
      return new ConnectionError(
        `the ClickHouse database does not exist (${firstLine(message)}): create it or fix the database option`,
        cause,
      );
    case "NETWORK_ERROR":
    case "SOCKET_TIMEOUT":
      return new ConnectionError(`cannot use the ClickHouse database: ${message}`, cause);
    case "CANNOT_PARSE_TEXT":
    case "CANNOT_PARSE_DATE":
    case "CANNOT_PARSE_DATETIME":
    case "CANNOT_PARSE_NUMBER":
    case "CANNOT_PARSE_INPUT_ASSERTION_FAILED":
    case "VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE":
    case "DECIMAL_OVERFLOW":
    case "ARGUMENT_OUT_OF_BOUND":
      return new ValidationError(`ClickHouse refused a value: ${message}`, undefined, undefined, cause);
    case "CANNOT_UPDATE_COLUMN":
      return new UnsupportedError(
        "updating a column of the sorting key",
        "clickhouse",
        `${message}; keep clickhouse.orderBy to columns that never change`,
      );
    case "TIMEOUT_EXCEEDED":
      return new QueryError(
        `the statement ran longer than statementTimeout${limits.statementTimeout ? ` (${limits.statementTimeout} ms)` : ""} and ClickHouse stopped it (max_execution_time); make it cheaper or raise statementTimeout`,
        undefined,
        cause,
      );
    case "SYNTAX_ERROR":
    case "ILLEGAL_TYPE_OF_ARGUMENT":
    case "TYPE_MISMATCH":
    case "NO_COMMON_TYPE":
    case "UNKNOWN_FUNCTION":
      return new QueryError(`ClickHouse refused the query: ${message}`, undefined, cause);
  }
  if (/^Timeout error/.test(message) && limits.queryTimeout) {
    return new ConnectionError(
      `ClickHouse did not answer within queryTimeout (${limits.queryTimeout} ms); the request was aborted`,
      cause,
    );
  }
  if (e.code === "ECONNREFUSED") {
    return new ConnectionError(
      `cannot reach ClickHouse: the connection was refused (${message}); is the server running there? Check the host and HTTP port (8123 by default) in the url`,
      cause,
    );
  }
  if (e.code === "ENOTFOUND" || e.code === "EAI_AGAIN") {
    return new ConnectionError(
      `cannot reach ClickHouse: the host was not found (${message}); check the host in the url`,
      cause,
    );
  }
  if (
    /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EPIPE|socket hang up|Timeout error/i.test(`${e.code ?? ""} ${message}`)
  ) {
    return new ConnectionError(`cannot reach ClickHouse: ${message}`, cause);
  }
  return new DotormError(`ClickHouse error${type ? ` ${type}` : ""}: ${message}`, cause);
}
