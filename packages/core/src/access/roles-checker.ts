import type { Filter } from "../query/filter-types.js";
import type { AccessChecker, AccessRequest, Operation } from "./access-checker.js";

/** A role; it has the rights and rules of the roles it inherits, transitively. */
export interface RoleDef {
  readonly code: string;
  readonly inherits?: readonly string[];
}

/** Model rights of a role (or of everyone when `role` is absent), as Odoo's access lists. */
export interface ModelRight {
  readonly model: string;
  readonly role?: string;
  readonly read?: boolean;
  readonly create?: boolean;
  readonly update?: boolean;
  readonly delete?: boolean;
}

/**
 * A record rule: a filter the rows must match. Rules of a user's roles are ORed; rules without a
 * role are global and ANDed. Values `"{{name}}"` are replaced from the session's context.
 */
export interface RecordRule {
  readonly model: string;
  readonly role?: string;
  /** Operations it applies to (all four when absent). */
  readonly operations?: readonly Operation[];
  readonly filter: Filter<any>;
}

/** A field only some roles may read or write. */
export interface FieldRule {
  readonly model: string;
  readonly field: string;
  /** Roles that may read it (everyone when absent). */
  readonly read?: readonly string[];
  /** Roles that may create or update it (everyone when absent). */
  readonly write?: readonly string[];
}

/** The whole configuration of a {@link rolesChecker}. */
export interface RolesConfig {
  readonly roles?: readonly RoleDef[];
  readonly rights: readonly ModelRight[];
  readonly rules?: readonly RecordRule[];
  readonly fields?: readonly FieldRule[];
}

/** How the checker reads a session. */
export interface RolesSessionOptions<S> {
  /** The session's own roles (inherited ones are added). */
  rolesOf(session: S): readonly string[];
  /** Admins and the system bypass every check. */
  isAdmin?(session: S): boolean;
  /** Values for `{{placeholders}}` in rules, e.g. `{ user_id: s.userId, team_ids: s.teamIds }`. */
  context?(session: S): Record<string, unknown>;
}

/**
 * A ready {@link AccessChecker} with Odoo / FARA CRM semantics: roles with inheritance; model rights
 * per role or for everyone; record rules per role and operation (a user's role rules ORed, global
 * rules ANDed) with placeholders from the session; field rules; an admin flag that bypasses.
 * Without a session only rights and rules for everyone apply. The configuration is given in code
 * or loaded (e.g. from tables) by `load`, cached for `ttlMs` (concurrent calls share one load; in
 * the last fifth of that time one call starts the next load, and calls go on answering from the
 * current configuration until it has loaded, so that none waits for a reload while requests flow).
 * What a set of role codes may do on a model is worked out once per configuration and kept with
 * it; only the placeholders are filled in from the session on each call, so answers never carry
 * one session's values into another's (call `invalidate()` after changing a configuration in place).
 *
 * @example
 * const access = rolesChecker<{ userId: number; roles: string[] }>(
 *   {
 *     roles: [{ code: "manager", inherits: ["user"] }, { code: "user" }],
 *     rights: [{ model: "leads", role: "user", read: true, create: true, update: true }],
 *     rules: [{ model: "leads", role: "user", filter: [["user_id", "=", "{{user_id}}"], "or", ["user_id", "=", null]] }],
 *   },
 *   { rolesOf: (s) => s.roles, context: (s) => ({ user_id: s.userId }) },
 * );
 */
