import { ConfigurationError, TransactionError } from "../errors.js";
import type { Adapter, CompiledQuery, ExecResult } from "./adapter.js";
import { type Deadline, deadlineIn, deadlineStore, txStore } from "./context.js";
import type { TxFrame, TxLine } from "./tx-line.js";

/** Options of `db.transaction`. */
export interface TransactionOptions {
  /**
   * Milliseconds the whole transaction may take, from BEGIN to COMMIT. A statement still running at
   * that time ends with a `ConnectionError` naming this limit (its connection is discarded, so the
   * database rolls back), none starts after it, and the COMMIT is not sent.
   */
  readonly timeout?: number;
}

/** How a statement reaches a transaction's connection. */
export interface TxSend {
  /** `force`: a statement ending a level (COMMIT, ROLLBACK, savepoints), sent even though the level settled. */
  (frame: TxFrame, query: CompiledQuery, options: { force?: boolean; deadline?: Deadline }): Promise<ExecResult>;
}

/** How a transaction's connection is taken and its BEGIN sent: resolves to the transaction's line. */
export type TxOpen = (owner: object, deadline: Deadline | undefined) => Promise<TxLine>;

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

async function settle<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Called once a transaction (not a savepoint) ended, committed or not, before its promise settles. */
export type TransactionEnded = (line: TxLine) => Promise<void> | undefined;

function aborted(cause: unknown): TransactionError {
  return new TransactionError(
    "the transaction was rolled back by the database, not committed: a statement inside it failed (and the error was caught), " +
      "which aborts it on this database; let the error propagate, or wrap the failing call in its own nested db.transaction()",
    "aborted",
    { cause },
  );
}

const unfinished = () =>
  new TransactionError(
    "the transaction's callback returned while a nested db.transaction() it started was still running, so everything was rolled back; await every nested transaction",
    "unfinished-nested",
  );

/**
 * Runs `fn` as a transaction of `owner`, or as a savepoint when the call chain is already in one.
 * Statements are bound to their level and sent one at a time; the promise resolves only when the
 * database committed (or released the savepoint).
 */
export function runTransaction<T>(
  adapter: Adapter,
  owner: object,
  open: TxOpen,
  send: TxSend,
  fn: () => Promise<T>,
  options: TransactionOptions = {},
  ended?: TransactionEnded,
): Promise<T> {
  const { timeout } = options;
  if (timeout !== undefined && !(Number.isSafeInteger(timeout) && timeout > 0)) {
    throw new ConfigurationError(
      `transaction({ timeout }) takes a positive number of milliseconds, got ${String(timeout)}`,
    );
  }
  const deadline =
    timeout === undefined ? deadlineStore.getStore() : deadlineIn(timeout, `the transaction timeout (${timeout} ms)`);
  const current = txStore.getStore();
  return current?.line.owner === owner
    ? nested(adapter, send, current, fn, deadline)
    : root(adapter, owner, open, send, fn, deadline, ended);
}

/** Runs `f` under `deadline` (the transaction's own, or the one it runs under), if any. */
function within<R>(deadline: Deadline | undefined, f: () => Promise<R>): Promise<R> {
  return deadline ? deadlineStore.run(deadline, f) : f();
}

async function root<T>(
  adapter: Adapter,
  owner: object,
  open: TxOpen,
  send: TxSend,
  fn: () => Promise<T>,
  deadline: Deadline | undefined,
  ended: TransactionEnded | undefined,
): Promise<T> {
  const { compiler } = adapter;
  // the connection and the BEGIN (given back when the BEGIN fails)
  const line = await open(owner, deadline);
  const frame = line.root;
  let discard = false;
  try {
    let outcome: Outcome<T>;
    try {
      // the callback's context is the transaction's level: its statements find it there
      outcome = {
        ok: true,
        value: await (deadline ? within(deadline, () => txStore.run(frame, fn)) : txStore.run(frame, fn)),
      };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const running = line.nestedRunning(frame);
    line.settle(frame);
    if (outcome.ok && frame.aborted === undefined && !running) {
      await send(frame, { sql: compiler.commit(), params: [], kind: "other" }, { force: true, deadline });
      return outcome.value;
    }
    await send(frame, { sql: compiler.rollback(), params: [], kind: "other" }, { force: true }).catch(() => {
      discard = true;
    });
    if (!outcome.ok) throw outcome.error;
    throw running ? unfinished() : aborted(frame.aborted);
  } finally {
    line.settle(frame);
    line.conn.release(discard);
    const after = ended?.(line);
    if (after) await after;
  }
}

async function nested<T>(
  adapter: Adapter,
  send: TxSend,
  parent: TxFrame,
  fn: () => Promise<T>,
  deadline: Deadline | undefined,
): Promise<T> {
  const { compiler } = adapter;
  const line = parent.line;
  const frame = parent.child();
  const name = frame.savepoint as string;
  await line.enter(frame);
  try {
    await send(frame, { sql: compiler.savepoint(name), params: [], kind: "other" }, { deadline });
    let outcome = await within(deadline, () => txStore.run(frame, () => settle(fn)));
    const running = line.nestedRunning(frame);
    line.settle(frame);
    if (!parent.open) {
      // an enclosing level already ended (and took this savepoint with it)
      if (!outcome.ok) throw outcome.error;
      frame.assertOpen();
    }
    if (outcome.ok && frame.aborted === undefined && !running) {
      const released = await settle(() =>
        send(frame, { sql: compiler.releaseSavepoint(name), params: [], kind: "other" }, { force: true, deadline }),
      );
      if (released.ok) return outcome.value;
      outcome = released;
    }
    await send(frame, { sql: compiler.rollbackToSavepoint(name), params: [], kind: "other" }, { force: true }).catch(
      (e: unknown) => {
        // the savepoint is gone (the database ended the whole transaction): the enclosing level cannot commit either
        parent.aborted ??= e;
      },
    );
    if (!outcome.ok) throw outcome.error;
    throw running ? unfinished() : aborted(frame.aborted);
  } finally {
    line.settle(frame);
    line.leave(frame);
  }
}
