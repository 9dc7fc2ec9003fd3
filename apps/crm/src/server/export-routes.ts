import { type Database, type FieldMeta, type ModelMeta, QueryError, parseFilter } from "@dotorm/core";
import { RestError } from "@dotorm/rest";
import type { Hono } from "hono";
import { stream } from "hono/streaming";
import { csvCell, csvDecimal, csvLine } from "./csv.js";
import { requireSession } from "./http.js";
import type { SessionStore } from "./sessions.js";

/** What the export route needs. */
export interface ExportDeps {
  readonly db: Database;
  readonly sessions: SessionStore;
  /** Most rows one export may hold; a larger result is refused before any is read. Default 100,000. */
  readonly maxRows?: number;
  /** Exports one user may run at once. Default 2. */
  readonly perUser?: number;
  /** Where a failure after the first byte is reported (the response can only be cut short then). */
  readonly log: (message: string, error: unknown) => void;
}

/** Models the API does not expose are not exported either. */
const hidden = new Set(["sessions"]);
const maxFields = 60;
const numberKinds = new Set(["integer", "smallInteger", "bigInteger", "float"]);
const decimalKinds = new Set(["decimal", "monetary"]);
const notExportable = new Set(["one2many", "many2many", "binary"]);

const isPrivate = (f: FieldMeta) => f.def.options.private === true;
const bad = (message: string, field?: string) =>
  new RestError(400, "VALIDATION_ERROR", message, field ? { field } : undefined);

/** The field a column names: visible, stored or computed, and of a kind a cell can hold. */
function column(meta: ModelMeta, name: string): FieldMeta {
  const field = meta.fields.get(name);
  if (!field || isPrivate(field)) throw bad(`unknown field "${name.slice(0, 64)}" on ${meta.table}`, name.slice(0, 64));
  if (notExportable.has(field.kind))
    throw bad(`${meta.table}.${name} is a ${field.kind} field, which a CSV cell cannot hold`, name);
  return field;
}

function parseJsonParam(raw: string | undefined, name: string): unknown {
  if (raw === undefined || raw === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw bad(`${name} is not valid JSON`, name);
  }
}

/** The header label of a field: its label option, else its name. */
function labelOf(f: FieldMeta): string {
  const label = f.def.options.label;
  return typeof label === "string" ? label : f.name;
}

/**
 * `GET /api/export/<model>?fields=a,b&filter=[…]&order=name&sort=asc`: the records the session may
 * read that match the filter, as CSV (UTF-8 with BOM, one header line), streamed from the database
 * with the query set's `stream()` so memory stays flat. Only visible fields, as the session may read
 * them (a field it may not read is a 403 before any byte is sent); many2one cells hold the related
 * record's name; cells a spreadsheet would run as a formula are defused; at most `maxRows` rows
 * (a larger result is refused, naming the count) and `perUser` exports at a time per user.
 *
 * @example
 * curl -b crm_session=… 'localhost:3000/api/export/leads?fields=name,stage_id&filter=[["name","ilike","acme"]]' > leads.csv
 */
