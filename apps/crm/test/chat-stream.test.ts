import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Chat, User } from "../src/models/index.js";
import { type Crm, openCrm } from "./harness.js";
import { analytics, pglite } from "./targets.js";

/** Reads Server-Sent Events from a streaming response, one parsed event at a time. */
function sseReader(res: Response) {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const next = async function next(timeoutMs: number): Promise<{ event?: string; data?: string; id?: string }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(
          block
            .split("\n")
            .filter((l) => !l.startsWith(":"))
            .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trimStart()]),
        );
        if (Object.keys(fields).length > 0) return fields;
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("no event in time");
      const chunk = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no event in time")), left)),
      ]);
      if (chunk.done) throw new Error("stream ended");
      buffer += decoder.decode(chunk.value, { stream: true });
    }
  };
  return Object.assign(next, { cancel: () => reader.cancel() });
}

describe("live chat over Server-Sent Events [pglite]", () => {
  let crm: Crm;
  let server: ServerType;
  let base = "";
  const tokens: Record<string, string> = {};
  const id = { chat: 0, sales: 0 };

  beforeAll(async () => {
    crm = await openCrm(await pglite.open("x"), analytics(`crm_chat_${process.pid}`), { loginLimit: 1000 });
    server = serve({ fetch: crm.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const login of ["sales", "manager", "rep1"]) tokens[login] = await crm.login(login);
    await crm.dbs.db.sudo(async () => {
      id.chat = (await Chat.query().filter({ name: "Sam & Max" }).get()).id;
      id.sales = (await User.query().filter({ login: "sales" }).get()).id;
    });
  });
  afterAll(async () => {
    crm?.hub.closeAll();
    await new Promise((r) => server?.close(r));
    await crm?.close();
  });

  const open = (login: string) =>
    fetch(`${base}/api/chats/${id.chat}/stream`, {
      headers: { authorization: `Bearer ${tokens[login]}`, accept: "text/event-stream" },
    });

  test("two members connected: one posts, the other receives it within a second (the poster's stream too)", async () => {
    const [manager, sales] = await Promise.all([open("manager"), open("sales")]);
    expect(manager.status).toBe(200);
    expect(manager.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const [nextManager, nextSales] = [sseReader(manager), sseReader(sales)];
    expect((await nextManager(5000)).event).toBe("ready");
    expect((await nextSales(5000)).event).toBe("ready");

    const posted = await fetch(`${base}/auto/chat_messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.sales}`, "content-type": "application/json" },
      body: JSON.stringify({ chat_id: id.chat, author_id: id.sales, body: "live hello" }),
    });
    const started = Date.now();
    expect(posted.status).toBe(201);
    const { id: messageId } = (await posted.json()) as { id: number };
    const got = await nextManager(1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(got.event).toBe("message");
    expect(got.id).toBe(String(messageId));
    expect(JSON.parse(got.data as string)).toMatchObject({
      id: messageId,
      chat_id: id.chat,
      author_id: id.sales,
      body: "live hello",
    });
    expect(JSON.parse((await nextSales(1000)).data as string).body).toBe("live hello");
    await nextManager.cancel();
    await nextSales.cancel();
    await expect.poll(() => crm.hub.size, { timeout: 3000 }).toBe(0);
  });

  test("a non-member is refused the stream (403) and cannot post; no session is 401", async () => {
    const outsider = await open("rep1");
    expect(outsider.status).toBe(403);
    expect(((await outsider.json()) as { error: { code: string } }).error.code).toBe("ACCESS_DENIED");
    const anonymous = await fetch(`${base}/api/chats/${id.chat}/stream`);
    expect(anonymous.status).toBe(401);
    const missing = await fetch(`${base}/api/chats/987654321/stream`, {
      headers: { authorization: `Bearer ${tokens.rep1}` },
    });
    expect(missing.status).toBe(403);
    const rep1 = await crm.dbs.db.sudo(async () => (await User.query().filter({ login: "rep1" }).get()).id);
    const post = await crm.http(
      "POST",
      "/auto/chat_messages",
      { chat_id: id.chat, author_id: rep1, body: "let me in" },
      tokens.rep1,
    );
    expect([403, 404]).toContain(post.status);
    const forged = await crm.http(
      "POST",
      "/auto/chat_messages",
      { chat_id: id.chat, author_id: rep1, body: "as someone else" },
      tokens.sales,
    );
    expect([403, 404]).toContain(forged.status);
  });
});
