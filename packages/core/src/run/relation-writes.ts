import { ValidationError } from "../errors.js";
import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import type { Id } from "../model/primary-key.js";
import { checkId, idFromText } from "../model/validate.js";
import { ast } from "../query/ast.js";
import { WriteScope } from "../query/write-scope.js";
import type { Runner } from "./runner.js";

/** A one2many / many2many value given to create or update, with the index of its record. */
export interface RelationWrite {
  readonly index: number;
  readonly field: FieldMeta;
  readonly commands: Commands;
}

interface Commands {
  create?: readonly Record<string, unknown>[];
  update?: Readonly<Record<string, Record<string, unknown>>>;
  delete?: readonly Id[];
  link?: readonly Id[];
  unlink?: readonly Id[];
  set?: readonly Id[];
}

const commandNames = new Set(["create", "update", "delete", "link", "unlink", "set"]);

function ids(field: FieldMeta, name: string, value: unknown): Id[] {
  const target = field.target();
  const valid = (v: unknown) => {
    try {
      checkId(target, v);
      return true;
    } catch {
      return false;
    }
  };
  if (!Array.isArray(value) || !value.every(valid)) {
    const what = target.identity ? "positive integers" : `${target.table} ${target.id.kind} keys`;
    throw new ValidationError(
      `${field.model.table}.${field.name}: "${name}" takes a list of ids (${what})`,
      field.name,
      field.model.table,
    );
  }
  return [...new Set(value.map((v) => checkId(target, v)))];
}

const x2manyCache = new WeakMap<ModelMeta, FieldMeta[]>();

/** The model's one2many and many2many fields (looked up once per model). */
function x2manyOf(model: ModelMeta): FieldMeta[] {
  let list = x2manyCache.get(model);
  if (!list)
    x2manyCache.set(
      model,
      (list = [...model.fields.values()].filter((f) => f.kind === "one2many" || f.kind === "many2many")),
    );
  return list;
}

/** Picks the x2many values out of records and checks the command shapes (before any SQL). */
export function relationValues(model: ModelMeta, records: readonly object[]): RelationWrite[] {
  const out: RelationWrite[] = [];
  const relations = x2manyOf(model);
  if (relations.length === 0) return out;
  records.forEach((record, index) => {
    for (const field of relations) {
      const key = field.name;
      const value = (record as Record<string, unknown>)[key];
      if (value === undefined) continue;
      if (Array.isArray(value)) {
        out.push({ index, field, commands: { set: ids(field, "set", value) } });
        continue;
      }
      if (typeof value !== "object" || value === null) {
        throw new ValidationError(
          `${model.table}.${key} takes a list of ids or commands { create, update, delete, link, unlink, set }`,
          key,
          model.table,
        );
      }
      const bad = Object.keys(value).find((k) => !commandNames.has(k));
      if (bad)
        throw new ValidationError(
          `${model.table}.${key}: unknown command "${bad}"; use create, update, delete, link, unlink or set`,
          key,
          model.table,
        );
      const c = value as Record<string, unknown>;
      for (const name of ["delete", "link", "unlink", "set"]) if (c[name] !== undefined) ids(field, name, c[name]);
      if (c.create !== undefined && !Array.isArray(c.create))
        throw new ValidationError(`${model.table}.${key}: "create" takes a list of records`, key, model.table);
      if (c.update !== undefined && (typeof c.update !== "object" || c.update === null || Array.isArray(c.update))) {
        throw new ValidationError(`${model.table}.${key}: "update" takes { [id]: values }`, key, model.table);
      }
      out.push({ index, field, commands: c as Commands });
    }
  });
  return out;
}

/**
 * Applies relation commands: after a create, each record's commands to its own new id
 * (`perRecord`); after an update, the one set of commands to every updated record. Runs inside the
 * caller's transaction, through the same pipeline, so the related model's access rules apply.
 */
export async function writeRelations(
  db: Runner,
  ownerIds: readonly Id[],
  writes: readonly RelationWrite[],
  perRecord: boolean,
): Promise<void> {
  for (const write of writes) {
    const owners = perRecord ? [ownerIds[write.index] as Id] : ownerIds;
    for (const owner of owners) {
      if (write.field.kind === "one2many") await one2many(db, write.field, owner, write.commands);
      else await many2many(db, write.field, owner, write.commands);
    }
  }
}

