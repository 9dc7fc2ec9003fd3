import type { Database } from "@dotorm/core";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { methodNotAllowed } from "hono/method-not-allowed";
import { HTTPException } from "hono/http-exception";
import type { MiddlewareHandler } from "hono";
import { aggregateRoute } from "./aggregate-route.js";
import { type CrudOptions, resolveOptions } from "./crud-options.js";
import { docsRoutes } from "./docs-page.js";
import { nPlusOneScope } from "./n-plus-one-scope.js";
import { openApiDocument } from "./openapi.js";
import { readRoutes } from "./read-routes.js";
import type { RestEnv } from "./request-context.js";
import { RestError, errorResponse } from "./rest-error.js";
import { writeRoutes } from "./write-routes.js";

/**
 * The auto-generated CRUD REST API over a database's models, as a Hono app (a web-standard
 * `fetch` handler: mount it in Node with `@hono/node-server`, or in Bun, Deno and workers).
 * Every request runs as `session(c)` through the ORM's access control; bodies and query strings
 * are validated before they reach the ORM; errors are JSON `{ error: { code, message, details? } }`.
 *
 * @example
 * import { serve } from "@hono/node-server";
 * const app = crud(db, { prefix: "/auto", session: (c) => sessions.get(c.req.header("authorization")) });
 * serve({ fetch: app.fetch, port: 3000 });   // GET http://localhost:3000/auto/docs
 */
export function crud(db: Database, options: CrudOptions = {}): Hono<RestEnv> {
  const cfg = resolveOptions(db, options);
  const app = new Hono<RestEnv>();

  if (nPlusOneOn(options.nPlusOne))
    app.use("*", nPlusOneScope(db, typeof options.nPlusOne === "object" ? options.nPlusOne : undefined));
  const limitBody = bodyLimit({
    maxSize: cfg.maxBodyBytes,
    onError: () => {
      throw new RestError(413, "PAYLOAD_TOO_LARGE", `the request body is larger than ${cfg.maxBodyBytes} bytes`, {
        limit: cfg.maxBodyBytes,
      });
    },
  });
  // No GET route reads a body; skipping the check there also spares @hono/node-server building a
  // full Request (headers, abort signal) for every read, which asking for `body` forces. One
  // middleware for both the time limit and the body check: one dispatch less per request.
  app.use(
    "*",
    timeLimit(cfg.timeoutMs, (c, next) =>
      c.req.method === "GET" || c.req.method === "HEAD" ? next() : limitBody(c, next),
    ),
  );
  app.use(
    "*",
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, allowed) =>
        c.json(
          {
            error: {
              code: "METHOD_NOT_ALLOWED",
              message: `${c.req.method} is not allowed here; use ${allowed.join(", ")}`,
            },
          },
          405,
          { Allow: allowed.join(", ") },
        ),
    }),
  );

  // The request id names a fault in the server's log and in the answer; only errors need one.
  app.onError((e, c) => {
    const requestId = crypto.randomUUID();
    const { status, body, fault } = errorResponse(e, requestId);
    if (fault) cfg.onError(e, requestId);
    return c.json(body, status, { "x-request-id": requestId });
  });
  app.notFound((c) =>
    c.json(
      {
        error: { code: "NOT_FOUND", message: `no route ${c.req.method} ${new URL(c.req.url).pathname.slice(0, 200)}` },
      },
      404,
    ),
  );

  let doc: object | undefined;
  app.get(`${cfg.prefix}/openapi.json`, (c) => c.json((doc ??= openApiDocument(cfg))));
  if (cfg.docs) docsRoutes(app, cfg);
  aggregateRoute(app, cfg);
  readRoutes(app, cfg);
  writeRoutes(app, cfg);
  return app;
}

/** What a request that outlives its limit ends with (answered 504 TIMEOUT by `errorResponse`). */
const timedOut = new HTTPException(504, { message: "Gateway Timeout" });

/**
 * hono/timeout's behaviour (the request ends with a 504 when `ms` pass first) around `inner`, with
 * one promise and one timer per request, instead of an async function, a timer promise and a `Promise.race`.
 */
function timeLimit(ms: number, inner: MiddlewareHandler<RestEnv>): MiddlewareHandler<RestEnv> {
  return (c, next) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(timedOut), ms);
      Promise.resolve(inner(c, next)).then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
}

/**
 * The N+1 detector is a development tool (as Django's nplusone and Rails' Bullet): on by default,
 * off by default when NODE_ENV is "production", where a scope per request would only cost.
 */
function nPlusOneOn(option: CrudOptions["nPlusOne"]): boolean {
  // workers have no `process`; there the detector stays on unless turned off
  if (option === undefined)
    return (
      (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NODE_ENV !== "production"
    );
  return option !== false;
}
