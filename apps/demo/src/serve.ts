/**
 * The quick example's models served over HTTP with `crud()` from `@dotorm/rest`: embedded PGlite,
 * seeded with a few users, chats and messages, on http://127.0.0.1:3000 (the docs page at
 * /auto/docs). Stops cleanly on Ctrl-C.
 *
 * Environment: `PORT` (default 3000; 0 takes a free port, printed), `DATABASE_URL` (a
 * `postgres://` or `mysql://` URL serves that database instead of PGlite: its missing tables are
 * created, nothing is dropped, and it is seeded only while it has no users).
 *
 * @example
 * pnpm --filter @dotorm/demo serve
 * curl 'http://127.0.0.1:3000/auto/chats?fields=name&limit=2'
 */
import { type Adapter, connect } from "@dotorm/core";
import { mysql } from "@dotorm/mysql";
import { postgres } from "@dotorm/postgres";
import { crud } from "@dotorm/rest";
import { serve } from "@hono/node-server";
import { Chat, ChatMessage, User } from "./models.js";

function adapterFor(url: string | undefined): Adapter {
  if (url === undefined || url === "") return postgres({ pglite: true });
  if (/^postgres(ql)?:\/\//.test(url)) return postgres({ url });
  if (/^mysql:\/\//.test(url)) return mysql({ url });
  throw new Error(
    `DATABASE_URL must be a postgres:// or mysql:// URL (or unset for PGlite), got ${JSON.stringify(url.split(":")[0])}`,
  );
}

const port = Number(process.env.PORT ?? 3000);
if (!Number.isSafeInteger(port) || port < 0 || port > 65535)
  throw new Error(`PORT must be a port number, got ${process.env.PORT}`);

const db = await connect(adapterFor(process.env.DATABASE_URL), { models: [User, Chat, ChatMessage] });
await db.sync();

if ((await User.count()) === 0) {
  const [ann, bob] = await User.createMany([
    { name: "Ann", login: "ann" },
    { name: "Bob", login: "bob" },
    { name: "Cleo", login: "cleo", is_active: false },
  ]);
  const names = ["General", "Random", "Releases", "Support", "Old news"];
  const chats = await Chat.createMany(
    names.map((name, i) => ({ name, creator_id: i % 2 ? (bob as number) : (ann as number), is_archived: i === 4 })),
  );
  await ChatMessage.createMany(
    chats.flatMap((chat_id, c) =>
      [1, 2, 3].map((n) => ({ chat_id, author_user_id: n === 2 ? bob : ann, body: `Message ${n} in ${names[c]}` })),
    ),
  );
}

const server = serve({ fetch: crud(db).fetch, hostname: "127.0.0.1", port }, (info) => {
  console.log(`DotORM REST demo on http://127.0.0.1:${info.port}/auto (docs: http://127.0.0.1:${info.port}/auto/docs)`);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    server.close(() => void db.close().then(() => process.exit(0)));
  });
}
