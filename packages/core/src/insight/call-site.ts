/** Frames of DotORM's own packages (sources in the repository, or installed as `@dotorm/*`), and of Node itself. */
const internal =
  /[\\/]@dotorm[\\/]|[\\/]packages[\\/](?:core|postgres|mysql|clickhouse|rest|cli)[\\/](?:src|dist)[\\/]|\(node:|^\s*at (?:async )?node:|\(<anonymous>\)/;
const library = /[\\/]node_modules[\\/]/;

/** The location in a stack frame line: "file:line:col". */
function locationOf(frame: string): string {
  const inParens = /\((.*:\d+:\d+)\)\s*$/.exec(frame);
  if (inParens) return inParens[1] as string;
  return frame.replace(/^\s*at (?:async )?/, "").trim();
}

/**
 * The user's code that caused the current statement: the first frame of `stack` outside DotORM
 * and Node (and outside node_modules when a frame of the application itself is there).
 *
 * @example
 * callSite(new Error().stack); // "/srv/app/src/report.ts:42:23"
 */
export function callSite(stack: string | undefined): string | undefined {
  const frames = (stack ?? "").split("\n").filter((l) => /^\s*at /.test(l) && !internal.test(l));
  const own = frames.find((l) => !library.test(l)) ?? frames[0];
  return own === undefined ? undefined : locationOf(own);
}

/** A stack deep enough to get past DotORM's frames to the caller's (captured only when reporting). */
export function captureStack(): string | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  try {
    return new Error("call site").stack;
  } finally {
    Error.stackTraceLimit = limit;
  }
}
