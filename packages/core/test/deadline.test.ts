import { describe, expect, test } from "vitest";
import { ConnectionError, callLimit, limitPassed, withinLimit } from "../src/index.js";

describe("limitPassed: the error of a call past its limit, for drivers that keep their own timers", () => {
  test("is the ConnectionError withinLimit rejects with, naming the database and the limit", async () => {
    const limit = callLimit(undefined, 5);
    expect(limit).toEqual({ ms: 5, label: "queryTimeout (5 ms)" });
    let expired = false;
    const late = await withinLimit(new Promise<never>(() => undefined), limit, "MySQL", () => {
      expired = true;
    }).catch((e: unknown) => e);
    expect(expired).toBe(true);
    expect(late).toBeInstanceOf(ConnectionError);
    const own = limitPassed("MySQL", limit!);
    expect(own).toBeInstanceOf(ConnectionError);
    expect(own.message).toBe((late as Error).message);
    expect(own.message).toMatch(/^MySQL did not answer within queryTimeout \(5 ms\); the connection was closed/);
  });
});
