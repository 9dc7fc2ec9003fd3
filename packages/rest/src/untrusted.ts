import { badRequest } from "./rest-error.js";

/** Deepest JSON nesting a request body may have. */
export const maxJsonDepth = 32;

/**
 * Checks a parsed JSON value from a request before anything else reads it: nesting depth, no
 * `__proto__` keys (they would turn into prototypes wherever the value is copied), and only
 * well-formed text without NUL (no database stores a lone surrogate or NUL faithfully).
 */
export function checkUntrusted(value: unknown, where: string, depth = 0): void {
  if (depth > maxJsonDepth) throw badRequest(`${where} nests deeper than ${maxJsonDepth} levels`);
  if (typeof value === "string") {
    checkText(value, where);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) checkUntrusted(item, where, depth + 1);
    return;
  }
  for (const key of Object.keys(value)) {
    if (key === "__proto__") throw badRequest(`${where} has a "__proto__" key; rename it`);
    checkText(key, where);
    checkUntrusted((value as Record<string, unknown>)[key], where, depth + 1);
  }
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkText(text: string, where: string): void {
  if (text.includes("\u0000")) throw badRequest(`${where} contains a NUL character (\\u0000), which no field stores`);
  if (loneSurrogate.test(text))
    throw badRequest(`${where} contains invalid Unicode (a lone surrogate); send well-formed UTF-8`);
}

/** Parses JSON text from a request: malformed JSON is a 400 naming where it came from. */
export function parseJson(text: string, where: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw badRequest(`${where} is not valid JSON: ${(e as Error).message}`, undefined, { reason: "malformed_json" });
  }
  checkUntrusted(value, where);
  return value;
}
