import { chatWith50Messages } from "./workload-specs.js";

/** What the read-back timing needs of a bench's Chat model (either core's: `pg-read-back` may load another build). */
interface ChatModel {
  get(id: number, options: object): Promise<unknown>;
  search(options: object): Promise<unknown>;
}

/**
 * Reading rows back alone (issue 18): records the rows `compiler.read` is given for the nested chat,
 * the page of 100 with creators and a get by id, then turns them into records again and again
 * (hydration, nothing else) and prints the median and the five rounds, µs of CPU per read. Shared
 * by `mysql-read-back` and `pg-read-back`.
 */
export async function timeReadBack(db: { close(): Promise<void> }, Chat: ChatModel): Promise<void> {
  const compiler = (db as unknown as { adapter: { compiler: { read: (...a: unknown[]) => unknown } } }).adapter
    .compiler;
  const caught: unknown[][] = [];
  const real = compiler.read.bind(compiler);
  compiler.read = (...a: unknown[]) => {
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
    const read = () => real(...(args as unknown[]));
    for (let i = 0; i < n / 4; i++) read();
    const r: number[] = [];
    for (let k = 0; k < 5; k++) {
      const t = process.cpuUsage();
      for (let i = 0; i < n; i++) read();
      const c = process.cpuUsage(t);
      r.push((c.user + c.system) / n);
    }
    r.sort((a, b) => a - b);
    console.log(`${name} read µs: ${r[2]!.toFixed(2)} (${r.map((x) => x.toFixed(2)).join("/")})`);
  }
  await db.close();
}
