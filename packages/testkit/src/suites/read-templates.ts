import type { QueryEvent } from "@dotorm/core";
import fc from "fast-check";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** Rows with NULLs, edge numbers and LIKE's special characters. */
const rows = [
  { label: "a", small: 1, count: 10, big: 5, ratio: 0.5, flag: true, day: "2024-01-02", kind: "a", code: "x%" },
  { label: "b", small: -1, count: 0, big: null, ratio: null, flag: false, day: null, kind: "b", code: "y_" },
  {
    label: "c",
    small: null,
    count: 7,
    big: 2 ** 40,
    ratio: -1.5,
    flag: null,
    day: "1999-12-31",
    kind: null,
    code: null,
  },
  { label: "d'; --", small: 3, count: 3, big: -7, ratio: 2, flag: true, day: "2024-01-03", kind: "a", code: "abc" },
];

/** What a read gave: its records (as JSON) and statement, or its error's class and message. */
type Outcome = { records?: unknown; sql?: string; params?: unknown; error?: string };

/**
 * Reads sent from a read template (no access checker at work: `sudo`) must send the very statement
 * and params, and give the very records and errors, that today's path does (a checker that allows
 * everything is at work under a session, which keeps today's path): random filters on fields of every
 * kind, each run three times with other values of the same kinds (the first builds the template,
 * the others are sent from it), values of the wrong kind after good calls, and gets by id.
 */
export function readTemplates(target: ConformanceTarget) {
  return suite(
    "read-templates",
    target,
    (ctx) => {
      async function outcome(read: () => Promise<unknown>, sudo: boolean): Promise<Outcome> {
        const { db, record } = ctx();
        try {
          const run = () => record(read);
          const { result, statements } = await (sudo ? db.sudo(run) : db.withSession({ user: 1 }, run));
          const last = statements.at(-1) as QueryEvent;
          return { records: JSON.parse(JSON.stringify(result)), sql: last.sql, params: plain(last.params) };
        } catch (e) {
          return { error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
        }
      }
      const same = async (read: () => Promise<unknown>) =>
        expect(await outcome(read, true)).toEqual(await outcome(read, false));

      test("random filters send the same statements and give the same records as today's path", async () => {
        const { Thing } = ctx();
        await ctx().db.sudo(() => Thing.createMany(rows as never));
        // per field: values of its kind (and a few of the wrong kind), and the operators it takes
        const ints = fc.oneof(fc.integer({ min: -2, max: 12 }), fc.constantFrom(2 ** 40, 40000, 1.5));
        const texts = fc.constantFrom("a", "b", "x%", "abc", "d'; --", "%", "_", "\\", "toolongforthecode", "");
        const byField: Record<string, [fc.Arbitrary<unknown>, readonly string[]]> = {
          small: [ints, ["=", "!=", ">", "<=", "in", "not in", "between"]],
          count: [ints, ["=", "!=", ">", "<=", "in", "not in", "between"]],
          big: [ints, ["=", ">", "in", "not between"]],
          ratio: [fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }), fc.constant(2)), ["=", "<", "between"]],
          flag: [fc.oneof(fc.boolean(), fc.constant(1)), ["=", "!="]],
          day: [fc.constantFrom("2024-01-02", "1999-12-31", "2024-13-01"), ["=", ">", "in", "between"]],
          kind: [fc.constantFrom("a", "b", "c"), ["=", "!=", "in", "not in"]],
          code: [texts, ["=", "!=", "like", "not ilike", "=like", "in"]],
          label: [texts, ["=", "like", "ilike", "not like", "in", ">"]],
        };
        const leaf = fc.constantFrom(...Object.keys(byField)).chain((name) => {
          const [v, ops] = byField[name] as [fc.Arbitrary<unknown>, readonly string[]];
          const orNull = fc.oneof({ weight: 5, arbitrary: v }, { weight: 1, arbitrary: fc.constant(null) });
          return fc.oneof(
            {
              weight: 6,
              arbitrary: fc.constantFrom(...ops).chain((op) => {
                const one = op.endsWith("in")
                  ? fc.array(orNull, { minLength: 2, maxLength: 2 })
                  : op.endsWith("between")
                    ? fc.tuple(v, v)
                    : op === "=" || op === "!="
                      ? orNull
                      : v;
                return fc.array(one, { minLength: 3, maxLength: 3 }).map((vals) => vals.map((x) => [name, op, x]));
              }),
            },
            {
              weight: 1,
              arbitrary: fc.constantFrom("is null", "is not null").map((op) => [0, 1, 2].map(() => [name, op])),
            },
          );
        });
        // three filters of one skeleton: the first builds the template, the others are sent from it
        const filters = fc
          .array(fc.tuple(fc.constantFrom("and", "or", "not"), leaf), { minLength: 1, maxLength: 3 })
          .map((xs) =>
            [0, 1, 2].map((k) =>
              xs.flatMap(([j, l], i) => (j === "not" ? [["not", l[k]]] : i === 0 ? [l[k]] : [j, l[k]])),
            ),
          );
        await fc.assert(
          fc.asyncProperty(filters, async (three) => {
            for (const f of three)
              await same(() => Thing.search({ filter: f as never, fields: ["label", "count"], order: "id", limit: 3 }));
          }),
          { numRuns: 60 },
        );
      });

      test("a value of the wrong kind after good calls of its skeleton gives today's error, every time", async () => {
        const { Thing } = ctx();
        const read = (v: unknown) => () => Thing.search({ filter: [["small", "=", v]] as never, fields: ["label"] });
        for (const v of [1, 3, 1.5, 40000, "x", 3, 1.5]) await same(read(v));
        const error = await outcome(read(1.5), true);
        expect(error.error).toMatch(/^QueryError: .*"small"/);
      });

      test("get by id, a new id per call", async () => {
        const { Thing } = ctx();
        const [id] = await ctx().db.sudo(() => Thing.search({ fields: ["label"], order: "id", limit: 1 }));
        for (const n of [(id as { id: number }).id, 1e9, (id as { id: number }).id])
          await same(() => Thing.get(n as never, { fields: ["label", "count"] }));
      });
    },
    { access: { check: () => true } },
  );
}

/** Params as plain data (bytes and dates as text), so two sends compare by value. */
function plain(params: unknown): unknown {
  return JSON.parse(JSON.stringify(params, (_, v) => (typeof v === "bigint" ? `${v}n` : v)));
}
