import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Hono } from "hono";

/** Where `vite build` puts the web UI (apps/crm/dist/web). */
export const defaultWebDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../dist/web");

/**
 * Serves the built web UI: hashed files under `/assets` (cached for a year), and `index.html` for
 * every other GET that is not an API path, so the UI's routes (`/leads/12`) load on refresh. Without
 * a build, `/` answers a JSON pointer to the API as before.
 *
 * @example
 * webRoutes(app); // after the API routes
 */
export function webRoutes(app: Hono, dir = defaultWebDir): void {
  const index = join(dir, "index.html");
  if (!existsSync(index)) {
    app.get("/", (c) =>
      c.json({
        name: "DotORM CRM",
        login: "POST /api/login",
        me: "GET /api/me",
        api: "/auto/<model>",
        docs: "/auto/docs",
        openapi: "/auto/openapi.json",
        ui: "not built: run pnpm --filter crm build",
      }),
    );
    return;
  }
  app.use(
    "/assets/*",
    serveStatic({
      root: dir,
      onFound: (_path, c) => {
        c.header("Cache-Control", "public, max-age=31536000, immutable");
      },
    }),
  );
  app.get("*", async (c, next) => {
    const path = c.req.path;
    if (
      path.startsWith("/api/") ||
      path.startsWith("/auto/") ||
      path.startsWith("/assets/") ||
      path === "/api" ||
      path === "/auto"
    )
      return next();
    // read per request: a rebuild (new asset hashes) needs no restart
    return c.html(readFileSync(index, "utf8"), 200, { "Cache-Control": "no-cache" });
  });
}
