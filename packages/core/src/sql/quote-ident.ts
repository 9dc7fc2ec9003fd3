/**
 * Quotes an identifier the ANSI way (double quotes, an inner quote doubled): the one quoting rule of
 * the standard compilers, shared by {@link SqlCompiler} and {@link DdlCompiler} so statements and DDL
 * can never disagree about a name.
 *
 * @example
 * quoteAnsi("chats")     // '"chats"'
 * quoteAnsi('a"b')       // '"a""b"'
 */
export function quoteAnsi(name: string): string {
  return name.includes('"') ? `"${name.replace(/"/g, '""')}"` : `"${name}"`;
}
