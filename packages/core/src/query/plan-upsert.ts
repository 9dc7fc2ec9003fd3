import { QueryError, ValidationError } from "../errors.js";
import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import type { InsertNode } from "./ast.js";
import { autoNowFields, autoNowOf } from "../model/auto-now.js";

/** Options of `createMany` that turn it into an upsert. */
export interface CreateOptions {
  /** Unique field(s) whose conflict turns the insert into an update. */
  onConflict?: readonly string[];
  /** Fields to overwrite on conflict (none: keep the existing row). */
  update?: readonly string[];
}

/** Checks an upsert's fields: the conflict target must be unique, updated fields writable. */
export function planUpsert(model: ModelMeta, options: CreateOptions): NonNullable<InsertNode["onConflict"]> {
  const field = (name: unknown, what: string): FieldMeta => {
    const f = typeof name === "string" ? model.fields.get(name) : undefined;
    // a declared key may be the conflict target (upsert by primary key), never an updated field
    if (!f?.stored || (f.name === "id" && (model.identity || what !== "onConflict")))
      throw new QueryError(
        `upsert ${what}: unknown or unstored field "${String(name)}" on ${model.table}`,
        String(name),
      );
    return f;
  };
  if (!Array.isArray(options.onConflict) || options.onConflict.length === 0)
    throw new QueryError("upsert: onConflict lists the unique field(s) to match on");
  const columns = options.onConflict.map((n) => field(n, "onConflict"));
  if (columns.length !== 1 || (columns[0]?.def.options.unique !== true && columns[0] !== model.id)) {
    throw new QueryError(
      `upsert: onConflict must name one field declared unique on ${model.table}, got [${options.onConflict.join(", ")}]`,
    );
  }
  const update = (options.update ?? []).map((n) => {
    const f = field(n, "update");
    if (f.def.options.readonly)
      throw new ValidationError(
        `${model.table}.${f.name} is readonly and cannot be updated by an upsert`,
        f.name,
        model.table,
      );
    if (autoNowOf(f.def))
      throw new ValidationError(
        `${model.table}.${f.name} is set by the ORM (${autoNowOf(f.def)}) and cannot be named in an upsert's update`,
        f.name,
        model.table,
      );
    return f;
  });
  // the update half is a write of the existing row: its autoNow stamps move with it (the new values carry the instant)
  if (update.length > 0) update.push(...autoNowFields(model));
  return { columns, update };
}
