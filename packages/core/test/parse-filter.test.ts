import { describe, expect, test } from "vitest";
import { QueryError } from "../src/errors.js";
import { parseFilter } from "../src/query/parse-filter.js";
import { chat, message, show, thing, user } from "./fixtures.js";

const parse = (filter: unknown, model = chat) => show(parseFilter(model, filter));

/** The QueryError a filter raises, so a test can check its message and field. */
function refusal(filter: unknown, model = chat): QueryError {
  try {
    parseFilter(model, filter);
  } catch (e) {
    expect(e).toBeInstanceOf(QueryError);
    return e as QueryError;
  }
  throw new Error(`filter was accepted: ${JSON.stringify(filter)}`);
}

describe("structure", () => {
  test("no filter, or an empty one, is no condition", () => {
    expect(parseFilter(chat, undefined)).toBeUndefined();
    expect(parseFilter(chat, null)).toBeUndefined();
    expect(parseFilter(chat, [])).toBeUndefined();
  });

  test("adjacent items are ANDed", () => {
    expect(
      parse([
        ["name", "=", "a"],
        ["is_archived", "=", false],
      ]),
    ).toBe('and(chats.name = "a", chats.is_archived = false)');
    expect(parse([["name", "=", "a"], "and", ["is_archived", "=", false]])).toBe(
      'and(chats.name = "a", chats.is_archived = false)',
    );
  });

  test("AND binds tighter than OR", () => {
    expect(parse([["id", "=", 1], ["id", "=", 2], "or", ["id", "=", 3]])).toBe(
      "or(and(chats.id = 1, chats.id = 2), chats.id = 3)",
    );
    expect(parse([["id", "=", 1], "or", ["id", "=", 2], ["id", "=", 3]])).toBe(
      "or(chats.id = 1, and(chats.id = 2, chats.id = 3))",
    );
    expect(parse([["id", "=", 1], "and", ["id", "=", 2], "or", ["id", "=", 3], "and", ["id", "=", 4]])).toBe(
      "or(and(chats.id = 1, chats.id = 2), and(chats.id = 3, chats.id = 4))",
    );
  });

  test("a nested list is a group", () => {
    expect(
      parse([
        ["id", "=", 1],
        [["id", "=", 2], "or", ["id", "=", 3]],
      ]),
    ).toBe("and(chats.id = 1, or(chats.id = 2, chats.id = 3))");
    expect(parse([[["id", "=", 1]]])).toBe("chats.id = 1");
  });

  test("not negates a condition or a group", () => {
    expect(parse([["not", ["name", "=", "a"]]])).toBe('not(chats.name = "a")');
    expect(parse([["not", [["id", "=", 1], "or", ["id", "=", 2]]]])).toBe("not(or(chats.id = 1, chats.id = 2))");
    expect(parse([["not", ["not", ["id", "=", 1]]]])).toBe("not(not(chats.id = 1))");
  });

  test("and/or must stand between two items", () => {
    expect(refusal(["or", ["id", "=", 1]]).message).toMatch(/"or" must stand between two conditions/);
    expect(refusal([["id", "=", 1], "and"]).message).toMatch(/must not end with "and" \/ "or"/);
    expect(refusal([["id", "=", 1], "or", "or", ["id", "=", 2]]).message).toMatch(/"or" must stand between/);
    expect(
      refusal([
        ["id", "=", 1],
        [["id", "=", 2], "or"],
      ]).message,
    ).toMatch(/must not end/);
  });

  test("malformed items are refused", () => {
    expect(refusal("name = 'a'").message).toMatch(/must be a list/);
    expect(refusal([42]).message).toMatch(/filter item must be/);
    expect(refusal([["not", ["id", "=", 1], ["id", "=", 2]]]).message).toMatch(/"not" takes exactly one item/);
    expect(refusal([[7, "=", 1]]).message).toMatch(/starts with a field name/);
    expect(refusal([["id", "=", 1, 2]]).field).toBe("id");
  });

  test("nesting depth is bounded", () => {
    let deep: unknown = ["id", "=", 1];
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(refusal([deep]).message).toMatch(/nests too deeply/);
  });
});

