import type { AddressInfo } from "node:net";
import { type AnyModel, type Database, connect, f, model, rolesChecker } from "@dotorm/core";
import { type ConformanceTarget, onCI } from "@dotorm/testkit";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type CrudOptions, crud, unauthorized } from "../src/index.js";

export const User = model("users", {
  name: f.char({ maxLength: 100, required: true }),
  login: f.char({ maxLength: 100, unique: true }),
  password_hash: f.char({ maxLength: 200, private: true }),
});

export const Tag = model("tags", {
  name: f.char({ maxLength: 50, required: true }),
  code: f.char({ maxLength: 20, unique: true }),
});

export const Note = model("notes", {
  title: f.char({ maxLength: 80, required: true, label: "Title", help: "what the note is about" }),
  body: f.text(),
  amount: f.decimal({ precision: 10, scale: 2 }),
  kind: f.selection({
    options: [
      ["memo", "Memo"],
      ["todo", "To do"],
    ],
    default: "memo",
    required: true,
  }),
  data: f.json(),
  due: f.date(),
  secret: f.char({ maxLength: 50, private: true }),
  created_at: f.datetime({ default: "now", readonly: true }),
  owner_id: f.many2one(() => User, { required: true }),
  tag_ids: f.many2many(() => Tag, { table: "note_tags", column1: "note_id", column2: "tag_id" }),
  lines: f.one2many((): AnyModel => Line, "note_id"),
});

export const Line = model("note_lines", {
  note_id: f.many2one(() => Note, { required: true, onDelete: "cascade" }),
  text: f.char({ maxLength: 20, required: true }),
  qty: f.integer(),
});

export const models = [User, Tag, Note, Line];

/** A test session: the user id and roles, read from the `x-user` header. */
export interface TestSession {
  userId: number;
  roles: string[];
}

/** Users see and write only their own notes (and those notes' lines); only managers read or write `amount`. */
export const access = rolesChecker<TestSession>(
  {
    roles: [{ code: "manager", inherits: ["user"] }, { code: "user" }],
    rights: [
      { model: "notes", role: "user", read: true, create: true, update: true, delete: true },
      { model: "note_lines", role: "user", read: true, create: true, update: true, delete: true },
      { model: "tags", role: "user", read: true, create: true, update: true, delete: true },
      { model: "users", role: "user", read: true },
    ],
    rules: [
      { model: "notes", role: "user", filter: [["owner_id", "=", "{{user_id}}"]] },
      { model: "note_lines", role: "user", filter: [["note_id.owner_id", "=", "{{user_id}}"]] },
    ],
    fields: [{ model: "notes", field: "amount", read: ["manager"], write: ["manager"] }],
  },
  { rolesOf: (s) => s.roles, context: (s) => ({ user_id: s.userId }) },
);

/** The REST options the tests serve: `x-user: <id>[,manager]` is the session; anything else malformed is a 401. */
export const restOptions: CrudOptions = {
  session: (c) => {
    const h = c.req.header("x-user");
    if (h === undefined) return undefined;
    const m = /^(\d+)(,manager)?$/.exec(h);
    if (!m) throw unauthorized();
    return { userId: Number(m[1]), roles: m[2] ? ["manager"] : ["user"] } satisfies TestSession;
  },
  maxLimit: 50,
  maxBodyBytes: 64 * 1024,
  onError: () => undefined,
};

/** A response as the tests look at it. */
export interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

/** What a REST suite's tests get. */
export interface RestContext {
  db: Database;
  base: string;
  /** Sends a request over real HTTP; a non-string body is sent as JSON. */
  http(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** Runs `fn` bypassing access control (seeding, checking what is really stored). */
  sudo<T>(fn: () => Promise<T>): Promise<T>;
}

let counter = 0;

/**
 * Declares a REST suite on a target: connects the models on a fresh namespace with the roles
 * checker, serves `crud()` with @hono/node-server on an ephemeral 127.0.0.1 port, and tears
 * everything down after. An unreachable server fails under CI and is skipped loudly otherwise.
 */
export async function restSuite(
  feature: string,
  target: ConformanceTarget,
  body: (ctx: () => RestContext) => void,
  options: CrudOptions = {},
  /** Models served instead of the fixtures' (then without the roles checker). */
  own?: readonly AnyModel[],
): Promise<void> {
  const up = await target.available();
  const n = ++counter;
  if (!up && onCI()) {
    describe(`${feature} [${target.name}]`, () => {
      test("database is reachable", () => {
        throw new Error(`${target.name} is not reachable: CI requires every database suite to run`);
      });
    });
    return;
  }
  if (!up)
    console.warn(
      `\n!!! SKIPPED ${feature} [${target.name}]: the database is not reachable (under CI=true this fails)\n`,
    );
  const state = {} as RestContext;
  let close: (() => Promise<void>) | undefined;
  describe.skipIf(!up)(`${feature} [${target.name}]`, () => {
    const ns = `dotorm_rest_${feature.replace(/[^a-z0-9]/gi, "_").toLowerCase()}_${process.pid}_${n}`;
    beforeAll(async () => {
      const db = await connect(await target.open(ns), own ? { models: [...own] } : { models, access });
      await db.sync();
      const app = crud(db, { ...restOptions, ...options });
      const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
      await new Promise<void>((resolve) => (server.listening ? resolve() : server.once("listening", () => resolve())));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      close = async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await db.close();
        await target.drop?.(ns);
      };
      Object.assign(state, {
        db,
        base,
        sudo: <T>(fn: () => Promise<T>) => db.sudo(fn),
        async http(method: string, path: string, payload?: unknown, headers: Record<string, string> = {}) {
          const init: RequestInit = { method, headers: { ...headers } };
          if (payload !== undefined) {
            init.body =
              typeof payload === "string" || payload instanceof Uint8Array
                ? (payload as string)
                : JSON.stringify(payload);
            (init.headers as Record<string, string>)["content-type"] ??= "application/json";
          }
          const res = await fetch(base + path, init);
          const text = await res.text();
          let parsed: unknown = text;
          try {
            parsed = text === "" ? undefined : JSON.parse(text);
          } catch {
            // not JSON: kept as text (the docs page)
          }
          return { status: res.status, body: parsed, headers: res.headers };
        },
      });
    });
    afterAll(async () => close?.());
    body(() => state);
  });
}

/** The JSON error shape every failure has. */
export const errorShape = { error: { code: expect.any(String), message: expect.any(String) } };
