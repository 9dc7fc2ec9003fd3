/** A value now, or later. */
export type Maybe<T> = T | Promise<T>;

/**
 * A piece of the secure step written as a generator: each `yield` hands over an answer of the
 * access gate that may be a value or a promise, and gets the value back. {@link drive} runs it
 * without a promise or a microtask while every answer is at hand (a checker whose configuration is
 * loaded answers at once), and goes on asynchronously from the first answer that is not.
 */
// `any`: what a `yield` gives back is the value of the answer it handed over (typed where it is read)
export type Steps<R> = Generator<unknown, R, any>;

/** Whether `value` is a promise or another thenable (a checker may return either). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/**
 * Runs `steps` to its end: the result itself when no answer had to be awaited, else a promise of it.
 * An error thrown on the synchronous part is returned as a rejected promise, as an async function
 * would give it.
 *
 * @example
 * function* ruleOf(gate: AccessGate, model: ModelMeta): Steps<CondNode | undefined> {
 *   return yield gate.ruleNow(model, "read");
 * }
 * const rule = await drive(ruleOf(gate, model));
 */
export function drive<R>(steps: Steps<R>): Maybe<R> {
  try {
    let step = steps.next();
    while (!step.done) {
      if (isThenable(step.value)) return resume(steps, step.value);
      step = steps.next(step.value);
    }
    return step.value;
  } catch (e) {
    return Promise.reject(e);
  }
}

async function resume<R>(steps: Steps<R>, pending: PromiseLike<unknown>): Promise<R> {
  let waiting = pending;
  for (;;) {
    let value: unknown;
    let failed = false;
    try {
      value = await waiting;
    } catch (e) {
      failed = true;
      value = e;
    }
    // a failed answer is thrown into the generator where it waited; what the generator throws ends the run
    let step = failed ? steps.throw(value) : steps.next(value);
    while (!step.done && !isThenable(step.value)) step = steps.next(step.value);
    if (step.done) return step.value;
    waiting = step.value as PromiseLike<unknown>;
  }
}
