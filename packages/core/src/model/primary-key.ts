import { ConfigurationError } from "../errors.js";
import type { Field, FieldKind } from "./field.js";

/** An id value: a number for integer keys, a string for uuid and char keys. */
export type Id = number | string;

/** Options of a field that may be the model's primary key (`id`). */
export interface PrimaryKeyOptions {
  /**
   * Makes this field the model's primary key in place of the integer identity the database
   * generates. Only on the field named `id`, and only on `integer`, `bigInteger`, `char` and `uuid`
   * fields. Its value is given on create (or by its `default`, e.g. `"uuid7"`) and never updated.
   */
  primaryKey?: boolean;
}

/** Field kinds a declared primary key may have. */
const keyKinds: ReadonlySet<FieldKind> = new Set(["integer", "bigInteger", "char", "uuid"]);

/**
 * Checks a field that says `primaryKey`, and an `id` declared without it, when the model is built.
 *
 * @example
 * checkPrimaryKey("tokens", "id", f.uuid({ primaryKey: true, default: "uuid7" })); // fine
 * checkPrimaryKey("tokens", "code", f.char({ primaryKey: true }));                // ConfigurationError: name it id
 */
export function checkPrimaryKey(table: string, name: string, def: Field): void {
  const o = def.options as PrimaryKeyOptions & { store?: unknown; column?: unknown; default?: unknown };
  const where = `${table}.${name}`;
  if (o.primaryKey !== undefined && typeof o.primaryKey !== "boolean")
    throw new ConfigurationError(`${where}: primaryKey is true or false`);
  if (name !== "id") {
    if (o.primaryKey)
      throw new ConfigurationError(
        `${where}: the primary key is the field named "id"; declare id: f.${def.kind}({ primaryKey: true, ... })`,
      );
    return;
  }
  if (!o.primaryKey)
    throw new ConfigurationError(
      `${table}: "id" is implicit (an integer the database generates); to choose its type declare it with primaryKey: true`,
    );
  if (!keyKinds.has(def.kind))
    throw new ConfigurationError(
      `${where}: a primary key is an integer, bigInteger, char or uuid field, not ${def.kind}`,
    );
  if (o.store === false) throw new ConfigurationError(`${where}: the primary key must be stored`);
  if (o.column !== undefined && o.column !== "id")
    throw new ConfigurationError(`${where}: the primary key's column is "id"; it takes no other column name`);
  if (o.default === "uuid7" && def.kind !== "uuid")
    throw new ConfigurationError(`${where}: default "uuid7" is for uuid fields`);
}

/** Whether a value read back for an id of `kind` is numeric (integer keys) or a string. */
export function isNumericKey(kind: FieldKind): boolean {
  return kind === "integer" || kind === "bigInteger" || kind === "smallInteger";
}

/**
 * An id as a driver returned it (a number, a numeric string, a uuid in either case), in the form
 * records carry: numbers for integer keys, lower-case strings otherwise.
 *
 * @example
 * rowId("integer", "42") // 42
 * rowId("uuid", "0190A0B2-...") // "0190a0b2-..."
 */
export function rowId(kind: FieldKind, raw: unknown): Id {
  if (isNumericKey(kind)) return Number(raw);
  return kind === "uuid" ? String(raw).toLowerCase() : String(raw);
}

let lastMs = 0;
let counter = 0;

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter that keeps ids made in
 * the same millisecond in order (method 1 of the RFC), then 62 random bits. Ids sort by creation
 * time, so a uuid key keeps indexes append-only like an identity.
 *
 * @example
 * uuid7() // "0192f5a8-3b1c-7a01-9f3e-6c2d8e4b1a77"
 */
export function uuid7(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let ms = Date.now();
  if (ms <= lastMs) {
    counter++;
    if (counter > 0xfff) {
      lastMs++;
      counter = 0;
    }
    ms = lastMs;
  } else {
    lastMs = ms;
    counter = (bytes[6] as number) & 0x07; // a random start leaves room to count up
  }
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
