import { AccessDenied, QueryError, RecordNotFound, ValidationError } from "../errors.js";
import type { ModelBinding, WriteTarget } from "../model/binding.js";
import type { FieldMeta, ModelMeta } from "../model/model-meta.js";
import { matchValues } from "../access/match-values.js";
import { hydrate } from "../hydrate/hydrate.js";
import { type CondNode, type InsertNode, ast } from "../query/ast.js";
import { type CreateOptions, planUpsert } from "../query/plan-upsert.js";
import { type ReadRequest, planFilter, planRead } from "../query/plan-read.js";
import { prepareCreate, prepareUpdate } from "../query/prepare-write.js";
import type { Operation } from "../access/access-checker.js";
import type { Database } from "./database.js";
import { writeRelations, relationValues } from "./relation-writes.js";
import { aggregate, explain, paginate, stream } from "./query-ops.js";
import type { AggregateRequest } from "../query/plan-aggregate.js";

/**
 * Refuses dates the database cannot hold before anything is written (ClickHouse would clamp them,
 * MySQL's drivers misread years below 100; checking batch by batch at render time would leave the
 * earlier batches written).
 */
function checkYears(model: ModelMeta, columns: readonly FieldMeta[], rows: readonly (readonly unknown[])[], [min, max]: readonly [number, number]): void {
  columns.forEach((field, i) => {
    if (field.kind !== "datetime" && field.kind !== "date") return;
    rows.forEach((row, r) => {
      const v = row[i];
      if (v === null || v === undefined) return;
      const year = v instanceof Date ? v.getUTCFullYear() : Number(String(v).slice(0, 4));
      if (year < min || year > max) {
        const which = rows.length > 1 ? ` (record #${r})` : "";
        throw new ValidationError(`${model.table}.${field.name}: this database holds years ${min} to ${max}, got ${year}${which}`, field.name, model.table);
      }
    });
  });
}

/** Records per INSERT when createMany reads from an iterable. */
const createChunk = 10_000;

function isCond(x: unknown): x is CondNode {
  return typeof x === "object" && x !== null && !Array.isArray(x) && typeof (x as { kind?: unknown }).kind === "string";
}

function checkId(model: ModelMeta, id: unknown): number {
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) {
    throw new QueryError(`${model.table} ids are positive integers, got ${JSON.stringify(id)}`, "id");
  }
  return id;
}

/** The operations models call, run through the one pipeline: plan -> access -> compile -> execute -> hydrate. */
export class RecordOps implements ModelBinding {
  constructor(private readonly db: Database) {}

  async search(model: ModelMeta, options: ReadRequest): Promise<object[]> {
    const select = await planRead(this.db.access, model, options ?? {});
    const result = await this.db.run(select, { model: model.table, operation: "search" });
    return hydrate(select, result.rows, this.decode);
  }

  async get(model: ModelMeta, id: unknown, options: ReadRequest | undefined, orNull: boolean): Promise<object | null> {
    const cond = ast.idIn(model, [checkId(model, id)]);
    const bad = options && ["filter", "order", "limit", "offset"].find((k) => k in options);
    if (bad) throw new QueryError(`get() takes fields and nested only; "${bad}" belongs to search()`);
    const select = await planRead(this.db.access, model, { fields: options?.fields, nested: options?.nested }, cond);
    const result = await this.db.run(select, { model: model.table, operation: "get" });
    const [record] = hydrate(select, result.rows, this.decode);
    if (!record && !orNull) throw new RecordNotFound(model.table, id);
    return record ?? null;
  }

  async count(model: ModelMeta, options: { filter?: unknown } | undefined, exists: boolean): Promise<number> {
    const where = ast.and([await planFilter(this.db.access, model, options?.filter), await this.db.access.rule(model, "read")]);
    const result = await this.db.run({ kind: "count", model, where, exists }, { model: model.table, operation: exists ? "exists" : "count" });
    return exists ? result.rows.length : Number(result.rows[0]?.n ?? 0);
  }

