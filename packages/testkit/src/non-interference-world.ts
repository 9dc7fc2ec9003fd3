import type { AccessChecker, Database, FieldMap, Filter, Operation } from "@dotorm/core";
import type { TestModels } from "./models.js";

/** The models the hostile session works on, by short name. */
export type WorldModel = "users" | "chats" | "things";

/**
 * The hostile session's rules, by model: it reads active users, unarchived chats and flagged things;
 * writes a narrower set of them; may not read (or write) users' bio, chats' description or things' price.
 */
const rules: Record<WorldModel, Record<Operation, boolean | Filter<FieldMap>>> = {
  users: { read: [["is_active", "=", true]], update: [["is_active", "=", true]], delete: false, create: true },
  chats: {
    read: [["is_archived", "=", false]],
    update: [["chat_type", "!=", "channel"]],
    delete: [["chat_type", "!=", "channel"]],
    create: true,
  },
  things: { read: [["flag", "=", true]], update: [["count", "<", 5]], delete: [["count", "<", 5]], create: true },
};
const denied: Record<WorldModel, readonly string[]> = { users: ["bio"], chats: ["description"], things: ["price"] };

const short = (table: string): WorldModel | undefined =>
  (["users", "chats", "things"] as const).find((m) => table.endsWith(`_${m}`));

/** Rules apply to the session "hostile"; without a session (seeding, checks) everything is allowed. */
export const hostileChecker: AccessChecker<string> = {
  check: ({ session, model, operation }) => {
    const m = short(model);
    return session === "hostile" && m ? rules[m][operation] : true;
  },
  deniedFields: ({ session, model }) => {
    const m = short(model);
    return session === "hostile" && m ? denied[m] : [];
  },
};

/** Names, notes and labels the seed draws from, and filters compare with. */
export const pools = {
  names: ["Ann", "Bob", "Eve", "Zed", "ann", "Secret"],
  notes: ["", "a", "b", "ab", "x"],
  labels: ["t-0", "t-1", "t-2", "zzz"],
  chatTypes: ["direct", "group", "channel"],
} as const;

/** A small seeded PRNG (mulberry32): each world draws its hidden values from its own seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One copy of the data: its database, models, and the labels of its records ("users:3"), the same
 * in every world for records created in the same order, so results compare across worlds.
 */
export class World {
  readonly ids = new Map<string, number>();
  readonly labels = new Map<string, string>();
  private readonly created: Record<WorldModel, number> = { users: 0, chats: 0, things: 0 };
  constructor(
    readonly db: Database,
    readonly models: TestModels,
    readonly prefix: string,
  ) {}

  model(name: WorldModel) {
    return name === "users" ? this.models.User : name === "chats" ? this.models.Chat : this.models.Thing;
  }

  /** Records ids in creation order under the next labels of `model`. */
  remember(model: WorldModel, ids: readonly number[]): void {
    for (const id of ids) {
      const label = `${model}:${this.created[model]++}`;
      this.ids.set(label, id);
      this.labels.set(`${model}#${id}`, label);
    }
  }

  /** The id of a label in this world (a label no record has gives an id no record has). */
  id(label: string): number {
    return this.ids.get(label) ?? 2_000_000_000;
  }

  label(model: WorldModel, id: unknown): unknown {
    return typeof id === "number" ? (this.labels.get(`${model}#${id}`) ?? `${model}:?`) : id;
  }