async function assertExist(
  db: Runner,
  field: FieldMeta,
  targetIds: readonly Id[],
  extra?: ReturnType<typeof ast.and>,
): Promise<void> {
  if (targetIds.length === 0) return;
  const target = field.target();
  const where = ast.and([ast.idIn(target, targetIds), extra, await db.accessGate()?.rule(target, "read")]);
  const res = await db.run({ kind: "count", model: target, where }, { model: target.table, operation: "update" });
  if (Number(res.rows[0]?.n ?? 0) !== targetIds.length) {
    throw new ValidationError(
      `${field.model.table}.${field.name}: some of the ids ${JSON.stringify(targetIds)} are not ${target.table} records${extra ? ` of this ${field.model.table}` : ""}`,
      field.name,
      field.model.table,
    );
  }
}

async function one2many(db: Runner, field: FieldMeta, owner: Id, c: Commands): Promise<void> {
  const target = field.target();
  const inverse = field.inverse!();
  const ops = db.ops;
  const mine = ast.seal({ kind: "cmp", field: inverse, op: "=", value: owner });
  if (c.set) {
    await assertExist(db, field, c.set);
    const others = ast.and([
      mine,
      c.set.length ? ast.seal({ kind: "in", field: target.id, values: c.set, negate: true }) : undefined,
    ]);
    await detach(db, field, others);
    if (c.set.length) await ops.updateScope(target, WriteScope.ids(target, c.set), { [inverse.name]: owner });
  }
  if (c.unlink?.length) {
    await assertExist(db, field, c.unlink, mine);
    await detach(db, field, ast.and([mine, ast.idIn(target, c.unlink)]));
  }
  if (c.link?.length) {
    await assertExist(db, field, c.link);
    await ops.updateScope(target, WriteScope.ids(target, c.link), { [inverse.name]: owner });
  }
  for (const [text, values] of Object.entries(c.update ?? {})) {
    const id = idFromText(target, text);
    await assertExist(db, field, [id], mine);
    await ops.updateScope(target, WriteScope.ids(target, [id]), values);
  }
  if (c.delete?.length) {
    await assertExist(db, field, c.delete, mine);
    await ops.deleteScope(target, WriteScope.ids(target, c.delete));
  }
  if (c.create?.length)
    await ops.create(
      target,
      c.create.map((v) => ({ ...v, [inverse.name]: owner })),
    );
}

/** Detaches one2many rows: clears the inverse, or refuses when the inverse is required. */
async function detach(db: Runner, field: FieldMeta, where: ReturnType<typeof ast.and>): Promise<void> {
  const inverse = field.inverse!();
  if (inverse.required) {
    const res = await db.run(
      { kind: "count", model: inverse.model, where, exists: true },
      { model: inverse.model.table, operation: "update" },
    );
    if (res.rows.length > 0) {
      throw new ValidationError(
        `${field.model.table}.${field.name}: cannot unlink ${inverse.model.table} rows because ${inverse.model.table}.${inverse.name} is required; use "delete" instead`,
        field.name,
        field.model.table,
      );
    }
    return;
  }
  await db.ops.updateScope(inverse.model, WriteScope.where(where), { [inverse.name]: null });
}

async function many2many(db: Runner, field: FieldMeta, owner: Id, c: Commands): Promise<void> {
  const link = field.link!();
  const target = field.target();
  const linkRows = async (targets: readonly Id[]) => {
    if (targets.length === 0) return;
    await db.run(
      {
        kind: "insert",
        table: link.table,
        columns: [
          { name: link.column1, field: field.model.id },
          { name: link.column2, field: target.id },
        ],
        rows: targets.map((t) => [owner, t]),
        returningId: false,
        ignoreConflicts: true,
      },
      { model: field.model.table, operation: "link" },
    );
  };
  const unlink = async (targets?: readonly Id[]) =>
    db.run(
      {
        kind: "unlink",
        table: link.table,
        ownerColumn: link.column1,
        targetColumn: link.column2,
        owners: [owner],
        targets,
        ownerKey: field.model.id,
        targetKey: target.id,
      },
      { model: field.model.table, operation: "unlink" },
    );
  if (c.set) {
    await assertExist(db, field, c.set);
    await unlink();
    await linkRows(c.set);
  }
  if (c.unlink?.length) await unlink(c.unlink);
  if (c.link?.length) {
    await assertExist(db, field, c.link);
    await linkRows(c.link);
  }
  for (const [text, values] of Object.entries(c.update ?? {}))
    await db.ops.updateScope(target, WriteScope.ids(target, [idFromText(target, text)]), values);
  if (c.delete?.length) await db.ops.deleteScope(target, WriteScope.ids(target, c.delete));
  if (c.create?.length) await linkRows(await db.ops.create(target, c.create));
}
