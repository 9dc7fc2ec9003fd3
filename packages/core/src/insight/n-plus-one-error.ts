import { DotormError } from "../errors.js";
import type { NPlusOneReport } from "./n-plus-one-report.js";

/**
 * Raised in `nPlusOne: { mode: "throw" }` (for tests) by the read that made a shape reach the
 * threshold; that read is not sent.
 *
 * @example
 * await expect(db.scope(() => loadDashboard(), { mode: "throw" })).resolves.toBeDefined();
 */
export class NPlusOneError extends DotormError {
  override readonly code = "N_PLUS_ONE";
  constructor(readonly report: NPlusOneReport) {
    super(report.message);
  }
}
