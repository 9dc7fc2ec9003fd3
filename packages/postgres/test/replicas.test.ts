import { ConfigurationError, QueryError, connect, f, model } from "@dotorm/core";
import { replicaSuite } from "@dotorm/testkit";
import { describe, expect, test } from "vitest";
import pg from "pg";
import { postgres } from "../src/index.js";

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

replicaSuite({
  engine: "postgres",
  adapter: (pair, extra) =>
    postgres({ url: pair.primary, replicas: [pair.replica], replicaRetryAfter: 60_000, max: 4, ...extra }),
  query,
  pauseApply: "SELECT pg_wal_replay_pause()",
  resumeApply: "SELECT pg_wal_replay_resume()",
});

describe("replica options are checked", () => {
  test("a list of postgres:// URLs, a lag bound in ms, a server only", () => {
    expect(() => postgres({ url: "postgres://a@127.0.0.1/x", replicas: ["not a url"] })).toThrow(
      /postgres\(\{ replicas \}\).*not a URL/,
    );
    expect(() =>
      postgres({ url: "postgres://a@127.0.0.1/x", replicas: "postgres://b/x" as unknown as string[] }),
    ).toThrow(ConfigurationError);
    expect(() => postgres({ url: "postgres://a@127.0.0.1/x", replicas: ["mysql://b/x"] })).toThrow(/scheme "mysql:"/);
    expect(() => postgres({ url: "postgres://a@127.0.0.1/x", maxReplicaLag: -1 })).toThrow(/maxReplicaLag/);
    expect(() => postgres({ pglite: true, replicas: ["postgres://b@127.0.0.1/x"] })).toThrow(/not to embedded PGlite/);
    expect(() => postgres({ url: "postgres://a@127.0.0.1/x", preparedStatements: "no" as unknown as boolean })).toThrow(
      /preparedStatements/,
    );
  });
});

describe("the replica read option is checked (hostile values through the public API)", () => {
  test("only true or false; anything else is a QueryError before any SQL", async () => {
    const Note = model("rep_notes", { body: f.text() });
    const db = await connect(postgres({ pglite: true }), { models: [Note] });
    try {
      await db.sync();
      await Note.create({ body: "x" });
      for (const bad of ["false", 0, null, { toString: () => "false" }]) {
        await expect(Note.search({ replica: bad as unknown as boolean })).rejects.toBeInstanceOf(QueryError);
        await expect(Note.count({ replica: bad as unknown as boolean })).rejects.toBeInstanceOf(QueryError);
      }
      expect(await Note.count({ replica: false })).toBe(1);
      expect((await Note.search({ replica: true })).length).toBe(1);
    } finally {
      await db.close();
    }
  });
});
