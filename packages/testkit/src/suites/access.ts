import {
  AccessDenied,
  type AccessChecker,
  type FieldMap,
  type Filter,
  type Operation,
  RecordNotFound,
} from "@dotorm/core";
import { expect, test } from "vitest";
import { suite } from "../harness.js";
import type { ConformanceTarget } from "../target.js";

/** A test session carries its own policy, so each test states the rules it runs under. */
interface Policy {
  readonly rule?: (
    model: string,
    operation: Operation,
    ids?: readonly (number | string)[],
  ) => boolean | Filter<FieldMap>;
  /** Every question the checker was asked in the session, in order. */
  readonly asked?: { model: string; operation: Operation; ids?: readonly (number | string)[] }[];
  readonly denied?: (model: string, operation: Operation) => readonly string[];
}

/** Allows everything outside a session (so tests can seed), otherwise asks the session's policy. */
const checker: AccessChecker<Policy> = {
  check: ({ session, model, operation, ids }) => {
    session?.asked?.push(ids === undefined ? { model, operation } : { model, operation, ids: [...ids] });
    return session?.rule?.(model, operation, ids) ?? true;
  },
  deniedFields: ({ session, model, operation }) => session?.denied?.(model, operation) ?? [],
};

/** The access hook on every path: reads, nested reads, dotted paths, writes, sessions, sudo, denied fields. */
export function access(target: ConformanceTarget) {
  return suite(
    "access",
    target,
    (ctx) => {
      test("the checker is told the ids a call names: updates and deletes by id, not reads or writes by filter", async () => {
        const { db, Role } = ctx();
        const [a, b, c] = (await Role.createMany([{ code: "ids-a" }, { code: "ids-b" }, { code: "ids-c" }])) as [
          number,
          number,
          number,
        ];
        const asked: NonNullable<Policy["asked"]> = [];
        const mine = (q: (typeof asked)[number]) => q.model === Role.meta.table;
        await db.withSession({ asked }, () => Role.updateMany([b, a], { name: "by ids" }));
        expect(asked.filter(mine)).toEqual([
          { model: Role.meta.table, operation: "update", ids: [b, a] },
          { model: Role.meta.table, operation: "read", ids: [b, a] },
        ]);
        asked.length = 0;
        await db.withSession({ asked }, () => Role.updateMany([["code", "=", "ids-c"]], { name: "by filter" }));
        expect(asked.filter(mine).every((q) => q.ids === undefined)).toBe(true);
        expect(asked.filter(mine).map((q) => q.operation)).toContain("update");
        // a checker can decide on the ids: c may not be deleted, a may
        const guard = {
          asked: [] as NonNullable<Policy["asked"]>,
          rule: (model: string, operation: Operation, ids?: readonly (number | string)[]) =>
            !(model === Role.meta.table && operation === "delete" && ids?.includes(c)),
        };
        await expect(db.withSession(guard, () => Role.deleteMany([c]))).rejects.toBeInstanceOf(AccessDenied);
        expect(await Role.exists({ filter: [["id", "=", c]] })).toBe(true);
        expect(await db.withSession(guard, () => Role.deleteMany([a]))).toBe(1);
        expect(guard.asked.filter(mine).find((q) => q.operation === "delete")).toEqual({
          model: Role.meta.table,
          operation: "delete",
          ids: [c],
        });
      });

      /** Two users, each with a chat and messages, one of them "secret". */
      async function seed(tag: string) {
        const { User, Chat, ChatMessage } = ctx();
        const [ann, bob] = await User.createMany([{ name: `${tag}-ann`, bio: "ann's bio" }, { name: `${tag}-bob` }]);
        const [annChat, bobChat] = await Chat.createMany([
          { name: `${tag}-ann-chat`, creator_id: ann as number },
          { name: `${tag}-bob-chat`, creator_id: bob as number },
        ]);
        await ChatMessage.createMany([
          { chat_id: annChat as number, body: "hello" },
          { chat_id: annChat as number, body: "secret" },
        ]);
        return { ann: ann as number, bob: bob as number, annChat: annChat as number, bobChat: bobChat as number };
      }

      /** A policy where `model` may only `operation` the rows matching `filter`. */
      const only = (model: string, operation: Operation, filter: Filter<FieldMap>): Policy => ({
        rule: (m, op) => (m === model && op === operation ? filter : true),
      });

      test("check() false raises AccessDenied on every operation, naming model and operation", async () => {
        const { db, Chat, User } = ctx();
        const { annChat, ann } = await seed("deny");
        const table = Chat.meta.table;
        const nothing: Policy = { rule: (m) => m !== table };
        await db.withSession(nothing, async () => {
          const calls: [Operation, () => Promise<unknown>][] = [
            ["read", () => Chat.search({})],
            ["read", () => Chat.get(annChat)],
            ["read", () => Chat.count()],
            ["read", () => Chat.exists({ filter: [["id", "=", annChat]] })],
            ["create", () => Chat.create({ name: "denied", creator_id: ann })],
            ["update", () => Chat.updateMany([annChat], { name: "denied" })],
            ["delete", () => Chat.deleteMany([annChat])],
          ];
          for (const [operation, call] of calls) {
            const err = await call().catch((e: unknown) => e);
            expect(err, operation).toBeInstanceOf(AccessDenied);
            expect(err).toMatchObject({ model: table, operation });
          }
          expect(await User.get(ann, { fields: ["name"] })).toMatchObject({ name: "deny-ann" });
        });
        expect(await Chat.get(annChat, { fields: ["name"] })).toMatchObject({ name: "deny-ann-chat" });
        expect(await Chat.count({ filter: [["name", "=", "denied"]] })).toBe(0);
      });

      test("withSession(undefined) nested in a session runs as no session, and restores the outer one", async () => {
        const { db, Chat } = ctx();
        const { annChat, bobChat } = await seed("nest");
        const mine = [["name", "like", "nest-"]] as const;
        const ids = async () => (await Chat.search({ filter: mine, fields: ["name"], order: "id" })).map((c) => c.id);
        await db.withSession(only(Chat.meta.table, "read", [["id", "=", annChat]]), async () => {
          expect(await ids()).toEqual([annChat]);
          expect(await db.withSession(undefined, ids)).toEqual([annChat, bobChat]);
          expect(await ids()).toEqual([annChat]);
        });
        expect(await db.withSession(undefined, ids)).toEqual([annChat, bobChat]);
      });

      test("a read rule is ANDed into search, get, count and exists", async () => {
        const { db, Chat } = ctx();
        const { ann, annChat, bobChat } = await seed("rule");
        const mine = [["name", "like", "rule-"]] as const;
        await db.withSession(only(Chat.meta.table, "read", [["creator_id", "=", ann]]), async () => {
          expect((await Chat.search({ filter: mine, fields: ["name"] })).map((c) => c.id)).toEqual([annChat]);
          expect(await Chat.count({ filter: mine })).toBe(1);
          expect(await Chat.exists({ filter: [["id", "=", bobChat]] })).toBe(false);
          expect(await Chat.exists({ filter: [["id", "=", annChat]] })).toBe(true);
          const err = await Chat.get(bobChat).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(RecordNotFound);
          expect(err).toMatchObject({ id: bobChat });
          expect(await Chat.getOrNull(bobChat)).toBeNull();
          expect((await Chat.get(annChat)).id).toBe(annChat);
        });
        expect(await Chat.count({ filter: mine })).toBe(2);
      });

      test("nested reads and dotted paths apply each related model's own rules", async () => {
        const { db, Chat, ChatMessage, User } = ctx();
        const { annChat } = await seed("nest");
        await db.withSession(only(ChatMessage.meta.table, "read", [["body", "!=", "secret"]]), async () => {
          const chat = await Chat.get(annChat, { nested: { messages: ["body"] } });
          expect(chat.messages.map((m) => m.body)).toEqual(["hello"]);
          expect(await Chat.count({ filter: [["messages.body", "=", "secret"]] })).toBe(0);
          expect(
            await Chat.count({
              filter: [
                ["id", "=", annChat],
                ["messages.body", "=", "hello"],
              ],
            }),
          ).toBe(1);
        });
        const noUsers: Policy = { rule: (m, op) => !(m === User.meta.table && op === "read") };
        await db.withSession(noUsers, async () => {
          await expect(Chat.get(annChat, { nested: { creator_id: ["name"] } })).rejects.toBeInstanceOf(AccessDenied);
          await expect(Chat.search({ filter: [["creator_id.name", "=", "nest-ann"]] })).rejects.toBeInstanceOf(
            AccessDenied,
          );
          expect((await Chat.get(annChat, { fields: ["name"] })).name).toBe("nest-ann-chat");
        });
      });

      test("update and delete touching a row outside the rule raise AccessDenied and change nothing", async () => {
        const { db, Chat } = ctx();
        const { ann, annChat, bobChat } = await seed("write");
        const rows = () => Chat.search({ filter: [["name", "like", "write-"]], fields: ["name"] });
        const before = await rows();
        for (const operation of ["update", "delete"] as const) {
          await db.withSession(only(Chat.meta.table, operation, [["creator_id", "=", ann]]), async () => {
            const attempts =
              operation === "update"
                ? [
                    () => Chat.updateMany([annChat, bobChat], { description: "x" }),
                    () => Chat.updateMany([["name", "like", "write-"]], { description: "x" }),
                  ]
                : [() => Chat.deleteMany([annChat, bobChat]), () => Chat.deleteMany([["name", "like", "write-"]])];
            for (const attempt of attempts)
              await expect(attempt()).rejects.toMatchObject({ operation, model: Chat.meta.table });
          });
        }
        expect(await rows()).toEqual(before);
        await db.withSession(only(Chat.meta.table, "update", [["creator_id", "=", ann]]), async () => {
          expect(await Chat.updateMany([annChat], { description: "allowed" })).toBe(1);
          await expect((await Chat.get(bobChat)).update({ description: "no" })).rejects.toBeInstanceOf(AccessDenied);
        });
        expect((await Chat.get(annChat)).description).toBe("allowed");
        expect((await Chat.get(bobChat)).description).toBeNull();
      });

      test("a create whose values fall outside the create rule raises AccessDenied and commits nothing", async () => {
        const { db, Chat } = ctx();
        const { ann, bob } = await seed("create");
        await db.withSession(only(Chat.meta.table, "create", [["creator_id", "=", ann]]), async () => {
          expect(await Chat.create({ name: "create-ok", creator_id: ann })).toBeGreaterThan(0);
          await expect(Chat.create({ name: "create-bad", creator_id: bob })).rejects.toMatchObject({
            operation: "create",
          });
          await expect(
            Chat.createMany([
              { name: "create-batch", creator_id: ann },
              { name: "create-batch", creator_id: bob },
            ]),
          ).rejects.toBeInstanceOf(AccessDenied);
        });
        expect(await Chat.count({ filter: [["name", "in", ["create-ok"]]] })).toBe(1);
        expect(await Chat.count({ filter: [["name", "in", ["create-bad", "create-batch"]]] })).toBe(0);
      });

      test("withSession nests and restores; sudo bypasses the checker and ends with its callback", async () => {
        const { db, Chat } = ctx();
        const { ann, bob } = await seed("nest-session");
        const names = async () =>
          (await Chat.search({ filter: [["name", "like", "nest-session-"]], fields: ["name"] })).map((c) => c.name);
        const asAnn = only(Chat.meta.table, "read", [["creator_id", "=", ann]]);
        const asBob = only(Chat.meta.table, "read", [["creator_id", "=", bob]]);
        await db.withSession(asAnn, async () => {
          expect(await names()).toEqual(["nest-session-ann-chat"]);
          await db.withSession(asBob, async () => {
            expect(await names()).toEqual(["nest-session-bob-chat"]);
          });
          expect(await names()).toEqual(["nest-session-ann-chat"]);
          expect(await db.sudo(names)).toEqual(["nest-session-ann-chat", "nest-session-bob-chat"]);
          expect(await names()).toEqual(["nest-session-ann-chat"]);
        });
        expect(await names()).toHaveLength(2);
      });

      test("a computed field never leaks the denied field it depends on; dependencies are read for it only", async () => {
        const { db, Thing } = ctx();
        const [id] = await Thing.createMany([{ label: "hidden label", code: "computed" }]);
        // without rules: asking for the computed field returns it, not the field it is computed from
        const open = await Thing.get(id as number, { fields: ["shout"] });
        expect(open.shout).toBe("HIDDEN LABEL");
        expect(Object.keys(open).sort()).toEqual(["id", "shout"]);
        expect(Object.keys((await Thing.query().filter({ id }).only("shout").first()) ?? {}).sort()).toEqual([
          "id",
          "shout",
        ]);
        const hideLabel: Policy = { denied: (m) => (m === Thing.meta.table ? ["label"] : []) };
        await db.withSession(hideLabel, async () => {
          const [row] = await Thing.search({ filter: [["id", "=", id as number]] });
          expect(row).toBeDefined();
          expect(Object.keys(row ?? {})).not.toContain("label");
          expect(Object.keys(row ?? {})).not.toContain("shout");
          for (const call of [
            () => Thing.get(id as number, { fields: ["shout"] }),
            () => Thing.query().filter({ id }).only("shout").all(),
          ]) {
            const err = await call().catch((e: unknown) => e);
            expect(err).toBeInstanceOf(AccessDenied);
            expect(err).toMatchObject({ field: "shout" });
          }
        });
      });

      test("x2many ids in fields follow the target model's read rules, one2many and many2many alike", async () => {
        const { db, Chat, ChatMessage, User, Role } = ctx();
        const { ann, annChat } = await seed("ids");
        const [plain, hidden] = await Role.createMany([{ code: "ids-plain" }, { code: "ids-hidden" }]);
        await User.updateMany([ann], { role_ids: [plain as number, hidden as number] });
        const messages = (
          await ChatMessage.search({ filter: [["chat_id", "=", annChat]], order: "id", fields: ["body"] })
        ).map((m) => [m.id, m.body]);
        const visible = messages.filter(([, body]) => body !== "secret").map(([mid]) => mid);
        const rules: Policy = {
          rule: (m, op) =>
            op !== "read"
              ? true
              : m === ChatMessage.meta.table
                ? [["body", "!=", "secret"]]
                : m === Role.meta.table
                  ? [["code", "!=", "ids-hidden"]]
                  : true,
        };
        await db.withSession(rules, async () => {
          expect((await Chat.get(annChat, { fields: ["name", "messages"] })).messages).toEqual(visible);
          expect((await Chat.get(annChat, { nested: { messages: ["body"] } })).messages.map((m) => m.id)).toEqual(
            visible,
          );
          expect((await User.get(ann, { fields: ["role_ids"] })).role_ids).toEqual([plain]);
          const [listed] = await User.search({ filter: [["id", "=", ann]], fields: ["name", "role_ids"] });
          expect(listed?.role_ids).toEqual([plain]);
        });
        expect((await User.get(ann, { fields: ["role_ids"] })).role_ids.sort((a, b) => a - b)).toEqual([plain, hidden]);
      });

      test("concurrent sessions do not see each other's rules", async () => {
        const { db, Chat } = ctx();
        const { ann, bob, annChat, bobChat } = await seed("conc");
        const look = (user: number) =>
          db.withSession(only(Chat.meta.table, "read", [["creator_id", "=", user]]), async () => {
            const seen: number[][] = [];
            for (let i = 0; i < 5; i++) {
              seen.push(
                (await Chat.search({ filter: [["name", "like", "conc-"]], fields: ["name"] })).map((c) => c.id),
              );
              await new Promise((r) => setTimeout(r, 1));
            }
            return seen;
          });
        const [annSaw, bobSaw] = await Promise.all([look(ann), look(bob)]);
        expect(annSaw).toEqual(Array(5).fill([annChat]));
        expect(bobSaw).toEqual(Array(5).fill([bobChat]));
      });

      test("denied fields: asking raises AccessDenied naming the field; default lists omit it; writing it is refused", async () => {
        const { db, User, Chat } = ctx();
        const { ann, annChat } = await seed("fields");
        const hideBio: Policy = { denied: (m) => (m === User.meta.table ? ["bio"] : []) };
        await db.withSession(hideBio, async () => {
          const asked = await User.get(ann, { fields: ["name", "bio"] }).catch((e: unknown) => e);
          expect(asked).toBeInstanceOf(AccessDenied);
          expect(asked).toMatchObject({ field: "bio", model: User.meta.table });
          const row = await User.get(ann);
          expect(row.name).toBe("fields-ann");
          expect(Object.keys(row)).not.toContain("bio");
          const [listed] = await User.search({ filter: [["id", "=", ann]] });
          expect(Object.keys(listed ?? {})).not.toContain("bio");
          await expect(Chat.get(annChat, { nested: { creator_id: ["bio"] } })).rejects.toMatchObject({ field: "bio" });
          const nested = await Chat.get(annChat, { nested: { creator_id: {} } });
          expect(Object.keys(nested.creator_id)).not.toContain("bio");
          await expect(User.updateMany([ann], { bio: "overwritten" })).rejects.toMatchObject({
            field: "bio",
            operation: "update",
          });
          await expect(User.create({ name: "fields-new", bio: "x" })).rejects.toMatchObject({
            field: "bio",
            operation: "create",
          });
        });
        expect((await User.get(ann)).bio).toBe("ann's bio");
        expect(await User.count({ filter: [["name", "=", "fields-new"]] })).toBe(0);
      });
    },
    { access: checker },
  );
}
