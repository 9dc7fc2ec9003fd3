import { Command, CommanderError } from "commander";
import { DotormError } from "@dotorm/core";
import { type Io, color, stdio } from "./context.js";
import { inspect, sql, sync } from "./database-commands.js";
import { init } from "./init-command.js";
import { check, down, generate, resolveFailed, status, up } from "./migrate-commands.js";

/** Adds --config and --url to a command. */
const connecting = (cmd: Command) =>
  cmd
    .option("-c, --config <file>", "configuration file (default dotorm.config.ts, or DOTORM_CONFIG)")
    .option("--url <url>", "database URL passed to the config's adapter (or DOTORM_URL)");

/**
 * Runs the `dotorm` command with `argv` (without `node` and the script) and returns its exit code:
 * 0 success, 1 failure or drift, 2 bad usage.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2));
 */
export async function runCli(argv: readonly string[], io: Io = stdio): Promise<number> {
  let code = 0;
  const run = async (p: Promise<number> | number): Promise<void> => {
    code = await p;
  };
  const program = new Command("dotorm")
    .description("DotORM: sync, migrations, drift checks, inspection")
    .exitOverride();
  program.configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  program
    .command("init")
    .description("write dotorm.config.ts and the migrations folder")
    .option("--adapter <kind>", "postgres, pglite, mysql or clickhouse", "postgres")
    .option("--dir <dir>", "project folder", ".")
    .action((o) => run(init(io, o)));
  connecting(
    program.command("sync").description("create missing tables, columns, indexes and keys (never drops)"),
  ).action((o) => run(sync(io, o)));
  connecting(program.command("inspect").description("print model definitions for the database's tables"))
    .option("-o, --out <file>", "write to a file")
    .action((o) => run(inspect(io, o)));
  connecting(program.command("sql").description("run one SQL statement and print its rows").argument("<statement>"))
    .option("--json", "rows as JSON")
    .action((s, o) => run(sql(io, s, o)));

  const migrate = program.command("migrate").description("migrations: generate, up, down, status, check, resolve");
  const destructive = (cmd: Command) => cmd.option("--allow-destructive", "let steps that lose data run");
  connecting(
    destructive(
      migrate
        .command("generate")
        .argument("<name>")
        .description("write a migration for the difference between models and database"),
    ),
  )
    .option("--rename <table.old:new...>", "confirm column renames")
    .option("--empty", "write an empty migration (for data migrations)")
    .action((name, o) => run(generate(io, name, o)));
  connecting(destructive(migrate.command("up").description("apply pending migrations")))
    .option("--to <name>", "stop after this migration")
    .action((o) => run(up(io, o)));
  connecting(
    destructive(
      migrate.command("down").argument("[n]", "how many (default 1)").description("revert the last applied migrations"),
    ),
  ).action((n, o) => run(down(io, n, o)));
  connecting(migrate.command("status").description("list migrations and their state"))
    .option("--json", "as JSON")
    .action((o) => run(status(io, o)));
  connecting(
    migrate.command("check").description("exit 1 when migrations are pending or the database drifted from the models"),
  )
    .option("--json", "as JSON")
    .action((o) => run(check(io, o)));
  connecting(
    migrate.command("resolve").argument("<name>").description("forget a failed run once repaired by hand"),
  ).action((name, o) => run(resolveFailed(io, name, o)));

  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof DotormError) {
      io.err(`${color.red("error:")} ${e.message}`);
      return 1;
    }
    io.err(`${color.red("error:")} ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  }
}
