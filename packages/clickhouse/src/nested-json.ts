import {
  type CompileContext,
  type CondNode,
  type FieldMeta,
  JsonAggregate,
  type ModelMeta,
  type NestingHost,
  type RelationItem,
  type SelectNode,
  UnsupportedError,
} from "@dotorm/core";
import { typedParam } from "./clickhouse-types.js";

/** A ClickHouse string literal (backslash escapes). */
const literal = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** JSON text of one column value; decimals and bytes as strings so nothing is lost. */
function jsonValue(expr: string, field: FieldMeta): string {
  const v = field.kind === "decimal" ? `toString(${expr})` : field.kind === "binary" ? `hex(${expr})` : expr;
  return `ifNull(toJSONString(${v}), 'null')`;
}

/** JSON text of row `alias`'s id: a number for identity ids, a JSON string for declared uuid / char keys. */
function idJson(alias: string, model: ModelMeta, quote: (name: string) => string): string {
  const id = `${alias}.${quote("id")}`;
  return model.identity ? `toString(${id})` : jsonValue(id, model.id);
}

/**
 * Whether the joined row `alias` is missing: a LEFT JOIN without a match gives the key's default
 * (0, the empty string, the nil UUID) or NULL under join_use_nulls. Identity ids are positive.
 */
function missing(alias: string, model: ModelMeta, quote: (name: string) => string): string {
  const id = `${alias}.${quote("id")}`;
  return model.identity || model.id.kind === "integer" || model.id.kind === "bigInteger"
    ? `ifNull(${id}, 0) = 0`
    : `ifNull(empty(${id}), 1)`;
}

/** An order key negated so it sorts the other way inside an ascending tuple sort. */
function negated(expr: string, field: FieldMeta): string {
  if (field.kind === "many2one" && !field.target().identity) return negated(expr, field.target().id);
  switch (field.kind) {
    case "uuid":
      return `concat(bitNot(toString(${expr})), '\\xFF')`;
    case "integer":
    case "smallInteger":
    case "bigInteger":
    case "many2one":
    case "float":
    case "decimal":
      return `negate(${expr})`;
    case "boolean":
      return `negate(toInt8(${expr}))`;
    case "datetime":
      return `negate(toUnixTimestamp64Milli(${expr}))`;
    case "date":
      return `negate(toInt32(${expr}))`;
    case "char":
    case "text":
    case "selection":
      // each byte complemented, then a 0xFF end byte: ascending on the result is descending on the
      // text, and a prefix sorts after its extensions (stored text never holds a NUL byte, so no
      // complemented byte equals the end byte)
      return `concat(bitNot(${expr}), '\\xFF')`;
    default:
      throw new UnsupportedError(
        `a nested order mixing directions on ${field.model.table}.${field.name} (${field.kind})`,
        "clickhouse",
        "sort nested rows in one direction, or order by numeric/date fields when directions differ",
      );
  }
}

/**
 * ClickHouse's nesting strategy: nested reads in one statement, read back as `JsonAggregate` reads
 * them (one row per record, each relation one JSON column; no joined columns). ClickHouse runs correlated subqueries but not inside aggregate
 * arguments nor with LIMIT ("Cannot decorrelate query"), so:
 * - the first level is a correlated scalar subquery per relation: `any(obj)` for a many2one,
 *   a sorted and sliced `groupArray` for a one2many / many2many;
 * - deeper levels are joins inside that subquery: LEFT JOIN for a many2one, and a LEFT JOIN on a
 *   pre-aggregated `GROUP BY` derived table for a deeper one2many / many2many.
 * Objects and arrays are JSON text built with `concat`/`toJSONString` (the hydrator parses it),
 * because ClickHouse has no Nullable(Tuple) to express "no related record".
 *
 * @example
 * new SqlCompiler((host) => new NestedJson(host)) // what ClickHouseCompiler does
 */
export class NestedJson extends JsonAggregate {
  override readonly name: string = "clickhouse-json";

  constructor(host: NestingHost) {
    super(host);
  }

  /**
   * Never: the page total is a separate count on ClickHouse (its scalar subqueries are not
   * promised the planning of PostgreSQL's InitPlan, and a count of a MergeTree is cheap).
   */
  override inlineTotal(): boolean {
    return false;
  }

  override nested(item: RelationItem, ctx: CompileContext): string {
    return this.topLevel(item, ctx.alias, ctx);
  }

  /** The correlated subquery of a first-level relation of the row `outer`. */
  topLevel(item: RelationItem, outer: string, ctx: CompileContext): string {
    const field = item.field;
    const sub = this.subOf(item);
    const alias = ctx.nextAlias();
    const { from, key, own } = this.source(field, alias);
    const joins: string[] = [];
    const obj = item.kind === "ids" ? idJson(alias, sub.model, this.host.quote) : this.object(sub, alias, ctx, joins);
    const cond = sub.where ? ` AND ${this.condAt(sub.where, alias, ctx)}` : "";
    const where = `${key} = ${outer}.${this.host.quote(own)}${cond}`;
    const value =
      field.kind === "many2one" || field.kind === "one2one"
        ? `nullIf(any(${obj}), '')`
        : this.array(obj, sub, alias, ctx);
    return `(SELECT ${value} FROM ${from}${joins.map((j) => ` ${j}`).join("")} WHERE ${where})`;
  }

