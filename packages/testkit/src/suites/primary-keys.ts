import {
  type AccessChecker,
  type AnyModel,
  ConfigurationError,
  type QueryEvent,
  RecordNotFound,
  SchemaBuilder,
  UnsupportedError,
  ValidationError,
  connect,
  f,
  inverseOfAll,
  migrationSource,
  model,
  planMigration,
} from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import { ownModels } from "../own-models.js";
import type { ConformanceTarget } from "../target.js";

const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Options outside the compile-time types, as callers without types send them. */
const untyped = (value: unknown) => value as never;

/** What a session may do on the uuid-keyed model: read only the tokens it names (a record rule on the key). */
interface KeyPolicy {
  readonly tokens?: readonly string[];
  readonly asked: { model: string; operation: string; ids?: readonly (number | string)[] }[];
}

const keyChecker: AccessChecker<KeyPolicy> = {
  check: ({ session, model, operation, ids }) => {
    session?.asked.push(ids === undefined ? { model, operation } : { model, operation, ids: [...ids] });
    if (!session?.tokens || !model.endsWith("_pk_tokens")) return true;
    return [["id", "in", [...session.tokens]]];
  },
};

/** Primary keys other than the integer identity: a UUIDv7 made by the ORM, char and bigint keys given by the caller. */
export function primaryKeys(target: ConformanceTarget) {
  return suite("primary keys", target, (ctx) => {
    const build = (p: string) => {
      const Country = model(`${p}_pk_countries`, {
        id: f.char({ primaryKey: true, maxLength: 8 }),
        name: f.char({ maxLength: 40, required: true }),
      });
      const Account = model(`${p}_pk_accounts`, {
        id: f.bigInteger({ primaryKey: true }),
        name: f.char({ maxLength: 40 }),
        updated_at: f.datetime({ autoNow: true }),
      });
      const Token = model(`${p}_pk_tokens`, {
        id: f.uuid({ primaryKey: true, default: "uuid7" }),
        label: f.char({ maxLength: 40, required: true }),
        country_id: f.many2one(() => Country),
        items: f.one2many((): AnyModel => Item, "token_id"),
        countries: f.many2many(() => Country, { table: `${p}_pk_token_countries` }),
      });
      const Item = model(`${p}_pk_items`, {
        name: f.char({ maxLength: 40 }),
        token_id: f.many2one(() => Token, { required: true, onDelete: "cascade" }),
        account_id: f.many2one(() => Account),
      });
      return { Country, Account, Token, Item };
    };
    const own = ownModels(ctx, build);
    const guarded = ownModels(ctx, (p) => build(`${p}g`), keyChecker);

    /** Statements `db` sent while `fn` ran. */
    async function sent(
      db: { on(e: "query", l: (e: QueryEvent) => void): void; off(e: "query", l: (e: QueryEvent) => void): void },
      fn: () => Promise<unknown>,
    ) {
      const out: QueryEvent[] = [];
      const listener = (e: QueryEvent) => out.push(e);
      db.on("query", listener);
      try {
        await fn().catch(() => undefined);
      } finally {
        db.off("query", listener);
      }
      return out;
    }

    test("a uuid key with default uuid7 is made by the ORM on create and createMany; get, update and delete take it", async () => {
      const { Token } = await own();
      const id = await Token.create({ label: "one" });
      expect(id).toMatch(uuidV7);
      const ids = await Token.createMany([{ label: "two" }, { label: "three" }]);
      expect(ids).toHaveLength(2);
      for (const x of ids) expect(x).toMatch(uuidV7);
      expect(new Set([id, ...ids]).size).toBe(3);
      const one = await Token.get(id);
      expect(one).toMatchObject({ id, label: "one" });
      // an id given in upper case names the same record
      expect((await Token.get(id.toUpperCase())).id).toBe(id);
      await one.update({ label: "uno" });
      expect(await Token.updateMany(ids, { label: "many" })).toBe(2);
      expect((await Token.search({ filter: [["id", "in", ids]] })).map((r) => r.label)).toEqual(["many", "many"]);
      expect(await Token.deleteMany([ids[0] as string])).toBe(1);
      expect(await Token.getOrNull(ids[0] as string)).toBeNull();
      await expect(Token.get(ids[0] as string)).rejects.toBeInstanceOf(RecordNotFound);
      // a key given by the caller is kept
      const given = "01890a5d-ac96-774b-bcce-b302099a8057";
      expect(await Token.create({ id: given, label: "given" })).toBe(given);
      expect((await Token.get(given)).label).toBe("given");
    });

    test("char and bigint keys are given by the caller; a missing key is a ValidationError naming id; the key is never updated", async () => {
      const { Country, Account } = await own();
      expect(await Country.create({ id: "fr", name: "France" })).toBe("fr");
      expect(
        await Country.createMany([
          { id: "de", name: "Germany" },
          { id: "it", name: "Italy" },
        ]),
      ).toEqual(["de", "it"]);
      expect(await Country.get("de")).toMatchObject({ id: "de", name: "Germany" });
      const big = 9_007_199_254_740_000;
      expect(await Account.create({ id: big, name: "big" })).toBe(big);
      expect((await Account.get(big)).id).toBe(big);
      await expect(Country.create(untyped({ name: "nowhere" }))).rejects.toMatchObject({
        name: "ValidationError",
        field: "id",
      });
      await expect(Account.create(untyped({ name: "no key" }))).rejects.toMatchObject({
        name: "ValidationError",
        field: "id",
      });
      await expect(Country.updateMany(["fr"], untyped({ id: "fx" }))).rejects.toMatchObject({
        name: "ValidationError",
        field: "id",
      });
      // a duplicate key is the database's unique violation (no unique keys on ClickHouse: the row is simply added)
      if (ctx().db.adapter.capabilities.uniqueConstraints !== false) {
        await expect(Country.create({ id: "fr", name: "again" })).rejects.toMatchObject({ name: "IntegrityError" });
      }
    });

    test("a malformed uuid, char or bigint id is a ValidationError naming id before any SQL", async () => {
      const { Token, Country, Account, db } = await own();
      const cases: [() => Promise<unknown>, string][] = [
        [() => Token.get("not-a-uuid"), "uuid"],
        [() => Token.get(untyped(42)), "uuid"],
        [() => Token.updateMany(["1' OR '1'='1"], { label: "x" }), "uuid"],
        [() => Token.deleteMany(["0190a0b2-zzzz-7000-8000-000000000000"]), "uuid"],
        [() => Token.query().inBulk(["nope"]), "uuid"],
        [() => Country.get("much-too-long-key"), "char"],
        [() => Account.get(untyped("12abc")), "bigint"],
        [() => Account.get(untyped(1.5)), "bigint"],
      ];
      for (const [call, what] of cases) {
        const statements = await sent(db, call);
        await expect(call(), what).rejects.toBeInstanceOf(ValidationError);
        await expect(call(), what).rejects.toMatchObject({ field: "id" });
        expect(statements, what).toHaveLength(0);
      }
      // a relation value is checked against the target's key
      await expect(Token.create({ label: "bad", country_id: untyped(7) })).rejects.toMatchObject({
        name: "ValidationError",
        field: "country_id",
      });
    });

    test("many2one, one2many and many2many to non-integer keys: writes, filters, nested reads both ways", async () => {
      const { Token, Country, Account, Item } = await own();
      await Country.createMany([
        { id: "es", name: "Spain" },
        { id: "pt", name: "Portugal" },
      ]);
      const acc = await Account.create({ id: 77, name: "acct" });
      const token = await Token.create({
        label: "rel",
        country_id: "es",
        countries: ["es", "pt"],
        items: { create: [{ name: "a", account_id: acc }, { name: "b" }] },
      });
      const read = await Token.get(token, { fields: ["label", "country_id", "countries", "items"] });
      expect(read.country_id).toBe("es");
      expect([...(read.countries as string[])].sort()).toEqual(["es", "pt"]);
      expect(read.items).toHaveLength(2);
      const nested = await Token.get(token, {
        nested: {
          country_id: ["name"],
          countries: ["name"],
          items: { fields: ["name", "account_id"], nested: { account_id: ["name"] }, order: "name" },
        },
      });
      expect(nested.country_id).toMatchObject({ id: "es", name: "Spain" });
      expect(nested.countries.map((c) => c.name).sort()).toEqual(["Portugal", "Spain"]);
      expect(
        (nested.items as unknown as { name: string; account_id: { name: string } | null }[]).map((i) => [
          i.name,
          i.account_id?.name ?? null,
        ]),
      ).toEqual([
        ["a", "acct"],
        ["b", null],
      ]);
      const items = await Item.search({
        filter: [
          ["token_id", "=", token],
          ["token_id.country_id.name", "=", "Spain"],
        ],
        nested: { token_id: ["label", "id"] },
        order: "name",
      });
      expect(items.map((i) => [i.name, i.token_id.id, i.token_id.label])).toEqual([
        ["a", token, "rel"],
        ["b", token, "rel"],
      ]);
      expect((await Item.search({ filter: [["account_id", "=", acc]] })).map((i) => i.name)).toEqual(["a"]);
      // a second level reached by a join: a char key present, and absent (null, not an empty object)
      const bare = await Token.create({ label: "bare", items: { create: [{ name: "c" }] } });
      const deep = await Item.search({
        filter: [["token_id", "in", [token, bare]]],
        nested: { token_id: { fields: ["label"], nested: { country_id: ["name"] } } },
        order: "name",
      });
      expect(deep.map((i) => [i.name, (i.token_id.country_id as { name: string } | null)?.name ?? null])).toEqual([
        ["a", "Spain"],
        ["b", "Spain"],
        ["c", null],
      ]);
      const ids = await Item.search({
        filter: [["token_id", "=", bare]],
        nested: { token_id: ["country_id", "countries"] },
      });
      expect(ids.map((i) => [i.token_id.country_id, i.token_id.countries])).toEqual([[null, []]]);
      expect(await Token.count({ filter: [["countries.id", "=", "pt"]] })).toBe(1);
      // commands take the target's keys
      await Token.updateMany([token], { countries: { unlink: ["pt"] } });
      expect((await Token.get(token, { fields: ["countries"] })).countries).toEqual(["es"]);
      const [first] = read.items as number[];
      await Token.updateMany([token], { items: { update: { [String(first)]: { name: "renamed" } } } });
      expect((await Item.get(first as number)).name).toBe("renamed");
      await expect(Token.updateMany([token], { countries: { link: untyped([12]) } })).rejects.toMatchObject({
        name: "ValidationError",
        field: "countries",
      });
    });

    test("save, refresh, getOrCreate, updateOrCreate, keyset pages and upserts work with a declared key", async () => {
      const { Token, Country, Account } = await own();
      const fresh = new Token({ label: "saved" });
      await fresh.save();
      expect(fresh.id).toMatch(uuidV7);
      fresh.label = "saved again";
      await fresh.save();
      await Token.updateMany([fresh.id], { label: "elsewhere" });
      await fresh.refresh();
      expect(fresh.label).toBe("elsewhere");
      // a record built by hand with a char key: inserted when absent, updated when present
      await new Country({ id: "nl", name: "Netherlands" }).save();
      await new Country({ id: "nl", name: "Holland" }).save();
      expect(await Country.get("nl")).toMatchObject({ name: "Holland" });
      // hand-built with a stamped field: the stamp is the ORM's
      await new Account({ id: 5, name: "five", updated_at: new Date("2000-01-01T00:00:00Z") }).save();
      await new Account({ id: 5, name: "five!", updated_at: new Date("2000-01-01T00:00:00Z") }).save();
      expect((await Account.get(5)).name).toBe("five!");
      const [made, created] = await Country.getOrCreate({ id: "be" }, { name: "Belgium" });
      expect([made.id, created]).toEqual(["be", true]);
      const [same, again] = await Country.updateOrCreate({ id: "be" }, { name: "België" });
      expect([same.id, same.name, again]).toEqual(["be", "België", false]);
      const all = await Token.createMany([
        { label: "p1" },
        { label: "p2" },
        { label: "p3" },
        { label: "p4" },
        { label: "p5" },
      ]);
      const seen: string[] = [];
      let cursor: string | null | undefined;
      do {
        const page = await Token.query().filter({ label__startswith: "p" }).paginate({ size: 2, after: cursor });
        seen.push(...page.data.map((r) => r.id));
        cursor = page.cursor;
      } while (cursor);
      expect([...seen].sort()).toEqual([...all].sort());
      expect((await Token.query().inBulk(all.slice(0, 2))).size).toBe(2);
      if (ctx().db.adapter.capabilities.uniqueConstraints === false) {
        await expect(
          Country.createMany([{ id: "be", name: "x" }], { onConflict: ["id"], update: ["name"] }),
        ).rejects.toBeInstanceOf(UnsupportedError);
        return;
      }
      expect(
        await Country.createMany([{ id: "be", name: "Belgique" }], { onConflict: ["id"], update: ["name"] }),
      ).toEqual(["be"]);
      expect(
        await Country.createMany([{ id: "lu", name: "Luxembourg" }], { onConflict: ["id"], update: ["name"] }),
      ).toEqual(["lu"]);
      expect((await Country.get("be")).name).toBe("Belgique");
    });

    test("record rules on a uuid key, and the checker is told the uuid ids a call names", async () => {
      const { Token, db } = await guarded();
      const [a, b] = (await Token.createMany([{ label: "mine" }, { label: "theirs" }])) as [string, string];
      const policy: KeyPolicy = { tokens: [a], asked: [] };
      const seen = await db.withSession(policy, () => Token.search({ filter: [["label", "in", ["mine", "theirs"]]] }));
      expect(seen.map((r) => r.id)).toEqual([a]);
      await expect(db.withSession(policy, () => Token.get(b))).rejects.toBeInstanceOf(RecordNotFound);
      await expect(db.withSession(policy, () => Token.updateMany([b], { label: "stolen" }))).rejects.toBeInstanceOf(
        RecordNotFound,
      );
      await db.withSession(policy, () => Token.updateMany([a], { label: "mine!" }));
      expect(policy.asked).toContainEqual({ model: Token.meta.table, operation: "update", ids: [a] });
      expect((await Token.get(b)).label).toBe("theirs");
    });

    test("where the adapter makes ids (ClickHouse), models with a declared key take none of them; identity models do", async () => {
      const { Token, Country, Item, db } = await own();
      const adapter = db.adapter as { nextIds?: (count: number) => number[] | Promise<number[]> };
      const real = adapter.nextIds;
      let leased = 0;
      if (real) {
        adapter.nextIds = (count) => {
          leased += count;
          return real.call(adapter, count);
        };
      }
      try {
        const token = await Token.create({ label: "no lease" });
        await Country.createMany([
          { id: "ie", name: "Ireland" },
          { id: "is", name: "Iceland" },
        ]);
        expect(leased).toBe(0);
        await Item.create({ name: "leased", token_id: token });
        expect(leased).toBe(real ? 1 : 0);
      } finally {
        if (real) adapter.nextIds = real;
      }
    });

    test("after sync, migrations see no drift on declared keys and references", async () => {
      const { db } = await own();
      const mine = (await planMigration(db)).operations.filter((op) => op.table.startsWith(`${ctx().prefix}_pk_`));
      // the database holds the other suites' tables too: only this model set's own may not drift
      expect(mine).toEqual([]);
    });

    test("a migration creates a declared key, references and a link table with the key's type, and sees no drift after", async () => {
      const p = `${ctx().prefix}_pkm`;
      const Fresh = model(`${p}_fresh`, { id: f.uuid({ primaryKey: true, default: "uuid7" }), n: f.integer() });
      const Child = model(`${p}_children`, {
        fresh_id: f.many2one(() => Fresh, { required: true, onDelete: "cascade" }),
        many: f.many2many(() => Fresh, { table: `${p}_child_fresh` }),
      });
      const db = await connect(ctx().db.adapter, { models: [Fresh, Child] });
      const mine = async () => (await planMigration(db)).operations.filter((op) => op.table.startsWith(`${p}_`));
      const ops = await mine();
      const source = migrationSource(ops, db.adapter.ddl, db.adapter.dialect);
      expect(source).toContain(
        `db.schema.createTable("${p}_fresh", {\n    id: f.uuid({ primaryKey: true, default: "uuid7" }),`,
      );
      expect(source).toContain(`fresh_id: ref("${p}_fresh", { required: true, key: f.uuid() })`);
      expect(source).toContain(
        `db.schema.createLinkTable("${p}_child_fresh", "${p}_children_id", "${p}_fresh_id", { key2: f.uuid() })`,
      );
      const schema = new SchemaBuilder(db, { allowDestructive: true });
      for (const op of ops) await schema.apply(op);
      try {
        expect(await mine()).toEqual([]);
        const fresh = await Fresh.create({ n: 1 });
        expect(fresh).toMatch(uuidV7);
        const child = await Child.create({ fresh_id: fresh, many: [fresh] });
        expect(await Child.get(child, { fields: ["fresh_id", "many"] })).toMatchObject({
          fresh_id: fresh,
          many: [fresh],
        });
        // the same table as an identity model: changing the key's type in place is refused, naming the table
        const Identity = model(`${p}_fresh`, { n: f.integer() });
        const other = await connect(ctx().db.adapter, { models: [Identity] });
        await expect(planMigration(other)).rejects.toThrow(
          new RegExp(`changing a primary key's type.*${p}_fresh\\.id`),
        );
      } finally {
        for (const op of inverseOfAll(ops)) await schema.apply(op);
      }
      // dropped again, the database plans the same migration (the source compares the references' key types)
      expect(migrationSource(await mine(), db.adapter.ddl, db.adapter.dialect)).toBe(source);
    });

    test("a primaryKey on another field, on an unsupported kind, or an undeclared id is a ConfigurationError", () => {
      expect(() => model("bad_pk", { code: f.char(untyped({ primaryKey: true })) })).toThrow(ConfigurationError);
      expect(() => model("bad_pk", { id: f.text(untyped({ primaryKey: true })) })).toThrow(
        /integer, bigInteger, char or uuid/,
      );
      expect(() => model("bad_pk", { id: f.char() })).toThrow(/primaryKey: true/);
      expect(() => model("bad_pk", { id: f.char(untyped({ primaryKey: true, default: "uuid7" })) })).toThrow(/uuid7/);
    });
  });
}
