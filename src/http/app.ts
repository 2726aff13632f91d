/**
 * buildApp: the HTTP door. Every method is `POST /api/v1/<method>`; the handler
 * decodes, authenticates, authorises, calls one service verb and encodes the
 * Response envelope. No business rule lives here.
 */
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from "fastify";
import type { Logger } from "pino";
import { fail, type Issue, issue, type MethodResult, statusOf } from "../domain/errors.js";
import { isMethodName, METHODS, type MethodName } from "../domain/methods.js";
import { mayCall } from "../domain/roles.js";
import { authenticate } from "../services/auth.js";
import type { Actor, Deps } from "../services/context.js";
import type { MethodImpl, Services } from "../services/index.js";
import { type CompiledMethod, compileMethod, decodeArguments } from "./decode.js";
import { registerMethodPaths, unknownMethod } from "./method-paths.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { registerObservability } from "./observe.js";
import { RateLimiter } from "./rate-limit.js";
import { registerReferenceRoutes } from "./reference-routes.js";
import { registerSoapDoor } from "./soap/route.js";

export interface AppDeps extends Deps {
  services: Services;
  logger?: Logger | undefined;
  /** the server's metrics (compose makes them, to hand the database their transaction hook) */
  metrics?: Metrics | undefined;
}

/** The caller of an anonymous method (createSession): in no scope, with no roles. */
const ANONYMOUS: Actor = { userId: "", externalId: "", orgId: "", orgPath: "\u0000", roles: [] };

class MalformedJson extends Error {
  readonly code = "CB_MALFORMED_JSON";
  readonly statusCode = 400;
}

function send(reply: FastifyReply, result: MethodResult, status = statusOf(result.errors)): FastifyReply {
  return reply.code(status).header("content-type", "application/json; charset=utf-8").send(JSON.stringify(result));
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, services } = deps;
  const app: FastifyInstance = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger as FastifyBaseLogger } : { logger: false }),
    bodyLimit: config.bodyLimit,
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs,
    // Per-request log lines cost throughput; failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });
  const limiter = new RateLimiter(config.rateLimit);
  // Failed sign-ins are counted per address and checked before the (slow)
  // password check: guessing is throttled, and so is the CPU it costs.
  const failures = new RateLimiter(config.authFailureLimit / 60, config.authFailureLimit);
  const limited = (reply: FastifyReply, wait: number) =>
    send(reply.header("retry-after", String(wait)), fail(issue("RATE_LIMITED")));
  const compiled = new Map<MethodName, CompiledMethod>(
    (Object.keys(METHODS) as MethodName[]).map((name) => [name, compileMethod(METHODS[name])]),
  );

  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    const text = (body as string).trim();
    if (text === "") return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new MalformedJson("malformed JSON"), undefined);
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const reject = (status: number, found: Issue) => send(reply, fail(found), status);
    switch (error.code) {
      case "FST_ERR_CTP_BODY_TOO_LARGE":
        return reject(413, issue("ARG_TOO_LARGE", { subject: "body", context: `at most ${config.bodyLimit} bytes` }));
      case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
        return reject(
          415,
          issue("ARG_INVALID_TYPE", {
            subject: request.headers["content-type"] ?? "",
            context: "send application/json",
          }),
        );
      case "CB_MALFORMED_JSON":
        return reject(400, issue("ARG_INVALID_DATA", { subject: "body", context: "malformed JSON" }));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reject(status, issue("ARG_INVALID_DATA", { subject: "request", context: error.message }));
    }
    request.log.error({ err: error, requestId: request.id }, "request failed");
    return reject(500, issue("INTERNAL_ERROR", { context: `request ${request.id}` }));
  });

  app.setNotFoundHandler((request, reply) => {
    const name = request.url.replace(/^\/api\/v1\//, "").split("?")[0] ?? "";
    return send(reply, fail(unknownMethod(name)));
  });
  registerMethodPaths(app);
  registerReferenceRoutes(app);
  // The event stream keeps `metrics.sseSubscribers` current.
  const metrics = deps.metrics ?? createMetrics();
  registerObservability(app, { metrics, db: deps.db });

  app.get("/healthz", async (_request, reply) => {
    await deps.db.q.selectFrom("counters").select("value").limit(1).execute();
    return reply.send({ status: "ok" });
  });

  app.post<{ Params: { method: string } }>("/api/v1/:method", async (request, reply) => {
    const name = request.params.method;
    const method = isMethodName(name) ? compiled.get(name) : undefined;
    if (!method || !isMethodName(name)) return send(reply, fail(unknownMethod(name)));
    const impl = services[name] as MethodImpl<MethodName>;

    const nowMs = Date.now();
    const address = `ip:${request.ip}`;
    const banned = failures.peek(address, nowMs);
    if (banned > 0) return limited(reply, banned);
    let actor = ANONYMOUS;
    if (!METHODS[name].anonymous) {
      const outcome = await authenticate(deps, request.headers.authorization);
      if ("error" in outcome) {
        if (outcome.error.code === "AUTHENTICATION_FAILURE") failures.take(address, nowMs);
        return send(reply, fail(outcome.error));
      }
      actor = outcome.actor;
      if (!mayCall(actor.roles, name)) return send(reply, fail(issue("PERMISSION_DENIED", { subject: name })));
    }
    const wait = limiter.take(actor.userId || address, nowMs);
    if (wait > 0) return limited(reply, wait);

    // No body at all means no arguments; a body of `null` is a body, and not an object.
    const decoded = decodeArguments(method, request.body === undefined ? {} : request.body);
    if (!decoded.ok) return send(reply, fail(decoded.errors));
    const ctx = {
      actor,
      now: deps.clock.now(),
      requestId: request.id,
      sessionToken: actor.sessionTokenHash ? bearerToken(request.headers.authorization) : undefined,
    };
    const result = await impl(ctx, decoded.input as never);
    if (result.errors[0]?.code === "AUTHENTICATION_FAILURE") failures.take(address, nowMs);
    return send(reply, result);
  });

  await registerSoapDoor(app, { bodyLimit: config.bodyLimit });
  return app;
}