  /**
   * Seeds the world: visible rows identical in every world; hidden rows (outside the hostile
   * session's read rule) and denied fields drawn from one half of each pool in world 0 and from the
   * other half in world 1, so that any leak of them shows. Hidden rows keep their unique values
   * (logins) and references (creators) apart from visible ones, so no constraint ties them together.
   */
  async seed(variant: 0 | 1): Promise<void> {
    const r = random(20261130 + variant);
    const pick = <T>(list: readonly T[]): T => {
      const half = Math.ceil(list.length / 2);
      const part = variant === 0 ? list.slice(0, half) : list.slice(half);
      return part[Math.floor(r() * part.length)] as T;
    };
    const { User, Chat, Thing } = this.models;
    // visible v0, hidden h0, v1, v2, hidden h1, v3
    const users = [
      { name: "Ann", login: "v-0", bio: pick(pools.names), is_active: true },
      { name: pick(pools.names), login: `x-${variant}-0`, bio: pick(pools.names), is_active: false },
      { name: "Bob", login: "v-1", bio: pick(pools.names), is_active: true },
      { name: "ann", login: "v-2", bio: null, is_active: true },
      { name: pick(pools.names), login: `x-${variant}-1`, bio: pick(pools.names), is_active: false },
      { name: "Eve", login: "v-3", bio: pick(pools.names), is_active: true },
    ];
    this.remember("users", await User.createMany(users));
    const hiddenUser = () => this.id(r() < 0.5 ? "users:1" : "users:4");
    const chats = [
      {
        name: "General",
        description: pick(pools.names),
        chat_type: "group" as const,
        creator_id: this.id("users:0"),
        is_archived: false,
      },
      {
        name: pick(pools.names),
        description: pick(pools.names),
        chat_type: pick(pools.chatTypes),
        creator_id: hiddenUser(),
        is_archived: true,
      },
      {
        name: "Ann",
        description: null,
        chat_type: "channel" as const,
        creator_id: this.id("users:1"),
        is_archived: false,
      },
      {
        name: "Random",
        description: pick(pools.names),
        chat_type: "direct" as const,
        creator_id: this.id("users:3"),
        is_archived: false,
      },
      {
        name: pick(pools.names),
        description: pick(pools.names),
        chat_type: pick(pools.chatTypes),
        creator_id: hiddenUser(),
        is_archived: true,
      },
      {
        name: "Bob",
        description: pick(pools.names),
        chat_type: "group" as const,
        creator_id: this.id("users:5"),
        is_archived: false,
      },
    ];
    this.remember("chats", await Chat.createMany(chats));
    const price = () => pick(["0", "1.5", "9", "10", "100000", "-3.25"]);
    const count = () => pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const things = [
      { label: "t-0", count: 1, price: price(), notes: "a", flag: true },
      { label: pick(pools.labels), count: count(), price: price(), notes: pick(pools.notes), flag: false },
      { label: "t-1", count: 7, price: price(), notes: "ab", flag: true },
      { label: "t-2", count: 3, price: null, notes: null, flag: true },
      { label: pick(pools.labels), count: count(), price: price(), notes: pick(pools.notes), flag: false },
      { label: "t-1", count: 4, price: price(), notes: "b", flag: true },
      { label: pick(pools.labels), count: count(), price: price(), notes: pick(pools.notes), flag: false },
    ];
    this.remember("things", await Thing.createMany(things));
  }

  /** Ids in `value` replaced by labels: records (id, creator_id) and lists of created ids. */
  canonical(model: WorldModel, value: unknown): unknown {
    if (Array.isArray(value))
      return value.map((v) => (typeof v === "number" ? this.label(model, v) : this.canonical(model, v)));
    if (value instanceof Date) return value.toISOString();
    if (value instanceof Uint8Array) return [...value];
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === "id"
          ? this.label(model, v)
          : k === "creator_id"
            ? typeof v === "number"
              ? this.label("users", v)
              : this.canonical("users", v)
            : this.canonical(model, v),
      ]),
    );
  }

  /** An error as the session observes it: its class, code, field and message (ids as labels, the world's table prefix as "P"). */
  error(e: unknown): unknown {
    if (!(e instanceof Error)) return { thrown: String(e) };
    const message = e.message
      .split(this.prefix)
      .join("P")
      .replace(/\d+/g, (n) => {
        for (const model of ["users", "chats", "things"] as const) {
          const label = this.labels.get(`${model}#${n}`);
          if (label) return label;
        }
        return n;
      });
    return { error: e.name, code: (e as { code?: unknown }).code, field: (e as { field?: unknown }).field, message };
  }
}
