import {
  AccessDenied,
  ConnectionError,
  DotormError,
  IntegrityError,
  QueryError,
  RecordNotFound,
  TransactionConflict,
  UnsupportedError,
  ValidationError,
} from "@dotorm/core";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The JSON body of every error response: `{ error: { code, message, details? } }`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/**
 * An HTTP error with its status and the stable `code` of the JSON body. Throw it from a
 * `session(c)` callback (e.g. `new RestError(401, "UNAUTHORIZED", "log in first")`) or let the API
 * raise it for a request it refuses.
 *
 * @example
 * crud(db, { session: (c) => { const u = users.get(c.req.header("authorization")); if (!u) throw unauthorized(); return u } });
 */
export class RestError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "RestError";
  }
}

/** The 401 a `session(c)` callback throws when the request carries no valid credentials. */
export function unauthorized(
  message = "this request needs a valid session; log in and send its credentials",
): RestError {
  return new RestError(401, "UNAUTHORIZED", message);
}

/** A 400 for a request the API refuses before it reaches the ORM, naming the field when there is one. */
export function badRequest(message: string, field?: string, extra?: Record<string, unknown>): RestError {
  const details = field === undefined && !extra ? undefined : { ...(field === undefined ? {} : { field }), ...extra };
  return new RestError(400, "VALIDATION_ERROR", message, details);
}

/** A 404 that reads the same whether the thing is absent or only invisible to this session. */
export function notFound(message: string, details?: Record<string, unknown>): RestError {
  return new RestError(404, "NOT_FOUND", message, details);
}

/** Status and body for anything a handler threw; `requestId` goes into 5xx bodies (never a stack or SQL). */
export function errorResponse(
  e: unknown,
  requestId: string,
): { status: ContentfulStatusCode; body: ErrorBody; fault: boolean } {
  const client = (status: ContentfulStatusCode, code: string, message: string, details?: Record<string, unknown>) => ({
    status,
    body: { error: details ? { code, message, details } : { code, message } },
    fault: false,
  });
  if (e instanceof RestError) return client(e.status, e.code, e.message, e.details);
  if (e instanceof HTTPException) {
    if (e.status === 504)
      return client(
        504,
        "TIMEOUT",
        "the request took too long and was abandoned; narrow it (filter, limit) or try again",
        { requestId },
      );
    return client(
      e.status as ContentfulStatusCode,
      e.status === 413 ? "PAYLOAD_TOO_LARGE" : "HTTP_ERROR",
      e.message || "request refused",
    );
  }
  if (e instanceof ValidationError)
    return client(400, e.code, e.message, e.field === undefined ? undefined : { field: e.field });
  if (e instanceof QueryError)
    return client(400, e.code, e.message, e.field === undefined ? undefined : { field: e.field });
  if (e instanceof UnsupportedError) return client(400, e.code, e.message, { feature: e.feature });
  if (e instanceof RecordNotFound) return client(404, e.code, `${e.model} record ${String(e.id)} does not exist`);
  if (e instanceof AccessDenied)
    return client(403, e.code, e.message, e.field === undefined ? undefined : { field: e.field });
  if (e instanceof IntegrityError) {
    return client(409, e.code, `the change conflicts with existing data (${e.kind.replace("_", " ")} constraint)`, {
      kind: e.kind,
      ...(e.field === undefined ? {} : { field: e.field }),
    });
  }
  if (e instanceof TransactionConflict)
    return client(409, e.code, "the change conflicted with a concurrent one and was not made; send it again");
  if (e instanceof ConnectionError)
    return {
      status: 503,
      body: {
        error: { code: e.code, message: "the database is unavailable; try again later", details: { requestId } },
      },
      fault: true,
    };
  const code = e instanceof DotormError ? e.code : "INTERNAL_ERROR";
  return {
    status: 500,
    body: { error: { code, message: "internal server error; report the request id", details: { requestId } } },
    fault: true,
  };
}
