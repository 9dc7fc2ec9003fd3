import { ConfigurationError } from "../errors.js";
import { SqlCompiler } from "../sql/sql-compiler.js";
import type { Adapter } from "./adapter.js";

/**
 * Refuses an adapter built by another copy of `@dotorm/core` (two versions installed side by side,
 * or the ESM and the CommonJS build loaded together). With two copies, `instanceof` checks on errors
 * and records silently fail, so this is reported at `connect` instead of showing up later.
 */
export function checkAdapter(adapter: Adapter): void {
  const compiler = (adapter as { compiler?: { compile?: unknown } } | null)?.compiler;
  if (
    typeof adapter !== "object" ||
    adapter === null ||
    typeof compiler !== "object" ||
    compiler === null ||
    typeof compiler.compile !== "function"
  ) {
    throw new ConfigurationError("connect() takes an adapter, e.g. connect(postgres({ url }), { models })");
  }
  if (!(adapter.compiler instanceof SqlCompiler)) {
    throw new ConfigurationError(
      `the ${String(adapter.dialect)} adapter was built by another copy of @dotorm/core than the one calling connect(): ` +
        "install one version (`npm ls @dotorm/core` shows the copies; `npm dedupe` or matching versions fix it), " +
        "and load core and the adapter the same way (both import, or both require)",
    );
  }
}
