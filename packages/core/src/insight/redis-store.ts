import { randomUUID } from "node:crypto";
import { ConfigurationError } from "../errors.js";
import type { CacheStore } from "./cache-store.js";
import { shown } from "../model/shown.js";

/** The part of an ioredis client the store uses (ioredis itself fits; no dependency on it here). */
export interface RedisLike {
  getBuffer(key: string): Promise<Buffer | null>;
  multi(): {
    set(key: string, value: Buffer, px: "PX", ttl: number): unknown;
    sadd(key: string, member: string): unknown;
    pexpire(key: string, ms: number, mode: "NX" | "GT"): unknown;
    exec(): Promise<unknown>;
  };
  smembers(key: string): Promise<string[]>;
  del(...keys: string[]): Promise<number>;
  publish(channel: string, message: string): Promise<number>;
}

/** A second connection in subscriber mode (ioredis: `client.duplicate()`). */
export interface RedisSubscriberLike {
  subscribe(channel: string): Promise<unknown>;
  on(event: "message", listener: (channel: string, message: string) => void): unknown;
}

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  readonly client: RedisLike;
  /** Receives the invalidations other processes publish; without it, only this process's writes drop entries in it. */
  readonly subscriber?: RedisSubscriberLike;
  /** Key prefix: required, one per database (two databases' identical statements must not share entries). */
  readonly prefix: string;
  /** Pub/sub channel of invalidations (default `${prefix}invalidate`). */
  readonly channel?: string;
}

/**
 * A query cache store in Redis, shared by every process using the same prefix: entries with their
 * ttl (`SET PX`), a set of keys per table (dropped with `DEL` on a write), and a pub/sub message
 * per write so the other processes stop storing reads that raced with it.
 *
 * @example
 * import Redis from "ioredis";
 * const client = new Redis("redis://127.0.0.1:6379");
 * const db = await connect(adapter, { models, cache: { store: redisStore({ client, subscriber: client.duplicate(), prefix: "crm:" }) } });
 */
export function redisStore(options: RedisStoreOptions): CacheStore {
  const { client, subscriber, prefix } = options ?? ({} as RedisStoreOptions);
  if (typeof client?.getBuffer !== "function" || typeof client.multi !== "function")
    throw new ConfigurationError("redisStore({ client }) takes an ioredis client");
  if (typeof prefix !== "string" || !/^[A-Za-z0-9_:.-]{1,100}$/.test(prefix)) {
    throw new ConfigurationError(
      `redisStore({ prefix }) takes a key prefix of letters, digits and _ : . - (one per database), got ${shown(prefix)}`,
    );
  }
  const channel = options.channel ?? `${prefix}invalidate`;
  const origin = randomUUID();
  const tagKey = (table: string) => `${prefix}t:${table}`;
  const listeners: ((tables: readonly string[]) => void)[] = [];
  if (subscriber) {
    subscriber.on("message", (ch, message) => {
      if (ch !== channel) return;
      try {
        const parsed = JSON.parse(message) as { origin?: unknown; tables?: unknown };
        if (
          parsed.origin === origin ||
          !Array.isArray(parsed.tables) ||
          !parsed.tables.every((t) => typeof t === "string")
        )
          return;
        for (const l of listeners) l(parsed.tables as string[]);
      } catch {
        // a message that is not ours: ignored
      }
    });
    void subscriber.subscribe(channel);
  }
  return {
    async get(key) {
      return (await client.getBuffer(`${prefix}e:${key}`)) ?? undefined;
    },
    async set(key, value, { ttlMs, tables }) {
      const m = client.multi();
      m.set(`${prefix}e:${key}`, Buffer.from(value.buffer, value.byteOffset, value.byteLength), "PX", ttlMs);
      for (const t of tables) {
        m.sadd(tagKey(t), key);
        // the set of keys lives as long as its longest entry (Redis 7: NX sets a first expiry, GT only extends it)
        m.pexpire(tagKey(t), ttlMs, "NX");
        m.pexpire(tagKey(t), ttlMs, "GT");
      }
      await m.exec();
    },
    async invalidate(tables) {
      for (const t of tables) {
        const keys = await client.smembers(tagKey(t));
        await client.del(tagKey(t), ...keys.map((k) => `${prefix}e:${k}`));
      }
      await client.publish(channel, JSON.stringify({ origin, tables }));
    },
    onInvalidate(listener) {
      listeners.push(listener);
    },
  };
}
