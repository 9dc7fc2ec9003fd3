import {
  AccessDenied,
  ConfigurationError,
  ConnectionError,
  DotormError,
  IntegrityError,
  QueryError,
  RecordNotFound,
  TransactionConflict,
  UnsupportedError,
  ValidationError,
} from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** Constraint violations, missing records and driver failures surface as DotORM errors with the driver's as cause. */
export function errors(target: ConformanceTarget) {
  return suite("errors", target, (ctx) => {
    test("every error class extends DotormError and has a distinct code", () => {
      const all = [
        new ValidationError("v", "f"),
        new QueryError("q"),
        new RecordNotFound("t", 1),
        new IntegrityError("i", "unique"),
        new AccessDenied("a"),
        new UnsupportedError("x", "y"),
        new ConnectionError("c"),
        new ConfigurationError("c"),
        new TransactionConflict("t"),
      ];
      for (const e of all) {
        expect(e).toBeInstanceOf(DotormError);
        expect(e).toBeInstanceOf(Error);
        expect(e.name).toBe(e.constructor.name);
      }
      expect(new Set(all.map((e) => e.code)).size).toBe(all.length);
    });

    test("a unique violation is an IntegrityError naming the field, the driver error kept as cause", async () => {
      const { User, db } = ctx();
      await User.create({ name: "Ann", login: "dup-login" });
      if (db.adapter.capabilities.uniqueConstraints === false) {
        // Nothing enforces uniqueness (ClickHouse): the duplicate is stored, as the adapter documents.
        expect(await User.create({ name: "Other Ann", login: "dup-login" })).toBeGreaterThan(0);
        expect(await User.count({ filter: [["login", "=", "dup-login"]] })).toBe(2);
        return;
      }
      const err = await User.create({ name: "Other Ann", login: "dup-login" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IntegrityError);
      expect(err).toMatchObject({ kind: "unique", field: "login" });
      const cause = (err as Error).cause;
      expect(cause).toBeDefined();
      expect(cause).not.toBeInstanceOf(DotormError);
      expect(await User.count({ filter: [["login", "=", "dup-login"]] })).toBe(1);
      const other = await User.create({ name: "Bob", login: "dup-other" });
      await expect(User.updateMany([other], { login: "dup-login" })).rejects.toMatchObject({
        kind: "unique",
        field: "login",
      });
      expect((await User.get(other)).login).toBe("dup-other");
    });

    test("a reference to a missing record, and deleting a referenced one, are IntegrityErrors", async () => {
      const { Chat, User, db } = ctx();
      if (!db.adapter.capabilities.foreignKeys) {
        // Without foreign keys the database accepts the dangling id and keeps it; deleting a referenced record succeeds.
        const dangling = await Chat.create({ name: "dangling", creator_id: 987654 });
        expect((await Chat.get(dangling, { fields: ["creator_id"] })).creator_id).toBe(987654);
        const user = await User.create({ name: "Referenced" });
        const holder = await Chat.create({ name: "holds a reference", creator_id: user });
        expect(await User.deleteMany([user])).toBe(1);
        expect((await Chat.get(holder, { fields: ["creator_id"] })).creator_id).toBe(user);
        return;
      }
      const err = await Chat.create({ name: "dangling", creator_id: 987654 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IntegrityError);
      expect(err).toMatchObject({ kind: "foreign_key", field: "creator_id" });
      expect((err as Error).cause).toBeDefined();
      expect(await Chat.count({ filter: [["name", "=", "dangling"]] })).toBe(0);
      const user = await User.create({ name: "Referenced" });
      await Chat.create({ name: "holds a reference", creator_id: user });
      await expect(User.deleteMany([user])).rejects.toMatchObject({ kind: "foreign_key" });
      expect(await User.exists({ filter: [["id", "=", user]] })).toBe(true);
    });

    test("RecordNotFound names the model and id on get, record.update and record.delete", async () => {
      const { Chat, User } = ctx();
      const chat = await Chat.get(
        await Chat.create({ name: "vanishing", creator_id: await User.create({ name: "Gone" }) }),
      );
      await Chat.deleteMany([chat.id]);
      for (const attempt of [() => Chat.get(chat.id), () => chat.update({ name: "x" }), () => chat.delete()]) {
        const err = await attempt().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(RecordNotFound);
        expect(err).toMatchObject({ model: Chat.meta.table, id: chat.id });
        expect((err as Error).message).toContain(String(chat.id));
      }
    });

    test("raw SQL failures are mapped too: the driver's error never leaks", async () => {
      const { db } = ctx();
      // Thunks: started together, the second could reject before anything awaits it.
      const failures = [() => db.sql`select * from ${db.sql.id("no_such_table_anywhere")}`, () => db.sql`selec 1`];
      for (const failure of failures) {
        const err = await failure().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DotormError);
        expect((err as Error).cause).toBeDefined();
        expect((err as Error).cause).not.toBeInstanceOf(DotormError);
      }
    });

    test("the instrumentation event of a failed statement carries the mapped error", async () => {
      const { User, record, db } = ctx();
      await User.create({ name: "Evented", login: "evented" });
      const unique = db.adapter.capabilities.uniqueConstraints !== false;
      // Without unique constraints a duplicate is no failure; a raw statement on a missing table is.
      const fail = () =>
        unique
          ? User.create({ name: "Again", login: "evented" })
          : db.sql`select * from ${db.sql.id("no_such_table_evented")}`;
      const { result, statements } = await record(() => fail().catch((e: unknown) => e));
      expect(result).toBeInstanceOf(unique ? IntegrityError : DotormError);
      expect(statements.some((s) => s.error === result)).toBe(true);
    });
  });
}