describe("operators", () => {
  test("comparisons map to the SQL operator", () => {
    expect(
      parse([
        ["id", ">", 1],
        ["id", ">=", 2],
        ["id", "<", 3],
        ["id", "<=", 4],
      ]),
    ).toBe("and(chats.id > 1, chats.id >= 2, chats.id < 3, chats.id <= 4)");
  });

  test("in / not in take a list; an empty list matches nothing (in) or everything (not in)", () => {
    expect(parse([["id", "in", [1, 2]]])).toBe("chats.id in [1,2]");
    expect(parse([["id", "not in", [1, 2]]])).toBe("chats.id not in [1,2]");
    expect(parse([["id", "in", []]])).toBe("false");
    // description is nullable: "not in []" must also keep the rows without a description
    expect(parse([["description", "not in", []]])).toBe("not(false)");
  });

  test("like / ilike match a substring with % _ and \\ escaped; =like / =ilike take the pattern as given", () => {
    expect(parse([["name", "like", "50%_a\\b"]])).toBe(String.raw`chats.name like "%50\\%\\_a\\\\b%"`);
    expect(parseFilter(chat, [["name", "ilike", "50%_a\\b"]])).toMatchObject({
      kind: "like",
      pattern: "%50\\%\\_a\\\\b%",
      ci: true,
    });
    expect(parseFilter(chat, [["name", "=like", "a%b_"]])).toMatchObject({
      kind: "like",
      pattern: "a%b_",
      ci: false,
      negate: false,
    });
    expect(parseFilter(chat, [["name", "=ilike", "A%"]])).toMatchObject({ kind: "like", pattern: "A%", ci: true });
    // one canonical form every database reads alike: a backslash escapes only % _ and itself
    expect(parseFilter(chat, [["name", "=like", "b\\a\\%\\"]])).toMatchObject({ pattern: "ba\\%\\\\" });
    expect(parseFilter(chat, [["name", "=like", "x\\\\y"]])).toMatchObject({ pattern: "x\\\\y" });
    // name is required, so the negation needs no IS NULL branch
    expect(parse([["name", "not ilike", "x"]])).toBe('chats.name not ilike "%x%"');
  });

  test("between / not between take [low, high], converted for the field", () => {
    expect(parse([["id", "between", [1, "10"]]])).toBe("chats.id between 1 and 10");
    expect(parse([["id", "not between", [1, 10]]])).toBe("chats.id not between 1 and 10");
  });

  test("is null / is not null need no value", () => {
    expect(parse([["description", "is null"]])).toBe("chats.description is null");
    expect(parse([["description", "is not null"]])).toBe("chats.description is not null");
    expect(parse([["description", "is null", null]])).toBe("chats.description is null");
  });

  test("values are converted and validated like writes", () => {
    expect(parse([["id", "=", "12"]])).toBe("chats.id = 12");
    const at = parseFilter(message, [["created_at", ">", "2024-01-02T03:04:05Z"]]);
    expect(show(at)).toBe("chat_messages.created_at > Date(2024-01-02T03:04:05.000Z)");
    const bad = refusal([["is_archived", "=", "yes"]]);
    expect(bad.field).toBe("is_archived");
    expect(bad.message).toMatch(/filter value for "is_archived" must be true or false/);
    expect(refusal([["chat_type", "in", ["group", "nope"]]]).message).toMatch(/must be one of "direct", "group"/);
  });
});

