import fc from "fast-check";
import { expect, test } from "vitest";
import { referenceFilter } from "../filter-reference.js";
import { suite } from "../harness.js";
import { seedRelations } from "../relation-data.js";
import type { ConformanceTarget } from "../target.js";
import { filterTree, relationFilter } from "../relation-arbitrary.js";
import { relationReference } from "../relation-reference.js";

/** The rows every property runs against: small domains, NULLs everywhere, LIKE's special characters. */
const ints = [null, -2, -1, 0, 1, 2] as const;
const texts = [null, "", "a", "A", "ab", "aB", "a%", "a_b", "b\\a", "%", "_"] as const;

/**
 * Random filters (every operator on integers, booleans and text, with and/or/not and NULLs) must
 * select on the database exactly the rows the reference evaluator (`referenceFilter`: plain
 * JavaScript written from the semantics CONTRACT.md states, sharing no code with core) selects. One property, every dialect: a dialect whose SQL drifts from the
 * stated NULL, LIKE or NOT semantics fails here with the filter that shows it.
 */
export function filterProperties(target: ConformanceTarget) {
  return suite("filter-properties", target, (ctx) => {
    test("random filters select the same rows on the database as the reference semantics", async () => {
      const { Thing } = ctx();
      const rows = [] as { label: string; small: number | null; flag: boolean | null; notes: string | null }[];
      for (const [i, small] of ints.entries()) {
        for (const [j, notes] of texts.entries())
          rows.push({ label: `fp-${i}-${j}`, small, flag: (i + j) % 3 === 0 ? null : (i + j) % 3 === 1, notes });
      }
      const ids = await Thing.createMany(rows);
      const byId = new Map(ids.map((id, k) => [id, rows[k] as (typeof rows)[number]]));

      const intValue = fc.constantFrom(...ints.filter((v) => v !== null));
      const textValue = fc.constantFrom(...texts.filter((v) => v !== null), "b", "%a", "a\\");
      const intCond = fc.oneof(
        fc.tuple(fc.constantFrom("=", "!=", ">", ">=", "<", "<="), intValue).map(([op, v]) => ["small", op, v]),
        fc.tuple(fc.constantFrom("=", "!="), fc.constant(null)).map(([op, v]) => ["small", op, v]),
        fc
          .tuple(fc.constantFrom("in", "not in"), fc.array(fc.oneof(intValue, fc.constant(null)), { maxLength: 3 }))
          .map(([op, v]) => ["small", op, v]),
        fc
          .tuple(fc.constantFrom("between", "not between"), intValue, intValue)
          .map(([op, a, b]) => ["small", op, [Math.min(a, b), Math.max(a, b)]]),
        fc.constantFrom("is null", "is not null").map((op) => ["small", op]),
      );
      const boolCond = fc
        .tuple(fc.constantFrom("=", "!="), fc.constantFrom(true, false, null))
        .map(([op, v]) => ["flag", op, v]);
      const textCond = fc.oneof(
        fc
          .tuple(fc.constantFrom("=", "!=", "like", "ilike", "not like", "not ilike", "=like", "=ilike"), textValue)
          .map(([op, v]) => ["notes", op, v]),
        fc
          .tuple(fc.constantFrom("in", "not in"), fc.array(textValue, { maxLength: 3 }))
          .map(([op, v]) => ["notes", op, v]),
      );
      const condition = fc.oneof(intCond, boolCond, textCond);
      const item = filterTree(condition);

      const scope = ["id", "in", ids] as const;
      await fc.assert(
        fc.asyncProperty(item, async (filter) => {
          const full = [scope, [filter]];
          const found = (await Thing.search({ filter: full as never, fields: ["label"] }))
            .map((r) => r.id)
            .sort((a, b) => a - b);
          const holds = referenceFilter([filter]);
          const expected = [...byId].filter(([, row]) => holds(row)).map(([id]) => id);
          expect(found, JSON.stringify(filter)).toEqual(expected.sort((a, b) => a - b));
        }),
        { numRuns: 60, seed: 20261122 },
      );
    });

    test("random filters over scalar and relation fields: F and [not, F] partition the table, each negative operator is the complement of its positive one, and the rows are those the stated semantics select", async () => {
      const prefix = `${ctx().Thing.meta.table.replace(/_things$/, "")}_prop`;
      const data = await seedRelations(ctx().db.adapter, prefix, {
        check: ({ session, model }) =>
          session !== undefined && model.endsWith("_tags") ? [["name", "!=", "t4"]] : true,
      });
      const all = Object.values(data.items).sort((a, b) => a - b);
      const ids = async (filter: unknown[], session: boolean) => {
        const run = () => data.Item.search({ filter: filter as never, fields: ["name"] });
        const rows = session ? await data.db.withSession({}, run) : await run();
        return rows.map((r) => r.id).sort((a, b) => a - b);
      };
      const arbitrary = relationFilter(data);
      await fc.assert(
        fc.asyncProperty(arbitrary.item, fc.boolean(), async (filter, session) => {
          const label = `${JSON.stringify(filter)}${session ? " (session)" : ""}`;
          const yes = await ids([filter], session);
          const no = await ids([["not", filter]], session);
          expect(
            yes.filter((id) => no.includes(id)),
            label,
          ).toEqual([]);
          expect(
            [...yes, ...no].sort((a, b) => a - b),
            label,
          ).toEqual(all);
        }),
        { numRuns: 50, seed: 20261130 },
      );
      await fc.assert(
        fc.asyncProperty(arbitrary.negative, fc.boolean(), async ([negative, positive], session) => {
          const label = `${JSON.stringify(negative)}${session ? " (session)" : ""}`;
          expect(await ids([negative], session), label).toEqual(await ids([["not", positive]], session));
        }),
        { numRuns: 50, seed: 20261130 },
      );
      const reference = { plain: await relationReference(data), session: await relationReference(data, ["t4"]) };
      await fc.assert(
        fc.asyncProperty(relationFilter(data, { textOrdering: false }).item, fc.boolean(), async (filter, session) => {
          const expected = (session ? reference.session : reference.plain)(filter);
          expect(await ids([filter], session), `${JSON.stringify(filter)}${session ? " (session)" : ""}`).toEqual(
            expected,
          );
        }),
        { numRuns: 60, seed: 20261130 },
      );
    });
  });
}
