/** Longest identifier every supported database accepts (PostgreSQL: 63, MySQL: 64). */
const maxLength = 63;

/**
 * Deterministic names for indexes and constraints (`idx_<table>_<col>`, `uq_...`, `fk_...`), so a
 * second `sync` recognises what the first created. Long names are cut and suffixed with a hash.
 *
 * @example
 * constraintName("idx", "chat_messages", ["chat_id"]) // "idx_chat_messages_chat_id"
 */
export function constraintName(prefix: "idx" | "uq" | "fk", table: string, columns: readonly string[]): string {
  const name = `${prefix}_${table}_${columns.join("_")}`;
  if (name.length <= maxLength) return name;
  let h = 2166136261;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return `${name.slice(0, maxLength - 9)}_${h.toString(16).padStart(8, "0")}`;
}