export function rolesChecker<S>(
  config: RolesConfig | { load: () => Promise<RolesConfig>; ttlMs?: number },
  session: RolesSessionOptions<S>,
): AccessChecker<S> & { invalidate(): void } {
  // the loading promise is shared, so that the requests arriving when the cache expires load it once;
  // once it has loaded, `ready` holds the configuration and calls answer without a promise
  let cached: Loaded | undefined;
  // in the last fifth of the configuration's life a reload starts ahead, so that no call waits at the expiry
  let ahead: Loaded | undefined;
  const load = (from: () => Promise<RolesConfig>, early: boolean): Loaded => {
    const entry: Loaded = { at: Date.now(), value: from().then(compile) };
    entry.value.then(
      (c) => {
        entry.ready = c;
        if (early && aheadOf(entry)) cached = entry;
      },
      () => {
        // a failed load is not kept: the next call tries again
        if (cached === entry) cached = undefined;
      },
    );
    return entry;
  };
  const aheadOf = (entry: Loaded): boolean => {
    if (ahead !== entry) return false;
    ahead = undefined;
    return true;
  };
  const get = (): Compiled | Promise<Compiled> => {
    if (!("load" in config)) {
      if (!cached) {
        const ready = compile(config);
        cached = { at: 0, value: Promise.resolve(ready), ready };
      }
      return cached.ready as Compiled;
    }
    const ttl = config.ttlMs ?? 60_000;
    const age = cached ? Date.now() - cached.at : Number.POSITIVE_INFINITY;
    if (!cached || age > ttl) {
      cached = load(config.load, false);
      ahead = undefined;
    } else if (cached.ready && ahead === undefined && age > ttl * 0.8) {
      ahead = load(config.load, true);
    }
    return cached.ready ?? cached.value;
  };
  // Answers that depend only on the configuration and the session's role codes, per role set; what
  // depends on the rest of the session (placeholders) is filled in on every call.
  const setOf = (c: Compiled, s: S | undefined): RoleSet => {
    const own = s === undefined ? noCodes : session.rolesOf(s);
    // a frozen list of codes cannot change: its set is found by identity (sessions reused across requests)
    const frozen = Object.isFrozen(own);
    const known = frozen ? c.byList.get(own) : undefined;
    if (known !== undefined) return known;
    // JSON: unambiguous whatever characters the codes hold
    const key = JSON.stringify(own);
    let set = c.sets.get(key);
    if (set === undefined) {
      if (c.sets.size >= maxRoleSets) c.sets.clear();
      set = { roles: c.closure(own), answers: new Map(), denied: new Map() };
      c.sets.set(key, set);
    }
    if (frozen) c.byList.set(own, set);
    return set;
  };

  return {
    invalidate() {
      cached = undefined;
      ahead = undefined;
    },
    check(request: AccessRequest<S>) {
      if (request.session !== undefined && session.isAdmin?.(request.session)) return true;
      const c = get();
      return c instanceof Promise ? c.then((loaded) => checkWith(loaded, request)) : checkWith(c, request);
    },
    deniedFields(request) {
      if (request.session !== undefined && session.isAdmin?.(request.session)) return [];
      const c = get();
      return c instanceof Promise ? c.then((loaded) => deniedWith(loaded, request)) : deniedWith(c, request);
    },
  };

  function checkWith(c: Compiled, { session: s, model, operation }: AccessRequest<S>): boolean | Filter<any> {
    const set = setOf(c, s);
    const key = `${operation}:${model}`;
    let answer = set.answers.get(key);
    if (answer === undefined) {
      answer = answerFor(c, set.roles, model, operation);
      remember(set.answers, key, answer);
    }
    if (answer === false) return false;
    if (answer.global.length === 0 && answer.mine.length === 0) return true;
    const ctx = s === undefined ? {} : (session.context?.(s) ?? {});
    const parts: unknown[] = answer.global.map((f) => bind(f, ctx));
    if (answer.mine.length > 0)
      parts.push(answer.mine.flatMap((f, i) => (i === 0 ? [bind(f, ctx)] : ["or", bind(f, ctx)])));
    return parts as Filter<any>;
  }

  function deniedWith(
    c: Compiled,
    { session: s, model, operation, fields }: AccessRequest<S> & { readonly fields: readonly string[] },
  ): readonly string[] {
    const set = setOf(c, s);
    const kind = operation === "read" ? "read" : operation === "delete" ? undefined : "write";
    if (!kind) return [];
    const key = `${kind}:${model}`;
    let denied = set.denied.get(key);
    if (denied === undefined) {
      denied = c.fields
        .filter((r) => r.model === model && r[kind] !== undefined && !r[kind]!.some((role) => set.roles.has(role)))
        .map((r) => r.field);
      remember(set.denied, key, denied);
    }
    return denied.filter((f) => fields.includes(f));
  }
}