  /** JSON object text of row `alias`; deeper relations add their joins to `joins`. */
  object(sub: SelectNode, alias: string, ctx: CompileContext, joins: string[]): string {
    const args: string[] = [];
    sub.items.forEach((item, i) => {
      args.push(literal(`${i === 0 ? "{" : ","}${JSON.stringify(item.field.name)}:`));
      args.push(
        item.kind === "column"
          ? jsonValue(`${alias}.${this.host.quote(item.field.column)}`, item.field)
          : this.joined(item, alias, ctx, joins),
      );
    });
    args.push("'}'");
    return `concat(${args.join(", ")})`;
  }

  /** A relation below the first level, as a join on the row `alias`. */
  private joined(item: RelationItem, alias: string, ctx: CompileContext, joins: string[]): string {
    const q = (a: string, c: string) => `${a}.${this.host.quote(c)}`;
    const field = item.field;
    const sub = this.subOf(item);
    const inner = ctx.nextAlias();
    const { from, key, own } = this.source(field, inner);
    const cond = sub.where ? this.condAt(sub.where, inner, ctx) : undefined;
    if (field.kind === "many2one" || field.kind === "one2one") {
      joins.push(`LEFT JOIN ${from} ON ${key} = ${q(alias, own)}${cond ? ` AND ${cond}` : ""}`);
      const obj = item.kind === "ids" ? idJson(inner, sub.model, this.host.quote) : this.object(sub, inner, ctx, joins);
      return `if(${missing(inner, sub.model, this.host.quote)}, 'null', ${obj})`;
    }
    const innerJoins: string[] = [];
    const obj =
      item.kind === "ids" ? idJson(inner, sub.model, this.host.quote) : this.object(sub, inner, ctx, innerJoins);
    const derived = ctx.nextAlias();
    joins.push(
      `LEFT JOIN (SELECT ${key} AS k, ${this.array(obj, sub, inner, ctx)} AS v FROM ${from}${innerJoins.map((j) => ` ${j}`).join("")}` +
        `${cond ? ` WHERE ${cond}` : ""} GROUP BY k) ${derived} ON ${derived}.k = ${q(alias, "id")}`,
    );
    return `ifNull(nullIf(${derived}.v, ''), '[]')`;
  }

  /** A JSON array of `obj` over the group, in the nested order, sliced by its limit and offset. */
  private array(obj: string, sub: SelectNode, alias: string, ctx: CompileContext): string {
    // ties by id ascending, as every dialect's ORDER BY
    const order = sub.order.some((o) => o.field.name === "id")
      ? [...sub.order]
      : [...sub.order, { field: sub.model.id, desc: false }];
    const desc = order[0]?.desc ?? false;
    // One sort direction for the whole tuple: a term in the other direction is negated. Each term is
    // preceded by its NULL rank (NULLs last ascending, first descending) and compares NULL as the
    // type's default, so NULLs tie and fall through to the next term.
    const keys = order.flatMap((o) => {
      const col = `${alias}.${this.host.quote(o.field.column)}`;
      const nullable = !o.field.required && o.field.name !== "id";
      const value = nullable ? `assumeNotNull(${col})` : col;
      const same = o.desc === desc;
      const term = same ? value : negated(value, o.field);
      return nullable ? [same ? `isNull(${col})` : `isNotNull(${col})`, term] : [term];
    });
    let arr = `${desc ? "arrayReverseSort" : "arraySort"}(groupArray(tuple(${[...keys, obj].join(", ")})))`;
    if (sub.limit !== undefined || sub.offset) {
      const start = sub.offset ? `${typedParam(ctx, sub.offset, "UInt64")} + 1` : "1";
      arr = `arraySlice(${arr}, ${start}${sub.limit !== undefined ? `, ${typedParam(ctx, sub.limit, "UInt64")}` : ""})`;
    }
    return `concat('[', arrayStringConcat(arrayMap(x -> x.${keys.length + 1}, ${arr}), ','), ']')`;
  }

  /** The rows of relation `field` as `alias`: FROM text, the key column matched to the owner's `own` column. */
  private source(field: FieldMeta, alias: string): { from: string; key: string; own: string } {
    const h = this.host;
    const target: ModelMeta = field.target();
    const t = `${h.quote(target.table)} ${alias}`;
    switch (field.kind) {
      case "many2one":
        return { from: t, key: `${alias}.${h.quote("id")}`, own: field.column };
      case "one2many":
      case "one2one":
        return { from: t, key: `${alias}.${h.quote(field.inverse!().column)}`, own: "id" };
      default: {
        const link = field.link!();
        const l = `${alias}l`;
        return {
          from: `${t} INNER JOIN ${h.quote(link.table)} ${l} ON ${l}.${h.quote(link.column2)} = ${alias}.${h.quote("id")}`,
          key: `${l}.${h.quote(link.column1)}`,
          own: "id",
        };
      }
    }
  }

  /** Renders `cond` with `alias` as the scope of its fields. */
  private condAt(cond: CondNode, alias: string, ctx: CompileContext): string {
    return ctx.scoped(alias, () => this.host.cond(cond, ctx));
  }

  private subOf(item: RelationItem): SelectNode {
    if (item.kind === "nested") return item.sub;
    const target = item.field.target();
    return {
      kind: "select",
      model: target,
      items: [{ kind: "column", field: target.id }],
      where: item.where,
      order: [],
    };
  }
}
