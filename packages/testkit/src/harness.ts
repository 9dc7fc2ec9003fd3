import { type Database, type QueryEvent, connect } from "@dotorm/core";
import type { AccessChecker } from "@dotorm/core";
import { afterAll, beforeAll, describe, test } from "vitest";
import { type TestModels, makeModels } from "./models.js";
import type { ConformanceTarget } from "./target.js";
import { onCI } from "./ci.js";

/** What a suite's tests get: the connected database, its models, and a statement recorder. */
export interface SuiteContext extends TestModels {
  db: Database;
  /** The suite's schema or database on the target. */
  namespace: string;
  /** The table prefix of the suite's models (`makeModels(prefix)` gives the same tables). */
  prefix: string;
  /** Statements sent while `fn` ran. */
  record<T>(fn: () => Promise<T>): Promise<{ result: T; statements: QueryEvent[] }>;
}

let counter = 0;

/**
 * Declares a conformance suite: connects the target on its own namespace, syncs fresh models,
 * and closes afterwards. When the server is unreachable the suite fails under CI and is skipped
 * loudly otherwise.
 */
export async function suite(
  feature: string,
  target: ConformanceTarget,
  body: (ctx: () => SuiteContext) => void,
  options: { access?: AccessChecker<any> } = {},
): Promise<void> {
  const up = await target.available();
  const n = ++counter;
  if (!up && onCI() && target.configured !== false) {
    describe(`${feature} [${target.name}]`, () => {
      test("database is reachable", () => {
        throw new Error(`${target.name} is not reachable: CI requires every database suite to run`);
      });
    });
    return;
  }
  if (!up) {
    const why =
      target.configured === false ? "not configured" : "the database is not reachable (under CI=true this fails)";
    console.warn(`\n!!! SKIPPED ${feature} [${target.name}]: ${why}\n`);
  }
  const state = {} as SuiteContext;
  describe.skipIf(!up)(`${feature} [${target.name}]`, () => {
    const namespace = `dotorm_${feature.replace(/[^a-z0-9]/gi, "_").toLowerCase()}_${process.pid}_${n}`;
    beforeAll(async () => {
      const adapter = await target.open(namespace);
      const models = makeModels(`s${n}`);
      const db = await connect(adapter, { models: [...models.models], access: options.access });
      await db.sync();
      Object.assign(state, models, {
        db,
        namespace,
        prefix: `s${n}`,
        async record<T>(fn: () => Promise<T>) {
          const statements: QueryEvent[] = [];
          const listener = (e: QueryEvent) => statements.push(e);
          db.on("query", listener);
          try {
            return { result: await fn(), statements };
          } finally {
            db.off("query", listener);
          }
        },
      });
    });
    afterAll(async () => {
      await state.db?.close();
      await target.drop?.(namespace);
    });
    body(() => {
      if (!state.db) throw new Error(`${target.name} was not available`);
      return state;
    });
  });
}