export function exportRoutes(app: Hono, deps: ExportDeps): void {
  const maxRows = deps.maxRows ?? 100_000;
  const perUser = deps.perUser ?? 2;
  const running = new Map<number, number>();

  app.get("/api/export/:model", async (c) => {
    const session = await requireSession(deps.sessions, c);
    const table = c.req.param("model");
    const meta = hidden.has(table) ? undefined : deps.db.models.get(table);
    if (!meta) throw new RestError(404, "NOT_FOUND", `there is no model "${table.slice(0, 64)}" to export`);

    const names = (c.req.query("fields") ?? "")
      .split(",")
      .map((n) => n.trim())
      .filter((n) => n !== "");
    if (names.length > maxFields) throw bad(`export at most ${maxFields} fields at once`, "fields");
    const fields =
      names.length > 0
        ? [...new Set(names)].map((n) => column(meta, n))
        : [...meta.fields.values()].filter((f) => !isPrivate(f) && !notExportable.has(f.kind));
    const filter = parseJsonParam(c.req.query("filter"), "filter") ?? [];
    if (!Array.isArray(filter)) throw bad("filter must be a list of conditions", "filter");
    try {
      parseFilter(meta, filter, { isHidden: isPrivate });
    } catch (e) {
      if (e instanceof QueryError) throw bad(e.message, e.field ?? "filter");
      throw e;
    }
    const orderName = c.req.query("order") ?? "id";
    const orderField = meta.fields.get(orderName);
    if (!orderField?.stored || isPrivate(orderField))
      throw bad(`cannot order ${meta.table} by "${orderName.slice(0, 64)}"`, "order");
    const sort = c.req.query("sort") ?? "asc";
    if (sort !== "asc" && sort !== "desc") throw bad('sort must be "asc" or "desc"', "sort");

    // many2one cells show the related record's name when it has one
    const nested: Record<string, string[]> = {};
    for (const f of fields) {
      if (f.kind !== "many2one") continue;
      const name = f.target().fields.get("name");
      if (name && !isPrivate(name)) nested[f.name] = ["name"];
    }
    const model = meta.ctor as unknown as {
      count(o: object): Promise<number>;
      query(): { where(f: unknown[]): any };
    };
    // refused before the first byte: no right to read (403), a denied field (403), too many rows (400)
    const total = await deps.db.withSession(session, async () => {
      await model
        .query()
        .where(filter)
        .only(...fields.map((f) => f.name))
        .nested(nested)
        .limit(1);
      return model.count({ filter });
    });
    if (total > maxRows)
      throw bad(`the filter matches ${total} records; export at most ${maxRows} at once (narrow the filter)`, "filter");
    const mine = running.get(session.userId) ?? 0;
    if (mine >= perUser)
      throw new RestError(429, "TOO_MANY_REQUESTS", `at most ${perUser} exports at a time; wait for one to finish`);
    running.set(session.userId, mine + 1);

    const cell = (f: FieldMeta, v: unknown): string => {
      if (f.kind === "many2one")
        return csvCell(v && typeof v === "object" ? ((v as { name?: unknown }).name ?? (v as { id?: unknown }).id) : v);
      if (numberKinds.has(f.kind)) return typeof v === "number" ? `"${v}"` : csvCell(v);
      if (decimalKinds.has(f.kind)) return csvDecimal(v);
      return csvCell(v);
    };
    const day = new Date().toISOString().slice(0, 10);
    c.header("content-type", "text/csv; charset=utf-8");
    c.header("content-disposition", `attachment; filename="${meta.table}-${day}.csv"`);
    c.header("cache-control", "no-store");
    c.header("x-total-count", String(total));
    return stream(
      c,
      async (out) => {
        try {
          await out.write(`\uFEFF${csvLine(fields.map((f) => csvCell(labelOf(f))))}`);
          await deps.db.withSession(session, async () => {
            const qs = model
              .query()
              .where(filter)
              .only(...fields.map((f) => f.name))
              .nested(nested)
              .orderBy(sort === "desc" ? `-${orderName}` : orderName);
            let lines: string[] = [];
            let sent = 0;
            for await (const row of qs.stream({ batchSize: 500 }) as AsyncIterable<Record<string, unknown>>) {
              if (out.aborted || ++sent > maxRows) break;
              lines.push(csvLine(fields.map((f) => cell(f, row[f.name]))));
              if (lines.length >= 200) {
                await out.write(lines.join(""));
                lines = [];
              }
            }
            if (lines.length > 0 && !out.aborted) await out.write(lines.join(""));
          });
        } finally {
          const now = (running.get(session.userId) ?? 1) - 1;
          if (now <= 0) running.delete(session.userId);
          else running.set(session.userId, now);
        }
      },
      async (e) => deps.log(`export of ${meta.table} failed after it started`, e),
    );
  });
}
