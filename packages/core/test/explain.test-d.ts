import { describe, expectTypeOf, test } from "vitest";
import {
  type Advice,
  type Database,
  type ExplainPlan,
  type PlanNode,
  type Recommendation,
  f,
  model,
} from "../src/index.js";

const Lead = model("explain_leads", { name: f.char(), stage_id: f.integer() });

describe("explain types", () => {
  test("explain() keeps returning the plan text; explain({ ... }) returns the normalised plan", () => {
    expectTypeOf(Lead.query().explain()).toEqualTypeOf<Promise<string>>();
    expectTypeOf(Lead.query().filter({ stage_id: 3 }).explain({})).toEqualTypeOf<Promise<ExplainPlan>>();
    expectTypeOf(Lead.query().explain({ analyze: true })).toEqualTypeOf<Promise<ExplainPlan>>();
    // @ts-expect-error analyze is a boolean
    Lead.query().explain({ analyze: "yes" });
    // @ts-expect-error a misspelt option
    Lead.query().explain({ analyse: true });
  });

  test("the plan exposes nodes, raw and recommendations", async () => {
    const plan = await Lead.query().explain({});
    expectTypeOf(plan.root).toEqualTypeOf<PlanNode>();
    expectTypeOf(plan.nodes).toEqualTypeOf<readonly PlanNode[]>();
    expectTypeOf(plan.recommendations).toEqualTypeOf<readonly Recommendation[]>();
    expectTypeOf(plan.root.actualRows).toEqualTypeOf<number | undefined>();
    expectTypeOf(plan.root.access).toEqualTypeOf<"full" | "index" | undefined>();
    expectTypeOf(plan.recommendations[0]!.kind).toEqualTypeOf<
      "missing-index" | "foreign-key-index" | "sort-spill" | "no-granules-skipped"
    >();
    expectTypeOf(plan.raw).toBeUnknown();
  });

  test("db.explain takes a statement; db.advise returns ranked advice", () => {
    const db = {} as Database;
    expectTypeOf(db.explain({ sql: "SELECT 1", params: [] }, { analyze: true })).toEqualTypeOf<Promise<ExplainPlan>>();
    expectTypeOf(db.advise({ top: 5 })).toEqualTypeOf<Promise<Advice[]>>();
    expectTypeOf<Advice["totalMs"]>().toEqualTypeOf<number>();
    // @ts-expect-error db.explain takes { sql, params }
    db.explain("SELECT 1");
    // @ts-expect-error top is a number
    db.advise({ top: "5" });
  });
});
