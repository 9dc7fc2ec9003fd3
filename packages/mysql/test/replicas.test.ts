import { ConfigurationError } from "@dotorm/core";
import { replicaSuite } from "@dotorm/testkit";
import { describe, expect, test } from "vitest";
import mysql2 from "mysql2/promise";
import { mysql } from "../src/index.js";

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const connection = await mysql2.createConnection({ uri: url, connectTimeout: 5000 });
  try {
    const [rows] = await connection.query(sql);
    return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
  } finally {
    await connection.end();
  }
}

replicaSuite({
  engine: "mariadb",
  adapter: (pair, extra) =>
    mysql({ url: pair.primary, replicas: [pair.replica], replicaRetryAfter: 60_000, max: 4, ...extra }),
  query,
  pauseApply: "STOP SLAVE SQL_THREAD",
  resumeApply: "START SLAVE SQL_THREAD",
});

describe("replica options are checked", () => {
  test("a list of mysql:// URLs and a lag bound in ms", () => {
    expect(() => mysql({ url: "mysql://root@127.0.0.1/x", replicas: ["not a url"] })).toThrow(
      /mysql\(\{ replicas \}\).*not a URL/,
    );
    expect(() => mysql({ url: "mysql://root@127.0.0.1/x", replicas: [5 as unknown as string] })).toThrow(
      ConfigurationError,
    );
    expect(() => mysql({ url: "mysql://root@127.0.0.1/x", maxReplicaLag: 1.5 })).toThrow(/maxReplicaLag/);
  });
});
