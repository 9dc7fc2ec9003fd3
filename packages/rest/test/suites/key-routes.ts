import { type AnyModel, f, model } from "@dotorm/core";
import type { ConformanceTarget } from "@dotorm/testkit";
import { compileErrors, validate } from "@readme/openapi-parser";
import { expect, test } from "vitest";
import { errorShape, restSuite } from "../fixtures.js";

const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const missing = "01890a5d-ac96-774b-bcce-b302099a8057";

const Country = model("key_countries", {
  id: f.char({ primaryKey: true, maxLength: 8 }),
  name: f.char({ maxLength: 40, required: true }),
});

const Token = model("key_tokens", {
  id: f.uuid({ primaryKey: true, default: "uuid7" }),
  label: f.char({ maxLength: 40, required: true }),
  country_id: f.many2one(() => Country),
  countries: f.many2many(() => Country, { table: "key_token_countries" }),
  items: f.one2many((): AnyModel => Item, "token_id"),
});

const Item = model("key_items", {
  name: f.char({ maxLength: 40 }),
  token_id: f.many2one(() => Token, { required: true, onDelete: "cascade" }),
});

/** Models keyed by a uuid (made by the ORM) and a char (given by the client): path ids, bodies and the OpenAPI types follow the key. */
export function keyRoutes(target: ConformanceTarget) {
  return restSuite(
    "rest keys",
    target,
    (ctx) => {
      const h = { "x-user": "1" };

      test("POST gives the uuid made by the ORM, or the char key given; GET, PATCH and DELETE take them in the path", async () => {
        expect((await ctx().http("POST", "/auto/key_countries", { id: "fr", name: "France" }, h)).body).toEqual({
          id: "fr",
        });
        await ctx().http("POST", "/auto/key_countries", { id: "de", name: "Germany" }, h);
        const created = await ctx().http(
          "POST",
          "/auto/key_tokens",
          { label: "one", country_id: "fr", countries: ["fr", "de"] },
          h,
        );
        expect(created.status).toBe(201);
        const id = created.body.id as string;
        expect(id).toMatch(uuidV7);
        const got = await ctx().http("GET", `/auto/key_tokens/${id}?fields=label,country_id,countries`, undefined, h);
        expect(got.status).toBe(200);
        expect(got.body.data).toMatchObject({ id, label: "one", country_id: "fr" });
        expect([...got.body.data.countries].sort()).toEqual(["de", "fr"]);
        expect((await ctx().http("GET", `/auto/key_tokens/${id.toUpperCase()}`, undefined, h)).body.data.id).toBe(id);
        const patched = await ctx().http("PATCH", `/auto/key_countries/fr`, { name: "République française" }, h);
        expect(patched.status).toBe(200);
        expect(patched.body.data).toMatchObject({ id: "fr", name: "République française" });
        const item = await ctx().http("POST", "/auto/key_items", { name: "i", token_id: id }, h);
        expect(item.body).toEqual({ id: expect.any(Number) });
        const page = await ctx().http("GET", `/auto/key_tokens/${id}/items`, undefined, h);
        expect(page.body.data.map((r: { name: string }) => r.name)).toEqual(["i"]);
        expect((await ctx().http("DELETE", `/auto/key_tokens/${id}`, undefined, h)).status).toBe(204);
        expect((await ctx().http("GET", `/auto/key_tokens/${id}`, undefined, h)).status).toBe(404);
      });

      test("a malformed id in the path is a 400 naming id (never a 500); a well-formed absent one is a 404", async () => {
        for (const bad of ["not-a-uuid", "1", "' OR '1'='1", "0190a0b2-zzzz-7000-8000-000000000000"]) {
          for (const method of ["GET", "PATCH", "DELETE"]) {
            const r = await ctx().http(
              method,
              `/auto/key_tokens/${encodeURIComponent(bad)}`,
              method === "PATCH" ? { label: "x" } : undefined,
              h,
            );
            expect(r.status, `${method} ${bad}`).toBe(400);
            expect(r.body).toMatchObject(errorShape);
            expect(r.body.error.details).toMatchObject({ field: "id" });
          }
        }
        expect((await ctx().http("GET", `/auto/key_countries/${"x".repeat(9)}`, undefined, h)).status).toBe(400);
        expect((await ctx().http("GET", `/auto/key_tokens/${missing}`, undefined, h)).status).toBe(404);
        expect((await ctx().http("GET", "/auto/key_countries/zz", undefined, h)).status).toBe(404);
        // a uuid where an integer id is expected, and the other way round
        expect((await ctx().http("GET", `/auto/key_items/${missing}`, undefined, h)).status).toBe(400);
        expect((await ctx().http("POST", "/auto/key_items", { token_id: 5 }, h)).status).toBe(400);
        expect((await ctx().http("POST", "/auto/key_tokens", { label: "x", countries: [1] }, h)).status).toBe(400);
        // a char key is required on create, and never written on update
        expect((await ctx().http("POST", "/auto/key_countries", { name: "nowhere" }, h)).status).toBe(400);
        expect((await ctx().http("PATCH", "/auto/key_countries/de", { id: "dd" }, h)).status).toBe(400);
      });

      test("bulk PATCH and DELETE take { ids } of the key's type; malformed ids are a 400, absent ones a 404", async () => {
        const ids: string[] = [];
        for (const label of ["b1", "b2"])
          ids.push((await ctx().http("POST", "/auto/key_tokens", { label }, h)).body.id);
        const patched = await ctx().http(
          "PATCH",
          "/auto/key_tokens",
          { ids: [ids[0], ids[1]?.toUpperCase()], values: { label: "bulk" } },
          h,
        );
        expect(patched.body).toEqual({ count: 2 });
        expect((await ctx().http("PATCH", "/auto/key_tokens", { ids: [1, 2], values: { label: "x" } }, h)).status).toBe(
          400,
        );
        expect((await ctx().http("DELETE", "/auto/key_tokens", { ids: ["nope"] }, h)).status).toBe(400);
        expect((await ctx().http("DELETE", "/auto/key_tokens", { ids: [ids[0], missing] }, h)).status).toBe(404);
        expect((await ctx().http("DELETE", "/auto/key_tokens", { ids }, h)).body).toEqual({ count: 2 });
      });

      test("the OpenAPI document types ids by the key: path parameters, created ids, bulk ids and references", async () => {
        const doc = (await ctx().http("GET", "/auto/openapi.json")).body;
        const result = await validate(structuredClone(doc));
        expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
        const idParam = (path: string, method: string) =>
          doc.paths[path][method].parameters.find(
            (p: { name?: string; $ref?: string }) => p.name === "id" || p.$ref?.endsWith("/id"),
          );
        expect(idParam("/auto/key_tokens/{id}", "get")).toMatchObject({
          in: "path",
          schema: { type: "string", format: "uuid" },
        });
        expect(idParam("/auto/key_countries/{id}", "delete")).toMatchObject({
          schema: { type: "string", maxLength: 8 },
        });
        expect(idParam("/auto/key_items/{id}", "get")).toEqual({ $ref: "#/components/parameters/id" });
        const created = doc.paths["/auto/key_tokens"].post.responses["201"].content["application/json"].schema;
        expect(created.properties.id).toEqual({ type: "string", format: "uuid" });
        const bulk = doc.paths["/auto/key_countries"].delete.requestBody.content["application/json"].schema;
        expect(bulk.properties.ids.items).toMatchObject({ type: "string", maxLength: 8 });
        const { KeyItemsCreate, KeyTokens, KeyCountriesCreate } = doc.components.schemas;
        expect(KeyItemsCreate.properties.token_id).toEqual({ type: "string", format: "uuid" });
        expect(KeyCountriesCreate.required).toContain("id");
        expect(KeyTokens.properties.id).toMatchObject({ type: "string", format: "uuid" });
      });
    },
    {},
    [Country, Token, Item],
  );
}
