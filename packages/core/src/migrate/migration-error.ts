import { DotormError } from "../errors.js";

/**
 * A migration could not be planned or run: a changed file, a destructive step without the flag, a
 * failed step, a lock not obtained. The message says what happened and what to do.
 *
 * @example
 * try { await migrator.up() } catch (e) { if (e instanceof MigrationError) console.error(e.message, e.migration) }
 */
export class MigrationError extends DotormError {
  override readonly code = "MIGRATION_ERROR";
  constructor(
    message: string,
    /** The migration concerned, if one is. */
    readonly migration?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
