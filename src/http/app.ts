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
import { type InputOf, isMethodName, METHODS, type MethodName } from "../domain/methods.js";
import { mayCall } from "../domain/roles.js";
import { authenticate } from "../services/auth.js";
import type { Actor, Deps } from "../services/context.js";
import type { MethodImpl, Services } from "../services/index.js";
import { credentialOf, sessionCookie } from "./cookie.js";
import { type CompiledMethod, compileMethod, decodeArguments } from "./decode.js";
import { eventStreamOf, registerEventsRoute } from "./events-route.js";
import { clientErrorHandler, frameworkErrors } from "./framework-errors.js";
import { answerIdempotently, changesSomething, IDEMPOTENCY_HEADER, keyProblem } from "./idempotency.js";
import { registerMethodPaths, unknownMethod } from "./method-paths.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { registerObservability } from "./observe.js";
import { RateLimiter, SignInThrottle, signInLogin } from "./rate-limit.js";
import { registerReferenceRoutes } from "./reference-routes.js";
import { answerSessionIdempotently } from "./session-idempotency.js";
import { registerSoapDoor } from "./soap/route.js";
import { registerWallboard } from "./static.js";
import { serverTimeouts } from "./timeouts.js";

export interface AppDeps extends Deps {
  services: Services;
  logger?: Logger | undefined;
  /** the server's metrics (compose makes them, to hand the database their transaction hook) */
  metrics?: Metrics | undefined;
  /** the built wallboard (default web/dist) */
  wallboardDir?: string | undefined;
}

/** The caller of an anonymous method (createSession): in no scope, with no roles. */
const ANONYMOUS: Actor = { userId: "", externalId: "", orgId: "", orgPath: "\u0000", roles: [] };

class MalformedJson extends Error {
  readonly code = "CB_MALFORMED_JSON";
  readonly statusCode = 400;
}

const JSON_TYPE = "application/json; charset=utf-8";

function send(reply: FastifyReply, result: MethodResult, status = statusOf(result.errors)): FastifyReply {
  return reply.code(status).header("content-type", JSON_TYPE).send(JSON.stringify(result));
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
    ...serverTimeouts(config.requestTimeoutMs),
    // Per-request log lines cost throughput; failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    frameworkErrors,
    clientErrorHandler,
  });
  const limiter = new RateLimiter(config.rateLimit);
  // Failed sign-ins are counted and checked before the (slow) password check:
  // guessing is throttled, and so is the CPU it costs.
  const signIns = new SignInThrottle(config.authFailureLimit);
  const idempotency = {
    db: deps.db,
    leaseMs: Math.max(60_000, 2 * config.requestTimeoutMs),
    holdAfterCommitMs: config.holdAfterCommitMs,
  };
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
    await deps.db.ping();
    return reply.send({ status: "ok" });
  });

  app.post<{ Params: { method: string } }>("/api/v1/:method", async (request, reply) => {
    const name = request.params.method;
    const method = isMethodName(name) ? compiled.get(name) : undefined;
    if (!method || !isMethodName(name)) return send(reply, fail(unknownMethod(name)));
    const impl = services[name] as MethodImpl<MethodName>;

    const nowMs = Date.now();
    const address = `ip:${request.ip}`;
    const login = signInLogin(name, request.headers.authorization, request.body);
    const banned = login === undefined ? 0 : signIns.wait(address, login, nowMs);
    if (banned > 0) return limited(reply, banned);
    let actor = ANONYMOUS;
    if (!METHODS[name].anonymous) {
      const outcome = await authenticate(deps, credentialOf(request.headers));
      if ("error" in outcome) {
        const guessed = outcome.error.code === "AUTHENTICATION_FAILURE";
        if (guessed && login !== undefined) signIns.failed(address, login, nowMs);
        return send(reply, fail(outcome.error));
      }
      actor = outcome.actor;
      if (login !== undefined) signIns.succeeded(address, login, nowMs);
      if (!mayCall(actor.roles, name)) return send(reply, fail(issue("PERMISSION_DENIED", { subject: name })));
    }
    const wait = limiter.take(actor.userId || address, nowMs);
    if (wait > 0) return limited(reply, wait);

    // No body at all means no arguments; a body of `null` is a body, and not an object.
    const decoded = decodeArguments(method, request.body === undefined ? {} : request.body);
    if (!decoded.ok) return send(reply, fail(decoded.errors));
    const key = request.headers[IDEMPOTENCY_HEADER];
    const badKey = key === undefined ? undefined : keyProblem(key);
    if (badKey) return send(reply, fail(badKey));
    const ctx = {
      actor,
      now: deps.clock.now(),
      requestId: request.id,
      sessionToken: actor.sessionTokenHash ? bearerToken(credentialOf(request.headers)) : undefined,
    };
    const run = () => impl(ctx, decoded.input as never);
    if (typeof key === "string" && name === "createSession") {
      const input = decoded.input as InputOf<"createSession">;
      const answered = await answerSessionIdempotently(idempotency, deps, { ctx, key, input });
      if (login !== undefined) {
        if (answered) signIns.succeeded(address, login, nowMs);
        else signIns.failed(address, login, nowMs);
      }
      if (!answered) return send(reply, fail(issue("AUTHENTICATION_FAILURE")));
      const cookie =
        answered.status === 200
          ? sessionCookie(name, request, JSON.parse(answered.body) as MethodResult, ctx.now.getTime())
          : undefined;
      if (cookie) reply.header("set-cookie", cookie);
      return reply.code(answered.status).headers(answered.headers).type(JSON_TYPE).send(answered.body);
    }
    if (typeof key === "string" && changesSomething(name)) {
      const call = { caller: actor.userId, key, method: name, body: request.body, nowMs: ctx.now.getTime() };
      const answered = await answerIdempotently(idempotency, call, run);
      return reply.code(answered.status).headers(answered.headers).type(JSON_TYPE).send(answered.body);
    }
    const result = await run();
    if (name === "createSession" && login !== undefined) {
      if (result.errors[0]?.code === "AUTHENTICATION_FAILURE") signIns.failed(address, login, nowMs);
      else if (result.errors.length === 0) signIns.succeeded(address, login, nowMs);
    }
    const cookie = sessionCookie(name, request, result, ctx.now.getTime());
    if (cookie) reply.header("set-cookie", cookie);
    return send(reply, result);
  });

  await registerEventsRoute(app, deps, { signIns, limiter });
  const stream = eventStreamOf(app);
  if (stream) metrics.subscribersFrom(() => stream.hub.subscriberCount);
  registerWallboard(app, deps.wallboardDir);
  await registerSoapDoor(app, { bodyLimit: config.bodyLimit });
  return app;
}
