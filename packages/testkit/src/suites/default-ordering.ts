import { AccessDenied, type AccessChecker, type AnyModel, ConfigurationError, f, model } from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import { ownModels } from "../own-models.js";
import type { ConformanceTarget } from "../target.js";

/** Options outside the compile-time types, as callers without types send them. */
const untyped = (value: unknown) => value as never;

/** Session "blind" may not read a lead's priority. */
const checker: AccessChecker<string> = {
  check: () => true,
  deniedFields: ({ session, model }) => (session === "blind" && model.endsWith("_do_leads") ? ["priority"] : []),
};

/** A model's default order (`{ order: ["-priority", "name"] }`): every read that gives none, nested lists too. */
export function defaultOrdering(target: ConformanceTarget) {
  return suite("default ordering", target, (ctx) => {
    const own = ownModels(
      ctx,
      (p) => {
        const Board = model(`${p}_do_boards`, {
          title: f.char({ maxLength: 20, required: true }),
          leads: f.one2many((): AnyModel => Lead, "board_id"),
        });
        const Lead = model(
          `${p}_do_leads`,
          {
            name: f.char({ maxLength: 20, required: true }),
            priority: f.integer({ required: true }),
            board_id: f.many2one(() => Board),
          },
          { order: ["-priority", "name"] },
        );
        return { Board, Lead };
      },
      checker,
    );

    /** Leads on a new board: c/1, a/3, b/3, d/2 (ids in that order). Default order: a, b, d, c. */
    async function seed(title: string) {
      const { Board, Lead } = await own();
      const board = await Board.create({ title });
      const rows = [
        ["c", 1],
        ["a", 3],
        ["b", 3],
        ["d", 2],
      ] as const;
      const ids = await Lead.createMany(
        rows.map(([name, priority]) => ({ name: `${title}-${name}`, priority, board_id: board })),
      );
      const names = (leads: readonly object[]) =>
        leads.map((l) => String((l as { name: string }).name).slice(title.length + 1)).join("");
      return { board, ids, names, filter: [["board_id", "=", board]] as [["board_id", "=", number]] };
    }

    test("search, query sets and pages use the default order when the read gives none; a given order wins", async () => {
      const { Lead } = await own();
      const { names, filter, board } = await seed("s");
      expect(names(await Lead.search({ filter }))).toBe("abdc");
      expect(names(await Lead.search({ filter, order: "name" }))).toBe("abcd");
      // `sort` without `order` reverses the default order, term by term
      expect(names(await Lead.search({ filter, sort: "desc" }))).toBe("cdba");
      const qs = Lead.query().filter({ board_id: board });
      expect(names(await qs)).toBe("abdc");
      expect(names(await qs.reverse())).toBe("cdba");
      expect(names(await qs.reverse().reverse())).toBe("abdc");
      expect((await qs.first())?.name).toBe("s-a");
      expect((await qs.last())?.name).toBe("s-c");
      expect((await qs.reverse().last())?.name).toBe("s-a");
      expect(names(await qs.orderBy("name"))).toBe("abcd");
      const first = await qs.paginate({ size: 3 });
      const second = await qs.paginate({ size: 3, after: first.cursor });
      expect(names([...first.data, ...second.data])).toBe("abdc");
      expect(second.cursor).toBeNull();
    });

    test("nested one2many lists follow the target's default order, in get and search, with limit", async () => {
      const { Board } = await own();
      const { board, names } = await seed("n");
      const got = await Board.get(board, { nested: { leads: ["name"] } });
      expect(names(got.leads as object[])).toBe("abdc");
      const [found] = await Board.search({
        filter: [["id", "=", board]],
        nested: { leads: { fields: ["name"], limit: 2 } },
      });
      expect(names(found?.leads as object[])).toBe("ab");
      const [given] = await Board.search({
        filter: [["id", "=", board]],
        nested: { leads: { fields: ["name"], order: "name desc" } },
      });
      expect(names(given?.leads as object[])).toBe("dcba");
    });

    test("a default-order term the session may not read is left out for it, so the order reveals nothing; naming it is AccessDenied", async () => {
      const { Lead, db } = await own();
      const { names, filter } = await seed("b");
      await db.withSession("blind", async () => {
        // ordered by name alone: the hidden priorities leave no trace in the order
        expect(names(await Lead.search({ filter, fields: ["name"] }))).toBe("abcd");
        expect(names(await Lead.query().where(filter).only("name").reverse())).toBe("dcba");
        const page = await Lead.query().where(filter).only("name").paginate({ size: 4 });
        expect(names(page.data)).toBe("abcd");
        await expect(Lead.search({ filter, fields: ["name"], order: "priority" })).rejects.toBeInstanceOf(AccessDenied);
      });
    });

    test("a default order naming an unknown or unstored field, or a malformed term, is a ConfigurationError naming it", () => {
      const fields = { name: f.char(), tags: f.one2many((): AnyModel => Tag, "x") };
      const Tag = model("do_tags", { x: f.integer() });
      expect(() => model("do_bad", fields, { order: ["-nmae"] })).toThrow(/unknown field "nmae"/);
      expect(() => model("do_bad", fields, { order: ["tags"] })).toThrow(/"tags"/);
      expect(() => model("do_bad", fields, { order: ["name desc"] })).toThrow(ConfigurationError);
      expect(() => model("do_bad", fields, { order: untyped("name") })).toThrow(ConfigurationError);
      expect(() => model("do_bad", fields, { order: [] })).toThrow(ConfigurationError);
      expect(model("do_ok", fields, { order: ["-id", "name"] }).meta.options.order).toEqual(["-id", "name"]);
    });
  });
}
