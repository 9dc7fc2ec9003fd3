import { type AnyModel, type Database, connect } from "@dotorm/core";
import { type ConformanceTarget, onCI } from "@dotorm/testkit";
import { afterAll, beforeAll } from "vitest";
import mysql2 from "mysql2/promise";
import { mysql } from "../src/index.js";

/** The MariaDB server of the test machine (DOTORM_MYSQL_URL overrides). */
export const mysqlUrl = process.env.DOTORM_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test";

/** The same server, another database. */
export function urlFor(database: string): string {
  const url = new URL(mysqlUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(fn: (c: mysql2.Connection) => Promise<T>): Promise<T> {
  const conn = await mysql2.createConnection({ uri: mysqlUrl, connectTimeout: 3000 });
  try {
    return await fn(conn);
  } finally {
    await conn.end();
  }
}

/** Creates a fresh database for a test file and returns its name. */
export async function freshDatabase(name: string): Promise<string> {
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  });
  return name;
}

/** Drops a database made by {@link freshDatabase}. */
export async function dropDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS \`${name}\``));
}

/** Whether the server answers. */
export const mysqlAvailable = () => admin(async (c) => (await c.query("SELECT 1"))[0] !== undefined).catch(() => false);

/** A database per suite on the MariaDB server. */
export const mariadb: ConformanceTarget = {
  name: "mariadb",
  available: mysqlAvailable,
  async open(namespace) {
    await freshDatabase(namespace);
    return mysql({ url: urlFor(namespace), max: 4 });
  },
  drop: dropDatabase,
  address: { host: new URL(mysqlUrl).hostname, port: Number(new URL(mysqlUrl).port || 3306) },
  openVia(namespace, port, limits) {
    const url = new URL(urlFor(namespace));
    url.hostname = "127.0.0.1";
    url.port = String(port);
    return mysql({ url: url.toString(), ...limits });
  },
  sleepStatement: (seconds) => `SELECT SLEEP(${seconds})`,
};

/**
 * Whether MariaDB answers, for adapter test files: under CI an unreachable server is an error,
 * otherwise the file's tests are skipped with a loud warning.
 */
export async function requireMysql(what: string): Promise<boolean> {
  const up = await mysqlAvailable();
  if (!up && onCI()) throw new Error(`MariaDB is not reachable: CI requires ${what} to run`);
  if (!up) console.warn(`\n!!! SKIPPED ${what}: MariaDB is not reachable (under CI=true this fails)\n`);
  return up;
}

/** Connects `models` to a fresh database for the enclosing describe block and syncs them. */
export function useFreshDatabase(name: string, models: readonly AnyModel[]): () => Database {
  let db: Database | undefined;
  beforeAll(async () => {
    await freshDatabase(name);
    db = await connect(mysql({ url: urlFor(name), max: 2 }), { models });
    await db.sync();
  });
  afterAll(async () => {
    await db?.close();
    await dropDatabase(name);
  });
  return () => db as Database;
}
