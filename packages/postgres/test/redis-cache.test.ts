import { type Database, connect, redisStore } from "@dotorm/core";
import { makeModels, onCI } from "@dotorm/testkit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { postgres } from "../src/index.js";
import { pgServer } from "./targets.js";

/**
 * The query cache in Redis, shared by two "processes" (two connections with their own model
 * classes over the same tables): one's cached reads serve the other, and one's writes drop the
 * other's entries (DEL) and reach it over pub/sub.
 */
const redisUrl = process.env.DOTORM_REDIS_URL ?? "redis://127.0.0.1:6379";
const namespace = `dotorm_redis_cache_${process.pid}`;
const prefix = `dotorm-test-${process.pid}-${Date.now()}:`;
const clients: Redis[] = [];
const up = await pgServer.available();
const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
const redisUp = await probe.connect().then(
  () => true,
  () => false,
);
probe.disconnect();
if (!redisUp && !onCI()) console.warn("\n!!! SKIPPED redis cache: Redis is not reachable at", redisUrl);

function side(models: ReturnType<typeof makeModels>) {
  const client = new Redis(redisUrl);
  const subscriber = client.duplicate();
  clients.push(client, subscriber);
  return connect(
    postgres({
      url: process.env.DOTORM_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test",
      schema: namespace,
      max: 2,
    }),
    {
      models: [...models.models],
      cache: { store: redisStore({ client, subscriber, prefix }) },
    },
  );
}

describe.skipIf(!up || (!redisUp && !onCI()))("query cache in Redis [postgres]", () => {
  const a = makeModels("rc");
  const b = makeModels("rc");
  let dbA: Database;
  let dbB: Database;

  beforeAll(async () => {
    await pgServer.open(namespace);
    dbA = await side(a);
    await dbA.sync();
    dbB = await side(b);
  });
  afterAll(async () => {
    await dbA?.close();
    await dbB?.close();
    const [c] = clients;
    if (c) {
      const keys = await c.keys(`${prefix}*`);
      if (keys.length > 0) await c.del(...keys);
    }
    for (const c of clients) c.disconnect();
    await pgServer.drop?.(namespace);
  });

  test("one process's cached read serves another; a write in either drops it for both", async () => {
    const ann = await dbA.sudo(() => a.User.create({ name: "redis ann", login: "redis-ann" }));
    const readA = () => a.User.query().filter({ login: "redis-ann" }).cache({ ttl: 60_000 }).get();
    const readB = () => b.User.query().filter({ login: "redis-ann" }).cache({ ttl: 60_000 }).get();
    let sentB = 0;
    dbB.on("query", () => sentB++);
    expect((await readA()).name).toBe("redis ann");
    expect((await readB()).name).toBe("redis ann");
    expect(sentB).toBe(0);
    const messages: string[] = [];
    const watcher = clients[1]!.duplicate();
    clients.push(watcher);
    await watcher.subscribe(`${prefix}invalidate`);
    watcher.on("message", (_ch, m) => messages.push(m));
    await b.User.updateMany([ann], { name: "redis renamed" });
    expect((await readA()).name).toBe("redis renamed");
    await expect.poll(() => messages.some((m) => JSON.parse(m).tables.includes(a.User.meta.table))).toBe(true);
    await a.User.updateMany([ann], { name: "redis again" });
    expect((await readB()).name).toBe("redis again");
  });

  test("entries expire with their ttl in Redis; a hostile prefix is refused", async () => {
    await a.User.create({ name: "redis ttl", login: "redis-ttl" });
    // a ttl long enough that the second read is a hit even on a loaded machine
    const read = () => b.User.query().filter({ login: "redis-ttl" }).cache({ ttl: 1500 }).all();
    let sent = 0;
    const count = () => sent++;
    dbB.on("query", count);
    await read();
    await read();
    expect(sent).toBe(1);
    await new Promise((r) => setTimeout(r, 1700));
    await read();
    expect(sent).toBe(2);
    dbB.off("query", count);
    expect(() => redisStore({ client: clients[0]!, prefix: "bad prefix*" })).toThrow(/prefix/);
    expect(() => redisStore({ client: {} as never, prefix: "x:" })).toThrow(/ioredis/);
  });
});
