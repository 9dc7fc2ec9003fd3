import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Hono } from "hono";
import type { CrudConfig } from "./crud-options.js";
import type { RestEnv } from "./request-context.js";

const assets: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};

let assetDir: string | undefined;
const cache = new Map<string, string>();

/** Swagger UI's files, shipped in the `swagger-ui-dist` dependency: no CDN at run time. */
async function asset(name: string): Promise<string> {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  assetDir ??= dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const text = await readFile(join(assetDir, name), "utf8");
  cache.set(name, text);
  return text;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** The docs page: Swagger UI loading `<prefix>/openapi.json` from this server. */
export function docsHtml(cfg: CrudConfig): string {
  const base = `${cfg.prefix}/docs/assets`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(cfg.info.title)}</title>
<link rel="stylesheet" href="${base}/swagger-ui.css">
</head>
<body>
<div id="docs"></div>
<script src="${base}/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: ${JSON.stringify(`${cfg.prefix}/openapi.json`).replace(/</g, "\\u003c")}, dom_id: "#docs", deepLinking: true });</script>
</body>
</html>`;
}

/** `GET <prefix>/docs` and its two asset files. */
export function docsRoutes(app: Hono<RestEnv>, cfg: CrudConfig): void {
  app.get(`${cfg.prefix}/docs`, (c) => c.html(docsHtml(cfg)));
  app.get(`${cfg.prefix}/docs/assets/:name`, async (c) => {
    const name = c.req.param("name");
    const type = Object.hasOwn(assets, name) ? assets[name] : undefined;
    if (!type) return c.json({ error: { code: "NOT_FOUND", message: "no such docs asset" } }, 404);
    c.header("cache-control", "public, max-age=86400");
    return c.body(await asset(name), 200, { "content-type": type });
  });
}
