import { ConnectionError, DotormError, IntegrityError, TransactionConflict } from "@dotorm/core";
import { expect, test } from "vitest";
import { errorResponse } from "../src/rest-error.js";

/** How the REST layer answers the core's errors that are nobody's mistake: conflicts and outages. */
test("a transaction the database rolled back for a conflict is a 409 asking to send again, never a 500", () => {
  const conflict = errorResponse(
    new TransactionConflict("MySQL deadlock: the database rolled the transaction back"),
    "r1",
  );
  expect(conflict).toMatchObject({ status: 409, fault: false, body: { error: { code: "TRANSACTION_CONFLICT" } } });
  expect(conflict.body.error.message).toMatch(/send it again/);
  expect(conflict.body.error.message).not.toMatch(/MySQL|deadlock/); // no driver detail on the wire
  expect(errorResponse(new IntegrityError("dup", "unique"), "r2").status).toBe(409);
  expect(errorResponse(new ConnectionError("down"), "r3")).toMatchObject({ status: 503, fault: true });
  expect(errorResponse(new DotormError("other"), "r4")).toMatchObject({ status: 500, fault: true });
});
