import { AccessDenied, IntegrityError, QueryError, RecordNotFound, ValidationError } from "@dotorm/core";
import { RestError, unauthorized } from "@dotorm/rest";
import type { Context } from "hono";
import type { z } from "zod";
import type { CrmSession } from "../access-setup.js";
import type { SessionStore } from "./sessions.js";

/** The session of the request, or a 401 (same body as the REST API's). */
export async function requireSession(sessions: SessionStore, c: Context): Promise<CrmSession> {
  const s = await sessions.fromContext(c);
  if (!s) throw unauthorized();
  return s;
}

/** The JSON body checked against `schema`; 400 naming the first bad field. */
export async function jsonBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new RestError(400, "VALIDATION_ERROR", "the request body is not valid JSON");
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join(".") || undefined;
  throw new RestError(
    400,
    "VALIDATION_ERROR",
    `${field ?? "body"}: ${issue?.message ?? "invalid"}`,
    field ? { field } : undefined,
  );
}

/** A positive integer path parameter, or 404 (a malformed id names nothing). */
export function idParam(c: Context, name = "id"): number {
  const raw = c.req.param(name) ?? "";
  const id = /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(id))
    throw new RestError(404, "NOT_FOUND", `no record with id ${JSON.stringify(raw.slice(0, 32))}`);
  return id;
}

/** The JSON error body and status for anything a CRM route threw; 5xx are logged with a request id. */
export function errorReply(e: unknown, log: (message: string, error: unknown) => void) {
  const client = (status: number, code: string, message: string, details?: Record<string, unknown>) => ({
    status,
    body: { error: details ? { code, message, details } : { code, message } },
  });
  if (e instanceof RestError) return client(e.status, e.code, e.message, e.details);
  if (e instanceof AccessDenied) return client(403, e.code, e.message);
  if (e instanceof RecordNotFound) return client(404, e.code, e.message);
  if (e instanceof ValidationError || e instanceof QueryError)
    return client(400, e.code, e.message, e.field === undefined ? undefined : { field: e.field });
  if (e instanceof IntegrityError) return client(409, e.code, "the change conflicts with existing data");
  const requestId = crypto.randomUUID();
  log(`request ${requestId} failed`, e);
  return client(500, "INTERNAL_ERROR", "the server failed to answer; try again later", { requestId });
}
