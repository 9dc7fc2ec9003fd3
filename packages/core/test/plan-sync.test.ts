import { describe, expect, test } from "vitest";
import { f } from "../src/model/f.js";
import type { FieldMeta } from "../src/model/model-meta.js";
import { model } from "../src/define/model.js";
import { DdlCompiler } from "../src/sql/ddl-compiler.js";
import { planSync } from "../src/sql/plan-sync.js";
import type { SchemaState, TableState } from "../src/sql/schema.js";
import { Chat, ChatMessage, Role, User } from "./fixtures.js";

/** The smallest concrete DDL renderer: the statements are the base class's; types are just the kind. */
class TestDdl extends DdlCompiler {
  idColumn(): string {
    return '"id" SERIAL PRIMARY KEY';
  }
  columnType(field: FieldMeta): string {
    return field.kind.toUpperCase();
  }
}

const ddl = new TestDdl();
const models = [Role.meta, User.meta, Chat.meta, ChatMessage.meta];
const table = (columns: string[], indexes: string[] = [], foreignKeys: string[] = []): TableState => ({
  columns: new Set(columns),
  indexes: new Set(indexes),
  foreignKeys: new Set(foreignKeys),
});

/** The schema as the first sync leaves it (what an introspector would report back). */
const synced = (): Map<string, TableState> =>
  new Map([
    ["roles", table(["id", "code", "name"], ["uq_roles_code"])],
    ["users", table(["id", "name", "login", "is_active"], ["uq_users_login"])],
    [
      "chats",
      table(
        ["id", "name", "description", "is_archived", "chat_type", "creator_id"],
        ["idx_chats_creator_id"],
        ["fk_chats_creator_id"],
      ),
    ],
    [
      "chat_messages",
      table(
        ["id", "chat_id", "author_user_id", "body", "created_at"],
        ["idx_chat_messages_chat_id", "idx_chat_messages_author_user_id"],
        ["fk_chat_messages_chat_id", "fk_chat_messages_author_user_id"],
      ),
    ],
    [
      "user_roles",
      table(["user_id", "role_id"], ["idx_user_roles_role_id"], ["fk_user_roles_user_id", "fk_user_roles_role_id"]),
    ],
  ]);

