import {
  AccessDenied,
  type AccessChecker,
  type FieldMeta,
  type Filter,
  type FieldMap,
  matchValues,
  parseFilter,
  toDbValue,
} from "@dotorm/core";
import fc from "fast-check";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import { filterTree } from "../relation-arbitrary.js";
import type { ConformanceTarget } from "../target.js";

/**
 * Stored values, chosen where comparing them as text would go wrong: decimals of different lengths
 * ("9" > "10" as text), instants, times with fractions, dates, big integers, floats. Text is
 * lowercase only for ordering, where every collation agrees (case and punctuation order differ
 * between a C collation, ICU and glibc locales).
 */
const stored = {
  price: ["100000", "10", "9", "2", "1.5", "0.1", "0", "-0.05", "-3.25"],
  day: ["1999-12-31", "2000-01-01", "2024-02-29", "2150-06-01"],
  at: ["1999-12-31T23:59:59.999Z", "2000-01-01T00:00:00.000Z", "2024-05-17T23:30:00.250Z", "2024-12-31T23:30:00.000Z"],
  clock: ["00:00:00", "09:05:00", "12:30:00", "12:30:00.5", "23:59:59.999999"],
  ratio: [-1.5, 0, 0.1, 0.30000000000000004, 2, 1e10],
  big: [-9007199254740991, -1, 9, 10, 100000, 9007199254740991],
  notes: ["", "a", "ab", "abc", "b", "ba"],
  kind: ["a", "b"],
  flag: [true, false],
} as const;

type Row = { -readonly [K in keyof typeof stored]: (typeof stored)[K][number] | null };

/** Values a rule may name: the stored ones plus other spellings of them (12.50, offsets, 12:30:00.50). */
const ruleValues: Record<keyof typeof stored, readonly unknown[]> = {
  price: [...stored.price, "12.50", "2.00", "1.50", 2, 1.5, "0.10", "-0.050", "99999.99"],
  day: [...stored.day, "2024-03-01"],
  at: [...stored.at, "2024-05-18T01:30:00.250+02:00", "2000-01-01T00:00:00Z", Date.UTC(2024, 11, 31, 23, 30)],
  clock: [...stored.clock, "12:30:00.50", "12:30", "09:05"],
  ratio: stored.ratio,
  big: stored.big,
  notes: stored.notes,
  kind: stored.kind,
  flag: stored.flag,
};

const ordered = ["=", "!=", ">", ">=", "<", "<="] as const;

/** One condition on a typed field, a date part or text; every operator a create rule may use. */
function condition(): fc.Arbitrary<unknown> {
  const typed = (["price", "day", "at", "clock", "ratio", "big", "notes", "kind"] as const).map((name) => {
    const value = fc.constantFrom(...ruleValues[name]);
    return fc.oneof(
      fc.tuple(fc.constantFrom(...ordered), value).map(([op, v]) => [name, op, v]),
      fc.tuple(fc.constantFrom("in", "not in"), fc.array(value, { maxLength: 3 })).map(([op, v]) => [name, op, v]),
      fc.tuple(fc.constantFrom("between", "not between"), value, value).map(([op, a, b]) => [name, op, [a, b]]),
      fc.tuple(fc.constantFrom("=", "!="), fc.constant(null)).map(([op]) => [name, op, null]),
      fc.constantFrom("is null", "is not null").map((op) => [name, op]),
    );
  });
  const parts = fc.oneof(
    fc.tuple(
      fc.constantFrom("at.year", "day.year"),
      fc.constantFrom(...ordered),
      fc.constantFrom(1999, 2000, 2024, 2150),
    ),
    fc.tuple(fc.constantFrom("at.month", "day.month"), fc.constantFrom(...ordered), fc.constantFrom(1, 2, 5, 12)),
    fc.tuple(fc.constantFrom("at.day", "day.day"), fc.constantFrom(...ordered), fc.constantFrom(1, 17, 29, 31)),
    fc.tuple(
      fc.constantFrom("at.date", "day.date"),
      fc.constantFrom(...ordered),
      fc.constantFrom("2024-05-17", "2024-12-31", "2000-01-01", "2024-02-29"),
    ),
  );
  const text = fc
    .tuple(
      fc.constantFrom("like", "ilike", "not like", "not ilike", "=like"),
      fc.constantFrom("a", "A", "B", "b%", "%b", "a_", ""),
    )
    .map(([op, v]) => ["notes", op, v]);
  const flag = fc
    .tuple(fc.constantFrom("=", "!="), fc.constantFrom(true, false, null))
    .map(([op, v]) => ["flag", op, v]);
  return fc.oneof(...typed, parts, text, flag);
}

