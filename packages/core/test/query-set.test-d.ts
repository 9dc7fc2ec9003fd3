import { describe, expectTypeOf, test } from "vitest";
import { type AnyModel, F, f, model } from "../src/index.js";

const Stage = model("qs_stages", { name: f.char({ required: true }), code: f.char() });
const Lead = model("qs_leads", {
  title: f.char({ required: true }),
  amount: f.decimal({ precision: 12, scale: 2 }),
  score: f.integer(),
  stage_id: f.many2one(() => Stage, { required: true }),
  closed_at: f.datetime(),
});

describe("query set types", () => {
  test("lookups are checked against the fields; relations may be walked", () => {
    Lead.query().filter({ title__icontains: "x", score__gte: 3, stage_id__name: "won", closed_at__isnull: true });
    // @ts-expect-error unknown field
    Lead.query().filter({ nope: 1 });
    // @ts-expect-error unknown lookup on a scalar field
    Lead.query().filter({ title__fuzzy: "x" });
    // @ts-expect-error exclude is checked the same way
    Lead.query().exclude({ titel: "x" });
  });

  test("only and nested narrow the awaited records", async () => {
    const rows = await Lead.query()
      .only("title")
      .nested({ stage_id: ["name"] });
    expectTypeOf(rows[0]!.title).toEqualTypeOf<string>();
    expectTypeOf(rows[0]!.stage_id.name).toEqualTypeOf<string>();
    // @ts-expect-error not selected
    rows[0]!.score;
    // @ts-expect-error only() takes field names
    Lead.query().only("titel");
    const first = await Lead.query().first();
    expectTypeOf(first).toBeNullable();
    expectTypeOf(first!.closed_at).toEqualTypeOf<Date | null>();
  });

  test("aggregates are typed: counts are numbers, decimal sums strings", async () => {
    const totals = await Lead.query().aggregate({
      n: ["id", "count"],
      total: ["amount", "sum"],
      best: ["score", "max"],
    });
    expectTypeOf(totals.n).toEqualTypeOf<number>();
    expectTypeOf(totals.total).toEqualTypeOf<string | null>();
    expectTypeOf(totals.best).toEqualTypeOf<number | null>();
    // @ts-expect-error unknown field in an aggregate
    await Lead.query().aggregate({ n: ["nope", "count"] });
    // @ts-expect-error unknown function
    await Lead.query().aggregate({ n: ["id", "median"] });
    const groups = await Lead.query()
      .groupBy("stage_id")
      .aggregate({ n: ["id", "count"] });
    expectTypeOf(groups[0]!.n).toEqualTypeOf<number>();
    // @ts-expect-error groupBy takes field names
    Lead.query().groupBy("stage");
  });

  test("pages carry a cursor", async () => {
    const page = await Lead.query().paginate({ size: 10 });
    expectTypeOf(page.cursor).toEqualTypeOf<string | null>();
    expectTypeOf(page.data[0]!.title).toEqualTypeOf<string>();
  });

  test("read helpers are typed: getOrNull nullable, inBulk a Map, latest needs a known field", async () => {
    const maybe = await Lead.query().getOrNull({ title: "x" });
    expectTypeOf(maybe).toBeNullable();
    const byId = await Lead.query().only("title").inBulk([1, 2]);
    expectTypeOf(byId).toMatchTypeOf<Map<number, { id: number; title: string }>>();
    expectTypeOf(byId.get(1)!.title).toEqualTypeOf<string>();
    const latest = await Lead.query().latest("closed_at", "score");
    expectTypeOf(latest.title).toEqualTypeOf<string>();
    // @ts-expect-error latest() takes a field name
    Lead.query().latest("closd_at");
    // @ts-expect-error latest() needs at least one field
    Lead.query().latest();
    expectTypeOf((await Lead.query().none().reverse().first())!.score).toEqualTypeOf<number | null>();
  });

  test("F() names are checked against the model in updates and lookups", async () => {
    await Lead.query().update({ score: F("score").add(1) });
    await Lead.query().update({ score: F("score").mul(F("score")).sub(2), title: "x" });
    // @ts-expect-error F() of an unknown field
    await Lead.query().update({ score: F("scor").add(1) });
    // @ts-expect-error an unknown field to set
    await Lead.query().update({ scor: F("score") });
    Lead.query().filter({ score__lt: F("score").add(1), title: "x" });
    // @ts-expect-error F() of an unknown field in a lookup
    Lead.query().filter({ score__lt: F("scroe") });
    // @ts-expect-error arithmetic takes numbers or F()
    F("score").add("1");
  });

  test("date parts are typed on date and datetime fields only", () => {
    Lead.query().filter({ closed_at__year: 2024, closed_at__month__in: [1, 2], closed_at__date__gte: "2024-01-01" });
    Lead.query().where([["closed_at.year", ">=", 2024]]);
    // @ts-expect-error a char field has no date parts
    Lead.query().filter({ title__year: 2024 });
    // @ts-expect-error unknown date part
    Lead.query().filter({ closed_at__hour: 3 });
    // @ts-expect-error no date parts in filter lists on other fields
    Lead.query().where([["score.year", "=", 1]]);
  });

  test("forUpdate keeps the query set's type and checks its options", async () => {
    const rows = await Lead.query().only("title").forUpdate({ skipLocked: true });
    expectTypeOf(rows[0]!.title).toEqualTypeOf<string>();
    // @ts-expect-error unknown lock option
    Lead.query().forUpdate({ wait: 5 });
    // @ts-expect-error options are booleans
    Lead.query().forUpdate({ noWait: "yes" });
  });

  test("annotate adds typed values usable in filter, orderBy and values; paths are relation-checked", async () => {
    const Lead2 = model("qs_leads2", {
      title: f.char({ required: true }),
      stage_id: f.many2one(() => Stage),
      note_ids: f.one2many((): AnyModel => Note, "lead_id"),
    });
    const Note = model("qs_notes", { body: f.text(), lead_id: f.many2one(() => Lead2) });
    const rows = await Lead2.query()
      .annotate({ n: ["note_ids", "count"], last: ["note_ids__id", "max"] })
      .filter({ n__gte: 1 })
      .orderBy("-n");
    expectTypeOf(rows[0]!.n).toEqualTypeOf<number>();
    expectTypeOf(rows[0]!.last).toEqualTypeOf<number | string | null>();
    expectTypeOf(rows[0]!.title).toEqualTypeOf<string>();
    // @ts-expect-error annotate takes a to-many relation
    Lead2.query().annotate({ n: ["title", "count"] });
    // @ts-expect-error unknown aggregate function
    Lead2.query().annotate({ n: ["note_ids", "median"] });
    // @ts-expect-error lookups on an annotation that was not added
    Lead2.query().filter({ m__gte: 1 });
    await Lead2.query().orderBy("-stage_id__name").values("title", "stage_id__name");
    // @ts-expect-error a path starts with a many2one
    await Lead2.query().values("title__x");
  });

  test("orderBy names fields, many2one paths or annotations; a run-time string is checked when the query runs", () => {
    Lead.query().orderBy("-title", "id");
    // @ts-expect-error "titel" is not a field
    Lead.query().orderBy("-titel");
    // @ts-expect-error the second term is not a field either
    Lead.query().orderBy("title", "nmae");
    // @ts-expect-error "n" is an annotation only once annotate() adds it
    Lead.query().orderBy("-n");
    const fromRequest: string = "-title";
    Lead.query().orderBy(fromRequest, "id");
  });

  test("distinct() takes no fields; valuesList gives lists, or the values with { flat: true }", async () => {
    expectTypeOf(await Lead.query().distinct().values("title")).toEqualTypeOf<Record<string, unknown>[]>();
    expectTypeOf(await Lead.query().distinct().valuesList("title", { flat: true })).toEqualTypeOf<unknown[]>();
    expectTypeOf(await Lead.query().valuesList("title", "stage_id__name")).toEqualTypeOf<unknown[][]>();
    // @ts-expect-error distinct() takes no fields: they go to values()
    Lead.query().distinct("title");
    // @ts-expect-error "titel" is not a field
    await Lead.query().valuesList("titel");
  });

  test("a call's timeout option is typed on reads, counts and bulk writes, and on query sets", async () => {
    await Lead.search({ limit: 5, timeout: 2000 });
    await Lead.count({ timeout: 2000 });
    await Lead.updateMany([1], { score: 2 }, { timeout: 2000 });
    await Lead.deleteMany([1], { timeout: 2000 });
    await Lead.createMany([{ title: "t", stage_id: 1 }], { timeout: 2000 });
    await Lead.query().timeout(2000).count();
    // @ts-expect-error a timeout is a number of milliseconds
    await Lead.search({ timeout: "2s" });
  });
});
