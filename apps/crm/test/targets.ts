import { clickhouse } from "@dotorm/clickhouse";
import type { Adapter } from "@dotorm/core";
import { mysql } from "@dotorm/mysql";
import { postgres } from "@dotorm/postgres";
import mysql2 from "mysql2/promise";
import pg from "pg";

/** A records database the CRM's tests run on, opened on a fresh, uniquely named namespace. */
export interface CrmTarget {
  name: string;
  available(): Promise<boolean>;
  open(ns: string): Promise<Adapter>;
  drop?(ns: string): Promise<void>;
}

const pgUrl = process.env.DOTORM_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const mysqlUrl = process.env.DOTORM_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test";

async function onPg(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function onMysql(sql: string): Promise<void> {
  const conn = await mysql2.createConnection({ uri: mysqlUrl, connectTimeout: 3000 });
  try {
    await conn.query(sql);
  } finally {
    await conn.end();
  }
}

const up = (probe: () => Promise<void>) => () =>
  probe().then(
    () => true,
    () => false,
  );

export const pglite: CrmTarget = {
  name: "pglite",
  available: async () => true,
  open: async () => postgres({ pglite: true }),
};

export const pgServer: CrmTarget = {
  name: "postgres",
  available: up(() => onPg("select 1")),
  async open(ns) {
    await onPg(`DROP SCHEMA IF EXISTS "${ns}" CASCADE; CREATE SCHEMA "${ns}"`);
    return postgres({ url: pgUrl, schema: ns, max: 4 });
  },
  drop: (ns) => onPg(`DROP SCHEMA IF EXISTS "${ns}" CASCADE`),
};

export const mariadb: CrmTarget = {
  name: "mariadb",
  available: up(() => onMysql("SELECT 1")),
  async open(ns) {
    await onMysql(`DROP DATABASE IF EXISTS \`${ns}\``);
    await onMysql(`CREATE DATABASE \`${ns}\` CHARACTER SET utf8mb4`);
    const url = new URL(mysqlUrl);
    url.pathname = `/${ns}`;
    return mysql({ url: url.toString(), max: 4 });
  },
  drop: (ns) => onMysql(`DROP DATABASE IF EXISTS \`${ns}\``),
};

/** chDB in memory, one database per test file (libchdb binds one engine per process). */
export const analytics = (ns: string): Adapter => clickhouse({ embedded: true, database: ns });
