import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import type { QueryNode } from "../query/ast.js";

const isModel = (x: object): x is ModelMeta =>
  "fields" in x && x.fields instanceof Map && typeof (x as ModelMeta).table === "string";
const isField = (x: object): x is FieldMeta =>
  "def" in x && "model" in x && typeof (x as FieldMeta).target === "function";

/**
 * Every table a read may touch: its model's, and those of each relation, path, nested read and
 * many2many link table named anywhere in the node (a superset is safe: it only drops more entries).
 *
 * @example
 * readTables(select); // ["chats", "users", "chat_messages"]
 */
export function readTables(node: QueryNode): string[] {
  const tables = new Set<string>();
  const seen = new Set<object>();
  const walk = (x: unknown): void => {
    if (typeof x !== "object" || x === null || seen.has(x)) return;
    seen.add(x);
    if (isModel(x)) {
      tables.add(x.table);
      return;
    }
    if (isField(x)) {
      tables.add(x.model.table);
      if (x.kind === "many2one" || x.kind === "one2many" || x.kind === "many2many" || x.kind === "one2one")
        tables.add(x.target().table);
      if (x.kind === "many2many" && x.link) tables.add(x.link().table);
      return;
    }
    if (Array.isArray(x)) for (const item of x) walk(item);
    else for (const v of Object.values(x)) walk(v);
  };
  walk(node);
  return [...tables];
}

/** The table a write statement changes, or undefined for a read. */
export function writtenTable(node: QueryNode): string | undefined {
  switch (node.kind) {
    case "insert":
    case "unlink":
      return node.table;
    case "update":
      return node.model.table;
    case "delete":
      return (node as { table?: string }).table ?? node.model.table;
    default:
      return undefined;
  }
}
