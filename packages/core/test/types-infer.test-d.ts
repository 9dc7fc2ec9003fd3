import { describe, expectTypeOf, test } from "vitest";
import { f } from "../src/model/f.js";
import type { JsonValue } from "../src/model/field.js";
import type { Infer } from "../src/model/types.js";
import { type Chat, type ChatMessage, type Thing, User } from "./types/models.js";

describe("Infer", () => {
  test("is the full record: required fields non-null, optional ones nullable, x2many as id lists", () => {
    expectTypeOf<Infer<typeof Chat>>().toEqualTypeOf<{
      id: number;
      name: string;
      description: string | null;
      is_archived: boolean | null;
      chat_type: "direct" | "group" | "channel";
      creator_id: number;
      messages: number[];
    }>();
    expectTypeOf<Infer<typeof User>>().toEqualTypeOf<{
      id: number;
      name: string;
      login: string | null;
      bio: string | null;
      is_active: boolean | null;
      role_ids: number[];
    }>();
  });

  test("maps every field kind to its JavaScript type", () => {
    // JsonValue is recursive, which expectTypeOf's deep comparison cannot walk: checked both ways instead.
    expectTypeOf<Infer<typeof Thing>["anything"]>().toMatchTypeOf<JsonValue>();
    expectTypeOf<JsonValue>().toMatchTypeOf<Infer<typeof Thing>["anything"]>();
    expectTypeOf<Omit<Infer<typeof Thing>, "anything">>().toEqualTypeOf<{
      id: number;
      small: number | null;
      count: number | null;
      big: number;
      ratio: number | null;
      price: string | null;
      flag: boolean | null;
      at: Date | null;
      day: string | null;
      clock: string | null;
      data: { tags: string[] } | null;
      kind: "a" | "b" | null;
      blob: Uint8Array | null;
      secret: string | null;
      shout: string | null;
    }>();
  });

  test("works on a class extending a model", () => {
    expectTypeOf<Infer<typeof ChatMessage>>().toEqualTypeOf<{
      id: number;
      chat_id: number;
      author_user_id: number | null;
      body: string | null;
      created_at: Date | null;
    }>();
  });
});

describe("field builders", () => {
  test("capture required, default and the selection's values", () => {
    expectTypeOf(f.char({ required: true })).toEqualTypeOf<
      import("../src/model/field.js").Field<string, "char", true, false, "always">
    >();
    expectTypeOf(
      f.selection({
        options: [
          ["a", "A"],
          ["b", "B"],
        ],
        default: "a",
      }),
    ).toEqualTypeOf<import("../src/model/field.js").Field<"a" | "b", "selection", false, true, "always">>();
    // compute receives the record, typed, without an annotation
    f.char({ store: false, compute: (r) => expectTypeOf(r).toEqualTypeOf<Record<string, unknown>>() && "" });
  });

  test("misspelt options and impossible defaults are compile errors", () => {
    // @ts-expect-error "requried" is not an option: it would silently leave the field nullable
    f.char({ maxLength: 10, requried: true });
    // @ts-expect-error "ondelete" is spelt onDelete
    f.many2one(() => User, { required: true, ondelete: "cascade" });
    // @ts-expect-error a selection's default must be one of its options
    f.selection({ options: [["a", "A"]], default: "zz" });
    // @ts-expect-error an integer default must be a number
    f.integer({ default: "1" });
  });
});
