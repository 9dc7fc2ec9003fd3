/**
 * Whether the tests run under CI: `CI` set to anything but "", "0" or "false" (case-insensitive).
 * Under CI a database suite whose server is down fails instead of being skipped, so `CI=false`
 * (which some tools set to say "not CI") must not count.
 *
 * @example
 * if (!up && onCI()) throw new Error("PostgreSQL is not reachable: CI requires every database suite to run");
 */
export function onCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}
