/**
 * The two REST requests the REST bench sends to both servers: a filtered page of 20 chats with its
 * total, and one chat with its creator's name and its 10 latest messages.
 */
import { seed } from "./models.js";

const q = (value: unknown) => encodeURIComponent(JSON.stringify(value));

/** `GET /auto/chats?fields&filter&order&limit`: 20 unarchived chats after a given id, and the total. */
export function listPath(after: number): string {
  return `/auto/chats?fields=name,is_archived,creator_id&filter=${q([
    ["is_archived", "=", false],
    ["id", ">", after],
  ])}&order=id&limit=20`;
}

/** The `nested` of {@link getPath}. */
export const getNested = {
  creator_id: ["name"],
  messages: { fields: ["body", "created_at"], order: "id desc", limit: 10 },
};

/** `GET /auto/chats/<id>?fields&nested`: a chat, its creator's name, its 10 latest messages. */
export function getPath(id: number): string {
  return `/auto/chats/${id}?fields=name,is_archived&nested=${q(getNested)}`;
}

/** The workloads by name, each drawing its next path from a deterministic pseudo-random sequence. */
export const restWorkloads = {
  "GET /auto/chats?limit=20&filter=… (page + total)": (next: (n: number) => number) => listPath(next(seed.chats - 20)),
  "GET /auto/chats/<id>?nested=… (creator + 10 messages)": (next: (n: number) => number) => getPath(next(seed.chats)),
} as const;
