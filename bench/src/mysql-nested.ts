/**
 * The nested chat on MariaDB, taken apart: raw mysql2's two queries, DotORM's one statement sent
 * through raw mysql2 (the most any ORM sending that statement could reach), and DotORM's own call.
 * Shows how much of the gap is the statement and how much the client.
 * Run with `pnpm --filter @dotorm/bench mysql-nested` (after `pnpm --filter @dotorm/bench mysql` has
 * seeded `dotorm_bench`, or with BENCH_SETUP=1). One process, interleaved rounds, medians.
 */
import { connect } from "@dotorm/core";
import { mysql } from "@dotorm/mysql";
import mysql2 from "mysql2/promise";
import { markdownTable, median, opsPerSecond } from "./harness.js";
import { Chat, models, seed } from "./models.js";
import { benchUrl, setUpMysql } from "./mysql-setup.js";
import { randomIds } from "./pg-setup.js";
import { chatWith50Messages } from "./workload-specs.js";

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const timing = { warmupMs: 300, durationMs: Number(process.env.BENCH_MS ?? 600), minOps: 3, concurrency: 4 };
if (process.env.BENCH_SETUP) await setUpMysql();

const spec = chatWith50Messages;
const union = await connect(mysql({ url: benchUrl, max: 4 }), { models });
let statement = "";
union.on("query", (e) => {
  statement = e.sql;
});
await Chat.get(1, spec);
const pool = mysql2.createPool({ uri: benchUrl, connectionLimit: 4 });
const rand = randomIds(7);
const id = () => rand(seed.chats - 1);

const workloads: [string, () => Promise<unknown>][] = [
  [
    "raw mysql2: two queries",
    async () => {
      const chat = id();
      await pool.execute(
        "SELECT c.id, c.name, u.id AS creator_id, u.name AS creator_name FROM chats c JOIN users u ON u.id = c.creator_id WHERE c.id = ?",
        [chat],
      );
      await pool.execute(
        "SELECT m.id, m.body, m.created_at, a.id AS author_id, a.name AS author_name FROM chat_messages m LEFT JOIN users a ON a.id = m.author_user_id WHERE m.chat_id = ? ORDER BY m.id DESC LIMIT 50",
        [chat],
      );
    },
  ],
  [
    "DotORM's UNION ALL statement through raw mysql2",
    () => {
      const chat = id();
      return pool.execute(statement, [chat, chat, 50]);
    },
  ],
  ["DotORM Chat.get (UNION ALL, the MariaDB default)", () => Chat.get(id(), spec)],
];

const results = workloads.map(() => [] as number[]);
for (let round = 0; round < rounds; round++) {
  for (const [i, [, op]] of workloads.entries()) (results[i] as number[]).push(await opsPerSecond(op, timing));
  console.error(`round ${round + 1}/${rounds} done`);
}
const base = median(results[0] as number[]);
console.log(
  `\nNested chat on ${benchUrl.replace(/\/\/[^@]*@/, "//")}: ${rounds} rounds, ${timing.durationMs} ms windows, concurrency 4, pool 4\n`,
);
console.log(
  markdownTable(
    ["workload (median ops/s)", "ops/s", "vs raw"],
    workloads.map(([name], i) => [
      name,
      median(results[i] as number[]).toFixed(0),
      `${(median(results[i] as number[]) / base).toFixed(2)}×`,
    ]),
  ),
);
await pool.end();
await union.close();
