import type { Database } from "@dotorm/core";
import type { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { CrmSession } from "../access-setup.js";
import type { EventWriter } from "../analytics/event-writer.js";
import { Chat, ChatMember, ChatMessage } from "../models/chat.js";
import type { ChatHub, LiveMessage } from "./chat-hub.js";
import { idParam, requireSession } from "./http.js";
import type { SessionStore } from "./sessions.js";

/** What the chat routes need. */
export interface ChatDeps {
  readonly db: Database;
  readonly sessions: SessionStore;
  readonly hub: ChatHub;
  readonly events: EventWriter;
  /** Interval of the keep-alive comments on open streams. Default 15 s. */
  readonly heartbeatMs?: number;
}

/** Whether the session may follow the chat live: admins, and the chat's members. */
async function isMember(db: Database, s: CrmSession, chatId: number): Promise<boolean> {
  if (s.isAdmin || s.roles.includes("admin")) return db.sudo(() => Chat.exists({ filter: [["id", "=", chatId]] }));
  return db.sudo(() =>
    ChatMember.exists({
      filter: [
        ["chat_id", "=", chatId],
        ["user_id", "=", s.userId],
      ],
    }),
  );
}

/** Loads a just-created message and hands it to the chat's live streams and to analytics. */
export async function announceMessage(
  deps: Pick<ChatDeps, "db" | "hub" | "events">,
  id: number,
  session: CrmSession,
): Promise<void> {
  const m = await deps.db.sudo(() =>
    ChatMessage.getOrNull(id, { fields: ["chat_id", "author_id", "body", "created_at"] }),
  );
  if (!m) return;
  const live: LiveMessage = {
    id: m.id,
    chat_id: m.chat_id,
    author_id: m.author_id,
    body: m.body,
    created_at: new Date(m.created_at as Date).toISOString(),
  };
  deps.hub.publish(live);
  deps.events.record({
    kind: "message",
    user_id: m.author_id,
    chat_id: m.chat_id,
    team_id: session.teamIds[0] ?? null,
    at: new Date(m.created_at as Date),
  });
}

/**
 * `GET /api/chats/:id/stream`: Server-Sent Events of the chat's new messages (`event: message`,
 * JSON data, the message id as the event id), for members only (others get 403).
 */
export function chatRoutes(app: Hono, deps: ChatDeps): void {
  app.get("/api/chats/:id/stream", async (c) => {
    const s = await requireSession(deps.sessions, c);
    const chatId = idParam(c);
    if (!(await isMember(deps.db, s, chatId))) {
      return c.json({ error: { code: "ACCESS_DENIED", message: `you are not a member of chat ${chatId}` } }, 403);
    }
    return streamSSE(c, async (stream) => {
      let done: () => void = () => {};
      const finished = new Promise<void>((resolve) => (done = resolve));
      const unsubscribe = deps.hub.subscribe(
        chatId,
        (m) => void stream.writeSSE({ event: "message", id: String(m.id), data: JSON.stringify(m) }).catch(done),
        done,
      );
      stream.onAbort(done);
      const beat = setInterval(() => void stream.write(": keep-alive\n\n").catch(done), deps.heartbeatMs ?? 15_000);
      try {
        await stream.writeSSE({ event: "ready", data: JSON.stringify({ chat_id: chatId }) });
        await finished;
      } finally {
        clearInterval(beat);
        unsubscribe();
      }
    });
  });
}
