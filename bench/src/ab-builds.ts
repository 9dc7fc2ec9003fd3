/**
 * Client CPU per call of two builds of `@dotorm/core` + `@dotorm/postgres` in one process (e.g. main's
 * worktree against a branch's), in alternating batches, so the load of a shared machine moves both
 * alike: `AB_A=/work/main AB_B=/work/my-branch pnpm --filter @dotorm/bench ab tx page20 get page100`.
 * `AB_RAW=1` puts raw `pg` (the PostgreSQL bench's raw side) in A's place. Prints the medians and the
 * per-round paired ratios B/A of CPU per call and of throughput (the wall time of equal batches).
 * Needs the bench schema (`pnpm --filter @dotorm/bench cpu --setup`).
 * Settings: AB_ROUNDS (12), AB_BATCH (800 calls per side and round, 4 in flight). `AB_DB=mysql` runs
 * `@dotorm/mysql` on the MySQL bench's database instead (and raw `mysql2` with `AB_RAW=1`; seed it
 * with `pnpm --filter @dotorm/bench mysql` first). `AB_RAW=1 AB_AA=1` puts the raw driver in B's place too
 * (two pools of identical code: the instrument's own spread).
 * `AB_SERVER=1` also reads the database server's CPU per call (every thread of `postgres` or
 * `mariadbd` on this machine, nanosecond scheduler times) and prints the ratio of client + server CPU
 * per call: on a machine whose cores the client and the server share, what bounds throughput, and
 * far steadier than throughput itself.
 */
import { median } from "./harness.js";
import { serverCpuNs } from "./server-cpu.js";
import { benchUrl as mysqlUrl } from "./mysql-setup.js";
import { mysqlVictims } from "./mysql-orm-side.js";
import { rawSide as mysqlRawSide } from "./mysql-raw-side.js";
import { benchUrl, randomIds, victims } from "./pg-setup.js";
import { pgVictims } from "./pg-orm-side.js";
import { rawSide } from "./pg-raw-side.js";
import type { Side } from "./side-process.js";
import { benchModelsOn } from "./models-on.js";
import { chatWith50Messages } from "./workload-specs.js";

const seed = { users: 1000, chats: 2000 };
const onMysql = process.env.AB_DB === "mysql";

/** The bench models and workloads on the build under `root` (its own core: models bind to one). */
async function buildSide(root: string): Promise<Side> {
  const core = await import(`${root}/packages/core/dist/index.js`);
  const adapter = onMysql
    ? (await import(`${root}/packages/mysql/dist/index.js`)).mysql({ url: mysqlUrl, max: 4 })
    : (await import(`${root}/packages/postgres/dist/index.js`)).postgres({ url: benchUrl, max: 4 });
  const { connect } = core;
  const { User, Chat, ChatMessage } = benchModelsOn(core);
  const db = await connect(adapter, { models: [User, Chat, ChatMessage] });
  const rand = randomIds(42);
  let doomed: number[] = [];
  // on MySQL a body of its own: the raw side's rows ("doomed") are made before these and must stay
  const makeDoomed = onMysql ? mysqlVictims("doomed-ab") : pgVictims;
  return {
    workloads: {
      tx: {
        op: () =>
          db.transaction(async () => {
            const author = rand(seed.users);
            const chatId = await Chat.create({ name: "tx", creator_id: author });
            await ChatMessage.createMany(
              [1, 2, 3].map((i) => ({ chat_id: chatId, author_user_id: author, body: `m${i}` })),
            );
          }),
      },
      page20: {
        op: () =>
          Chat.search({
            filter: [
              ["is_archived", "=", false],
              ["id", ">", rand(seed.chats - 100)],
            ],
            fields: ["name", "is_archived", "creator_id"],
            order: "id",
            limit: 20,
          }),
      },
      get: { op: () => Chat.get(rand(seed.chats), { fields: ["name", "is_archived"] }) },
      insert: {
        op: () =>
          ChatMessage.create({ chat_id: rand(seed.chats - 1), author_user_id: rand(seed.users), body: "hello" }),
      },
      update: { op: () => ChatMessage.updateMany([rand(seed.chats * 10)], { body: "edited" }) },
      delete: {
        prepare: async () => {
          doomed = await makeDoomed(db, doomed);
        },
        op: () => ChatMessage.deleteMany([doomed.pop() as number]),
      },
      chat50: {
        op: () => Chat.get(rand(seed.chats - 1), chatWith50Messages),
      },
      page100: {
        op: () =>
          Chat.search({
            filter: [["id", ">", rand(seed.chats - 100)]],
            fields: ["name", "is_archived"],
            nested: { creator_id: ["name"] },
            order: "id",
            limit: 100,
          }),
      },
    },
    close: async () => {
      await db.sql`DELETE FROM chats WHERE id > ${seed.chats}`;
      await db.close();
    },
  };
}