/** A configuration loaded (or being loaded) at `at`; `ready` once it has. */
interface Loaded {
  readonly at: number;
  readonly value: Promise<Compiled>;
  ready?: Compiled;
}

const noCodes: readonly string[] = Object.freeze([]);

/** Most role sets whose answers are kept per configuration (then they are all dropped and rebuilt). */
const maxRoleSets = 1000;

/** What a role set may do on one model and operation: not at all, or under these rules (unbound). */
type Answer = false | { readonly global: readonly unknown[]; readonly mine: readonly unknown[] };

interface RoleSet {
  /** The set's codes with the inherited ones. */
  readonly roles: Set<string>;
  readonly answers: Map<string, Answer>;
  readonly denied: Map<string, readonly string[]>;
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= 10_000) map.clear();
  map.set(key, value);
}

function answerFor(c: Compiled, roles: Set<string>, model: string, operation: Operation): Answer {
  const allowed = c.rights.some(
    (r) => r.model === model && r[operation] === true && (r.role === undefined || roles.has(r.role)),
  );
  if (!allowed) return false;
  const rules = c.rules.filter((r) => r.model === model && (r.operations ?? ops).includes(operation));
  return {
    global: rules.filter((r) => r.role === undefined).map((r) => r.filter),
    mine: rules.filter((r) => r.role !== undefined && roles.has(r.role)).map((r) => r.filter),
  };
}

const ops: readonly Operation[] = ["read", "create", "update", "delete"];

interface Compiled {
  rights: readonly ModelRight[];
  rules: readonly RecordRule[];
  fields: readonly FieldRule[];
  closure(roles: readonly string[]): Set<string>;
  /** Per role set (its codes as JSON): answers of this configuration; dropped with it. */
  sets: Map<string, RoleSet>;
  /** The same, by frozen list of codes. */
  byList: WeakMap<readonly string[], RoleSet>;
}

function compile(config: RolesConfig): Compiled {
  const inherits = new Map((config.roles ?? []).map((r) => [r.code, r.inherits ?? []]));
  return {
    rights: config.rights,
    rules: config.rules ?? [],
    fields: config.fields ?? [],
    sets: new Map(),
    byList: new WeakMap(),
    closure(roles) {
      const out = new Set<string>();
      const visit = (code: string) => {
        if (out.has(code)) return; // cycles in inheritance end here
        out.add(code);
        for (const parent of inherits.get(code) ?? []) visit(parent);
      };
      roles.forEach(visit);
      return out;
    },
  };
}

/** A rule that matches no row: what a rule becomes when a placeholder has no value. */
const nothing: readonly unknown[] = Object.freeze([["id", "in", []]]);

/** Marks a placeholder without a value while substituting. */
const unbound = Symbol("unbound");

/**
 * The rule with `"{{name}}"` strings replaced by the context's values. Failing closed: when a
 * placeholder's value is missing or null the whole rule matches nothing (a null would otherwise turn
 * `owner_id = {{user_id}}` into `owner_id IS NULL` and widen the rule to unowned rows).
 */
function bind(filter: unknown, ctx: Record<string, unknown>): unknown {
  const bound = substitute(filter, ctx);
  return bound === unbound ? nothing : bound;
}

function substitute(value: unknown, ctx: Record<string, unknown>): unknown {
  if (typeof value === "string") {
    const m = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/.exec(value);
    if (!m) return value;
    const v = Object.hasOwn(ctx, m[1] as string) ? ctx[m[1] as string] : undefined;
    return v === undefined || v === null ? unbound : v;
  }
  if (!Array.isArray(value)) return value;
  const out: unknown[] = [];
  for (const item of value) {
    const v = substitute(item, ctx);
    if (v === unbound) return unbound;
    out.push(v);
  }
  return out;
}
