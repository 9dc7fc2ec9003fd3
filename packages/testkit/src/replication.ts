import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const scripts = resolve(dirname(fileURLToPath(import.meta.url)), "../../../tooling/replicas");

/** A port nothing listens on right now (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

function run(script: string, args: readonly string[]): Promise<string> {
  return new Promise((done, fail) => {
    execFile("bash", [join(scripts, script), ...args], { timeout: 240_000 }, (error, stdout, stderr) => {
      if (error)
        fail(
          Object.assign(
            new Error(`${script} ${args[0]} failed (${String(error.code)}): ${stderr.trim() || error.message}`),
            { code: error.code },
          ),
        );
      else done(stdout.trim());
    });
  });
}

/** `a=b c=d` (the scripts' last line) as a record. */
const fields = (line: string): Record<string, string> =>
  Object.fromEntries(line.split(/\s+/).map((kv) => kv.split("=", 2) as [string, string]));

/** A running pair: the primary's and the replica's URLs, and how to stop it. */
export interface ReplicationPair {
  readonly primary: string;
  readonly replica: string;
  readonly primaryPort: number;
  readonly replicaPort: number;
  /** Stops the replica's server only (a replica that goes away). */
  stopReplica(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a real replication pair in a temporary directory (tooling/replicas): PostgreSQL streaming
 * replication or MariaDB GTID replication, each node its own server process on a free port.
 * Rejects with `code` 3 when the server binaries are not installed.
 */
export async function startReplication(engine: "postgres" | "mariadb"): Promise<ReplicationPair> {
  const dir = join(tmpdir(), `dotorm-${engine}-replication-${process.pid}`);
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const script = engine === "postgres" ? "pg-replication.sh" : "mariadb-replication.sh";
  const out = fields(
    (await run(script, ["start", dir, String(primaryPort), String(replicaPort)])).split("\n").pop() ?? "",
  );
  return {
    primary: out.primary as string,
    replica: out.replica as string,
    primaryPort,
    replicaPort,
    stopReplica: async () => void (await run(script, ["stop-replica", dir])),
    stop: async () => void (await run(script, ["stop", dir])),
  };
}

/** PgBouncer in transaction pooling mode in front of the server at `serverPort`. */
export async function startPgBouncer(
  serverPort: number,
): Promise<{ url: string; version: string; stop(): Promise<void> }> {
  const dir = join(tmpdir(), `dotorm-pgbouncer-${process.pid}`);
  const out = fields(
    (await run("pgbouncer.sh", ["start", dir, String(await freePort()), String(serverPort)])).split("\n").pop() ?? "",
  );
  return {
    url: out.url as string,
    version: out.version as string,
    stop: async () => void (await run("pgbouncer.sh", ["stop", dir])),
  };
}
