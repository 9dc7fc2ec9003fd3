import {
  type ClickHouseClient,
  type ClickHouseLogLevel,
  type ClickHouseSettings,
  type Logger,
  createClient,
} from "@clickhouse/client";
import { ConfigurationError, ConnectionError } from "@dotorm/core";
import { mapClickHouseError } from "./map-clickhouse-error.js";

/** Where the client talks to: a server over HTTP, or chDB in this process. */
export interface ClientTarget {
  url?: string;
  username?: string;
  password?: string;
  database: string;
  embedded?: true | string;
  /** Most HTTP connections kept open (the server client's pool). */
  max?: number;
  /** Milliseconds before an HTTP request gives up. */
  requestTimeout?: number;
  /** Milliseconds before the first request (creating the database) gives up. */
  connectTimeout?: number;
  settings?: ClickHouseSettings;
  /** Creates the database `ON CLUSTER` this cluster (server only). */
  cluster?: string;
  /** Where the client's own log goes (instead of the console), and from which level. */
  log?: { LoggerClass: new () => Logger; level: ClickHouseLogLevel };
}

/**
 * Output settings both carriers share, so rows read the same from a server and from chDB: decimals
 * as strings (no digit lost), 64-bit integers as JSON numbers (DotORM ids stay below 2^53 and the
 * hydrator refuses any value beyond the safe range).
 */
const SETTINGS: ClickHouseSettings = {
  output_format_json_quote_decimals: 1,
  output_format_json_quote_64bit_integers: 0,
};

type ChConnection = NonNullable<Parameters<typeof createClient>[0]>["connection"];

const ident = (name: string) => `\`${name.replace(/\\/g, "\\\\").replace(/`/g, "\\`")}\``;

/**
 * Opens the client and makes sure the database exists. Everything above this function is the same
 * for both carriers; only the connection differs.
 */
export async function openClient(t: ClientTarget): Promise<ClickHouseClient> {
  const clickhouse_settings = { ...SETTINGS, ...t.settings };
  try {
    if (t.embedded) {
      const connection = await chdbConnection(t.embedded);
      // chdb types its connection against @clickhouse/client-common, which the client bundles in a
      // different patch version: the shapes match, the nominal types do not.
      const client = createClient({
        connection: connection as unknown as ChConnection,
        ...(t.log ? { log: t.log } : {}),
      });
      // chDB has no per-request database: create it, then make it this session's current one. Its
      // settings are session state too: set once here, not prefixed to every statement as SETs.
      await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${ident(t.database)}` });
      await client.command({ query: `USE ${ident(t.database)}` });
      for (const [k, v] of Object.entries(clickhouse_settings)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
          throw new ConfigurationError(`clickhouse({ settings }): ${JSON.stringify(k)} is not a setting name`);
        if (v !== undefined)
          await client.command({
            query: `SET ${k} = ${typeof v === "string" ? `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'` : Number(v)}`,
          });
      }
      return client;
    }
    const base = {
      url: t.url,
      username: t.username,
      password: t.password,
      request_timeout: t.requestTimeout,
      max_open_connections: t.max,
      clickhouse_settings,
      ...(t.log ? { log: t.log } : {}),
    };
    // The database may not exist yet, and naming it on every request would then fail: create it first.
    const admin = createClient({
      ...base,
      request_timeout: Math.min(t.connectTimeout ?? 10_000, t.requestTimeout ?? 10_000),
    });
    try {
      const onCluster = t.cluster === undefined ? "" : ` ON CLUSTER ${ident(t.cluster)}`;
      await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${ident(t.database)}${onCluster}` });
    } finally {
      await admin.close();
    }
    return createClient({ ...base, database: t.database });
  } catch (e) {
    if (!t.embedded && /^Timeout error/.test((e as Error | undefined)?.message ?? "")) {
      const ms = Math.min(t.connectTimeout ?? 10_000, t.requestTimeout ?? 10_000);
      throw new ConnectionError(
        `ClickHouse (${t.url ?? "http://localhost:8123"}) did not answer within connectTimeout (${ms} ms): check the url, and that the server is up and reachable`,
        { cause: e },
      );
    }
    const mapped = mapClickHouseError(e);
    if (mapped instanceof ConfigurationError || mapped instanceof ConnectionError) throw mapped;
    throw new ConnectionError(
      `cannot open ClickHouse (${t.embedded ? "chDB" : (t.url ?? "http://localhost:8123")}): ${mapped.message}`,
      { cause: e },
    );
  }
}

async function chdbConnection(where: true | string) {
  let mod: typeof import("chdb/connection");
  try {
    mod = await import("chdb/connection");
  } catch (e) {
    throw new ConfigurationError("clickhouse({ embedded }) needs the chdb package: npm install chdb", { cause: e });
  }
  try {
    return mod.createChdbConnection({ path: where === true ? ":memory:" : where });
  } catch (e) {
    throw new ConfigurationError(
      `chDB could not open ${where === true ? "an in-memory engine" : JSON.stringify(where)}: ${(e as Error).message}. ` +
        "chDB binds one data directory per process; use one embedded path per process and separate databases inside it",
      { cause: e },
    );
  }
}
