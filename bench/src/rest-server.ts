import { serve } from "@hono/node-server";

/** What a REST bench server tells the parent: its port, then its CPU time on request. */
export type ServerMessage = { port: number } | { userMicros: number; systemMicros: number; rssMb: number };

/**
 * Serves `fetch` on 127.0.0.1 at a free port and answers the parent over IPC: the port once
 * listening, the process's CPU time (user and system, µs) on "cpu", and closes on "close".
 */
export function serveForBench(fetch: (req: Request) => Response | Promise<Response>, close: () => Promise<void>): void {
  const server = serve({ fetch, hostname: "127.0.0.1", port: Number(process.env.BENCH_PORT ?? 0) }, (info) =>
    process.send?.({ port: info.port } satisfies ServerMessage),
  );
  process.on("message", (msg: string) => {
    if (msg === "cpu") {
      const u = process.cpuUsage();
      process.send?.({
        userMicros: u.user,
        systemMicros: u.system,
        rssMb: process.resourceUsage().maxRSS / 1024,
      } satisfies ServerMessage);
    } else if (msg === "close") {
      server.close();
      if ("closeAllConnections" in server) server.closeAllConnections();
      void close().then(() => process.exit(0));
    }
  });
}
