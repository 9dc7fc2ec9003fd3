/**
 * Quotes a MySQL / MariaDB identifier (backticks, an inner backtick doubled): the one rule the
 * statement compiler and the DDL compiler share.
 *
 * @example
 * quoteBackticks("chats") // "`chats`"
 */
export function quoteBackticks(name: string): string {
  return name.includes("`") ? `\`${name.replace(/`/g, "``")}\`` : `\`${name}\``;
}
