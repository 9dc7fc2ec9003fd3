import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { F } from "../src/model/field-ref.js";
import type { FieldMeta } from "../src/model/model-meta.js";
import { type CondNode, type DeleteNode, type QueryNode, type UpdateNode, ast } from "../src/query/ast.js";
import { prepareUpdate } from "../src/query/prepare-write.js";
import { builtWriteTemplates, templateWrite } from "../src/run/write-template.js";
import type { CompileContext } from "../src/sql/compile-context.js";
import { SqlCompiler } from "../src/sql/sql-compiler.js";
import type { CompiledQuery } from "../src/sql/statement.js";
import { chat, field, thing } from "./fixtures.js";

/** A dialect whose rendering depends on the value (as ClickHouse's `Nullable(...)` for null): a literal NULL. */
class NullLiteral extends SqlCompiler {
  override param(ctx: CompileContext, value: unknown, field?: FieldMeta): string {
    return value === null ? "NULL" : super.param(ctx, value, field);
  }
}

/** A dialect that numbers its placeholders, as PostgreSQL's does. */
class Numbered extends SqlCompiler {
  override param(ctx: CompileContext, value: unknown, field?: FieldMeta): string {
    super.param(ctx, value, field);
    return `$${ctx.params.length}`;
  }
}

const compilers = { plain: new SqlCompiler(), nullLiteral: new NullLiteral(), numbered: new Numbered() };

/** Today's path: the statement as compiled, or the error's class and message. */
function today(compiler: SqlCompiler, node: QueryNode) {
  try {
    const q = compiler.compile(node);
    return { sql: q.sql, params: q.params, kind: q.kind };
  } catch (e) {
    return { error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
}

/** The template path of a call, compared with today's; whether it answered. */
function check(compiler: SqlCompiler, node: UpdateNode | DeleteNode): boolean {
  const fast = templateWrite(compiler, node);
  if (fast === undefined) return false;
  expect({ sql: fast.sql, params: fast.params, kind: fast.kind }).toEqual(today(compiler, node));
  return true;
}

const update = (values: object, ids: number[]): UpdateNode => {
  const { set, exprs } = prepareUpdate(thing, values, new Date("2024-05-06T07:08:09Z"));
  return { kind: "update", model: thing, set, exprs, where: ast.idIn(thing, ids) };
};
const remove = (ids: number[]): DeleteNode => ({ kind: "delete", model: thing, where: ast.idIn(thing, ids) });

// values every settable field of `thing` takes, nulls included
const values = fc.record(
  {
    small: fc.oneof(fc.integer({ min: -32768, max: 32767 }), fc.constant(null)),
    count: fc.integer({ min: -5, max: 2 ** 30 }),
    big: fc.oneof(fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }), fc.constant(null)),
    ratio: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null)),
    flag: fc.oneof(fc.boolean(), fc.constant(null)),
    at: fc.oneof(
      fc.date({ min: new Date("1900-01-01"), max: new Date("2200-01-01"), noInvalidDate: true }),
      fc.constant(null),
    ),
    data: fc.oneof(fc.jsonValue(), fc.constant(null)),
    blob: fc.oneof(fc.uint8Array({ maxLength: 4 }), fc.constant(null)),
    code: fc.oneof(fc.string({ maxLength: 3 }), fc.constantFrom("'--", "`;", "\\")),
  },
  { requiredKeys: [] },
);
const ids = fc.array(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 40 });