/** A record of stored values, each field empty now and then. */
const rowArbitrary: fc.Arbitrary<Row> = fc.record(
  Object.fromEntries(
    Object.entries(stored).map(([k, list]) => [
      k,
      fc.option(fc.constantFrom(...(list as readonly unknown[])), { nil: null, freq: 5 }),
    ]),
  ) as {
    [K in keyof Row]: fc.Arbitrary<Row[K]>;
  },
);

/** Session: the create rule it runs under. */
const checker: AccessChecker<Filter<FieldMap>> = {
  check: ({ session, operation }) => (session !== undefined && operation === "create" ? session : true),
};

/**
 * Create rules evaluated without the database (ClickHouse checks them in JavaScript before it
 * inserts, having no transaction to roll a refused row back) must agree with the database: the
 * same rule selects the same stored rows, for every type (decimals exactly, dates as instants).
 */
export function typedRuleValues(target: ConformanceTarget) {
  return suite(
    "typed rule values",
    target,
    (ctx) => {
      const typedRow = (row: Row) => ({ ...row, at: row.at === null ? null : new Date(row.at) });

      test("a create rule on decimals admits by value (issue 11: under amount < 2, 100000 and 10 are refused, 1.5 admitted)", async () => {
        const { db, Thing } = ctx();
        const rule: Filter<FieldMap> = [["price", "<", 2]];
        await db.withSession(rule, async () => {
          for (const price of ["100000", "10", "9", "2"])
            await expect(Thing.create({ label: `cr-${price}`, price }), price).rejects.toBeInstanceOf(AccessDenied);
          for (const price of ["1.5", "-3.25", "0"])
            expect(await Thing.create({ label: `cr-${price}`, price }), price).toBeGreaterThan(0);
        });
        expect(await Thing.count({ filter: [["label", "like", "cr-"]] })).toBe(3);
      });

      test("random rules select the same stored rows in JavaScript (matchValues) as on the database, for every type", async () => {
        const { Thing } = ctx();
        const meta = Thing.meta;
        const rows = fc.sample(rowArbitrary, { numRuns: 48, seed: 20261130 });
        // every stored value at least once
        for (const [name, list] of Object.entries(stored))
          for (const v of list) rows.push({ ...(rows[0] as Row), [name]: v });
        const ids = await Thing.createMany(rows.map((r, i) => ({ label: `tv-${i}`, ...typedRow(r) })));
        const converted = rows.map((r) => {
          const map = new Map<FieldMeta, unknown>();
          for (const [name, v] of Object.entries(typedRow(r))) {
            const field = meta.fields.get(name) as FieldMeta;
            map.set(field, v === null ? null : toDbValue(field, v));
          }
          return map;
        });
        const scope = ["id", "in", ids];
        await fc.assert(
          fc.asyncProperty(filterTree(condition()), async (rule) => {
            const found = (await Thing.search({ filter: [scope, [rule]] as never, fields: ["label"] }))
              .map((r) => r.id)
              .sort((a, b) => a - b);
            const cond = parseFilter(meta, [rule]);
            const expected: number[] = [];
            for (const [k, id] of ids.entries())
              if (!cond || (await matchValues(cond, converted[k] as Map<FieldMeta, unknown>, async () => false)))
                expected.push(id);
            expect(found, JSON.stringify(rule)).toEqual(expected.sort((a, b) => a - b));
          }),
          { numRuns: 150, seed: 20261130 },
        );
      });

      test("random create rules and rows: a create is admitted exactly when the database matches the stored row", async () => {
        const { db, Thing } = ctx();
        let n = 0;
        await fc.assert(
          fc.asyncProperty(filterTree(condition()), rowArbitrary, async (rule, row) => {
            const label = `cc-${n++}`;
            const values = { label, ...typedRow(row) };
            const admitted = await db
              .withSession([rule] as Filter<FieldMap>, () => Thing.create(values))
              .then(
                () => true,
                (e: unknown) => {
                  if (e instanceof AccessDenied) return false;
                  throw e;
                },
              );
            if (!admitted) await Thing.create(values);
            const matches = await Thing.count({ filter: [["label", "=", label], [rule]] as never });
            expect(admitted, `${JSON.stringify(rule)} ${JSON.stringify(row)}`).toBe(matches === 1);
          }),
          { numRuns: 60, seed: 20261201 },
        );
      });
    },
    { access: checker },
  );
}
