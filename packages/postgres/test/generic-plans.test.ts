import { type Database, QueryError, connect, f, model } from "@dotorm/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { postgres } from "../src/index.js";
import { PostgresCompiler } from "../src/postgres-compiler.js";
import { pgServer, pgUrl } from "./targets.js";

/**
 * A paged read is a prepared statement PostgreSQL can plan once: its LIMIT and OFFSET are written
 * into the SQL, so the server's plan cache moves to the generic plan after its five custom ones
 * (with a bound `LIMIT $n` it costs the generic plan as a tenth of the table and plans every run).
 */
const namespace = "generic_plans";
const Ticket = model("gp_tickets", { name: f.char({ maxLength: 40 }), rank: f.integer({ index: true }) });
let db: Database;

/** How often the server planned the connection's statements that contain `text`, custom and generic. */
async function plans(text: string): Promise<{ generic: number; custom: number }> {
  const rows = (await db.sql`select statement, generic_plans, custom_plans from pg_prepared_statements`) as {
    statement: string;
    generic_plans: string | number;
    custom_plans: string | number;
  }[];
  const mine = rows.filter((r) => r.statement.includes(text));
  expect(mine).toHaveLength(1);
  return { generic: Number(mine[0]!.generic_plans), custom: Number(mine[0]!.custom_plans) };
}

describe.runIf(await pgServer.available())("paged reads on the PostgreSQL server", () => {
  beforeAll(async () => {
    await pgServer.open(namespace); // (re)creates the schema; its pool is never used
    // one connection, so pg_prepared_statements shows the statements the reads prepared
    db = await connect(postgres({ url: pgUrl, schema: namespace, max: 1 }), { models: [Ticket] });
    await db.sync();
    await Ticket.createMany(Array.from({ length: 200 }, (_, i) => ({ name: `t${i}`, rank: i % 50 })));
  });
  afterAll(async () => {
    await db?.close();
    await pgServer.drop?.(namespace);
  });

  test("a page read eight times with other values gets generic plans, and the right rows each time", async () => {
    for (let run = 0; run < 8; run++) {
      const page = await Ticket.search({ filter: [["rank", ">=", run]], fields: ["rank"], order: "rank", limit: 7 });
      expect(page.map((t) => t.rank)).toEqual(
        Array.from({ length: 200 }, (_, i) => i % 50)
          .filter((r) => r >= run)
          .sort((a, b) => a - b)
          .slice(0, 7),
      );
    }
    const { generic, custom } = await plans("LIMIT 7");
    expect(custom).toBeLessThanOrEqual(5);
    expect(generic).toBeGreaterThan(0);
  });

  test("an offset is written too, and pages follow one another", async () => {
    const filter = [["rank", ">=", 0]] as const;
    const ids = (await Ticket.search({ filter, fields: ["id"], order: "id" })).map((t) => t.id);
    const seen: number[] = [];
    for (let offset = 0; offset < 30; offset += 10)
      seen.push(...(await Ticket.search({ filter, fields: ["id"], order: "id", limit: 10, offset })).map((t) => t.id));
    expect(seen).toEqual(ids.slice(0, 30));
    await plans("LIMIT 10 OFFSET 20");
  });

  test("a compiled read without values is prepared too (planned once); hand-written SQL is not", async () => {
    const first = await Ticket.search({ fields: ["name"], order: "id", limit: 3 });
    for (let run = 0; run < 7; run++)
      expect(await Ticket.search({ fields: ["name"], order: "id", limit: 3 })).toEqual(first);
    const { generic, custom } = await plans("LIMIT 3");
    expect(generic + custom).toBeLessThanOrEqual(8);
    expect(generic).toBeGreaterThan(0);
    await db.sql`select 'hand written' as note`;
    const rows = (await db.sql`select statement from pg_prepared_statements`) as { statement: string }[];
    expect(rows.some((r) => r.statement.includes("hand written"))).toBe(false);
  });

  test("the compiler writes only non-negative safe integers", () => {
    const compiler = new PostgresCompiler();
    const ctx = { params: [] } as unknown as Parameters<PostgresCompiler["limitOffset"]>[0];
    expect(compiler.limitOffset(ctx, 20, 40)).toBe(" LIMIT 20 OFFSET 40");
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53, "1; DROP TABLE x" as unknown as number])
      expect(() => compiler.limitOffset(ctx, bad)).toThrow(QueryError);
    expect(() => compiler.limitOffset(ctx, 1, -5)).toThrow(QueryError);
  });
});
