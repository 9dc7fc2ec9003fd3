// A deliberately injectable server, so that sqlmap.sh proves it can find an injection before it is
// trusted to report none: `GET /auto/chats?name=...` pastes `name` into the SQL text on PGlite.
// Never used outside that check. Prints its URL like the demo server does.
import { PGlite } from "@electric-sql/pglite";
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const db = new PGlite();
await db.exec(`CREATE TABLE chats (id serial PRIMARY KEY, name text NOT NULL);
  INSERT INTO chats (name) VALUES ('General'), ('Random'), ('Releases');`);

const app = new Hono();
app.get("/auto/chats", async (c) => {
  const name = c.req.query("name") ?? "";
  try {
    const result = await db.query(`SELECT id, name FROM chats WHERE name = '${name}' ORDER BY id`);
    return c.json({ data: result.rows });
  } catch {
    return c.json({ error: { code: "QUERY_ERROR", message: "the query failed" } }, 400);
  }
});

const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => {
  console.log(`canary on http://127.0.0.1:${info.port}/auto`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
