import { type CondNode, type ModelMeta, type QueryNode, type SelectItem, type SelectNode, parseFilter } from "@dotorm/core";
import { makeModels } from "@dotorm/testkit";

/** The conformance models, with short table names so the expected SQL stays readable. */
export const { Chat, ChatMessage, User, models } = makeModels("app");

const field = (model: ModelMeta, name: string) => {
  const f = model.fields.get(name);
  if (!f) throw new Error(`no field ${model.table}.${name}`);
  return f;
};
const columns = (model: ModelMeta, names: readonly string[]): SelectItem[] => names.map((n) => ({ kind: "column", field: field(model, n) }));
const where = (model: ModelMeta, filter: unknown): CondNode | undefined => parseFilter(model, filter);

const chat = Chat.meta;
const user = User.meta;
const message = ChatMessage.meta;

/** The representative statements both dialects render, by name. */
export const nodes: Record<string, QueryNode> = {
  getById: { kind: "select", model: chat, items: columns(chat, ["id", "name", "is_archived"]), where: where(chat, [["id", "=", 7]]), order: [], limit: 1 },
  filteredPage: {
    kind: "select",
    model: chat,
    items: columns(chat, ["id", "name"]),
    where: where(chat, [["is_archived", "=", false], "or", ["name", "ilike", "gen"]]),
    order: [{ field: field(chat, "description"), desc: true }],
    limit: 20,
    offset: 40,
  },
  nested: {
    kind: "select",
    model: chat,
    items: [
      ...columns(chat, ["id", "name"]),
      { kind: "nested", field: field(chat, "creator_id"), sub: { kind: "select", model: user, items: columns(user, ["id", "name"]), order: [] } },
      {
        kind: "nested",
        field: field(chat, "messages"),
        sub: {
          kind: "select",
          model: message,
          items: [
            ...columns(message, ["id", "body"]),
            { kind: "nested", field: field(message, "author_user_id"), sub: { kind: "select", model: user, items: columns(user, ["id", "name"]), order: [] } },
          ],
          order: [{ field: message.id, desc: true }],
          limit: 50,
        } satisfies SelectNode,
      },
    ],
    where: where(chat, [["id", "=", 7]]),
    order: [],
  },
  guardedNested: {
    kind: "select",
    model: chat,
    items: [
      ...columns(chat, ["id"]),
      { kind: "nested", field: field(chat, "creator_id"), sub: { kind: "select", model: user, items: columns(user, ["id", "name"]), where: where(user, [["is_active", "=", true]]), order: [] } },
      { kind: "nested", field: field(chat, "messages"), sub: { kind: "select", model: message, items: columns(message, ["id"]), where: where(message, [["body", "=", "hi"]]), order: [] } },
    ],
    where: where(chat, [["name", "=", "General"]]),
    order: [],
  },
  insert: {
    kind: "insert",
    table: chat.table,
    columns: [{ name: "name", field: field(chat, "name") }, { name: "creator_id", field: field(chat, "creator_id") }],
    rows: [["General", 1], ["Random", 2]],
    returningId: true,
  },
  update: { kind: "update", model: chat, set: [[field(chat, "name"), "Renamed"]], where: where(chat, [["id", "=", 7]]) },
  delete: { kind: "delete", model: chat, where: where(chat, [["is_archived", "=", true]]) },
  count: { kind: "count", model: chat, where: where(chat, [["creator_id.name", "=", "Ann"]]) },
};
