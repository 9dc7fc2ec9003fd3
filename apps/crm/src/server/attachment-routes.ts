import type { Database } from "@dotorm/core";
import { RestError } from "@dotorm/rest";
import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import { Attachment, maxAttachmentBytes } from "../models/attachments.js";
import { idParam, jsonBody, requireSession } from "./http.js";
import type { SessionStore } from "./sessions.js";

/** What the attachment routes need. */
export interface AttachmentDeps {
  readonly db: Database;
  readonly sessions: SessionStore;
}

/** Base64 checked in linear time (a grouped, repeated pattern overflows the regex stack on megabytes). */
const isBase64 = (s: string) => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);

const upload = z.strictObject({
  res_model: z.string().regex(/^[a-z_][a-z0-9_]{0,63}$/, "must be a table name"),
  res_id: z.number().int().positive(),
  name: z.string().trim().min(1, "is required").max(255, "is too long"),
  mime_type: z
    .string()
    .regex(/^[\w.+-]+\/[\w.+-]+$/, "must be a MIME type such as image/png")
    .max(128)
    .optional(),
  content: z.string().refine(isBase64, "must be base64"),
});

/**
 * `POST /api/attachments` (JSON, content as base64, at most 10 MB decoded; the size is computed
 * here), `GET /api/attachments/:id/content` (the bytes with their type) and
 * `DELETE /api/attachments/:id`, each as the logged-in user.
 */
export function attachmentRoutes(app: Hono, deps: AttachmentDeps): void {
  const limit = Math.ceil((maxAttachmentBytes * 4) / 3) + 64 * 1024;
  app.post(
    "/api/attachments",
    bodyLimit({
      maxSize: limit,
      onError: (c) =>
        c.json(
          { error: { code: "PAYLOAD_TOO_LARGE", message: `an attachment is at most ${maxAttachmentBytes} bytes` } },
          413,
        ),
    }),
    async (c) => {
      const s = await requireSession(deps.sessions, c);
      const body = await jsonBody(c, upload);
      const content = Buffer.from(body.content, "base64");
      if (content.length > maxAttachmentBytes)
        throw new RestError(
          413,
          "PAYLOAD_TOO_LARGE",
          `an attachment is at most ${maxAttachmentBytes} bytes, this one is ${content.length}`,
        );
      if (!deps.db.models.has(body.res_model))
        throw new RestError(400, "VALIDATION_ERROR", `res_model: no model "${body.res_model}"`, { field: "res_model" });
      const id = await deps.db.withSession(s, () =>
        Attachment.create({
          ...body,
          mime_type: body.mime_type ?? "application/octet-stream",
          content,
          size: content.length,
          user_id: s.userId,
        }),
      );
      return c.json({ id, size: content.length }, 201);
    },
  );

  app.get("/api/attachments/:id/content", async (c) => {
    const s = await requireSession(deps.sessions, c);
    const a = await deps.db.withSession(s, () =>
      Attachment.get(idParam(c), { fields: ["name", "mime_type", "content"] }),
    );
    const bytes = a.content as Uint8Array;
    return c.body(new Uint8Array(bytes), 200, {
      "content-type": a.mime_type ?? "application/octet-stream",
      "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(a.name)}`,
      "x-content-type-options": "nosniff",
    });
  });

  app.delete("/api/attachments/:id", async (c) => {
    const s = await requireSession(deps.sessions, c);
    const id = idParam(c);
    await deps.db.withSession(s, async () => (await Attachment.get(id, { fields: ["id"] })).delete());
    return c.body(null, 204);
  });
}
