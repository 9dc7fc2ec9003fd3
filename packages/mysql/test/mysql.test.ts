import {
  type AnyModel,
  ConfigurationError,
  IntegrityError,
  UnsupportedError,
  ValidationError,
  connect,
  f,
  model,
} from "@dotorm/core";
import { makeModels, runConformance } from "@dotorm/testkit";
import { describe, expect, test } from "vitest";
import { mysql } from "../src/index.js";
import { Chat, ChatMessage, User, models, nodes } from "./sql-nodes.js";
import { mariadb, requireMysql, urlFor, useFreshDatabase } from "./targets.js";

const up = await requireMysql("the MySQL adapter tests");

// MySQL 8's paths, where MariaDB can run them: the insert id instead of RETURNING (returning: false),
// and the "mysql" flavor wherever it renders what MariaDB accepts (not nested arrays: MariaDB refuses
// derived tables that reference the outer row).
await runConformance(
  {
    ...mariadb,
    name: "mariadb without RETURNING",
    open: async (ns) => {
      await mariadb.open(ns);
      return mysql({ url: urlFor(ns), max: 4, returning: false });
    },
  },
  ["crud", "nested", "relations", "transactions"],
);
await runConformance(
  {
    ...mariadb,
    name: "mariadb as mysql",
    open: async (ns) => {
      await mariadb.open(ns);
      return mysql({ url: urlFor(ns), max: 4, flavor: "mysql" });
    },
  },
  ["crud", "errors", "filters", "ordering", "fields"],
);

