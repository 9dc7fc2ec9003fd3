import { AsyncLocalStorage } from "node:async_hooks";
import { ConfigurationError } from "../errors.js";
import type { ModelMeta } from "../model/model-meta.js";
import type { QueryNode } from "../query/ast.js";
import type { CompiledQuery } from "../sql/statement.js";
import { batchSuggestion } from "./batch-suggestion.js";
import { callSite, captureStack } from "./call-site.js";
import { NPlusOneError } from "./n-plus-one-error.js";
import { paramsKey } from "./params-key.js";
import type { NPlusOneReport } from "./n-plus-one-report.js";
import { shown } from "../model/shown.js";

/** How the detector reacts: an event and a log line, an `NPlusOneError`, or nothing. */
export type NPlusOneMode = "warn" | "throw" | "off";

/** Options of the N+1 detector (connect's `nPlusOne`, `db.scope(fn, options)`, REST's `nPlusOne`). */
export interface NPlusOneOptions {
  /** Reads of one shape with this many different values in one scope are reported (default 5). */
  readonly threshold?: number;
  /** Default "warn". */
  readonly mode?: NPlusOneMode;
  /** Where warn mode writes its line (default `console.warn`). */
  readonly log?: (line: string) => void;
}

interface Shape {
  readonly values: Set<string>;
  reported: boolean;
}

interface Scope {
  readonly owner: object;
  readonly threshold: number;
  readonly mode: NPlusOneMode;
  readonly log: (line: string) => void;
  readonly shapes: Map<string, Shape>;
}

/** Reads a loop of which is an N+1 (streams, pages, writes and their checks are not). */
const reads = new Set(["get", "search", "count", "exists", "aggregate"]);

const scopes = new AsyncLocalStorage<Scope>();

/** Checks detector options (hostile values are refused with the field named). */
export function checkNPlusOne(options: NPlusOneOptions | undefined, where: string): NPlusOneOptions {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null)
    throw new ConfigurationError(`${where} takes { threshold?, mode? }`);
  const { threshold, mode, log } = options;
  if (threshold !== undefined && !(Number.isSafeInteger(threshold) && threshold >= 2)) {
    throw new ConfigurationError(`${where}: threshold must be an integer of at least 2, got ${String(threshold)}`);
  }
  if (mode !== undefined && mode !== "warn" && mode !== "throw" && mode !== "off") {
    throw new ConfigurationError(`${where}: mode must be "warn", "throw" or "off", got ${shown(mode)}`);
  }
  if (log !== undefined && typeof log !== "function") throw new ConfigurationError(`${where}: log must be a function`);
  return options;
}

/**
 * The N+1 detector of one database: `scope(fn)` watches the reads of one unit of work; a shape
 * read with `threshold` different values is reported once, with the user's call site and a
 * suggestion. Costs nothing outside a scope (one counter check per statement).
 */
export class NPlusOneDetector {
  /** Scopes running now; statements skip the detector while it is 0. */
  active = 0;
  private readonly defaults: NPlusOneOptions;

  constructor(
    private readonly owner: object,
    private readonly models: ReadonlyMap<string, ModelMeta>,
    private readonly report: (r: NPlusOneReport) => void,
    defaults?: NPlusOneOptions,
  ) {
    this.defaults = checkNPlusOne(defaults, "connect({ nPlusOne })");
  }

  /** Runs `fn` as one unit of work (nested scopes start their own count). */
  async scope<T>(fn: () => Promise<T>, options?: NPlusOneOptions): Promise<T> {
    if (typeof fn !== "function") throw new ConfigurationError("db.scope() takes an async function");
    const o = { ...this.defaults, ...checkNPlusOne(options, "db.scope(fn, options)") };
    const scope: Scope = {
      owner: this.owner,
      threshold: o.threshold ?? 5,
      mode: o.mode ?? "warn",
      log: o.log ?? ((line) => console.warn(line)),
      shapes: new Map(),
    };
    this.active++;
    try {
      return await scopes.run(scope, fn);
    } finally {
      this.active--;
    }
  }

  /** Counts one statement about to be sent; throws `NPlusOneError` in throw mode. */
  watch(node: QueryNode, query: CompiledQuery, info: { model?: string; operation?: string }): void {
    const scope = scopes.getStore();
    if (!scope || scope.owner !== this.owner || scope.mode === "off" || !reads.has(info.operation ?? "")) return;
    let shape = scope.shapes.get(query.sql);
    if (!shape) scope.shapes.set(query.sql, (shape = { values: new Set(), reported: false }));
    if (shape.reported) return;
    shape.values.add(paramsKey(query.params));
    if (shape.values.size < scope.threshold) return;
    shape.reported = true;
    const site = callSite(captureStack());
    const suggestion = batchSuggestion(node, this.models);
    const what = [info.model, info.operation].filter(Boolean).join(".") || "a read";
    const message = `N+1 query: ${what} sent ${scope.threshold} times with different values in one scope${site ? ` from ${site}` : ""}; ${suggestion}`;
    const report: NPlusOneReport = {
      model: info.model,
      operation: info.operation,
      sql: query.sql,
      count: scope.threshold,
      callSite: site,
      suggestion,
      message,
    };
    this.report(report);
    if (scope.mode === "throw") throw new NPlusOneError(report);
    scope.log(`[dotorm] ${message}`);
  }
}
