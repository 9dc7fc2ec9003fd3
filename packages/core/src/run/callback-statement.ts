import type { ExecCallback, ExecResult } from "./adapter.js";

/**
 * One promise for a statement a driver starts with a callback (`Driver.executeWith`,
 * `DriverConnection.executeWith`): `ok` (absent when nothing listens) maps the result and `fail`
 * the error, as `driver.execute(q).then(ok, fail)` would, without the driver's own promise. Every
 * promise costs a hook call on Node 20 once `AsyncLocalStorage` is in use. A second call of `done`
 * is ignored; a `begin` that throws fails the statement.
 *
 * @example
 * callbackStatement((done) => driver.executeWith(query, options, done), undefined, (e) => { throw map(e); });
 */
export function callbackStatement<R>(
  begin: (done: ExecCallback) => void,
  ok: ((r: ExecResult) => R) | undefined,
  fail: (e: unknown) => R,
): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    let called = false;
    const done: ExecCallback = (error, result) => {
      if (called) return;
      called = true;
      if (error !== null && error !== undefined) return resolve(failLater(error, fail));
      try {
        resolve(ok ? ok(result as ExecResult) : (result as R));
      } catch (e) {
        reject(e);
      }
    };
    try {
      begin(done);
    } catch (e) {
      done(e);
    }
  });
}

/**
 * `fail(error)` run in a promise reaction that the statement's promise already follows, not in the
 * driver's callback: an error made there (the mapped error users see) gets the async stack of the
 * code awaiting the statement, not the socket read's. The failure path only: two promises.
 */
export function failLater<R>(error: unknown, fail: (e: unknown) => R): Promise<R> {
  let rejectNow: (e: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    rejectNow = reject;
  });
  const handled = failed.then(undefined, fail);
  // the caller resolves its promise with `handled` first; the rejection's reaction runs after that link
  queueMicrotask(() => rejectNow(error));
  return handled;
}
