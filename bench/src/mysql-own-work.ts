/**
 * DotORM's own client work per call on MariaDB (issue 18): the bench's DotORM side with its driver
 * answering every statement from the rows the real statement returned once (same process, same
 * models, no socket, no server), so what is timed is planning, compiling and hydrating.
 * `W=get,page20,chat50,page100 tsx src/mysql-own-work.ts`; prints the median and the five rounds of
 * 10,000 calls each, µs of client CPU per call. Run `cpu --setup` first.
 */
import { Mysql2Driver } from "@dotorm/mysql";
import { ormSide } from "./mysql-orm-side.js";

const names = (process.env.W ?? "get,page20,chat50,page100").split(",");
const side = await ormSide(4);
const answers = new Map<string, { rows: readonly Record<string, unknown>[]; affected: number }>();
const driver = Mysql2Driver.prototype;
const real = { execute: driver.execute, executeWith: driver.executeWith };
// core sends through the callback form (executeWith) when the driver has one, else through execute
driver.execute = async function (q, o) {
  const result = await real.execute.call(this, q, o);
  answers.set(q.sql, result);
  return result;
};
driver.executeWith = function (q, o, done) {
  real.executeWith.call(this, q, o, (error, result) => {
    if (result) answers.set(q.sql, result);
    done(error, result);
  });
};
for (const w of names) await side.workloads[w]?.op();
// the recorded answer serves every id the workload draws: the work has the same shape
const answer = (sql: string) => {
  const known = answers.get(sql);
  if (!known) throw new Error(`no recorded answer for ${sql}`);
  return { rows: known.rows, affected: known.affected };
};
driver.execute = (q) => Promise.resolve(answer(q.sql));
driver.executeWith = (q, _o, done) => done(null, answer(q.sql));
const out: string[] = [];
for (const w of names) {
  const op = side.workloads[w]!.op;
  for (let i = 0; i < 3000; i++) await op();
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const before = process.cpuUsage();
    for (let i = 0; i < 10_000; i++) await op();
    const cpu = process.cpuUsage(before);
    rounds.push((cpu.user + cpu.system) / 10_000);
  }
  const sorted = [...rounds].sort((a, b) => a - b);
  out.push(`${w} ${sorted[2]!.toFixed(1)} (${rounds.map((x) => x.toFixed(1)).join("/")})`);
}
console.log(`DotORM's own work, µs CPU/call: ${out.join(" | ")}`);
Object.assign(driver, real);
await side.close();