async function run(op: () => Promise<unknown>, n: number): Promise<void> {
  let left = n;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (left-- > 0) await op();
    }),
  );
}

/** Wall-clock milliseconds of each batch, by side (the throughput figure: batches of the same size). */
const wall = new Map<unknown, number[]>();

/** AB_SERVER=1: the server's CPU per call too (every thread of `postgres` / `mariadbd`, see {@link serverCpuNs}). */
const serverComm = process.env.AB_SERVER === "1" ? (onMysql ? "mariadbd" : "postgres") : undefined;
/** The server's CPU µs per call of each batch, by side. */
const serverUs = new Map<unknown, number[]>();

async function cpuPerCall(op: () => Promise<unknown>, n: number): Promise<number> {
  // read outside the client's window: the reading's own work is not the call's
  const serverBefore = serverComm ? serverCpuNs(serverComm) : 0;
  const before = process.cpuUsage();
  const start = performance.now();
  await run(op, n);
  const c = process.cpuUsage(before);
  const times = wall.get(op) ?? [];
  times.push(performance.now() - start);
  wall.set(op, times);
  if (serverComm) {
    const list = serverUs.get(op) ?? [];
    list.push((serverCpuNs(serverComm) - serverBefore) / 1000 / n);
    serverUs.set(op, list);
  }
  return (c.user + c.system) / n;
}

/** The middle half of a list of ratios, as "low–high". */
function middleHalf(values: readonly number[]): string {
  const s = [...values].sort((p, q) => p - q);
  const at = (i: number) => (s[Math.min(s.length - 1, Math.max(0, i))] as number).toFixed(3);
  return `${at(Math.floor(s.length / 4))}–${at(Math.ceil((3 * s.length) / 4) - 1)}`;
}

const a = process.env.AB_RAW
  ? await (onMysql ? mysqlRawSide(4) : rawSide(4))
  : await buildSide(process.env.AB_A ?? "/work/main");
// AB_AA=1 (with AB_RAW=1): the raw driver on both sides, two pools of one process: what identical code reads
const b = process.env.AB_AA
  ? await (onMysql ? mysqlRawSide(4) : rawSide(4))
  : await buildSide(process.env.AB_B ?? process.cwd().replace(/\/bench$/, ""));
const rounds = Number(process.env.AB_ROUNDS ?? 12);
const batch = Number(process.env.AB_BATCH ?? 800);
const nameA = process.env.AB_RAW ? (onMysql ? "raw mysql2" : "raw pg") : "A";
try {
  for (const w of process.argv.slice(2)) {
    const [opA, opB] = [a.workloads[w]?.op, b.workloads[w]?.op];
    if (!opA || !opB) throw new Error(`no workload ${w}`);
    // rows to delete (enough for the warm-up and every round), made before anything is measured
    if (w === "delete" && 1500 + rounds * batch > victims)
      throw new Error(`delete: ${rounds} rounds of ${batch} need more than the ${victims} rows made for them`);
    await a.workloads[w]?.prepare?.();
    await b.workloads[w]?.prepare?.();
    await run(opA, 1500);
    await run(opB, 1500);
    const [ca, cb, ratio] = [[], [], []] as number[][];
    for (let r = 0; r < rounds; r++) {
      const first = r % 2 === 0;
      const x = first ? await cpuPerCall(opA, batch) : 0;
      const y = await cpuPerCall(opB, batch);
      const xa = first ? x : await cpuPerCall(opA, batch);
      ca!.push(xa);
      cb!.push(y);
      ratio!.push(y / xa);
    }
    // throughput B/A per round: A's batch time over B's (the same number of calls; warm-ups are not timed)
    const wa = wall.get(opA) ?? [];
    const speed = (wall.get(opB) ?? []).map((t, i) => (wa[i] as number) / t);
    if (serverComm) {
      // the machine's whole cost of a call: what bounds throughput when client and server share its cores
      const [sa, sb] = [serverUs.get(opA) ?? [], serverUs.get(opB) ?? []];
      const total = cb!.map((y, i) => (y + (sb[i] as number)) / ((ca![i] as number) + (sa[i] as number)));
      console.log(
        `${w}: server CPU/call ${nameA} ${median(sa).toFixed(1)} µs, B ${median(sb).toFixed(1)} µs; client + server B/${nameA} per round: median ${median(total).toFixed(3)}, middle half ${middleHalf(total)}`,
      );
    }
    console.log(
      `${w}: ${nameA} ${median(ca!).toFixed(1)} µs, B ${median(cb!).toFixed(1)} µs CPU/call; B/${nameA} per round: median ${median(ratio!).toFixed(3)}, middle half ${middleHalf(ratio!)} (${rounds} rounds of ${batch}); throughput B/${nameA}: median ${median(speed).toFixed(3)}, middle half ${middleHalf(speed)}`,
    );
  }
} finally {
  await a.close();
  await b.close();
}
