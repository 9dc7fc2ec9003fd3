/**
 * Every error DotORM raises extends {@link DotormError}; driver errors are mapped to these, with the
 * original kept as `cause`, so callers never need to know which database they talk to.
 *
 * @example
 * try { await Chat.get(42) } catch (e) { if (e instanceof RecordNotFound) console.log(e.model, e.id) }
 */
export class DotormError extends Error {
  /** A stable machine-readable code, e.g. for REST responses. */
  readonly code: string = "DOTORM_ERROR";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A value was refused before it reached the database: wrong type, too long, missing, unknown field. */
export class ValidationError extends DotormError {
  override readonly code = "VALIDATION_ERROR";
  constructor(
    message: string,
    readonly field?: string,
    readonly model?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A query was malformed: unknown field, operator or order, wrong value shape for an operator. */
export class QueryError extends DotormError {
  override readonly code = "QUERY_ERROR";
  constructor(
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `get` found no row with that id (or none the session may read). */
export class RecordNotFound extends DotormError {
  override readonly code = "NOT_FOUND";
  constructor(
    readonly model: string,
    readonly id: unknown,
  ) {
    super(`${model} record ${String(id)} does not exist (or is not visible to this session)`);
  }
}

/** Kinds of constraint an {@link IntegrityError} reports. */
export type IntegrityKind = "unique" | "foreign_key" | "not_null" | "check";

/** The database refused a write because of a constraint. */
export class IntegrityError extends DotormError {
  override readonly code = "INTEGRITY_ERROR";
  constructor(
    message: string,
    readonly kind: IntegrityKind,
    readonly constraint?: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The access checker refused the operation (or a field of it). */
export class AccessDenied extends DotormError {
  override readonly code = "ACCESS_DENIED";
  constructor(
    message: string,
    readonly model?: string,
    readonly operation?: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The feature cannot work on this database; the message says what to do instead. */
export class UnsupportedError extends DotormError {
  override readonly code = "UNSUPPORTED";
  constructor(
    readonly feature: string,
    readonly dialect: string,
    hint?: string,
  ) {
    super(`${feature} is not supported on ${dialect}${hint ? `: ${hint}` : ""}`);
  }
}

/** The database could not be reached or the connection broke. */
export class ConnectionError extends DotormError {
  override readonly code = "CONNECTION_ERROR";
}

/** The models or options are inconsistent (an unknown relation target, a column type a database lacks). */
export class ConfigurationError extends DotormError {
  override readonly code = "CONFIGURATION_ERROR";
}

/** Why a {@link TransactionError} was raised. */
export type TransactionErrorReason = "finished" | "aborted" | "unfinished-nested";

/**
 * The database rolled a transaction back because it conflicted with a concurrent one: a deadlock, or
 * a serialization failure (PostgreSQL 40P01 / 40001, MySQL 1213). Nothing of the transaction was
 * written; running it again usually succeeds. `getOrCreate` / `updateOrCreate` retry it themselves
 * when they opened the transaction.
 *
 * @example
 * for (let i = 0; ; i++) {
 *   try { return await db.transaction(work) } catch (e) { if (!(e instanceof TransactionConflict) || i === 2) throw e }
 * }
 */
export class TransactionConflict extends DotormError {
  override readonly code = "TRANSACTION_CONFLICT";
}

/**
 * A transaction refused a statement or did not commit: a statement issued after its transaction's
 * callback settled (`finished`), a transaction the database rolled back although the callback
 * returned (`aborted`, e.g. an error caught inside it on PostgreSQL), or a callback that returned
 * while a nested transaction it started was still running (`unfinished-nested`).
 *
 * @example
 * try { await db.transaction(work) } catch (e) { if (e instanceof TransactionError && e.reason === "aborted") retry() }
 */
export class TransactionError extends DotormError {
  override readonly code = "TRANSACTION_ERROR";
  constructor(
    message: string,
    readonly reason: TransactionErrorReason,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
