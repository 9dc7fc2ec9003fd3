import { describe, expect, test } from "vitest";
import { AccessGate } from "../src/access/access-gate.js";
import type { AccessChecker, AccessRequest } from "../src/access/access-checker.js";
import { planSecured, secureRead } from "../src/access/secure-read.js";
import { secureWrite } from "../src/access/secure-write.js";
import type { PathHop, SelectNode } from "../src/query/ast.js";
import { computedOf } from "../src/query/computed-fields.js";
import { planAggregate } from "../src/query/plan-aggregate.js";
import { planCount, planFilter, planRead } from "../src/query/plan-read.js";
import { WriteScope } from "../src/query/write-scope.js";
import { chat, show, user } from "./fixtures.js";

/**
 * A checker that records every question: users see active users only, chats unarchived ones, and
 * `users.login` is withheld. Everything else is allowed.
 */
function countingChecker() {
  const asked: string[] = [];
  const checker: AccessChecker<string> = {
    check({ model, operation, ids }: AccessRequest<string>) {
      asked.push(`check ${model} ${operation}${ids ? ` [${ids.join(",")}]` : ""}`);
      if (model === "users" && operation === "read") return [["is_active", "=", true]];
      if (model === "chats") return [["is_archived", "=", false]];
      return true;
    },
    deniedFields({ model, operation }) {
      asked.push(`fields ${model} ${operation}`);
      return model === "users" ? ["login"] : [];
    },
  };
  return { checker, asked };
}

const gateOf = (checker: AccessChecker<string>) => new AccessGate(checker, "s");
const nested = (select: SelectNode, name: string): SelectNode => {
  const item = select.items.find((i) => i.kind === "nested" && i.field.name === name);
  if (item?.kind !== "nested") throw new Error(`test bug: ${name} is not nested`);
  return item.sub;
};

describe("secureRead", () => {
  test("asks the checker once per model and operation, however many paths reach the model", async () => {
    const { checker, asked } = countingChecker();
    const planned = planRead(chat, {
      fields: ["name", "creator_id__name"],
      filter: [["creator_id.name", "=", "ann"], "or", ["messages.author_user_id.name", "=", "bob"]],
      nested: { creator_id: ["name"], messages: ["body", { author_user_id: ["name"] }] },
      order: "creator_id.name",
    });
    await secureRead(planned, gateOf(checker));
    expect(asked.sort()).toEqual([
      "check chat_messages read",
      "check chats read",
      "check users read",
      "fields chat_messages read",
      "fields chats read",
      "fields users read",
    ]);
  });

  test("the read rule is ANDed into the root, every dotted path, every nested read and every path hop", async () => {
    const { checker } = countingChecker();
    const planned = planRead(chat, {
      fields: ["name", "creator_id__name"],
      filter: [["creator_id.name", "=", "ann"]],
      nested: { messages: ["body", { author_user_id: ["name"] }] },
    });
    expect(show(planned.where)).not.toContain("is_active");
    const secured = await secureRead(planned, gateOf(checker));
    expect(show(secured.where)).toBe(
      'and(exists chats.creator_id (and(users.name = "ann", users.is_active = true)), chats.is_archived = false)',
    );
    expect(show(nested(nested(secured, "messages"), "author_user_id").where)).toBe("users.is_active = true");
    const path = secured.items.find((i) => i.kind === "column" && i.field.name === "creator_id__name");
    const hops = (computedOf(path?.field as never) as { hops: readonly PathHop[] }).hops;
    expect(show(hops[0]?.where)).toBe("users.is_active = true");
  });

  test("a withheld field is left out of the default fields and refused when named, in fields, filters and orders", async () => {
    const { checker } = countingChecker();
    const secured = await secureRead(planRead(user, {}), gateOf(checker));
    expect(secured.items.map((i) => i.field.name)).toEqual(["id", "name", "is_active"]);
    await expect(secureRead(planRead(user, { fields: ["login"] }), gateOf(checker))).rejects.toMatchObject({
      name: "AccessDenied",
      message: "reading users.login is not allowed for this session",
    });
    await expect(
      secureRead(planRead(chat, { filter: [["creator_id.login", "=", "x"]] }), gateOf(checker)),
    ).rejects.toMatchObject({ message: "read of field users.login is not allowed for this session" });
    await expect(secureRead(planRead(chat, { order: "creator_id.login" }), gateOf(checker))).rejects.toMatchObject({
      message: "read of field users.login is not allowed for this session",
    });
    await expect(
      secureRead(planAggregate(user, { groupBy: ["login"], aggregates: { n: ["id", "count"] } }), gateOf(checker)),
    ).rejects.toMatchObject({ field: "login" });
  });

  test("counts and aggregates take the rule too; without a gate the planned read is returned as it is, synchronously", async () => {
    const { checker } = countingChecker();
    expect(
      show((await secureRead(planCount(chat, { filter: [["name", "=", "a"]] }, false), gateOf(checker))).where),
    ).toBe('and(chats.name = "a", chats.is_archived = false)');
    expect(
      show((await secureRead(planAggregate(chat, { aggregates: { n: ["id", "count"] } }), gateOf(checker))).where),
    ).toBe("chats.is_archived = false");
    const planned = planRead(chat, { filter: [["creator_id.name", "=", "ann"]] });
    expect(secureRead(planned, undefined)).toBe(planned);
  });

  test("a model the checker denies is refused with the message it always had", async () => {
    const checker: AccessChecker = { check: ({ model }) => model !== "users" };
    await expect(
      secureRead(planRead(chat, { nested: { creator_id: ["name"] } }), new AccessGate(checker, undefined)),
    ).rejects.toMatchObject({
      name: "AccessDenied",
      message: "read on users is not allowed for this session",
    });
  });
});

