/**
 * Reading rows back alone (issue 18): the rows of the nested chat, the page of 100 with creators and
 * a get by id, recorded once from MariaDB, turned into records again and again by the compiler's
 * nesting strategy (`compiler.read`: hydration, nothing else). `pnpm --filter @dotorm/bench
 * mysql-read-back`; prints the median and the five rounds, µs of CPU per read. Run `mysql` once first
 * (it seeds `dotorm_bench`).
 */
import { connect } from "@dotorm/core";
import { mysql } from "@dotorm/mysql";
import { Chat, models } from "./models.js";
import { benchUrl } from "./mysql-setup.js";
import { chatWith50Messages } from "./workload-specs.js";
const db = await connect(mysql({ url: benchUrl, max: 2 }), { models });
const compiler = (db as any).adapter.compiler;
const caught: any[] = [];
const real = compiler.read.bind(compiler);
compiler.read = (...a: any[]) => {
  caught.push(a);
  return real(...a);
};
await Chat.get(5, chatWith50Messages);
await Chat.search({
  filter: [["id", ">", 100]],
  fields: ["name", "is_archived"],
  nested: { creator_id: ["name"] },
  order: "id",
  limit: 100,
});
await Chat.get(5, { fields: ["name", "is_archived"] });
compiler.read = real;
for (const [name, args] of [
  ["chat50", caught[0]],
  ["page100", caught[1]],
  ["get", caught[2]],
] as const) {
  const n = name === "get" ? 200_000 : 20_000;
  for (let i = 0; i < n / 4; i++) real(...args);
  const r: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t = process.cpuUsage();
    for (let i = 0; i < n; i++) real(...args);
    const c = process.cpuUsage(t);
    r.push((c.user + c.system) / n);
  }
  r.sort((a, b) => a - b);
  console.log(`${name} read µs: ${r[2]!.toFixed(2)} (${r.map((x) => x.toFixed(2)).join("/")})`);
}
await db.close();
