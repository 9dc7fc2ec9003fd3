import {
  AccessDenied,
  type AccessChecker,
  type Database,
  IntegrityError,
  UnsupportedError,
  ValidationError,
  connect,
  f,
  model,
} from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** The session of a user: rows are theirs when `owner` is their id; `secret` may not be updated. */
interface Owner {
  readonly userId: number;
}

const checker: AccessChecker<Owner> = {
  check: ({ session }) => (session ? [["owner", "=", session.userId]] : true),
  deniedFields: ({ session, operation }) => (session && operation === "update" ? ["secret"] : []),
};

/**
 * Upserts (`createMany(rows, { onConflict, update })`): the update half passes exactly the checks of
 * `updateMany` on the existing row, the insert half those of `create`, atomically; a collision on
 * another unique key is an IntegrityError on every database.
 */
export function upserts(target: ConformanceTarget) {
  return suite("upserts", target, (ctx) => {
    let second: { db: Database; Badge: ReturnType<typeof badges> } | undefined;
    const badges = (prefix: string) =>
      model(`${prefix}_badges`, {
        code: f.char({ maxLength: 20, required: true, unique: true }),
        slug: f.char({ maxLength: 20, unique: true }),
        owner: f.integer({ required: true }),
        secret: f.char({ maxLength: 20 }),
      });
    /** A second database on the suite's adapter with the badge model and the owner checker (never closed: it shares the driver). */
    async function open() {
      if (second) return second;
      const Badge = badges(ctx().Thing.meta.table.replace(/_things$/, ""));
      const db = await connect(ctx().db.adapter, { models: [Badge], access: checker });
      await db.sync();
      second = { db, Badge };
      return second;
    }
    const unsupported = () => ctx().db.adapter.capabilities.uniqueConstraints === false;

    test("the update half needs the existing row inside the read and update rules and the update field rules; the insert half the create rule", async () => {
      const { db, Badge } = await open();
      const mine = { userId: 1 };
      const upsert = (rows: Parameters<typeof Badge.createMany>[0], update: ("slug" | "owner" | "secret")[]) =>
        db.withSession(mine, () => Badge.createMany(rows, { onConflict: ["code"], update }));
      if (unsupported()) {
        await expect(upsert([{ code: "u", owner: 1 }], ["slug"])).rejects.toBeInstanceOf(UnsupportedError);
        return;
      }
      const [theirs, own] = await Badge.createMany([
        { code: "theirs", slug: "t", owner: 2, secret: "kept" },
        { code: "own", slug: "o", owner: 1, secret: "kept" },
      ]);
      const rows = async () =>
        (await Badge.search({ order: "code", fields: ["code", "slug", "owner", "secret"] })).map((r) => [
          r.code,
          r.slug,
          r.owner,
          r.secret,
        ]);
      const before = await rows();
      // taking over another user's row: its owner is checked before the update, not after
      await expect(upsert([{ code: "theirs", slug: "t2", owner: 1 }], ["slug", "owner"])).rejects.toBeInstanceOf(
        AccessDenied,
      );
      // a field updateMany refuses is refused in the update half too
      await expect(
        db.withSession(mine, () => Badge.updateMany([own as number], { secret: "x" })),
      ).rejects.toMatchObject({ field: "secret" });
      await expect(upsert([{ code: "own", owner: 1, secret: "x" }], ["secret"])).rejects.toMatchObject({
        field: "secret",
        operation: "update",
      });
      // the insert half follows the create rule, and a refusal leaves nothing of the call
      await expect(
        upsert(
          [
            { code: "own", slug: "o2", owner: 1 },
            { code: "new", owner: 2 },
          ],
          ["slug"],
        ),
      ).rejects.toBeInstanceOf(AccessDenied);
      expect(await rows()).toEqual(before);
      // allowed: own row updated, new row created, ids in row order
      const ids = await upsert(
        [
          { code: "new", slug: "n", owner: 1 },
          { code: "own", slug: "o2", owner: 1 },
        ],
        ["slug"],
      );
      expect(ids[1]).toBe(own);
      expect(ids[0]).not.toBe(theirs);
      expect(await rows()).toEqual([
        ["new", "n", 1, null],
        ["own", "o2", 1, "kept"],
        ["theirs", "t", 2, "kept"],
      ]);
      await Badge.deleteMany([["code", "in", ["new", "own", "theirs"]]]);
    });

    test("a collision on another unique key is an IntegrityError, never an update of the row holding it; a key twice in one call is a ValidationError", async () => {
      const { Badge } = await open();
      if (unsupported()) {
        await expect(
          Badge.createMany([{ code: "x", owner: 1 }], { onConflict: ["code"], update: ["slug"] }),
        ).rejects.toBeInstanceOf(UnsupportedError);
        return;
      }
      const [x] = await Badge.createMany([{ code: "x", slug: "sx", owner: 1 }]);
      const err = await Badge.createMany([{ code: "y", slug: "sx", owner: 3 }], {
        onConflict: ["code"],
        update: ["slug", "owner"],
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IntegrityError);
      const twice = await Badge.createMany(
        [
          { code: "x", owner: 1 },
          { code: "x", owner: 2 },
        ],
        { onConflict: ["code"], update: ["owner"] },
      ).catch((e: unknown) => e);
      expect(twice).toBeInstanceOf(ValidationError);
      expect(
        (await Badge.search({ filter: [["code", "in", ["x", "y"]]], fields: ["code", "slug", "owner"] })).map((r) => [
          r.id,
          r.code,
          r.slug,
          r.owner,
        ]),
      ).toEqual([[x, "x", "sx", 1]]);
      // the conflict key itself still updates
      expect(
        await Badge.createMany([{ code: "x", slug: "sx2", owner: 4 }], { onConflict: ["code"], update: ["slug"] }),
      ).toEqual([x]);
      expect((await Badge.get(x as number)).slug).toBe("sx2");
      await Badge.deleteMany([x as number]);
    });
  });
}
