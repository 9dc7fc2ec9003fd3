import {
  type CondNode,
  type FieldMeta,
  type ModelMeta,
  type QueryNode,
  type SelectItem,
  type SelectNode,
  parseFilter,
} from "@dotorm/core";
import { makeModels } from "./models.js";

/** The conformance models, with short table names so the expected SQL stays readable. */
export const sqlModels = makeModels("app");

/** A field of a model, by name (throws on a typo so a fixture cannot silently change). */
export function fieldOf(model: ModelMeta, name: string): FieldMeta {
  const f = model.fields.get(name);
  if (!f) throw new Error(`no field ${model.table}.${name}`);
  return f;
}

/** Column select items. */
export const columnsOf = (model: ModelMeta, names: readonly string[]): SelectItem[] =>
  names.map((n) => ({ kind: "column", field: fieldOf(model, n) }));

/** A parsed filter. */
export const whereOf = (model: ModelMeta, filter: unknown): CondNode | undefined => parseFilter(model, filter);

const chat = sqlModels.Chat.meta;
const user = sqlModels.User.meta;
const message = sqlModels.ChatMessage.meta;

/**
 * The representative statements every dialect's SQL tests render side by side with PostgreSQL's:
 * get by id, a filtered page, a nested read (many2one + one2many with its own order and limit, and
 * a many2one inside it), an insert of two rows, update, delete and a count through a dotted path.
 * Adapters add their own variants (client ids, guarded joins) next to these.
 */
export const representativeNodes = {
  getById: {
    kind: "select",
    model: chat,
    items: columnsOf(chat, ["id", "name", "is_archived"]),
    where: whereOf(chat, [["id", "=", 7]]),
    order: [],
    limit: 1,
  },
  filteredPage: {
    kind: "select",
    model: chat,
    items: columnsOf(chat, ["id", "name"]),
    where: whereOf(chat, [["is_archived", "=", false], "or", ["name", "ilike", "gen"]]),
    order: [{ field: fieldOf(chat, "description"), desc: true }],
    limit: 20,
    offset: 40,
  },
  nested: {
    kind: "select",
    model: chat,
    items: [
      ...columnsOf(chat, ["id", "name"]),
      {
        kind: "nested",
        field: fieldOf(chat, "creator_id"),
        sub: { kind: "select", model: user, items: columnsOf(user, ["id", "name"]), order: [] },
      },
      {
        kind: "nested",
        field: fieldOf(chat, "messages"),
        sub: {
          kind: "select",
          model: message,
          items: [
            ...columnsOf(message, ["id", "body"]),
            {
              kind: "nested",
              field: fieldOf(message, "author_user_id"),
              sub: { kind: "select", model: user, items: columnsOf(user, ["id", "name"]), order: [] },
            },
          ],
          order: [{ field: message.id, desc: true }],
          limit: 50,
        } satisfies SelectNode,
      },
    ],
    where: whereOf(chat, [["id", "=", 7]]),
    order: [],
  },
  insert: {
    kind: "insert",
    table: chat.table,
    columns: [
      { name: "name", field: fieldOf(chat, "name") },
      { name: "creator_id", field: fieldOf(chat, "creator_id") },
    ],
    rows: [
      ["General", 1],
      ["Random", 2],
    ],
    returningId: true,
  },
  update: {
    kind: "update",
    model: chat,
    set: [[fieldOf(chat, "name"), "Renamed"]],
    where: whereOf(chat, [["id", "=", 7]]),
  },
  delete: { kind: "delete", model: chat, where: whereOf(chat, [["is_archived", "=", true]]) },
  count: { kind: "count", model: chat, where: whereOf(chat, [["creator_id.name", "=", "Ann"]]) },
} satisfies Record<string, QueryNode>;
