import { ConfigurationError, type Database, connect, f, model } from "@dotorm/core";
import { afterAll, expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** Where models run: a second connect never moves a model silently; db.model(M) serves one definition from several databases. */
export function modelBinding(target: ConformanceTarget) {
  return suite("model binding", target, (ctx) => {
    const opened: { db: Database; namespace: string }[] = [];
    afterAll(async () => {
      for (const { db, namespace } of opened) {
        await db.close();
        await target.drop?.(namespace);
      }
    });

    /** A model with a method, on a table of its own (a new class per call). */
    const notes = (name: string) =>
      class Note extends model(`${ctx().prefix}_${name}`, {
        body: f.char({ maxLength: 40, required: true }),
        hits: f.integer({ default: 0 }),
      }) {
        shout(): string {
          return this.body.toUpperCase();
        }
      };

    /** A database on a namespace of its own (its own pool or engine), closed after the suite unless the test closes it. */
    async function second(suffix: string, models: Parameters<typeof connect>[1]) {
      const namespace = `${ctx().namespace}_${suffix}`;
      const db = await connect(await target.open(namespace), models);
      await db.sync();
      opened.push({ db, namespace });
      return db;
    }

    test("connecting a model bound to an open database is refused, naming what to do; after close, connect binds it again", async () => {
      const Note = notes("rebind");
      const a = await second("ra", { models: [Note] });
      await Note.create({ body: "on a" });
      const namespace = `${ctx().namespace}_rb`;
      const adapterB = await target.open(namespace);
      const err = await connect(adapterB, { models: [Note] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigurationError);
      expect((err as Error).message).toMatch(
        /^model Note \(".*_rebind"\) is already connected to another open database: close that one first \(db\.close\(\)\), or connect this one with \{ bind: false \} and use db\.model\(Note\)/,
      );
      // nothing moved: the statics still run on a
      expect(await Note.count()).toBe(1);
      await a.close();
      const b = await connect(adapterB, { models: [Note] });
      opened.push({ db: b, namespace });
      await b.sync();
      expect(await Note.count()).toBe(0);
      await Note.create({ body: "on b" });
      expect((await Note.search({ fields: ["body"] })).map((r) => r.body)).toEqual(["on b"]);
    });

    test("db.model(M): one definition, two databases side by side; statics, query sets and records each stay on their database", async () => {
      const Note = notes("side");
      const a = await second("sa", { models: [Note] });
      const b = await second("sb", { models: [Note], bind: false });
      const OnB = b.model(Note);
      expect(b.model(Note)).toBe(OnB);
      expect(a.model(Note)).not.toBe(OnB);
      await Note.createMany([{ body: "a1" }, { body: "a2" }]);
      const bId = await OnB.create({ body: "b1" });
      expect(await Note.count()).toBe(2);
      expect(await OnB.count()).toBe(1);
      expect(await a.model(Note).count()).toBe(2);
      expect(await OnB.query().filter({ body__startswith: "b" }).valuesList("body", { flat: true })).toEqual(["b1"]);
      expect(await Note.query().filter({ body__startswith: "b" }).count()).toBe(0);
      // a record read through b writes back to b, and keeps the model's methods
      const rec = await OnB.get(bId);
      expect(rec).toBeInstanceOf(Note);
      expect(rec.shout()).toBe("B1");
      await rec.update({ hits: 5 });
      expect((await OnB.get(bId)).hits).toBe(5);
      expect(await Note.count({ filter: [["hits", "=", 5]] })).toBe(0);
      const [first] = await OnB.query().orderBy("id");
      await first?.delete();
      expect(await OnB.count()).toBe(0);
      expect(await Note.count()).toBe(2);
    });

    test("db.model refuses a model the database does not serve, and anything that is not a model", async () => {
      const { db } = ctx();
      const Stranger = notes("stranger");
      expect(() => db.model(Stranger)).toThrow(ConfigurationError);
      expect(() => db.model(Stranger)).toThrow(/db\.model\(Note\): ".*_stranger" is not among this database's models/);
      expect(() => db.model({} as never)).toThrow(/db\.model\(\) takes a model class/);
      expect(() => db.model(null as never)).toThrow(ConfigurationError);
    });
  });
}
