import type { ConformanceTarget } from "@dotorm/testkit";
import { compileErrors, validate } from "@readme/openapi-parser";
import { expect, test } from "vitest";
import { restSuite } from "../fixtures.js";

/** The OpenAPI document validates as 3.1, describes every route and schema, and hides private fields; the docs page serves its own assets. */
export function openApiDocs(target: ConformanceTarget) {
  return restSuite("rest openapi", target, (ctx) => {
    test("GET openapi.json is a valid OpenAPI 3.1 document (checked by @readme/openapi-parser)", async () => {
      const r = await ctx().http("GET", "/auto/openapi.json");
      expect(r.status).toBe(200);
      expect(r.body.openapi).toBe("3.1.0");
      const result = await validate(structuredClone(r.body));
      expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
    });

    test("every route of every model is described, with schemas generated from the fields", async () => {
      const doc = (await ctx().http("GET", "/auto/openapi.json")).body;
      for (const t of ["users", "tags", "notes", "note_lines"]) {
        expect(Object.keys(doc.paths[`/auto/${t}`]).sort()).toEqual(["delete", "get", "patch", "post"]);
        expect(Object.keys(doc.paths[`/auto/${t}/{id}`]).sort()).toEqual(["delete", "get", "patch"]);
        for (const p of ["fields", "search", "aggregate", "name_search"])
          expect(doc.paths[`/auto/${t}/${p}`], `${t}/${p}`).toBeDefined();
      }
      expect(doc.paths["/auto/notes/{id}/lines"].get).toBeDefined();
      expect(doc.paths["/auto/notes/{id}/tag_ids"].get).toBeDefined();
      const { Notes, NotesCreate, NotesUpdate, NoteLinesCreateFromNoteId } = doc.components.schemas;
      expect(NotesCreate.required.sort()).toEqual(["owner_id", "title"]);
      expect(NotesCreate.properties.title).toMatchObject({
        type: "string",
        maxLength: 80,
        title: "Title",
        description: "what the note is about",
      });
      expect(NotesCreate.properties.kind).toMatchObject({ enum: ["memo", "todo"] });
      expect(NotesCreate.properties.due).toMatchObject({ type: ["string", "null"], format: "date" });
      expect(Notes.properties.created_at).toMatchObject({
        type: ["string", "null"],
        format: "date-time",
        readOnly: true,
      });
      expect(Notes.properties.amount.type).toEqual(["string", "null"]);
      expect(Notes.properties.amount.pattern).toBeDefined();
      expect(NotesCreate.properties.created_at).toBeDefined();
      expect(NotesUpdate.properties.created_at).toBeUndefined();
      expect(NotesUpdate.required).toBeUndefined();
      expect(NoteLinesCreateFromNoteId.required).toEqual(["text"]);
      expect(doc.components.responses.BadRequest.content["application/json"].schema).toEqual({
        $ref: "#/components/schemas/Error",
      });
    });

    test("private fields appear nowhere in the document", async () => {
      const text = JSON.stringify((await ctx().http("GET", "/auto/openapi.json")).body);
      expect(text).not.toContain("secret");
      expect(text).not.toContain("password_hash");
      expect(text).toContain("owner_id");
    });

    test("GET docs serves Swagger UI pointing at this server's document, with its assets from the package", async () => {
      const page = await ctx().http("GET", "/auto/docs");
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toContain("text/html");
      expect(page.body).toContain('"/auto/openapi.json"');
      expect(page.body).not.toMatch(/https?:\/\//);
      const js = await fetch(`${ctx().base}/auto/docs/assets/swagger-ui-bundle.js`);
      expect(js.status).toBe(200);
      expect(js.headers.get("content-type")).toContain("javascript");
      expect((await js.text()).length).toBeGreaterThan(100_000);
      const css = await fetch(`${ctx().base}/auto/docs/assets/swagger-ui.css`);
      expect(css.status).toBe(200);
      expect((await ctx().http("GET", "/auto/docs/assets/..%2Fpackage.json")).status).toBe(404);
    });
  });
}
