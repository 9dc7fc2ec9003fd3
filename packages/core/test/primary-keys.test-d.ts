import { describe, expectTypeOf, test } from "vitest";
import { f } from "../src/model/f.js";
import { model } from "../src/define/model.js";
import type { IdOf, Infer } from "../src/model/types.js";

const Country = model("countries", {
  id: f.char({ primaryKey: true, maxLength: 8 }),
  name: f.char({ required: true }),
});

const Token = model("tokens", {
  id: f.uuid({ primaryKey: true, default: "uuid7" }),
  label: f.char({ required: true }),
  country_id: f.many2one(() => Country),
  countries: f.many2many(() => Country),
});

const Account = model("accounts", { id: f.bigInteger({ primaryKey: true }), name: f.char() });

const Item = model("items", {
  token_id: f.many2one(() => Token, { required: true }),
  account_id: f.many2one(() => Account),
});

describe("declared primary keys", () => {
  test("get, getOrNull, create, createMany, updateMany and deleteMany take and give the key's type", async () => {
    expectTypeOf<IdOf<typeof Token>>().toEqualTypeOf<string>();
    expectTypeOf<IdOf<typeof Account>>().toEqualTypeOf<number>();
    expectTypeOf<IdOf<typeof Item>>().toEqualTypeOf<number>();
    expectTypeOf(await Token.create({ label: "x" })).toEqualTypeOf<string>();
    expectTypeOf(await Country.createMany([{ id: "fr", name: "France" }])).toEqualTypeOf<string[]>();
    expectTypeOf(await Account.create({ id: 7 })).toEqualTypeOf<number>();
    // @ts-expect-error a uuid key is a string
    await Token.get(1);
    // @ts-expect-error an integer identity is a number
    await Item.get("1");
    // @ts-expect-error ids of a char key are strings
    await Country.deleteMany([1]);
    await Country.updateMany(["fr"], { name: "France" });
  });

  test("records carry the key's type; a char key without a default must be given on create and is never updated", async () => {
    const token = await Token.get("0190a0b2-0000-7000-8000-000000000000");
    expectTypeOf(token.id).toEqualTypeOf<string>();
    expectTypeOf<Infer<typeof Country>["id"]>().toEqualTypeOf<string>();
    // the uuid7 default makes the key optional on create
    await Token.create({ label: "no id" });
    // @ts-expect-error a char key without a default is required on create
    await Country.create({ name: "nowhere" });
    // @ts-expect-error the key is never updated
    await Country.updateMany(["fr"], { id: "fx" });
  });

  test("a many2one to a declared key holds the key's type, in records, writes, filters and commands", async () => {
    const item = await Item.get(1);
    expectTypeOf(item.token_id).toEqualTypeOf<string>();
    expectTypeOf(item.account_id).toEqualTypeOf<number | null>();
    const token = await Token.get("x", { fields: ["country_id", "countries"] });
    expectTypeOf(token.country_id).toEqualTypeOf<string | null>();
    expectTypeOf(token.countries).toEqualTypeOf<string[]>();
    const nested = await Item.get(1, { nested: { token_id: ["label"] } });
    expectTypeOf(nested.token_id.id).toEqualTypeOf<string>();
    await Item.create({ token_id: "0190a0b2-0000-7000-8000-000000000000" });
    // @ts-expect-error the reference takes the target's key type
    await Item.create({ token_id: 5 });
    await Token.updateMany(["x"], { countries: { link: ["fr"], update: { fr: { name: "France" } } } });
    // @ts-expect-error commands take the target's ids
    await Token.updateMany(["x"], { countries: { link: [1] } });
    await Item.search({ filter: [["token_id", "=", "x"]] });
    await Token.search({ filter: [["id", "in", ["a", "b"]]] });
    // @ts-expect-error a uuid key compares with strings
    await Token.search({ filter: [["id", "=", 3]] });
  });

  test("hooks and inBulk see the key's type", async () => {
    model(
      "hooked",
      { id: f.uuid({ primaryKey: true, default: "uuid7" }), n: f.integer() },
      {
        hooks: {
          afterCreate({ id }) {
            expectTypeOf(id).toEqualTypeOf<string>();
          },
        },
      },
    );
    const byId = await Token.query().inBulk(["a"]);
    expectTypeOf(byId.get("a")?.id).toEqualTypeOf<string | undefined>();
  });
});
