import { createHash } from "node:crypto";
import { deserialize, serialize } from "node:v8";
import type { ModelMeta } from "../model/model-meta.js";
import type { QueryNode } from "../query/ast.js";
import type { CompiledQuery, ExecResult } from "../sql/statement.js";
import type { CacheOption } from "../query/cache-option.js";
import type { CacheStore } from "./cache-store.js";
import { readTables, writtenTable } from "./node-tables.js";
import { paramsKey } from "./params-key.js";

/** What `db.on("cache")` listeners receive. */
export interface CacheEvent {
  /** "hit": served without a statement; "miss": read and stored; "bypass": read inside a transaction that wrote one of its tables; "invalidate": a write dropped entries. */
  readonly type: "hit" | "miss" | "bypass" | "invalidate";
  readonly model?: string;
  readonly operation?: string;
  /** The tables read (hit, miss, bypass) or written (invalidate). */
  readonly tables: readonly string[];
  /** The store failed to drop entries (they may be served until their ttl): the write itself succeeded. */
  readonly error?: unknown;
}

/** Tables whose rows a delete of `table` may change through foreign keys (cascade, set null) and link tables. */
function deleteReach(models: ReadonlyMap<string, ModelMeta>, table: string): string[] {
  const reach = new Set([table]);
  const queue = [table];
  while (queue.length > 0) {
    const t = queue.pop() as string;
    for (const m of models.values()) {
      for (const f of m.fields.values()) {
        if (f.kind !== "many2one" && f.kind !== "many2many") continue;
        if (f.target().table !== t && m.table !== t) continue;
        if (f.kind === "many2many" && f.link) reach.add(f.link().table);
        if (f.kind === "many2one" && f.target().table === t && !reach.has(m.table)) {
          reach.add(m.table);
          queue.push(m.table);
        }
      }
    }
  }
  return [...reach];
}

/**
 * The query cache of one database: results of reads that ask for it, keyed by the statement and
 * its values (which carry the session's access rules: another session's rules compile to another
 * statement or other values), tagged with the tables read. A write through the pipeline drops the
 * entries of its table (and of tables it reaches through foreign keys) once it has run; inside a
 * transaction again when the transaction ends, and the transaction's own reads of a table it
 * wrote bypass the cache.
 */
export class QueryCache {
  /** Bumped on every invalidation: a read that saw another version does not store its result. */
  private readonly versions = new Map<string, number>();
  private readonly txWrites = new WeakMap<object, Set<string>>();

  constructor(
    readonly store: CacheStore,
    private readonly models: ReadonlyMap<string, ModelMeta>,
    private readonly emit: (e: CacheEvent) => void,
  ) {
    store.onInvalidate?.((tables) => this.bump(tables));
  }

  private bump(tables: readonly string[]): void {
    for (const t of tables) this.versions.set(t, (this.versions.get(t) ?? 0) + 1);
  }

  private version(tables: readonly string[]): string {
    return tables.map((t) => this.versions.get(t) ?? 0).join(",");
  }

  /** Serves `node` from the cache, or runs it and stores the rows. `tx` is the transaction line the read runs in, if any. */
  async read(
    node: QueryNode,
    query: CompiledQuery,
    info: { model?: string; operation?: string },
    option: CacheOption,
    tx: object | undefined,
    run: () => Promise<ExecResult>,
  ): Promise<ExecResult> {
    const tables = readTables(node);
    const wrote = tx && this.txWrites.get(tx);
    if (wrote && tables.some((t) => wrote.has(t))) {
      this.emit({ type: "bypass", ...info, tables });
      return run();
    }
    const key = createHash("sha256").update(query.sql).update("\0").update(paramsKey(query.params)).digest("base64url");
    const hit = await this.store.get(key);
    if (hit) {
      this.emit({ type: "hit", ...info, tables });
      return { rows: deserialize(hit) as Record<string, unknown>[], affected: 0 };
    }
    const before = this.version(tables);
    const result = await run();
    // a write that ended while this read ran may have come too late for it: do not keep its rows
    if (this.version(tables) === before)
      await this.store.set(key, serialize(result.rows), { ttlMs: option.ttl, tables });
    this.emit({ type: "miss", ...info, tables });
    return result;
  }

  /**
   * After a write statement (run or failed) outside a transaction: drops the entries of what it
   * changed. Settles at once (undefined) when the store drops them synchronously.
   */
  written(node: QueryNode): Promise<void> | undefined {
    const tables = this.writeReach(node);
    return tables && this.invalidate(tables);
  }

  /**
   * A write statement inside the transaction `tx`: its tables are read past the cache for the rest
   * of the transaction and dropped once, when it ends ({@link transactionEnded}). Nothing is dropped
   * now: until the commit, other connections still read the rows as the cache holds them.
   */
  wroteIn(tx: object, node: QueryNode): void {
    const tables = this.writeReach(node);
    if (!tables) return;
    let set = this.txWrites.get(tx);
    if (!set) this.txWrites.set(tx, (set = new Set()));
    for (const t of tables) set.add(t);
  }

  /** What a delete of each table reaches, found once per table (the models of a database never change). */
  private readonly reaches = new Map<string, readonly string[]>();

  /** The tables a write may change (with those a delete reaches through foreign keys); undefined for a read. */
  private writeReach(node: QueryNode): readonly string[] | undefined {
    const table = writtenTable(node);
    if (table === undefined) return undefined;
    if (node.kind !== "delete") return [table];
    let reach = this.reaches.get(table);
    if (reach === undefined) this.reaches.set(table, (reach = deleteReach(this.models, table)));
    // a copy: the list goes on to the store, which is not ours
    return [...reach];
  }

  /** When a transaction ended (committed or rolled back): drops what it wrote, once. */
  transactionEnded(tx: object): Promise<void> | undefined {
    const set = this.txWrites.get(tx);
    if (!set) return undefined;
    this.txWrites.delete(tx);
    return this.invalidate([...set]);
  }

  /**
   * Drops the entries of `tables` (also for raw SQL writes, with every table); undefined when the
   * store did so synchronously (the in-memory store), else a promise of it. Never rejects.
   */
  invalidate(tables: readonly string[]): Promise<void> | undefined {
    this.bump(tables);
    let pending: void | Promise<void>;
    try {
      pending = this.store.invalidate(tables);
    } catch (error) {
      this.emit({ type: "invalidate", tables, error });
      return undefined;
    }
    if (pending === undefined || typeof (pending as Promise<void>).then !== "function") {
      this.emit({ type: "invalidate", tables });
      return undefined;
    }
    return (pending as Promise<void>).then(
      () => this.emit({ type: "invalidate", tables }),
      (error: unknown) => this.emit({ type: "invalidate", tables, error }),
    );
  }

  /** Every table the models of this database use, for a write the pipeline cannot see into (raw SQL). */
  allTables(): string[] {
    const tables = new Set<string>();
    for (const m of this.models.values()) for (const t of deleteReach(this.models, m.table)) tables.add(t);
    return [...tables];
  }
}