describe("templateWrite", () => {
  test("answers as today's path does (statement, params, kind) for updates and deletes by id", () => {
    let answered = 0;
    for (const compiler of Object.values(compilers)) {
      fc.assert(
        fc.property(values, values, ids, ids, (a, b, idsA, idsB) => {
          let first: UpdateNode;
          try {
            first = update(a, idsA);
          } catch {
            return; // values prepareUpdate refuses never reach a statement
          }
          // the same fields with other values: the first call builds, the others are bound
          const other: Record<string, unknown> = {};
          for (const k of Object.keys(a))
            other[k] = k in b ? (b as Record<string, unknown>)[k] : (a as Record<string, unknown>)[k];
          let second: UpdateNode;
          try {
            second = update(
              other,
              idsA.map((id, i) => idsB[i] ?? id),
            );
          } catch {
            second = first;
          }
          // and with nulls where the fields take them (a dialect may render null differently)
          const nulled = update(
            Object.fromEntries(Object.keys(a).map((k) => [k, k === "count" || k === "code" ? other[k] : null])),
            idsA,
          );
          for (const node of [first, second, nulled, first, nulled, second, remove(idsA), remove(idsB)])
            if (check(compiler, node)) answered++;
        }),
        { numRuns: 200 },
      );
    }
    // most calls are answered from a template: the property is not vacuous
    expect(answered).toBeGreaterThan(1000);
  });

  test("a shape is built once; each call gets its own params", () => {
    const compiler = new Numbered();
    const before = builtWriteTemplates();
    expect(templateWrite(compiler, update({ code: "a" }, [1]))?.params).toEqual(["a", 1]);
    const b = templateWrite(compiler, update({ code: "b" }, [2]));
    const c = templateWrite(compiler, update({ code: "c" }, [3]));
    expect(builtWriteTemplates() - before).toBe(1);
    expect([b?.params, c?.params]).toEqual([
      ["b", 2],
      ["c", 3],
    ]);
    expect(b?.params).not.toBe(c?.params);
    expect(b?.sql).toBe('UPDATE "things" AS t0 SET "thing_code" = $1 WHERE t0."id" = $2');
  });

  test("a value the dialect renders differently (null as a literal) is never bound into another value's template", () => {
    const compiler = new NullLiteral();
    expect(check(compiler, update({ code: "a" }, [1]))).toBe(true);
    // null's own shape: its first call is compiled (a template cannot stand for a literal), and so is every later one
    expect(templateWrite(compiler, update({ code: null }, [2]))?.sql).toContain('"thing_code" = NULL');
    for (const id of [3, 4]) expect(templateWrite(compiler, update({ code: null }, [id]))).toBeUndefined();
    expect(templateWrite(compiler, update({ code: "x" }, [4]))?.params).toEqual(["x", 4]);
  });

  test("SQL in a value is a bound value, never text of the statement", () => {
    const compiler = new SqlCompiler();
    templateWrite(compiler, update({ code: "a" }, [1]));
    const fast = templateWrite(compiler, update({ code: "';D" }, [2]));
    expect(fast?.params).toEqual(["';D", 2]);
    expect(fast?.sql).not.toContain("';D");
  });

  test("anything but a plain id condition, F() expressions, long id lists and richer statements are compiled as usual", () => {
    const compiler = new SqlCompiler();
    const count = field(thing, "count");
    const byFilter: CondNode = ast.seal({ kind: "cmp", field: count, op: ">", value: 3 });
    const notIn: CondNode = ast.seal({ kind: "in", field: thing.id, values: Object.freeze([1, 2]), negate: true });
    const both = ast.and([ast.idIn(thing, [1]), byFilter]);
    const withExpr = update({ count: F("count").add(1) }, [1]);
    const cases: (UpdateNode | DeleteNode)[] = [
      { ...remove([1]), where: byFilter },
      { ...remove([1]), where: notIn },
      { ...remove([1]), where: both as CondNode },
      { ...remove([1]), where: undefined },
      { kind: "delete", model: chat, where: ast.seal({ kind: "cmp", field: thing.id, op: "=", value: 1 }) },
      remove(Array.from({ length: 33 }, (_, i) => i + 1)),
      withExpr,
    ];
    for (const node of cases) for (let i = 0; i < 3; i++) expect(templateWrite(compiler, node)).toBeUndefined();
    expect(withExpr.exprs?.length).toBe(1);
    // ClickHouse's updates carry a count statement beside the text: never from a template
    class WithCount extends SqlCompiler {
      override compile(node: QueryNode): CompiledQuery {
        return { ...super.compile(node), count: super.compile(node) } as CompiledQuery;
      }
    }
    const counting = new WithCount();
    expect(templateWrite(counting, remove([1]))).toHaveProperty("count");
    for (let i = 0; i < 3; i++) expect(templateWrite(counting, remove([2]))).toBeUndefined();
  });

  test("a value the dialect's encode refuses is left to the usual path, which throws its error", () => {
    class Refusing extends SqlCompiler {
      override encode(value: unknown, f?: FieldMeta): unknown {
        if (value === "rf") throw new RangeError("refused by the dialect");
        return super.encode(value, f);
      }
    }
    const compiler = new Refusing();
    expect(templateWrite(compiler, update({ code: "rf" }, [1]))).toBeUndefined();
    expect(templateWrite(compiler, update({ code: "a" }, [1]))).toBeDefined();
    expect(templateWrite(compiler, update({ code: "b" }, [1]))?.params).toEqual(["b", 1]);
    expect(templateWrite(compiler, update({ code: "rf" }, [1]))).toBeUndefined();
    expect(today(compiler, update({ code: "rf" }, [1])).error).toBe("RangeError: refused by the dialect");
  });
});