describe("planSync", () => {
  test("a fresh schema: tables, then link tables, indexes and foreign keys with their ON DELETE", () => {
    expect(planSync(models, new Map(), ddl, { foreignKeys: true })).toEqual([
      'CREATE TABLE "roles" ("id" SERIAL PRIMARY KEY, "code" CHAR NOT NULL, "name" CHAR)',
      'CREATE TABLE "users" ("id" SERIAL PRIMARY KEY, "name" CHAR NOT NULL, "login" CHAR, "is_active" BOOLEAN DEFAULT TRUE)',
      'CREATE TABLE "chats" ("id" SERIAL PRIMARY KEY, "name" CHAR NOT NULL, "description" TEXT, "is_archived" BOOLEAN DEFAULT FALSE, ' +
        '"chat_type" SELECTION NOT NULL DEFAULT \'group\', "creator_id" INTEGER NOT NULL)',
      'CREATE TABLE "chat_messages" ("id" SERIAL PRIMARY KEY, "chat_id" INTEGER NOT NULL, "author_user_id" INTEGER, "body" TEXT, ' +
        '"created_at" DATETIME DEFAULT CURRENT_TIMESTAMP)',
      'CREATE TABLE "user_roles" ("user_id" INTEGER NOT NULL, "role_id" INTEGER NOT NULL, PRIMARY KEY ("user_id", "role_id"))',
      'CREATE UNIQUE INDEX "uq_roles_code" ON "roles" ("code")',
      'CREATE UNIQUE INDEX "uq_users_login" ON "users" ("login")',
      'CREATE INDEX "idx_chats_creator_id" ON "chats" ("creator_id")',
      'CREATE INDEX "idx_chat_messages_chat_id" ON "chat_messages" ("chat_id")',
      'CREATE INDEX "idx_chat_messages_author_user_id" ON "chat_messages" ("author_user_id")',
      'CREATE INDEX "idx_user_roles_role_id" ON "user_roles" ("role_id")',
      // required many2one: restrict; declared cascade; nullable: set null; link tables: cascade
      'ALTER TABLE "chats" ADD CONSTRAINT "fk_chats_creator_id" FOREIGN KEY ("creator_id") REFERENCES "users" ("id") ON DELETE RESTRICT',
      'ALTER TABLE "chat_messages" ADD CONSTRAINT "fk_chat_messages_chat_id" FOREIGN KEY ("chat_id") REFERENCES "chats" ("id") ON DELETE CASCADE',
      'ALTER TABLE "chat_messages" ADD CONSTRAINT "fk_chat_messages_author_user_id" FOREIGN KEY ("author_user_id") REFERENCES "users" ("id") ON DELETE SET NULL',
      'ALTER TABLE "user_roles" ADD CONSTRAINT "fk_user_roles_user_id" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE',
      'ALTER TABLE "user_roles" ADD CONSTRAINT "fk_user_roles_role_id" FOREIGN KEY ("role_id") REFERENCES "roles" ("id") ON DELETE CASCADE',
    ]);
  });

  test("everything present: nothing to do (a second sync sends no DDL)", () => {
    expect(planSync(models, synced(), ddl, { foreignKeys: true })).toEqual([]);
  });

  test("only what is missing is planned; a column added to a table with rows is nullable", () => {
    const schema = synced();
    schema.set(
      "chats",
      table(["id", "description", "is_archived", "chat_type", "creator_id"], [], ["fk_chats_creator_id"]),
    );
    expect(planSync(models, schema, ddl, { foreignKeys: true })).toEqual([
      // required without a default: NOT NULL would fail on existing rows, so it is left out here
      'ALTER TABLE "chats" ADD COLUMN "name" CHAR',
      'CREATE INDEX "idx_chats_creator_id" ON "chats" ("creator_id")',
    ]);
  });

  test("a required column with a static default keeps NOT NULL when added", () => {
    const schema = synced();
    schema.set(
      "chats",
      table(
        ["id", "name", "description", "is_archived", "creator_id"],
        ["idx_chats_creator_id"],
        ["fk_chats_creator_id"],
      ),
    );
    expect(planSync(models, schema, ddl, { foreignKeys: true })).toEqual([
      'ALTER TABLE "chats" ADD COLUMN "chat_type" SELECTION NOT NULL DEFAULT \'group\'',
    ]);
  });

  test("without foreign keys (ClickHouse) no constraint is planned", () => {
    const statements = planSync(models, new Map(), ddl, { foreignKeys: false });
    expect(statements.filter((s) => s.includes("FOREIGN KEY"))).toEqual([]);
    expect(statements).toHaveLength(11);
  });

  test("composite indexes, index: true, unique one2one inverses and default link names", () => {
    const Team = model("teams", { name: f.char() });
    const Person = model(
      "people",
      {
        first: f.char(),
        last: f.char({ column: "last_name", index: true }),
        team_ids: f.many2many(() => Team),
      },
      { indexes: [["first", "last"]] },
    );
    const Badge = model("badges", { person_id: f.many2one(() => Person) });
    const Owner = model("owners", { badge: f.one2one(() => Badge, "person_id") });
    const schema: SchemaState = new Map([
      ["teams", table(["id", "name"])],
      ["people", table(["id", "first", "last_name"])],
      ["badges", table(["id", "person_id"], [], ["fk_badges_person_id"])],
      ["owners", table(["id"])],
    ]);
    expect(planSync([Team.meta, Person.meta, Badge.meta, Owner.meta], schema, ddl, { foreignKeys: true })).toEqual([
      'CREATE TABLE "people_teams_rel" ("people_id" INTEGER NOT NULL, "teams_id" INTEGER NOT NULL, PRIMARY KEY ("people_id", "teams_id"))',
      'CREATE INDEX "idx_people_last_name" ON "people" ("last_name")',
      'CREATE INDEX "idx_people_first_last_name" ON "people" ("first", "last_name")',
      // the many2one a one2one points back at must be unique
      'CREATE UNIQUE INDEX "uq_badges_person_id" ON "badges" ("person_id")',
      'CREATE INDEX "idx_people_teams_rel_teams_id" ON "people_teams_rel" ("teams_id")',
      'ALTER TABLE "people_teams_rel" ADD CONSTRAINT "fk_people_teams_rel_people_id" FOREIGN KEY ("people_id") REFERENCES "people" ("id") ON DELETE CASCADE',
      'ALTER TABLE "people_teams_rel" ADD CONSTRAINT "fk_people_teams_rel_teams_id" FOREIGN KEY ("teams_id") REFERENCES "teams" ("id") ON DELETE CASCADE',
    ]);
  });

  test("an index the model lists that sync makes anyway (a many2one's) is created once", () => {
    const Parent = model("pp_parents", { name: f.char({ maxLength: 20 }) });
    const Child = model(
      "pp_children",
      { parent_id: f.many2one(() => Parent), kind: f.char({ maxLength: 20 }) },
      { indexes: [["parent_id"], ["parent_id", "kind"], ["kind", "parent_id"]] },
    );
    const statements = planSync([Parent.meta, Child.meta], new Map(), ddl, { foreignKeys: true });
    const created = statements.filter((s) => s.startsWith("CREATE INDEX")).map((s) => /INDEX "(\w+)"/.exec(s)?.[1]);
    expect(created.sort()).toEqual([
      "idx_pp_children_kind_parent_id",
      "idx_pp_children_parent_id",
      "idx_pp_children_parent_id_kind",
    ]);
  });
});