describe("null semantics", () => {
  test("= null / != null are IS NULL / IS NOT NULL", () => {
    expect(parse([["description", "=", null]])).toBe("chats.description is null");
    expect(parse([["description", "!=", null]])).toBe("chats.description is not null");
  });

  test("a negative operator on a nullable field also matches the rows without a value", () => {
    expect(parse([["description", "!=", "x"]])).toBe('or(chats.description <> "x", chats.description is null)');
    expect(parse([["description", "not in", ["x"]]])).toBe(
      'or(chats.description not in ["x"], chats.description is null)',
    );
    expect(parse([["description", "not like", "x"]])).toBe(
      'or(chats.description not like "%x%", chats.description is null)',
    );
    expect(parse([["small", "not between", [1, 2]]], thing)).toBe(
      "or(things.small not between 1 and 2, things.small is null)",
    );
  });

  test("on a required field (or id) the negation stays simple", () => {
    expect(parse([["name", "!=", "x"]])).toBe('chats.name <> "x"');
    expect(parse([["id", "not in", [1]]])).toBe("chats.id not in [1]");
  });

  test("null inside an in-list matches NULL; inside not in it excludes NULL", () => {
    expect(parse([["description", "in", ["x", null]]])).toBe(
      'or(chats.description in ["x"], chats.description is null)',
    );
    expect(parse([["description", "not in", ["x", null]]])).toBe(
      'not(or(chats.description in ["x"], chats.description is null))',
    );
  });
});

describe("dotted paths", () => {
  test("a many2one path is an EXISTS on the target", () => {
    expect(parse([["creator_id.name", "ilike", "ann"]])).toBe('exists chats.creator_id (users.name ilike "%ann%")');
  });

  test("a one2many path means any related row", () => {
    expect(parse([["messages.body", "=", "hi"]])).toBe('exists chats.messages (chat_messages.body = "hi")');
  });

  test("paths go several hops deep", () => {
    expect(parse([["chat_id.creator_id.role_ids.code", "=", "admin"]], message)).toBe(
      'exists chat_messages.chat_id (exists chats.creator_id (exists users.role_ids (roles.code = "admin")))',
    );
  });

  test("a condition on an x2many itself compares the related ids", () => {
    expect(parse([["role_ids", "in", [1, 2]]], user)).toBe("exists users.role_ids (roles.id in [1,2])");
  });

  test("on an x2many itself: negative operators mean no related record is in the list; null means none at all", () => {
    expect(parse([["role_ids", "not in", [1, 2]]], user)).toBe("not(exists users.role_ids (roles.id in [1,2]))");
    expect(parse([["role_ids", "!=", 1]], user)).toBe("not(exists users.role_ids (roles.id = 1))");
    expect(parse([["role_ids", "=", null]], user)).toBe("not(exists users.role_ids (true))");
    expect(parse([["role_ids", "is not null"]], user)).toBe("not(not(exists users.role_ids (true)))");
    expect(parse([["role_ids", "not in", []]], user)).toBe("not(false)");
  });

  test("a missing related row counts as null along a path; a negative operator is the complement", () => {
    expect(parse([["creator_id.name", "=", null]])).toBe(
      "or(exists chats.creator_id (users.name is null), not(exists chats.creator_id (true)))",
    );
    expect(parse([["creator_id.name", "!=", "ann"]])).toBe('not(exists chats.creator_id (users.name = "ann"))');
    expect(parse([["messages.body", "not like", "x"]])).toBe(
      'not(exists chats.messages (chat_messages.body like "%x%"))',
    );
  });

  test("any / not any filter the related records with a filter on their model", () => {
    expect(
      parse([
        [
          "messages",
          "any",
          [
            ["body", "=", "a"],
            ["id", ">", 2],
          ],
        ],
      ]),
    ).toBe('exists chats.messages (and(chat_messages.body = "a", chat_messages.id > 2))');
    expect(parse([["creator_id", "not any", [["name", "=", "x"]]]])).toBe(
      'not(exists chats.creator_id (users.name = "x"))',
    );
    expect(refusal([["name", "any", []]]).message).toMatch(/"any" takes a relation field; "name" is a char field/);
    expect(refusal([["messages", "any", "x"]]).message).toMatch(/needs a filter list on chat_messages/);
  });

  test("a text operator on a relation asks for a dotted path", () => {
    const e = refusal([["role_ids", "like", "A"]], user);
    expect(e.message).toBe(
      '"like" cannot match the relation "role_ids" itself; write a dotted path to a text field of roles, such as "role_ids.code"',
    );
    expect(e.field).toBe("role_ids");
  });

  test("each path reports the relations it walks (the access hook's entry point)", () => {
    const seen: string[] = [];
    parseFilter(message, [["chat_id.creator_id.name", "=", "x"]], {
      onPath: (f) => seen.push(`${f.model.table}.${f.name}`),
    });
    expect(seen).toEqual(["chat_messages.chat_id", "chats.creator_id"]);
  });

  test("unknown segments and non-relations are refused with the whole path", () => {
    const unknown = refusal([["creator_id.nmae", "=", "x"]]);
    expect(unknown.field).toBe("creator_id.nmae");
    expect(unknown.message).toMatch(/unknown field "nmae" on users/);
    const scalar = refusal([["name.length", "=", 1]]);
    expect(scalar.field).toBe("name.length");
    expect(scalar.message).toMatch(/"name" .* is not a relation/);
  });
});