describe("planSecured", () => {
  test("a session that may not read the model is refused before the request is planned: a typo and a field read the same", async () => {
    const checker: AccessChecker = { check: ({ model }) => model !== "users" };
    const gate = () => new AccessGate(checker, undefined);
    for (const fields of [["nmae"], ["name"]]) {
      await expect(planSecured(user, gate(), () => planRead(user, { fields }))).rejects.toMatchObject({
        name: "AccessDenied",
        message: "read on users is not allowed for this session",
      });
    }
    await expect(planSecured(chat, gate(), () => planRead(chat, { fields: ["nmae"] }))).rejects.toMatchObject({
      name: "QueryError",
      field: "nmae",
    });
  });

  test("the read rule is asked once for the pre-check and the secure step", async () => {
    const { checker, asked } = countingChecker();
    await planSecured(chat, gateOf(checker), () => planRead(chat, { fields: ["name"] }));
    expect(asked).toEqual(["check chats read", "fields chats read"]);
  });
});

describe("secureWrite", () => {
  test("an update by filter: the filter's paths secured, the field rules and both rules asked once", async () => {
    const { checker, asked } = countingChecker();
    const scope = WriteScope.filter(planFilter(chat, [["creator_id.name", "=", "ann"]]));
    const secured = await secureWrite(
      { operation: "update", model: chat, scope, given: ["name"], reads: [] },
      gateOf(checker),
    );
    expect(show(secured.scope?.where)).toBe(
      'exists chats.creator_id (and(users.name = "ann", users.is_active = true))',
    );
    expect(show(secured.rule)).toBe("chats.is_archived = false");
    expect(asked.sort()).toEqual([
      "check chats read",
      "check chats update",
      "check users read",
      "fields chats read",
      "fields chats update",
      "fields users read",
    ]);
  });

  test("named ids are passed to the checker; none named asks nothing about rows", async () => {
    const { checker, asked } = countingChecker();
    await secureWrite({ operation: "delete", model: chat, scope: WriteScope.ids(chat, [3, 4]) }, gateOf(checker));
    expect(asked).toEqual(["check chats delete [3,4]", "check chats read [3,4]"]);
    asked.length = 0;
    const none = await secureWrite(
      { operation: "delete", model: chat, scope: WriteScope.ids(chat, []) },
      gateOf(checker),
    );
    expect([none.rule, none.read]).toEqual([undefined, undefined]);
    expect(asked).toEqual([]);
  });

  test("a create checks the given fields and the create right (and the update right of an upsert)", async () => {
    const { checker, asked } = countingChecker();
    await expect(
      secureWrite({ operation: "create", model: user, given: ["name", "login"] }, gateOf(checker)),
    ).rejects.toMatchObject({
      message: "create of field users.login is not allowed for this session",
    });
    asked.length = 0;
    expect(
      await secureWrite({ operation: "create", model: chat, given: ["name"], upsert: ["name"] }, gateOf(checker)),
    ).toMatchObject({ rule: { kind: "cmp" } });
    expect(asked).toEqual(["fields chats create", "fields chats update", "check chats create", "check chats update"]);
  });
});
