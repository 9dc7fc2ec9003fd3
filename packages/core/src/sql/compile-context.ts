/** How a statement will be read. */
export interface CompileOptions {
  /**
   * The rows are hydrated batch by batch as they stream in, so each row must hold whole records:
   * no layout that spreads one record over several rows (see `UnionRows`).
   */
  readonly streaming?: boolean;
}

/** Per-compilation state: collected parameters and the table alias of each nesting level. */
export class CompileContext {
  readonly params: unknown[] = [];
  private aliasCount = 0;
  constructor(readonly options: CompileOptions = {}) {}
  /** The alias the fields of the current scope are qualified with. */
  alias = "t0";
  nextAlias(): string {
    this.aliasCount += 1;
    return `t${this.aliasCount}`;
  }
  /** How many aliases {@link nextAlias} has handed out so far. */
  get aliases(): number {
    return this.aliasCount;
  }
  /** Hands out `count` aliases at once: those a piece of SQL rendered before (and kept) names. */
  skipAliases(count: number): void {
    this.aliasCount += count;
  }
  /**
   * Items the root SELECT lists first, with their trailing `, ` (the page total, see
   * `SelectNode.total`): already rendered, so their parameters come first. Taken once by the
   * nesting strategy's `select`.
   */
  leading = "";
  /** `leading`, cleared: only the root select lists it. */
  takeLeading(): string {
    const lead = this.leading;
    this.leading = "";
    return lead;
  }
  /** Runs `fn` with `alias` as the current scope. */
  scoped<T>(alias: string, fn: () => T): T {
    const prev = this.alias;
    this.alias = alias;
    try {
      return fn();
    } finally {
      this.alias = prev;
    }
  }
}

/** How the rows of a relation are reached: FROM text, and the condition tying them to the outer row. */
export interface RelationJoin {
  /** `table alias` (with the link table joined for a many2many). */
  readonly from: string;
  /** The related side's expression the correlation compares (its id, or the column holding the owner's id). */
  readonly key: string;
  readonly correlation: string;
}

/** The parts of a nested one2many / many2many read, for dialects that render arrays their own way. */
export interface NestedArrayParts {
  /** JSON object expression of one row. */
  readonly object: string;
  /** `FROM ... [JOIN ...]` with the row alias. */
  readonly from: string;
  /** WHERE condition (correlation and the nested filter). */
  readonly where: string;
  /** ORDER BY terms, never empty (ties broken by id). */
  readonly orderBy: string;
  readonly limit?: number;
  readonly offset?: number;
}
