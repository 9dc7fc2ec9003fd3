import { expectTypeOf, test } from "vitest";
import type { components, operations, paths } from "./generated/rest-api.js";

type Schemas = components["schemas"];
type CreateNote = paths["/auto/notes"]["post"]["requestBody"]["content"]["application/json"];
type NotesPage = operations["searchNotes"]["responses"][200]["content"]["application/json"];

/** A client typed from the document, as a front end would write one. */
async function createNote(body: CreateNote): Promise<number> {
  const res = await fetch("/auto/notes", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const created = (await res.json()) as operations["createNotes"]["responses"][201]["content"]["application/json"];
  return created.id;
}

test("the typed client compiles against the generated types", () => {
  expectTypeOf(createNote).parameter(0).toEqualTypeOf<Schemas["NotesCreate"]>();
  expectTypeOf<CreateNote["title"]>().toEqualTypeOf<string>();
  expectTypeOf<CreateNote["owner_id"]>().toEqualTypeOf<number>();
  expectTypeOf<NonNullable<CreateNote["kind"]>>().toEqualTypeOf<"memo" | "todo">();
  expectTypeOf<NotesPage["total"]>().toEqualTypeOf<number>();
  expectTypeOf<Schemas["Error"]["error"]["code"]>().toEqualTypeOf<string>();
  const ok: CreateNote = { title: "x", owner_id: 1, lines: { create: [{ text: "a" }] } };
  // @ts-expect-error title is required
  const noTitle: CreateNote = { owner_id: 1 };
  // @ts-expect-error a private field is not part of the API
  const secret: CreateNote = { title: "x", owner_id: 1, secret: "s" };
  // @ts-expect-error readonly fields are not accepted on update
  const readonlyUpdate: Schemas["NotesUpdate"] = { created_at: "2020-01-01T00:00:00Z" };
  expectTypeOf(ok).toMatchTypeOf<CreateNote>();
  void [noTitle, secret, readonlyUpdate];
});
