/**
 * The contract for integrators: the OpenAPI document at /api/v1/openapi.json
 * and its readable rendering at /docs. Both are built once, when the app is
 * built, and need no credentials (they describe the API, they expose no data).
 */
import type { FastifyInstance } from "fastify";
import { packageVersion } from "../version.js";
import { renderDocsPage } from "./docs-page.js";
import { buildOpenApi } from "./openapi.js";

export function registerReferenceRoutes(app: FastifyInstance): void {
  const doc = buildOpenApi(packageVersion());
  const json = JSON.stringify(doc);
  const html = renderDocsPage(doc);
  app.get("/api/v1/openapi.json", async (_request, reply) =>
    reply.header("content-type", "application/json; charset=utf-8").send(json),
  );
  app.get("/docs", async (_request, reply) => reply.header("content-type", "text/html; charset=utf-8").send(html));
}
