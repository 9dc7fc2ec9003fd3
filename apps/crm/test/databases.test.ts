import { connect } from "@dotorm/core";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { recordsAdapter, withGenericPlans } from "../src/databases.js";
import { pgServer } from "./targets.js";

const pgUrl = process.env.DOTORM_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function planCacheMode(url: string, generic?: boolean): Promise<string> {
  const config = { DATABASE_URL: url, DATA_DIR: "/nonexistent", PG_GENERIC_PLANS: generic };
  const db = await connect(recordsAdapter(config), { models: [] });
  try {
    const [row] = await db.sql`show plan_cache_mode`;
    return String((row as { plan_cache_mode: string }).plan_cache_mode);
  } finally {
    await db.close();
  }
}

describe.runIf(await pgServer.available())("the records database on a PostgreSQL server", () => {
  it("plans each statement shape once per connection (generic plans)", async () => {
    expect(await planCacheMode(pgUrl)).toBe("force_generic_plan");
  });

  it("leaves the server's mode with PG_GENERIC_PLANS=0", async () => {
    expect(loadConfig({ PG_GENERIC_PLANS: "0" }).PG_GENERIC_PLANS).toBe(false);
    expect(loadConfig({}).PG_GENERIC_PLANS).toBe(true);
    expect(await planCacheMode(pgUrl, false)).toBe("auto");
  });

  it("keeps a plan_cache_mode the URL sets, and the URL's other connection options", async () => {
    const url = new URL(pgUrl);
    url.searchParams.set("options", "-c plan_cache_mode=force_custom_plan");
    expect(await planCacheMode(url.toString())).toBe("force_custom_plan");
    url.searchParams.set("options", "-c application_name=crm_test");
    const db = await connect(recordsAdapter({ DATABASE_URL: url.toString(), DATA_DIR: "/nonexistent" }), {
      models: [],
    });
    try {
      const [row] =
        await db.sql`select current_setting('application_name') as app, current_setting('plan_cache_mode') as mode`;
      expect(row).toEqual({ app: "crm_test", mode: "force_generic_plan" });
    } finally {
      await db.close();
    }
  });
});

describe("withGenericPlans", () => {
  it("adds the option to the URL's query and keeps the rest of the URL", () => {
    const out = new URL(withGenericPlans("postgres://crm:secret@db.example:6543/crm?sslmode=require"));
    expect(out.searchParams.get("options")).toBe("-c plan_cache_mode=force_generic_plan");
    expect(out.searchParams.get("sslmode")).toBe("require");
    expect([out.username, out.password, out.host, out.pathname]).toEqual(["crm", "secret", "db.example:6543", "/crm"]);
  });
});
