/**
 * Statement groups of the DDL compiler. Core renders one text per schema operation, and ClickHouse
 * takes one statement per request; on a distributed model one operation is two statements (the
 * per-shard local table, then the `Distributed` table in front of it). The DDL compiler registers
 * such a group under the text it returns (its statements joined by `;\n`, which is also what
 * `sync()` reports and migration files show), and the driver sends the statements one by one.
 *
 * A migration step names a table only (`db.schema.addColumn("events", ...)`). When the compiler has
 * not seen that table's model it cannot know whether the table is distributed: it returns the plain
 * statement and registers a probe, and the driver asks `system.tables` for the table's engine before
 * sending, running the pair when the table is `Distributed`.
 *
 * @example
 * const text = batches.join(["ALTER TABLE `e_local` ON CLUSTER `c` ADD COLUMN ...", "ALTER TABLE `e` ON CLUSTER `c` ADD COLUMN ..."]);
 * await batches.expand(text, engineOf); // the two statements
 */
export class DdlBatches {
  private readonly groups = new Map<string, readonly string[]>();
  private readonly probes = new Map<string, { readonly table: string; readonly distributed: readonly string[] }>();

  /** One text for `statements`, sent as separate requests by {@link expand}. */
  join(statements: readonly string[]): string {
    if (statements.length === 1) return statements[0] as string;
    const text = statements.join(";\n");
    this.groups.set(text, statements);
    return text;
  }

  /** `plain` as rendered for an ordinary table; `distributed` runs instead when `table` turns out to be Distributed. */
  probe(plain: string, table: string, distributed: readonly string[]): string {
    this.probes.set(plain, { table, distributed });
    return plain;
  }

  /** The statements to send for `sql`, in order. `engineOf` reads a table's engine (undefined when absent). */
  async expand(sql: string, engineOf: (table: string) => Promise<string | undefined>): Promise<readonly string[]> {
    const group = this.groups.get(sql);
    if (group) return group;
    const probe = this.probes.get(sql);
    if (probe && (await engineOf(probe.table)) === "Distributed") return probe.distributed;
    return [sql];
  }
}
