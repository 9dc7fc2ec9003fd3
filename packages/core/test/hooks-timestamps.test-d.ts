import { describe, expectTypeOf, test } from "vitest";
import { f } from "../src/model/f.js";
import { model } from "../src/define/model.js";
import type { CreateValues, Infer, UpdateValues } from "../src/model/types.js";

const Lead = model(
  "leads",
  {
    title: f.char({ required: true }),
    slug: f.char(),
    created_at: f.datetime({ autoNowAdd: true }),
    updated_at: f.datetime({ autoNow: true }),
    day: f.date({ autoNow: true }),
  },
  {
    order: ["-created_at", "title"],
    hooks: {
      beforeCreate({ values }) {
        expectTypeOf(values.title).toEqualTypeOf<string>();
        values.slug ??= values.title.toLowerCase();
      },
      afterCreate({ id, values }) {
        expectTypeOf(id).toEqualTypeOf<number>();
        expectTypeOf(values.slug).toEqualTypeOf<string | null | undefined>();
      },
      beforeUpdate({ id, values }) {
        expectTypeOf(id).toEqualTypeOf<number>();
        expectTypeOf(values).not.toHaveProperty("created_at");
      },
      async afterDelete({ id }) {
        expectTypeOf(id).toEqualTypeOf<number>();
      },
    },
  },
);

describe("auto timestamps", () => {
  test("stamped fields are optional on create, absent from updates, Date / string on read", () => {
    expectTypeOf<CreateValues<typeof Lead.fields>>().toMatchObjectType<{
      title: string;
      created_at?: Date | string | number | null;
    }>();
    expectTypeOf<UpdateValues<typeof Lead.fields>>().not.toHaveProperty("updated_at");
    expectTypeOf<UpdateValues<typeof Lead.fields>>().not.toHaveProperty("created_at");
    expectTypeOf<Infer<typeof Lead>["created_at"]>().toEqualTypeOf<Date | null>();
    expectTypeOf<Infer<typeof Lead>["day"]>().toEqualTypeOf<string | null>();
    // @ts-expect-error: a stamp is no option of a char field
    f.char({ autoNow: true });
    // @ts-expect-error: stamps are booleans
    f.datetime({ autoNowAdd: "yes" });
  });
});

describe("hooks", () => {
  test("hook names and their events are checked against the model's fields", () => {
    // @ts-expect-error: not a hook
    model("a", { n: f.integer() }, { hooks: { beforeSave() {} } });
    // @ts-expect-error: no field "nope" on the values
    model("b", { n: f.integer() }, { hooks: { beforeCreate: ({ values }) => void values.nope } });
    expectTypeOf(Lead.updateMany).parameter(2).toEqualTypeOf<{ timeout?: number; hooks?: boolean } | undefined>();
    expectTypeOf(Lead.query().delete).parameter(0).toEqualTypeOf<{ hooks?: boolean } | undefined>();
  });
});

describe("relation path order", () => {
  test("a literal order may name a dotted many2one path; the first hop is checked", () => {
    const User = model("users", { name: f.char() });
    const Chat = model("chats", { title: f.char(), creator_id: f.many2one(() => User) });
    void (() => Chat.search({ order: "creator_id.name desc, id" }));
    // @ts-expect-error: "title" is not a relation
    void (() => Chat.search({ order: "title.name" }));
  });
});
