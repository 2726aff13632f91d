/**
 * `GET /api/v1/events` (SPEC §6): the caller's events as Server-Sent Events,
 * or as a JSON page with `format=json`. Authenticated like every call (Basic,
 * Bearer or the session cookie), scoped like every read. Parsing the query and
 * choosing where the stream starts live here; the delivery is the hub's.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { fail, type Issue, issue, type MethodResult, ok, statusOf } from "../domain/errors.js";
import { isAgentOnly } from "../domain/roles.js";
import { readSnapshot } from "../events/snapshot.js";
import type { EventStream } from "../events/stream.js";
import { startEventStream } from "../events/stream.js";
import { accepts, EVENT_TYPES, type EventFilter, sseFrame, type WireEvent } from "../events/wire.js";
import { authenticate } from "../services/auth.js";
import type { Actor } from "../services/context.js";
import { agentGroupInScope, latestSeq, oldestSeq, readScopedEvents } from "../storage/event-log.js";
import type { AppDeps } from "./app.js";
import { credentialOf } from "./cookie.js";
import { type RateLimiter, type SignInThrottle, signInLogin } from "./rate-limit.js";

/** How long a client waits before reconnecting (the `retry:` hint). */
const RETRY_MS = 2_000;
const PAGE_LIMIT = 1_000;
const QUERY_KEYS = new Set(["since", "snapshot", "types", "agentGroup", "format", "limit"]);
const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);

const streams = new WeakMap<FastifyInstance, EventStream>();

/** The event stream of an app (tests reach the hub and the listener through it). */
export function eventStreamOf(app: FastifyInstance): EventStream | undefined {
  return streams.get(app);
}

interface Guards {
  signIns: SignInThrottle;
  limiter: RateLimiter;
}

interface Query {
  resume: number | undefined;
  snapshot: boolean;
  types: ReadonlySet<string> | undefined;
  agentGroupId: string | undefined;
  json: boolean;
  limit: number;
}

function send(reply: FastifyReply, result: MethodResult, status = statusOf(result.errors)): FastifyReply {
  return reply.code(status).header("content-type", "application/json; charset=utf-8").send(JSON.stringify(result));
}

const invalid = (name: string, context: string): Issue =>
  issue("ARG_INVALID_DATA", { subject: name, attributeName: name, context });

function seqOf(name: string, value: string, errors: Issue[]): number | undefined {
  if (!/^\d{1,16}$/.test(value) || Number(value) > Number.MAX_SAFE_INTEGER) {
    errors.push(invalid(name, "a seq: a non-negative integer"));
    return undefined;
  }
  return Number(value);
}

function parseQuery(request: FastifyRequest): { ok: true; query: Query } | { ok: false; errors: Issue[] } {
  const raw = (request.query ?? {}) as Record<string, unknown>;
  const errors: Issue[] = [];
  const one = (name: string): string | undefined => {
    const value = raw[name];
    if (value === undefined) return undefined;
    if (typeof value !== "string") {
      errors.push(invalid(name, "given once"));
      return undefined;
    }
    return value;
  };
  for (const key of Object.keys(raw)) {
    if (!QUERY_KEYS.has(key)) errors.push(invalid(key, `unknown parameter; known: ${[...QUERY_KEYS].join(", ")}`));
  }
  const header = request.headers["last-event-id"];
  const lastEventId = typeof header === "string" && header.trim() !== "" ? header.trim() : undefined;
  const since = one("since");
  const resumeText = lastEventId ?? since;
  const resume =
    resumeText === undefined ? undefined : seqOf(lastEventId ? "Last-Event-ID" : "since", resumeText, errors);

  const snapshotText = one("snapshot");
  if (snapshotText !== undefined && snapshotText !== "true" && snapshotText !== "false") {
    errors.push(invalid("snapshot", "true or false"));
  }
  const format = one("format");
  if (format !== undefined && format !== "json" && format !== "sse") errors.push(invalid("format", "json or sse"));
  const json = format === "json";
  // A reconnecting EventSource sends the snapshot URL again with Last-Event-ID: then it resumes.
  const snapshot = snapshotText === "true" && lastEventId === undefined;
  if (snapshot && since !== undefined)
    errors.push(invalid("snapshot", "snapshot=true starts at the present: no since"));
  if (snapshot && json) errors.push(invalid("snapshot", "the JSON page has no snapshot"));

  let types: Set<string> | undefined;
  const typesText = one("types");
  if (typesText !== undefined) {
    types = new Set(typesText.split(",").map((t) => t.trim()));
    for (const t of types) if (!KNOWN_TYPES.has(t)) errors.push(invalid("types", `unknown event type '${t}'`));
  }
  const agentGroupId = one("agentGroup");
  if (agentGroupId === "") errors.push(invalid("agentGroup", "an agent group's internalId"));

  let limit = PAGE_LIMIT;
  const limitText = one("limit");
  if (limitText !== undefined) {
    if (!json) errors.push(invalid("limit", "only with format=json"));
    else if (!/^\d{1,4}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > PAGE_LIMIT) {
      errors.push(invalid("limit", `an integer from 1 to ${PAGE_LIMIT}`));
    } else limit = Number(limitText);
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, query: { resume, snapshot, types, agentGroupId, json, limit } };
}

function filterOf(actor: Actor, query: Query): EventFilter {
  return {
    scope: actor.orgPath,
    onlyAgent: isAgentOnly(actor.roles) ? actor.externalId : undefined,
    types: query.types,
    agentGroupId: query.agentGroupId,
  };
}