describe("refusals", () => {
  test("unknown fields and operators name the field", () => {
    const unknown = refusal([["nmae", "=", "x"]]);
    expect(unknown.field).toBe("nmae");
    expect(unknown.message).toMatch(/unknown field "nmae" on chats/);
    const op = refusal([["name", "==", "x"]]);
    expect(op.field).toBe("name");
    expect(op.message).toMatch(/unknown operator "=="/);
  });

  test("hidden fields are unknown (private fields through REST)", () => {
    expect(parse([["description", "=", "x"]])).toBe('chats.description = "x"');
    expect(() => parseFilter(chat, [["description", "=", "x"]], { isHidden: (f) => f.name === "description" })).toThrow(
      /unknown field "description"/,
    );
  });

  test("computed fields cannot be filtered on", () => {
    expect(refusal([["shout", "=", "X"]], thing).message).toMatch(/computed and not stored/);
  });

  test("each operator checks the shape of its value", () => {
    expect(refusal([["id", "in", 3]]).message).toMatch(/"in" on "id" needs a list/);
    expect(refusal([["id", "between", [1]]]).message).toMatch(/needs \[low, high\]/);
    expect(refusal([["id", "between", [1, null]]]).message).toMatch(/needs \[low, high\]/);
    expect(refusal([["name", "like", 3]]).message).toMatch(/"like" on "name" needs a string/);
    expect(refusal([["name", "like", "a\u0000b"]]).message).toMatch(/NUL/);
    expect(refusal([["id", "like", "1"]]).message).toMatch(/works on text fields/);
    expect(refusal([["id", ">", null]]).message).toMatch(/needs a value, not null/);
    expect(refusal([["name", "="]]).message).toMatch(/must be \[field, operator, value\]/);
    expect(refusal([["flag", ">", true]], thing).message).toMatch(/cannot compare a boolean/);
    expect(refusal([["data", "<", 1]], thing).message).toMatch(/cannot compare a json/);
  });
});

describe("a parsed filter given again", () => {
  test("stands for its list in a read of the same model, as the same condition", () => {
    const cond = parseFilter(chat, [["name", "=", "a"], "or", ["creator_id.name", "ilike", "b"]]);
    expect(cond).toBeDefined();
    expect(parseFilter(chat, cond)).toBe(cond);
    expect(show(parseFilter(chat, cond))).toBe(parse([["name", "=", "a"], "or", ["creator_id.name", "ilike", "b"]]));
  });

  test("is refused for another model, with per-call checks, and when it is a look-alike", () => {
    const cond = parseFilter(chat, [["name", "=", "a"]]);
    expect(refusal(cond, user).message).toBe("a filter must be a list, got object");
    expect(() => parseFilter(chat, cond, { isHidden: () => false })).toThrow(QueryError);
    expect(() => parseFilter(chat, cond, { onPath: () => undefined })).toThrow(QueryError);
    expect(refusal({ ...cond }).message).toBe("a filter must be a list, got object");
    const either = parseFilter(chat, [["name", "=", "a"], "or", ["name", "=", "b"]]) as { items?: unknown[] };
    expect(either.items).toHaveLength(2);
    expect(refusal(either.items?.[0]).message).toBe("a filter must be a list, got object");
  });
});
