import { connect, f, model } from "@dotorm/core";
import { describe, expect, test } from "vitest";
import { postgres } from "../src/index.js";

/**
 * A nested many2one is read through a LEFT JOIN into "<field>.<subfield>" columns; where such a name
 * would pass PostgreSQL's 63-byte identifier limit (and be truncated) the JSON subquery is kept.
 */
describe("nested many2one read through a join", () => {
  const Owner = model("jm_owners", { name: f.char({ maxLength: 50 }) });
  const Pet = model("jm_pets", {
    name: f.char({ maxLength: 50 }),
    owner_id: f.many2one(() => Owner),
    a_relation_name_long_enough_that_it_needs_the_json_subquery_id: f.many2one(() => Owner),
  });

  test("joins short names, keeps long ones in JSON, and reads both back (null when absent)", async () => {
    const db = await connect(postgres({ pglite: true }), { models: [Owner, Pet] });
    await db.sync();
    const sql: string[] = [];
    db.on("query", (e) => sql.push(e.sql));
    const ann = await Owner.create({ name: "Ann" });
    await Pet.createMany([
      { name: "Rex", owner_id: ann, a_relation_name_long_enough_that_it_needs_the_json_subquery_id: ann },
      { name: "Tom" },
    ]);
    sql.length = 0;
    const pets = await Pet.search({
      fields: ["name"],
      nested: { owner_id: ["name"], a_relation_name_long_enough_that_it_needs_the_json_subquery_id: ["name"] },
    });
    expect(sql).toHaveLength(1);
    expect(sql[0]).toContain('LEFT JOIN "jm_owners" t1 ON t1."id" = t0."owner_id"');
    expect(sql[0]).toContain("json_build_object");
    expect(pets.map((p) => ({ ...p }))).toEqual([
      {
        id: 1,
        name: "Rex",
        owner_id: { id: ann, name: "Ann" },
        a_relation_name_long_enough_that_it_needs_the_json_subquery_id: { id: ann, name: "Ann" },
      },
      { id: 2, name: "Tom", owner_id: null, a_relation_name_long_enough_that_it_needs_the_json_subquery_id: null },
    ]);
    await db.close();
  });
});
