import { createRequire } from "node:module";
import { ConfigurationError, connect, f, model } from "@dotorm/core";
import { expect, test } from "vitest";

const Note = model("core_copies_notes", { body: f.text() });

test("an adapter built by another copy of @dotorm/core is refused at connect, naming the fix", async () => {
  // The CommonJS build of the adapter loads the CommonJS build of core: a second copy beside the one
  // this file imports, as when two versions are installed or ESM and CJS are mixed.
  const require = createRequire(import.meta.url);
  const { postgres } = require("../dist/index.cjs") as typeof import("../src/index.js");
  const adapter = await postgres({ pglite: true });
  try {
    const err = await connect(adapter, { models: [Note] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as Error).message).toMatch(/another copy of @dotorm\/core.*npm ls @dotorm\/core/);
  } finally {
    await adapter.driver.close();
  }
});

test("the same copy connects", async () => {
  const { postgres } = await import("../src/index.js");
  const db = await connect(postgres({ pglite: true }), { models: [Note] });
  await db.sync();
  expect(await Note.count()).toBe(0);
  await db.close();
});