  async create(model: ModelMeta, values: readonly object[] | Iterable<object> | AsyncIterable<object>, options?: CreateOptions): Promise<number[]> {
    if (!Array.isArray(values)) {
      if (values && (Symbol.asyncIterator in values || Symbol.iterator in values)) return this.createFrom(model, values, options);
      throw new QueryError("createMany takes a list (or an iterable) of records");
    }
    if (values.length === 0) return [];
    const prepared = prepareCreate(model, values);
    const years = this.db.adapter.capabilities.yearRange;
    if (years) checkYears(model, prepared.columns, prepared.rows, years);
    const relations = relationValues(model, values);
    const upsert = options?.onConflict ? planUpsert(model, options) : undefined;
    const access = this.db.access;
    await access.assertFields(model, "create", [...prepared.given]);
    const rule = await access.rule(model, "create");
    const updateRule = upsert ? await access.rule(model, "update") : undefined;
    if (rule && !this.db.adapter.capabilities.transactions) {
      // no transaction to roll a denied row back: check the values before anything is written
      await this.assertValuesWithin(model, prepared, rule);
    }
    const batch = this.db.adapter.compiler.insertBatchSize(prepared.columns.length + 1);
    const work = async () => {
      const ids: number[] = [];
      for (let i = 0; i < prepared.rows.length; i += batch) {
        const rows = batch >= prepared.rows.length ? prepared.rows : prepared.rows.slice(i, i + batch);
        // a loop, not push(...batch): spreading a batch of a few hundred thousand ids overflows the stack
        for (const id of await this.insert(model, prepared.columns, rows, upsert)) ids.push(id);
      }
      if (relations.length > 0) await writeRelations(this.db, ids, relations, true);
      // with transactions a refusal here rolls the insert back; without, the values were checked above
      if (rule && this.db.adapter.capabilities.transactions) await this.assertWithin(model, ids, rule, "create");
      if (updateRule) await this.assertWithin(model, ids, updateRule, "update");
      return ids;
    };
    return rule || updateRule || relations.length > 0 || prepared.rows.length > batch ? this.db.atomic(work) : work();
  }

  /**
   * createMany over an iterable or async iterable: records are taken in chunks, so memory holds
   * one chunk however many rows the source yields. All chunks are one transaction where the
   * database has transactions.
   */
  private createFrom(model: ModelMeta, source: Iterable<object> | AsyncIterable<object>, options?: CreateOptions): Promise<number[]> {
    const chunk = Math.min(createChunk, this.db.adapter.compiler.insertBatchSize(model.columns.length + 1));
    return this.db.atomic(async () => {
      const ids: number[] = [];
      let buffer: object[] = [];
      for await (const record of source) {
        buffer.push(record);
        if (buffer.length >= chunk) {
          ids.push(...(await this.create(model, buffer, options)));
          buffer = [];
        }
      }
      if (buffer.length > 0) ids.push(...(await this.create(model, buffer, options)));
      return ids;
    });
  }

  private async insert(
    model: ModelMeta,
    columns: ReturnType<typeof prepareCreate>["columns"],
    rows: unknown[][],
    onConflict?: InsertNode["onConflict"],
  ): Promise<number[]> {
    const { capabilities } = this.db.adapter;
    const cols = columns.map((field) => ({ name: field.column, field }));
    let ids: number[] | undefined;
    if (capabilities.clientIds) {
      ids = await this.db.adapter.nextIds!(rows.length);
      cols.unshift({ name: "id", field: model.id });
      rows = rows.map((r, i) => [ids![i], ...r]);
    }
    const result = await this.db.run(
      { kind: "insert", table: model.table, columns: cols, rows, returningId: !ids, onConflict },
      { model: model.table, operation: "create" },
    );
    if (ids) return ids;
    // an adapter with RETURNING may still leave it out where the insert id is exact (MariaDB, see its compiler)
    if (capabilities.returning && result.insertId === undefined) return result.rows.map((r) => Number(r.id));
    const first = Number(result.insertId);
    const step = result.insertIdStep ?? 1;
    return rows.map((_, i) => first + i * step);
  }

  /** After a create: every new row must satisfy the create rule, or the transaction rolls back. */
  private async assertWithin(model: ModelMeta, ids: readonly number[], rule: CondNode, operation: Operation): Promise<void> {
    const where = ast.and([ast.idIn(model, ids), rule]);
    const result = await this.db.run({ kind: "count", model, where }, { model: model.table, operation });
    if (Number(result.rows[0]?.n ?? 0) !== ids.length) {
      throw new AccessDenied(`${operation} on ${model.table}: the values fall outside what this session may ${operation}`, model.table, operation);
    }
  }

  /** Checks rows about to be inserted against the create rule, without writing them. */
  private async assertValuesWithin(model: ModelMeta, prepared: ReturnType<typeof prepareCreate>, rule: CondNode): Promise<void> {
    const probe = async (via: FieldMeta, value: unknown, cond: CondNode) => {
      const target = via.target();
      const where = ast.and([ast.idIn(target, [value as number]), cond]);
      return (await this.db.run({ kind: "count", model: target, where, exists: true }, { model: target.table, operation: "create" })).rows.length > 0;
    };
    for (const values of prepared.rows) {
      const row = new Map(prepared.columns.map((field, i) => [field, values[i]]));
      if (!(await matchValues(rule, row, probe))) {
        throw new AccessDenied(`create on ${model.table}: the values fall outside what this session may create`, model.table, "create");
      }
    }
  }

