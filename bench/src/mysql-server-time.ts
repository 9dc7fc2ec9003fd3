/**
 * The nested chat's statement on the server (issue 18): DotORM's `UNION ALL` against raw's two
 * queries, one connection, one call at a time, interleaved: the client's latency per call, and
 * MariaDB's own time per call from `SHOW PROFILES` (the server's duration of each statement, round
 * trips excluded). `pnpm --filter @dotorm/bench mysql-server-time` after `mysql` has seeded
 * `dotorm_bench`.
 */
import mysql2 from "mysql2/promise";
import { benchUrl } from "./mysql-setup.js";
const union =
  "(SELECT 0 AS `#b`, NULL AS `#p`, NULL AS `#n`, t0.`id`, t0.`name`, t1.`id` AS `creator_id.id`, t1.`name` AS `creator_id.name`, NULL AS `1#id`, NULL AS `1#body`, NULL AS `1#created_at`, NULL AS `1#author_user_id.id`, NULL AS `1#author_user_id.name` FROM `chats` t0 LEFT JOIN `users` t1 ON t1.`id` = t0.`creator_id` WHERE t0.`id` = ? ORDER BY t0.`id` ASC LIMIT 18446744073709551615) UNION ALL (SELECT 1, t2.`chat_id`, NULL, NULL, NULL, NULL, NULL, t2.`id` AS `1#id`, t2.`body` AS `1#body`, t2.`created_at` AS `1#created_at`, t3.`id` AS `1#author_user_id.id`, t3.`name` AS `1#author_user_id.name` FROM `chat_messages` t2 LEFT JOIN `users` t3 ON t3.`id` = t2.`author_user_id` WHERE t2.`chat_id` = ? ORDER BY t2.`id` DESC LIMIT ?)";
const q1 =
  "SELECT c.id, c.name, u.id AS creator_id, u.name AS creator_name FROM chats c JOIN users u ON u.id = c.creator_id WHERE c.id = ?";
const q2 =
  "SELECT m.id, m.body, m.created_at, a.id AS author_id, a.name AS author_name FROM chat_messages m LEFT JOIN users a ON a.id = m.author_user_id WHERE m.chat_id = ? ORDER BY m.id DESC LIMIT 50";
const c = await mysql2.createConnection({ uri: benchUrl });
await c.query("SET profiling_history_size = 100");
const lat = { union: [] as number[], two: [] as number[] };
const server = { union: 0, two: 0, n: 0 };
for (let round = 0; round < 20; round++) {
  await c.query("SET profiling = 1");
  for (let i = 0; i < 24; i++) {
    const id = 1 + ((round * 97 + i * 31) % 900);
    let t = process.hrtime.bigint();
    await c.execute(union, [id, id, 50]);
    lat.union.push(Number(process.hrtime.bigint() - t) / 1000);
    t = process.hrtime.bigint();
    await c.execute(q1, [id]);
    await c.execute(q2, [id]);
    lat.two.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  const [rows] = (await c.query("SHOW PROFILES")) as unknown as [{ Query: string; Duration: string }[]];
  await c.query("SET profiling = 0");
  for (const r of rows) {
    const d = Number(r.Duration) * 1e6;
    if (String(r.Query).startsWith("(SELECT 0")) server.union += d;
    else if (String(r.Query).startsWith("SELECT c.id") || String(r.Query).startsWith("SELECT m.id")) server.two += d;
  }
  server.n += rows.filter((r) => String(r.Query).startsWith("(SELECT 0")).length;
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!.toFixed(0);
console.log(
  `sequential latency median µs: union ${med(lat.union)}, two queries ${med(lat.two)}; server time per call (SHOW PROFILES, ${server.n} calls): union ${(server.union / server.n).toFixed(0)}, two queries ${(server.two / server.n).toFixed(0)}`,
);
await c.end();
