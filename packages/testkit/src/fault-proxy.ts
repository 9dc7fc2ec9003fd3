import { type AddressInfo, type Server, type Socket, connect, createServer } from "node:net";

/** What the proxy does with connections: forward, reset them (TCP RST), or drop every byte silently. */
export type FaultMode = "pass" | "reset" | "blackhole";

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  /** Bytes are dropped in both directions (the connection looks alive but nothing arrives). */
  dead: boolean;
  /** The connection is reset when the client next sends bytes. */
  resetOnWrite?: boolean;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a database server, for fault-injection tests: `pass()`
 * forwards, `reset()` resets every open connection and refuses new ones with a reset, `blackhole()`
 * silently drops every byte of open and new connections. Connections blackholed stay dead after
 * `pass()`, as a broken network path would, until the client closes them; new ones pass again.
 *
 * @example
 * const proxy = await FaultProxy.start({ host: "127.0.0.1", port: 5432 });
 * const db = await connect(postgres({ url: `postgres://postgres@127.0.0.1:${proxy.port}/test` }), { models });
 * proxy.blackhole();   // the next call fails once its queryTimeout passes
 * await proxy.close();
 */
export class FaultProxy {
  private mode: FaultMode = "pass";
  private readonly pairs = new Set<Pair>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on a free port of 127.0.0.1, forwarding to `target`. */
  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    let proxy!: FaultProxy;
    const server = createServer((client) => proxy.accept(client, target));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    proxy = new FaultProxy(server, (server.address() as AddressInfo).port);
    return proxy;
  }

  /** Connections currently open through the proxy. */
  get connections(): number {
    return this.pairs.size;
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    if (this.mode === "reset") {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair: Pair = { client, upstream, dead: this.mode === "blackhole" };
    this.pairs.add(pair);
    const drop = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    // forwarded with backpressure, so unread data stays on the sending side (as on a real path)
    const forward = (from: Socket, to: Socket) =>
      from.on("data", (chunk) => {
        if (from === client && pair.resetOnWrite) {
          this.pairs.delete(pair);
          pair.dead = true;
          client.resetAndDestroy();
          upstream.destroy();
          return;
        }
        if (pair.dead || to.write(chunk)) return;
        from.pause();
        to.once("drain", () => from.resume());
      });
    forward(client, upstream);
    forward(upstream, client);
    // the client giving up closes the server side too (the server then rolls back, as it would once
    // its own keep-alive noticed the dead path)
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", () => (pair.dead ? undefined : drop()));
  }

  /** Forwards new connections again. */
  pass(): void {
    this.mode = "pass";
  }

  /** Resets every open connection (the client sees ECONNRESET) and every new one until `pass()`. */
  reset(): void {
    this.mode = "reset";
    for (const pair of this.pairs) {
      pair.dead = true;
      pair.client.resetAndDestroy();
      pair.upstream.destroy();
      this.pairs.delete(pair);
    }
  }

  /**
   * Resets each open connection when its client next sends bytes; new connections pass (unless
   * `refuseNew`). What a client sees of a connection a server or a proxy closed while it sat idle in
   * the pool: it learns only when it writes.
   */
  resetOnNextWrite(refuseNew = false): void {
    for (const pair of this.pairs) pair.resetOnWrite = true;
    // and, with `refuseNew`, new connections are reset too (a server that went away) until `pass()`
    if (refuseNew) this.mode = "reset";
  }

  /** Drops every byte of open and new connections, without closing them, until `pass()`. */
  blackhole(): void {
    this.mode = "blackhole";
    for (const pair of this.pairs) pair.dead = true;
  }

  /** Closes every connection and stops listening. */
  async close(): Promise<void> {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
