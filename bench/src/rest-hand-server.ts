/**
 * The hand-written side of the REST bench: what one writes without an ORM for the same two
 * requests, on Hono and a `pg` pool. It checks its input as a careful hand-written handler does
 * (known columns and operators only, integer limits, 400 otherwise), builds parameterised SQL, and
 * answers the same JSON as crud(): a page is the rows then `SELECT count(*)` (with `HAND_PAGE=one`,
 * the strongest hand-written form: one statement whose first column is the total as an uncorrelated
 * `(SELECT count(*) ...)`, as crud()'s `searchAndCount` sends it); a chat with its creator is one
 * JOIN, its latest messages a second query.
 */
import { Hono } from "hono";
import pg from "pg";
import { benchUrlFor } from "./pg-setup.js";
import { serveForBench } from "./rest-server.js";

const [schema = "dotorm_bench_rest", poolSize = "10"] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: benchUrlFor(schema), max: Number(poolSize) });

/** The page and its total in one statement (`HAND_PAGE=one`), else two. */
const onePage = process.env.HAND_PAGE === "one";
const chatColumns = new Set(["id", "name", "is_archived", "creator_id"]);
const operators = new Set(["=", "!=", ">", ">=", "<", "<="]);

class BadRequest extends Error {}

function columns(list: string | undefined, known: Set<string>): string[] {
  const names = list === undefined ? [...known] : list.split(",").map((s) => s.trim());
  for (const n of names) if (!known.has(n)) throw new BadRequest(`unknown field ${n}`);
  return ["id", ...names.filter((n) => n !== "id")];
}

function integer(text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,9}$/.test(text) || Number(text) > max) throw new BadRequest(`bad integer ${text}`);
  return Number(text);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest("malformed JSON");
  }
}

/** `[[field, op, value], ...]` joined by AND, as a WHERE clause with numbered parameters. */
function where(filter: string | undefined, params: unknown[]): string {
  if (filter === undefined) return "";
  const conditions = parseJson(filter);
  if (!Array.isArray(conditions)) throw new BadRequest("filter must be a list");
  const sql = conditions.map((c) => {
    if (!Array.isArray(c) || c.length !== 3 || !chatColumns.has(c[0]) || !operators.has(c[1]))
      throw new BadRequest("bad condition");
    const v = c[2];
    if (typeof v !== "number" && typeof v !== "string" && typeof v !== "boolean") throw new BadRequest("bad value");
    params.push(v);
    return `${c[0]} ${c[1]} $${params.length}`;
  });
  return sql.length > 0 ? ` WHERE ${sql.join(" AND ")}` : "";
}

const app = new Hono();
app.onError((e, c) =>
  e instanceof BadRequest
    ? c.json({ error: { code: "VALIDATION_ERROR", message: e.message } }, 400)
    : c.json({ error: { code: "INTERNAL_ERROR", message: "failed" } }, 500),
);

app.get("/auto/chats", async (c) => {
  const q = c.req.query();
  const cols = columns(q.fields, chatColumns);
  const params: unknown[] = [];
  const cond = where(q.filter, params);
  const order = q.order ?? "id";
  if (!chatColumns.has(order)) throw new BadRequest(`unknown order ${order}`);
  const limit = integer(q.limit, 1000, 1000);
  const offset = integer(q.offset, 0, 1_000_000_000);
  const page = `SELECT ${cols.join(", ")} FROM chats${cond} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`;
  const count = `SELECT count(*)::int AS total FROM chats${cond}`;
  if (onePage) {
    const rows = await pool.query(page.replace("SELECT ", `SELECT (${count}) AS "#total", `), params);
    const first = rows.rows[0];
    if (first) return c.json({ data: rows.rows.map(({ "#total": _, ...row }) => row), total: first["#total"] });
  }
  const rows = await pool.query(page, params);
  const total = await pool.query(count, params);
  return c.json({ data: rows.rows, total: total.rows[0].total });
});

app.get("/auto/chats/:id", async (c) => {
  const idText = c.req.param("id");
  if (!/^[1-9]\d{0,9}$/.test(idText)) throw new BadRequest("bad id");
  const id = Number(idText);
  const q = c.req.query();
  const cols = columns(q.fields, chatColumns).filter((n) => n !== "creator_id");
  // the nested shape this handler serves: { creator_id: ["name"], messages: { fields: [...], order: "id desc", limit } }
  const nested = parseJson(q.nested ?? "{}") as {
    creator_id?: unknown;
    messages?: { fields?: unknown; limit?: unknown };
  };
  const messageFields = nested.messages?.fields;
  const messageLimit = nested.messages?.limit;
  if (
    JSON.stringify(nested.creator_id) !== '["name"]' ||
    !Array.isArray(messageFields) ||
    !messageFields.every((f) => f === "body" || f === "created_at") ||
    typeof messageLimit !== "number" ||
    !Number.isInteger(messageLimit) ||
    messageLimit < 0 ||
    messageLimit > 1000
  ) {
    throw new BadRequest("unsupported nested");
  }
  const chat = await pool.query(
    `SELECT ${cols.map((n) => `c.${n}`).join(", ")}, u.id AS creator_id, u.name AS creator_name FROM chats c JOIN users u ON u.id = c.creator_id WHERE c.id = $1`,
    [id],
  );
  const row = chat.rows[0];
  if (!row) return c.json({ error: { code: "NOT_FOUND", message: `chats record ${id} does not exist` } }, 404);
  const messages = await pool.query(
    `SELECT id, ${messageFields.join(", ")} FROM chat_messages WHERE chat_id = $1 ORDER BY id DESC LIMIT $2`,
    [id, messageLimit],
  );
  const { creator_id, creator_name, ...chatFields } = row;
  return c.json({
    data: { ...chatFields, creator_id: { id: creator_id, name: creator_name }, messages: messages.rows },
  });
});

serveForBench(app.fetch, () => pool.end());
