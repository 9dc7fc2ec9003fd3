import type { components } from "./openapi";

/** The schemas of the generated OpenAPI types, by name (`Row<"Leads">`). */
export type Schemas = components["schemas"];
export type Row<K extends keyof Schemas> = Schemas[K];

/** A field as `GET /auto/<t>/fields` describes it. */
export interface FieldMeta {
  name: string;
  type: string;
  label: string;
  help?: string;
  required: boolean;
  readonly: boolean;
  maxLength?: number;
  precision?: number;
  scale?: number;
  default?: unknown;
  options?: [string, string][];
  /** `display`: the related model's display field (`name` unless the server says otherwise), when it has one. */
  relation?: { model: string; kind: "many2one" | "one2many" | "many2many"; display?: string };
}

/** A failed API call: the status, the server's code and message, and the field it names if any. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

let onUnauthorized: () => void = () => {};
/** What to do when any call answers 401 (the app sends the user to the login page). */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

/**
 * Calls the CRM API with the session cookie; JSON in and out; throws {@link ApiError}.
 *
 * @example
 * const { data, total } = await api<{ data: Row<"Leads">[]; total: number }>("GET", "/auto/leads?limit=20");
 */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: "same-origin",
    // writes always say JSON (the server refuses other writes, even bodiless ones like logout)
    headers: method === "GET" ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const err = (parsed as { error?: { code?: string; message?: string; details?: { field?: string } } } | undefined)
      ?.error;
    if (res.status === 401 && path !== "/api/login") onUnauthorized();
    throw new ApiError(
      res.status,
      err?.code ?? "HTTP_ERROR",
      err?.message ?? `${res.status} ${res.statusText}`,
      err?.details?.field,
    );
  }
  return parsed as T;
}

/** A query string from defined values (JSON-encodes objects and arrays). */
export function query(params: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "") continue;
    q.set(k, typeof v === "object" ? JSON.stringify(v) : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** The display name of a many2one value (an id, or the nested record). */
export function displayName(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") {
    const o = v as { name?: unknown; id?: unknown };
    // a related record read with its display field: `name`, or the one other field it was read with
    const shown = o.name ?? Object.entries(o).find(([k, x]) => k !== "id" && typeof x === "string")?.[1];
    return String(shown ?? `#${String(o.id)}`);
  }
  return `#${String(v)}`;
}

/** The id of a many2one value. */
export function idOf(v: unknown): number | null {
  if (typeof v === "number") return v;
  if (v && typeof v === "object" && typeof (v as { id?: unknown }).id === "number") return (v as { id: number }).id;
  return null;
}