export async function registerEventsRoute(app: FastifyInstance, deps: AppDeps, guards: Guards): Promise<void> {
  const { db } = deps;
  const logError = (error: unknown, what: string) => deps.logger?.error({ err: error }, `event stream: ${what}`);
  const stream = await startEventStream(deps, {
    onError: logError,
    stillValid: async (credential) => !("error" in (await authenticate(deps, credential))),
  });
  streams.set(app, stream);
  const { hub } = stream;
  // Streams never go idle: end them first, so closing the server does not wait on them.
  app.addHook("preClose", async () => stream.stop());
  app.addHook("onClose", async () => stream.close());

  /**
   * Where a resumed stream starts: after `resume`, or after the oldest kept for 0.
   * A resume point whose successor was pruned is 410; one past the latest is 400.
   */
  async function startAfter(resume: number): Promise<{ after: number } | { error: Issue; status: number }> {
    const [latest, oldest] = [await latestSeq(db.q), await oldestSeq(db.q)];
    const keptFrom = oldest ?? latest + 1;
    if (resume === 0) return { after: keptFrom - 1 };
    if (resume > latest) {
      return {
        error: invalid("since", `past the latest event (seq ${latest}); resync with snapshot=true`),
        status: 400,
      };
    }
    if (resume < keptFrom - 1) {
      const error = issue("OBJECT_NOT_EXISTS", {
        subject: `event ${resume + 1}`,
        context: `oldest seq kept: ${keptFrom}; resync with snapshot=true`,
      });
      return { error, status: 410 };
    }
    return { after: resume };
  }

  app.get("/api/v1/events", async (request, reply) => {
    const nowMs = Date.now();
    const address = `ip:${request.ip}`;
    const credential = credentialOf(request.headers);
    // A stream signs in like a call: a guessed Basic password is throttled the same way.
    const login = signInLogin("events", credential, undefined);
    const banned = login === undefined ? 0 : guards.signIns.wait(address, login, nowMs);
    if (banned > 0) return send(reply.header("retry-after", String(banned)), fail(issue("RATE_LIMITED")));
    const outcome = await authenticate(deps, credential);
    if ("error" in outcome) {
      if (outcome.error.code === "AUTHENTICATION_FAILURE" && login !== undefined) {
        guards.signIns.failed(address, login, nowMs);
      }
      return send(reply, fail(outcome.error));
    }
    if (login !== undefined) guards.signIns.succeeded(address, login, nowMs);
    const { actor } = outcome;
    const wait = guards.limiter.take(actor.userId, nowMs);
    if (wait > 0) return send(reply.header("retry-after", String(wait)), fail(issue("RATE_LIMITED")));

    const parsed = parseQuery(request);
    if (!parsed.ok) return send(reply, fail(parsed.errors));
    const { query } = parsed;
    if (query.agentGroupId !== undefined && !(await agentGroupInScope(db.q, query.agentGroupId, actor.orgPath))) {
      return send(
        reply,
        fail(issue("OBJECT_NOT_EXISTS", { subject: query.agentGroupId, attributeName: "agentGroup" })),
      );
    }
    const filter = filterOf(actor, query);

    // "The present" includes every change committed before this request:
    // on PostgreSQL, once the sequencer has numbered it.
    await db.settled();
    let after: number;
    if (query.resume !== undefined || query.json) {
      const start = await startAfter(query.resume ?? 0);
      if ("error" in start) return send(reply, fail(start.error), start.status);
      after = start.after;
    } else after = Math.max(hub.lastSeq, await latestSeq(db.q));

    if (query.json) {
      const events: WireEvent[] = [];
      let cursor = after;
      for (;;) {
        const rows = await readScopedEvents(db.q, actor.orgPath, cursor, PAGE_LIMIT, query.types && [...query.types]);
        for (const p of await hub.present(rows)) {
          if (events.length < query.limit && accepts(filter, p)) events.push(p.wire);
        }
        const last = rows[rows.length - 1];
        if (!last || rows.length < PAGE_LIMIT || events.length >= query.limit) break;
        cursor = last.seq;
      }
      return send(reply, ok(events));
    }

    // HEAD (which Fastify answers from this GET route) tells what a GET would get, without subscribing.
    if (request.method === "HEAD")
      return reply.code(200).header("content-type", "text/event-stream; charset=utf-8").send();

    let first = `retry: ${RETRY_MS}\n: connected\n\n`;
    if (query.snapshot) {
      const snapshot = await readSnapshot(
        db,
        {
          scope: actor.orgPath,
          agentGroupId: query.agentGroupId,
          userId: filter.onlyAgent === undefined ? undefined : actor.userId,
        },
        () => deps.clock.now(),
      );
      first += sseFrame(snapshot.seq, "snapshot", snapshot.data);
      after = snapshot.seq;
    }

    reply.hijack();
    const res = reply.raw;
    // The stream outlives any request timeout; heartbeats keep intermediaries from closing it.
    request.raw.socket.setTimeout(0);
    // Small frames must leave at once: with Nagle's algorithm they wait for the client's delayed ACK (~40 ms).
    request.raw.socket.setNoDelay(true);
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    });
    hub.subscribe(res, {
      filter,
      holder: {
        userId: actor.userId,
        sessionTokenHash: actor.sessionTokenHash,
        expiresMs: actor.sessionExpiresMs,
        credential: credential ?? "",
      },
      after,
      first,
    });
    return reply;
  });
}
