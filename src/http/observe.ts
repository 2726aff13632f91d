/**
 * What each request leaves behind: one JSON log line (API method, HTTP verb,
 * path, status, duration, request id; never a header, a query string or a
 * body, so never a password or token) and its metrics; plus GET /metrics.
 *
 * acquireAgent's outcome is read from the response it sends: the envelope is
 * serialised with `data` first, so `{"data":[]` is "no agent free" and any
 * other 200 is an acquisition, without parsing the body again.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { isMethodName } from "../domain/methods.js";
import type { Database } from "../storage/database.js";
import type { AcquireOutcome, Metrics } from "./metrics.js";

const METHOD_PATH = /^\/api\/v1\/([^/?#]+)/;
const labels = new WeakMap<FastifyRequest, string>();

/** The API method of a request, or its route; "unknown" for paths that match nothing (bounded labels). */
function labelOf(request: FastifyRequest): string {
  const cached = labels.get(request);
  if (cached) return cached;
  const name = METHOD_PATH.exec(request.url)?.[1];
  const route = request.routeOptions.url;
  const label = name && isMethodName(name) ? name : route && route !== "/api/v1/:method" ? route : "unknown";
  labels.set(request, label);
  return label;
}

function acquireOutcome(status: number, payload: unknown): AcquireOutcome {
  if (status !== 200) return "error";
  const head =
    typeof payload === "string"
      ? payload.slice(0, 10)
      : Buffer.isBuffer(payload)
        ? payload.subarray(0, 10).toString()
        : "";
  return head === '{"data":[]' ? "none" : "acquired";
}

export function registerObservability(app: FastifyInstance, deps: { metrics: Metrics; db: Database }): void {
  const { metrics } = deps;
  metrics.readFrom(deps.db.q);

  app.addHook("onSend", async (request, reply, payload) => {
    if (labelOf(request) === "acquireAgent") metrics.observeAcquire(acquireOutcome(reply.statusCode, payload));
    return payload;
  });

  app.addHook("onResponse", async (request, reply) => {
    const method = labelOf(request);
    const ms = reply.elapsedTime;
    metrics.observeRequest(method, reply.statusCode, ms / 1000);
    request.log.info(
      {
        method,
        verb: request.method,
        path: request.url.split("?")[0],
        status: reply.statusCode,
        durationMs: Math.round(ms * 1000) / 1000,
      },
      "request",
    );
  });

  app.get("/metrics", async (_request, reply) => {
    const text = await metrics.scrape();
    return reply.header("content-type", metrics.registry.contentType).send(text);
  });
}