describe.skipIf(!up)("MySQL adapter on MariaDB", () => {
  const name = `dotorm_mysql_adapter_${process.pid}`;
  const database = useFreshDatabase(name, models);

  test("the SQL asserted in sql.test.ts runs on the server", async () => {
    // The statements name chat 7 and users 1 and 2: make them exist in this fresh database.
    const [user] = await User.createMany([{ name: "Ann" }, { name: "Bob" }]);
    expect(user).toBe(1);
    await Chat.createMany(Array.from({ length: 7 }, (_, i) => ({ name: `c${i}`, creator_id: user as number })));
    const results: Record<string, { rows: number; affected: number }> = {};
    const rowsOf: Record<string, readonly Record<string, unknown>[]> = {};
    for (const [key, node] of Object.entries(nodes)) {
      const compiled = database().adapter.compiler.compile(node);
      const result = await database().exec(compiled, { operation: key });
      results[key] = { rows: result.rows.length, affected: result.affected };
      rowsOf[key] = result.rows;
    }
    // what each statement did to these 7 chats of Ann's: exactly, statement by statement
    expect(results).toEqual({
      getById: { rows: 1, affected: 0 },
      filteredPage: { rows: 0, affected: 0 }, // 7 unarchived chats, offset 40
      nested: { rows: 1, affected: 0 },
      guardedNested: { rows: 1, affected: 0 },
      insert: { rows: 0, affected: 2 },
      update: { rows: 0, affected: 1 },
      delete: { rows: 0, affected: 0 }, // none archived
      count: { rows: 1, affected: 0 },
    });
    expect(rowsOf.getById?.[0]).toMatchObject({ id: 7, name: "c6" });
    expect(Number(rowsOf.count?.[0]?.n)).toBe(8); // Ann's 7 and the inserted "General"
    expect((await Chat.get(7, { fields: ["name"] })).name).toBe("Renamed");
  });

  test("tables are InnoDB, utf8mb4 with a binary collation; DATETIME(6) holds UTC", async () => {
    const [table] = await database().sql<{
      engine: string;
      collation: string;
    }>`SELECT engine, table_collation AS collation FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ${Chat.meta.table}`;
    expect(table).toEqual({ engine: "InnoDB", collation: "utf8mb4_bin" });
    const user = await User.create({ name: "Tz" });
    const chat = await Chat.create({ name: "tz", creator_id: user });
    const id = await ChatMessage.create({ chat_id: chat, body: "x" });
    const at = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
    await database().sql`UPDATE ${database().sql.id(ChatMessage.meta.table)} SET created_at = ${at} WHERE id = ${id}`;
    const [raw] = await database().sql<{
      s: string;
    }>`SELECT CAST(created_at AS CHAR) AS s FROM ${database().sql.id(ChatMessage.meta.table)} WHERE id = ${id}`;
    expect(raw?.s).toBe("2024-01-02 03:04:05.678000");
    expect((await ChatMessage.get(id)).created_at?.toISOString()).toBe("2024-01-02T03:04:05.678Z");
  });

  test("a unique or indexed text field is a ConfigurationError at sync, before any DDL", async () => {
    const Note = model("bad_notes", { body: f.text({ unique: true }) });
    const other = await connect(mysql({ url: urlFor(name), max: 1 }), { models: [Note] });
    const sent: string[] = [];
    other.on("query", (e) => sent.push(e.sql));
    try {
      const err = await other.sync().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigurationError);
      expect((err as Error).message).toMatch(/bad_notes\.body is a text field .* cannot make unique/);
      expect(sent.some((s) => /CREATE|ALTER/.test(s))).toBe(false);
    } finally {
      await other.close();
    }
    expect(() => mysql({ flavor: "mysql", returning: true })).toThrow(ConfigurationError);
  });

  test("server-side refusals are mapped: data too long is a ValidationError, duplicates name the field", async () => {
    const long = "x".repeat(300);
    const err = await database().sql`INSERT INTO ${database().sql.id(User.meta.table)} (name) VALUES (${long})`.catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ field: "name", model: User.meta.table });
    expect((err as Error).cause).toMatchObject({ errno: 1406 });
    await User.create({ name: "Dup", login: "dup" });
    const dup = await User.create({ name: "Dup2", login: "dup" }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(IntegrityError);
    expect(dup).toMatchObject({ kind: "unique", field: "login", constraint: `uq_${User.meta.table}_login` });
  });

  test("without RETURNING a one-record upsert still returns the right id, inserted or updated", async () => {
    const { User, models: own } = makeModels("plain");
    const plain = await connect(mysql({ url: urlFor(name), max: 1, returning: false }), { models: [...own] });
    try {
      await plain.sync();
      const [a] = await User.createMany([{ name: "Up", login: "up-1" }]);
      expect(
        await User.createMany([{ name: "Up again", login: "up-1" }], { onConflict: ["login"], update: ["name"] }),
      ).toEqual([a]);
      const [c] = await User.createMany([{ name: "New", login: "up-2" }], { onConflict: ["login"], update: ["name"] });
      expect(c).toBeGreaterThan(a as number);
      expect((await User.get(a as number)).name).toBe("Up again");
      // new keys are a plain insert, whose ids the insert id gives; updating several existing rows needs RETURNING
      const [p, q] = await User.createMany(
        [
          { name: "p", login: "up-3" },
          { name: "q", login: "up-4" },
        ],
        { onConflict: ["login"] },
      );
      expect(
        (await User.search({ filter: [["id", "in", [p as number, q as number]]], fields: ["login"] })).map((u) => [
          u.id,
          u.login,
        ]),
      ).toEqual([
        [p, "up-3"],
        [q, "up-4"],
      ]);
      await expect(
        User.createMany(
          [
            { name: "p2", login: "up-3" },
            { name: "q2", login: "up-4" },
          ],
          { onConflict: ["login"], update: ["name"] },
        ),
      ).rejects.toBeInstanceOf(UnsupportedError);
    } finally {
      await plain.close();
    }
  });

  test("update and delete through a filter on the same table (a parent) work despite MySQL's error 1093", async () => {
    const Node = model("tree_nodes", { name: f.char({ maxLength: 20 }), parent_id: f.many2one((): AnyModel => Node) });
    const tree = await connect(mysql({ url: urlFor(name), max: 1 }), { models: [Node] });
    try {
      await tree.sync();
      const root = await Node.create({ name: "root" });
      const kids = await Node.createMany([
        { name: "a", parent_id: root },
        { name: "b", parent_id: root },
        { name: "c" },
      ]);
      expect(await Node.updateMany([["parent_id.name", "=", "root"]], { name: "kid" })).toBe(2);
      expect(await Node.deleteMany([["parent_id.name", "=", "root"]])).toBe(2);
      expect((await Node.search({ fields: ["name"] })).map((n) => n.id)).toEqual([root, kids[2]]);
    } finally {
      await tree.close();
    }
  });

  test("=, unique and like are case-sensitive; ilike is not, and ignores the collation", async () => {
    await User.create({ name: "CaseName" });
    expect(await User.count({ filter: [["name", "=", "casename"]] })).toBe(0);
    expect(await User.count({ filter: [["name", "like", "asename"]] })).toBe(0);
    expect(await User.count({ filter: [["name", "ilike", "ASENAME"]] })).toBe(1);
    await User.create({ name: "x", login: "Mixed" });
    await expect(User.create({ name: "y", login: "mixed" })).resolves.toBeGreaterThan(0);
  });
});