  /** The rows a bulk call targets: ids, a filter, or an already planned condition. */
  private async target(model: ModelMeta, target: WriteTarget | number | CondNode): Promise<{ cond?: CondNode; ids?: number[] }> {
    if (isCond(target)) return { cond: target };
    if (typeof target === "number") return { cond: ast.idIn(model, [checkId(model, target)]), ids: [target] };
    if (!Array.isArray(target)) throw new QueryError("updateMany/deleteMany take a list of ids or a filter");
    if (target.length > 0 && target.every((x) => typeof x === "number")) {
      const ids = [...new Set(target.map((x) => checkId(model, x)))];
      return { cond: ast.idIn(model, ids), ids };
    }
    if (target.length === 0) return { cond: { kind: "const", value: false }, ids: [] };
    return { cond: await planFilter(this.db.access, model, target) };
  }

  /**
   * Runs an update or delete bounded by the access rule: when any targeted row lies outside the
   * rule, nothing changes and {@link AccessDenied} is raised.
   */
  private async guarded(model: ModelMeta, operation: "update" | "delete", target: { cond?: CondNode; ids?: number[] }, run: (where?: CondNode) => Promise<number>): Promise<number> {
    const rule = await this.db.access.rule(model, operation, target.ids);
    if (!rule) return run(target.cond);
    return this.db.atomic(async () => {
      const outside = ast.and([target.cond, { kind: "not", item: rule }]);
      const found = await this.db.run({ kind: "count", model, where: outside, exists: true }, { model: model.table, operation });
      if (found.rows.length > 0) {
        throw new AccessDenied(`${operation} on ${model.table}: some targeted records are outside what this session may ${operation}`, model.table, operation);
      }
      return run(ast.and([target.cond, rule]));
    });
  }

  /** Update by a planned condition (relation commands). @internal */
  updateWhere(model: ModelMeta, where: CondNode | undefined, values: object): Promise<number> {
    return this.update(model, where ?? { kind: "const", value: true }, values);
  }

  /** Delete by a planned condition (relation commands). @internal */
  deleteWhere(model: ModelMeta, where: CondNode): Promise<number> {
    return this.delete(model, where);
  }

  async update(model: ModelMeta, target: WriteTarget | number | CondNode, values: object): Promise<number> {
    const { set, given } = prepareUpdate(model, values);
    const years = this.db.adapter.capabilities.yearRange;
    if (years) checkYears(model, set.map(([f]) => f), [set.map(([, v]) => v)], years);
    const relations = relationValues(model, [values]);
    await this.db.access.assertFields(model, "update", given);
    const t = await this.target(model, target);
    if (t.ids?.length === 0) return 0;
    const single = typeof target === "number";
    const work = async (where?: CondNode) => {
      let changed = t.ids?.length ?? 0;
      if (set.length > 0) {
        const result = await this.db.run({ kind: "update", model, set, where }, { model: model.table, operation: "update" });
        changed = result.affected;
      } else if (single || relations.length > 0) {
        changed = (await this.db.run({ kind: "count", model, where }, { model: model.table, operation: "update" })).rows[0]?.n as number;
      }
      if (single && Number(changed) === 0) throw new RecordNotFound(model.table, target);
      if (relations.length > 0) {
        const ids = t.ids ?? (await this.idsOf(model, where));
        await writeRelations(this.db, ids, relations, false);
      }
      return Number(changed);
    };
    return relations.length > 0 ? this.db.atomic(() => this.guarded(model, "update", t, work)) : this.guarded(model, "update", t, work);
  }

  private async idsOf(model: ModelMeta, where?: CondNode): Promise<number[]> {
    const select = { kind: "select" as const, model, items: [{ kind: "column" as const, field: model.id }], where, order: [] };
    const result = await this.db.run(select, { model: model.table, operation: "update" });
    return result.rows.map((r) => Number(r.id));
  }

  async delete(model: ModelMeta, target: WriteTarget | number | CondNode): Promise<number> {
    const t = await this.target(model, target);
    if (t.ids?.length === 0) return 0;
    const deleted = await this.guarded(model, "delete", t, async (where) =>
      (await this.db.run({ kind: "delete", model, where }, { model: model.table, operation: "delete" })).affected,
    );
    if (typeof target === "number" && deleted === 0) throw new RecordNotFound(model.table, target);
    return deleted;
  }

  aggregate(model: ModelMeta, request: AggregateRequest) {
    return aggregate(this.db, model, request);
  }

  explain(model: ModelMeta, options: ReadRequest) {
    return explain(this.db, model, options);
  }

  stream(model: ModelMeta, options: ReadRequest, batchSize: number) {
    return stream(this.db, model, options, batchSize);
  }

  paginate(model: ModelMeta, options: ReadRequest, size: number, after?: string) {
    return paginate(this.db, model, options, size, after);
  }

  private readonly decode = (field: Parameters<Database["adapter"]["compiler"]["decode"]>[0], raw: unknown, inJson: boolean) =>
    this.db.adapter.compiler.decode(field, raw, inJson);
}
