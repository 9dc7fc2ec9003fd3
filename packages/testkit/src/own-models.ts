import { type AccessChecker, type AnyModel, type Database, connect } from "@dotorm/core";
import type { SuiteContext } from "./harness.js";

/**
 * Models of one suite's own, connected lazily on the suite's adapter (a second database sharing its
 * driver, never closed) and synced on first use. `build` gets the suite's table prefix.
 *
 * @example
 * const own = ownModels(ctx, (p) => ({ Post: model(`${p}_posts`, { title: f.char() }) }));
 * const { Post } = await own();
 */
export function ownModels<T extends Record<string, AnyModel>>(
  ctx: () => SuiteContext,
  build: (prefix: string) => T,
  access?: AccessChecker<any>,
): () => Promise<T & { db: Database }> {
  let opened: Promise<T & { db: Database }> | undefined;
  return () => {
    opened ??= (async () => {
      const models = build(ctx().prefix);
      const db = await connect(ctx().db.adapter, { models: Object.values(models), access });
      await db.sync();
      return { ...models, db };
    })();
    return opened;
  };
}
