import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterAll, expect, test } from "vitest";
import { startServer } from "./start-server.js";

const serveScript = fileURLToPath(new URL("../src/serve.ts", import.meta.url));

let server: Awaited<ReturnType<typeof startServer>> | undefined;
afterAll(() => void server?.child.kill("SIGKILL"));

test("pnpm serve: crud() over the quick example's models on PGlite, seeded, with its docs page, stopping on Ctrl-C", async () => {
  server = await startServer(serveScript, { PORT: "0" });
  expect(server.output()).toMatch(
    /^DotORM REST demo on http:\/\/127\.0\.0\.1:\d+\/auto \(docs: http:\/\/127\.0\.0\.1:\d+\/auto\/docs\)$/m,
  );
  const get = async (path: string) => {
    const r = await fetch(server?.base + path);
    return { status: r.status, type: r.headers.get("content-type") ?? "", body: await r.text() };
  };

  const chats = await get(
    `/auto/chats?fields=name,creator_id&filter=${encodeURIComponent('[["is_archived","=",false]]')}&nested=${encodeURIComponent('{"creator_id":["name"]}')}&order=id&limit=2`,
  );
  expect(chats.status).toBe(200);
  expect(JSON.parse(chats.body)).toEqual({
    data: [
      { id: 1, name: "General", creator_id: { id: 1, name: "Ann" } },
      { id: 2, name: "Random", creator_id: { id: 2, name: "Bob" } },
    ],
    total: 4,
  });
  const messages = JSON.parse((await get("/auto/chats/3/messages?fields=body&order=id")).body);
  expect(messages.data.map((m: { body: string }) => m.body)).toEqual([
    "Message 1 in Releases",
    "Message 2 in Releases",
    "Message 3 in Releases",
  ]);
  const docs = await get("/auto/docs");
  expect(docs.status).toBe(200);
  expect(docs.type).toMatch(/^text\/html/);
  const spec = JSON.parse((await get("/auto/openapi.json")).body);
  expect(spec.openapi).toMatch(/^3\.1\./);
  expect(Object.keys(spec.paths)).toContain("/auto/chat_messages/{id}");

  server.child.kill("SIGINT");
  const [code] = (await once(server.child, "exit")) as [number | null];
  expect(code).toBe(0);
}, 150_000);
