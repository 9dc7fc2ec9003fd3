import { describe, expect, test } from "vitest";
import { activityState } from "../src/models/activities.js";
import { lineAmount } from "../src/models/sales.js";
import { seededFaker, stageHistory } from "../src/seed/seed-plan.js";

describe("computed fields and the seed generator (no database)", () => {
  test("a sale line is quantity × price − discount, exact to the cent", () => {
    expect(lineAmount("3", "19.99", "5")).toBe("54.97");
    expect(lineAmount("0.1", "0.2", "0")).toBe("0.02");
    expect(lineAmount("1", "10", "12.5")).toBe("-2.50");
    expect(lineAmount(null, "10", null)).toBe("0.00");
  });

  test("an activity's state follows its deadline against today, unless done", () => {
    expect(activityState("2026-01-01", false, "2026-01-02")).toBe("overdue");
    expect(activityState("2026-01-02", false, "2026-01-02")).toBe("today");
    expect(activityState("2026-01-03", false, "2026-01-02")).toBe("planned");
    expect(activityState("2026-01-01", true, "2026-01-02")).toBe("done");
  });

  test("the same seed gives the same data; stage histories move forward in time within the year", () => {
    const now = new Date("2026-11-30T12:00:00Z");
    const run = () => {
      const f = seededFaker(7);
      return Array.from({ length: 50 }, () =>
        stageHistory(f, new Date(now.getTime() - f.number.int({ min: 1, max: 365 }) * 86_400_000), now),
      );
    };
    const [a, b] = [run(), run()];
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    for (const h of a) {
      expect(h[0]?.stage).toBe(0);
      for (let i = 1; i < h.length; i++) expect(h[i]!.at.getTime()).toBeGreaterThan(h[i - 1]!.at.getTime());
      expect(h.at(-1)!.at.getTime()).toBeLessThanOrEqual(now.getTime());
    }
    expect(JSON.stringify(run())).not.toBe(
      JSON.stringify(Array.from({ length: 50 }, () => stageHistory(seededFaker(8), now, now))),
    );
  });
});
