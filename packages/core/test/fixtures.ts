import { f } from "../src/model/f.js";
import { model } from "../src/define/model.js";
import type { AnyModel, FieldMeta, ModelMeta } from "../src/model/model-meta.js";
import type { CondNode, ExprNode } from "../src/query/ast.js";

/** The contract's models (short table names keep expected SQL readable) plus one with every kind. */
export const Role = model("roles", {
  code: f.char({ maxLength: 50, required: true, unique: true }),
  name: f.char(),
});

export const User = model("users", {
  name: f.char({ maxLength: 255, required: true }),
  login: f.char({ maxLength: 100, unique: true }),
  is_active: f.boolean({ default: true }),
  role_ids: f.many2many(() => Role, { table: "user_roles", column1: "user_id", column2: "role_id" }),
});

export const Chat = model("chats", {
  name: f.char({ maxLength: 255, required: true }),
  description: f.text(),
  is_archived: f.boolean({ default: false }),
  chat_type: f.selection({
    options: [
      ["direct", "Direct"],
      ["group", "Group"],
    ],
    default: "group",
    required: true,
  }),
  creator_id: f.many2one(() => User, { required: true }),
  messages: f.one2many((): AnyModel => ChatMessage, "chat_id"),
});

export const ChatMessage = model("chat_messages", {
  chat_id: f.many2one(() => Chat, { required: true, onDelete: "cascade" }),
  author_user_id: f.many2one(() => User),
  body: f.text(),
  created_at: f.datetime({ default: "now", readonly: true }),
});

export const Thing = model("things", {
  small: f.smallInteger(),
  count: f.integer({ default: 0 }),
  big: f.bigInteger(),
  ratio: f.float(),
  price: f.decimal({ precision: 6, scale: 2 }),
  flag: f.boolean(),
  at: f.datetime(),
  day: f.date(),
  clock: f.time(),
  data: f.json(),
  kind: f.selection({
    options: [
      ["a", "A"],
      ["b", "B"],
    ],
  }),
  blob: f.binary(),
  code: f.char({ maxLength: 3, column: "thing_code" }),
  stamp: f.date({ default: "now" }),
  token: f.char({ default: () => "generated" }),
  secret: f.char({ readonly: true }),
  shout: f.char({ store: false, compute: (r) => String(r.code ?? "").toUpperCase(), depends: ["code"] }),
});

export const chat = Chat.meta;
export const user = User.meta;
export const message = ChatMessage.meta;
export const thing = Thing.meta;

/** A field's metadata, failing loudly on a typo in the test itself. */
export function field(model: ModelMeta, name: string): FieldMeta {
  const meta = model.fields.get(name);
  if (!meta) throw new Error(`test bug: no field ${model.table}.${name}`);
  return meta;
}

/**
 * A condition node as compact text (`or(chats.name = "x", chats.name is null)`), so expectations
 * read like the filter they come from; every property of every node kind is printed.
 */
export function show(node: CondNode | undefined): string {
  if (node === undefined) return "undefined";
  const col = (f: FieldMeta) => `${f.model.table}.${f.name}`;
  const v = (x: unknown) => (x instanceof Date ? `Date(${x.toISOString()})` : JSON.stringify(x));
  switch (node.kind) {
    case "and":
    case "or":
      return `${node.kind}(${node.items.map(show).join(", ")})`;
    case "not":
      return `not(${show(node.item)})`;
    case "const":
      return String(node.value);
    case "cmp":
      return `${col(node.field)} ${node.op} ${v(node.value)}`;
    case "null":
      return `${col(node.field)} is ${node.negate ? "not " : ""}null`;
    case "in":
      return `${col(node.field)} ${node.negate ? "not in" : "in"} ${v(node.values)}`;
    case "like":
      return `${col(node.field)} ${node.negate ? "not " : ""}${node.ci ? "ilike" : "like"} ${v(node.pattern)}`;
    case "between":
      return `${col(node.field)} ${node.negate ? "not between" : "between"} ${v(node.low)} and ${v(node.high)}`;
    case "exists":
      return `exists ${col(node.via)} (${show(node.cond)})`;
    case "cmpExpr":
      return `${col(node.field)} ${node.op} ${showExpr(node.expr)}`;
  }
}

function showExpr(node: ExprNode): string {
  if (node.kind === "field") return `${node.field.model.table}.${node.field.name}`;
  if (node.kind === "value") return JSON.stringify(node.value);
  return `(${showExpr(node.left)} ${node.op} ${showExpr(node.right)})`;
}
