import { describe, expect, test } from "vitest";
import { measure } from "../src/harness.js";

/** Burns about `ms` of this thread's CPU. */
function burn(ms: number): void {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  if (x < 0) throw new Error("unreachable");
}

describe("measure", () => {
  const timing = { warmupMs: 0, durationMs: 60, minOps: 5, concurrency: 1 };

  // only lower bounds on CPU: the process's CPU includes whatever its other threads (other test files) do
  test("a call that burns 2 ms of CPU reads at least 1.5 ms of client CPU per call and under 500 calls/s", async () => {
    const m = await measure(async () => burn(2), timing);
    expect(m.ops).toBeGreaterThan(0);
    expect(m.ops).toBeLessThan(500);
    expect(m.clientUs).toBeGreaterThan(1500);
    expect(m.serverUs).toBeUndefined();
  });

  test("the server's CPU is the reading's growth over the timed window only, per call", async () => {
    let ns = 0;
    let calls = 0;
    // every call the "server" spends 1 ms; the warm-up's calls are not counted
    const m = await measure(
      async () => {
        calls++;
        ns += 1_000_000;
      },
      { ...timing, warmupMs: 20 },
      () => ns,
    );
    expect(calls).toBeGreaterThan(5);
    expect(m.serverUs).toBeCloseTo(1000, 6);
  });
});
