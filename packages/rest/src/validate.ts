import type { z } from "zod";
import { badRequest } from "./rest-error.js";

/**
 * Parses untrusted input with a schema; a refusal is a 400 whose details list every problem with its
 * path, and name the first offending field. The result is the schema's own fresh copy.
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 20).map((i) => {
    const keys = i.code === "unrecognized_keys" ? (i as { keys: string[] }).keys : undefined;
    const path = i.path.map(String).join(".");
    return {
      path: keys ? [path, keys[0]].filter(Boolean).join(".") : path,
      message: keys ? `unknown field ${keys.map((k) => JSON.stringify(k)).join(", ")}` : i.message,
    };
  });
  const first = issues[0];
  const field = first?.path.split(".").find((p) => !/^\d+$/.test(p));
  const message = `${where}: ${first?.path ? `${first.path}: ` : ""}${first?.message ?? "invalid"}`;
  return badRequestThrow(message, field, issues);
}

function badRequestThrow(
  message: string,
  field: string | undefined,
  issues: { path: string; message: string }[],
): never {
  throw badRequest(message, field, { issues });
}
