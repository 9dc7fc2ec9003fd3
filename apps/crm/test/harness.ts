import type { Adapter } from "@dotorm/core";
import { EventWriter } from "../src/analytics/event-writer.js";
import { type CrmDatabases, openDatabases } from "../src/databases.js";
import { seed } from "../src/seed/seed.js";
import { type AppOptions, type CrmApp, createApp } from "../src/server/app.js";

/** A reply as the tests read it. */
export interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

/** A CRM over given adapters, seeded with the small demo set, driven through `app.request`. */
export interface Crm extends CrmApp {
  dbs: CrmDatabases;
  events: EventWriter;
  http(method: string, path: string, body?: unknown, token?: string, headers?: Record<string, string>): Promise<Reply>;
  login(login: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

/** Opens both databases, seeds (small, fixed seed and date) and builds the app. */
export async function openCrm(
  records: Adapter,
  analytics: Adapter,
  options: Partial<AppOptions> & { seed?: boolean } = {},
): Promise<Crm> {
  const dbs = await openDatabases(records, analytics);
  if (options.seed !== false) await seed(dbs, { size: "small", now: new Date() });
  const events = options.events ?? new EventWriter({ delayMs: 0 });
  const crm = createApp({ db: dbs.db, analytics: dbs.analytics, events, log: () => {}, ...options });
  const http = async (
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    given: Record<string, string> = {},
  ): Promise<Reply> => {
    // "x-test-ip" becomes the socket's address, as @hono/node-server would give it
    const { "x-test-ip": ip = "192.0.2.1", ...headers } = given;
    const env = { incoming: { socket: { remoteAddress: ip, remotePort: 40000, remoteFamily: "IPv4" } } };
    const res = await crm.app.request(
      path,
      {
        method,
        headers: {
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      env,
    );
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  let logins = 0;
  return {
    ...crm,
    dbs,
    events,
    http,
    async login(login, password = login) {
      const r = await http("POST", "/api/login", { login, password }, undefined, {
        "x-test-ip": `198.51.100.${++logins % 250}`,
      });
      if (r.status !== 200) throw new Error(`login ${login} failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token as string;
    },
    async close() {
      crm.hub.closeAll();
      await events.close();
      await dbs.close();
    },
  };
}
