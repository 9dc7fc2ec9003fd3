import { describe, expect, test } from "vitest";
import { median, needsMoreRuns, verdict } from "../src/check-verdict.js";

describe("bench:check verdict", () => {
  test("median of odd and even counts, unsorted input", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/no values/);
  });

  test("a row passes at exactly 15% below its record and fails just under it", () => {
    const [at] = verdict({ get: 1 }, [{ get: 0.85 }], 0.15);
    expect(at?.ok).toBe(true);
    const [under] = verdict({ get: 1 }, [{ get: 0.849 }], 0.15);
    expect(under?.ok).toBe(false);
    expect(under?.floor).toBeCloseTo(0.85);
  });

  test("one bad run among three is outvoted by the median; two are not", () => {
    const oneBad = verdict({ tx: 1 }, [{ tx: 0.6 }, { tx: 0.98 }, { tx: 1.02 }], 0.15);
    expect(oneBad[0]).toMatchObject({ median: 0.98, ok: true });
    const twoBad = verdict({ tx: 1 }, [{ tx: 0.6 }, { tx: 0.7 }, { tx: 1.02 }], 0.15);
    expect(twoBad[0]).toMatchObject({ median: 0.7, ok: false });
  });

  test("a workload without a record passes and reports none", () => {
    const [row] = verdict({}, [{ page100: 0.5 }], 0.15);
    expect(row).toMatchObject({ recorded: undefined, floor: undefined, ok: true });
  });

  test("more runs are asked for only while a row fails and runs are left", () => {
    const failing = verdict({ get: 1 }, [{ get: 0.5 }], 0.15);
    expect(needsMoreRuns(failing, 3)).toBe(true);
    const failingThrice = verdict({ get: 1 }, [{ get: 0.5 }, { get: 0.5 }, { get: 0.5 }], 0.15);
    expect(needsMoreRuns(failingThrice, 3)).toBe(false);
    expect(needsMoreRuns(verdict({ get: 1 }, [{ get: 1 }], 0.15), 3)).toBe(false);
  });

  test("a bad tolerance or a workload with no finite ratio is refused", () => {
    expect(() => verdict({}, [{ get: 1 }], 1.5)).toThrow(/tolerance/);
    expect(() => verdict({}, [{ get: Number.NaN }], 0.15)).toThrow(/no finite ratio/);
  });
});
