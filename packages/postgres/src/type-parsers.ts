import pg from "pg";

const passthrough = (value: string) => value;

/**
 * The text parsers of DotORM's pg clients: int8 and numeric stay strings (checked by the core),
 * dates and times stay "YYYY-MM-DD" / "HH:MM:SS"; every other type as pg parses it.
 */
export const typeParsers = {
  getTypeParser(oid: number, format?: string): (raw: string) => unknown {
    if (oid === 20 || oid === 1700 || oid === 1082 || oid === 1083) return passthrough;
    return pg.types.getTypeParser(oid, format as "text");
  },
};
