/**
 * A synthetic event stream for the wallboard: the built board (web/dist), a
 * cookie sign-in that accepts anyone, and `GET /api/v1/events` answering a
 * snapshot of N agents in G groups, then `rate` agentState.changed events a
 * second, in seq order, in the shape of SPEC §6. It records when each seq was
 * written, so the benchmark can tell how far the board lags.
 *
 * Not the real server on purpose: the benchmark measures the browser, so the
 * feed must cost next to nothing; and tests can make it answer what a real
 * server answers only in bad moments (410 for a resume point too old, a proxy's
 * 502), to check that the board recovers from them.
 */
import type { ServerResponse } from "node:http";
import Fastify, { type FastifyInstance } from "fastify";
import { registerWallboard } from "../../src/http/static.js";

export interface FeedOptions {
  agents: number;
  groups: number;
  /** agentState.changed events per second */
  rate: number;
}

export interface StreamRequest {
  url: string;
  lastEventId: string | undefined;
}

export interface Feed {
  url: string;
  /** every GET /api/v1/events, in order */
  requests: StreamRequest[];
  /** the next `count` stream and probe requests answer `status` */
  failNext(status: number, count?: number): void;
  /** closes every open stream (as a restart would) */
  dropStreams(): void;
  /** forgets the history: a resume point is then too old (410), as after retention */
  forgetHistory(): void;
  /** one agentState.changed for agent `index` with `fields` */
  change(index: number, fields: Record<string, unknown>): number;
  /** wall-clock ms at which each seq was written to the stream */
  sentAt: Map<number, number>;
  lastSeq(): number;
  close(): Promise<void>;
}

const WORK = ["Ready", "NotReady", "Break", "Ready", "Ready"] as const;
const CONTACT = ["Idle", "Idle", "Acquired", "Connected"] as const;

function envelope(data: unknown[]) {
  return { data, dataOffset: 0, errors: [], warnings: [] };
}

export async function startFeed(options: FeedOptions): Promise<Feed> {
  const app: FastifyInstance = Fastify();
  const start = new Date().toISOString();
  const groupRef = (g: number) => ({ internalId: `g${g}`, externalId: `group-${String(g).padStart(2, "0")}` });
  const agents = Array.from({ length: options.agents }, (_, i) => ({
    internalId: `a${i}`,
    agent: { externalId: `agent${String(i).padStart(4, "0")}@example.com`, firstName: "Agent", lastName: String(i) },
    agentGroup: groupRef(i % options.groups),
    currentScheduleGroup: null,
    currentWorkState: "Ready" as string,
    requestedWorkState: null,
    currentContactState: "Idle" as string,
    currentDevice: null as { externalId: string } | null,
    currentPhoneNumber: null,
    workStateStartTime: start,
    contactStateStartTime: start,
    breakExceeded: false,
    acquisition: null,
    version: 1,
  }));
  const groupStates = Array.from({ length: options.groups }, (_, g) => ({
    agentGroup: groupRef(g),
    mode: "Standard",
    state: "Open",
    allocatedCount: null,
    currentStartTime: null,
    currentEndTime: null,
    phoneNumber: null,
    counts: {},
  }));
  let seq = 1000;
  let oldest = seq;
  const sentAt = new Map<number, number>();
  const streams = new Set<ServerResponse>();
  const history: { seq: number; frame: string }[] = [];
  const requests: StreamRequest[] = [];
  let failures: { status: number; count: number } | undefined;
  const frameOf = (agent: (typeof agents)[number], now: Date) => {
    seq++;
    const event = { seq, type: "agentState.changed", time: now.toISOString(), account: null, data: agent };
    const frame = `id: ${seq}\nevent: agentState.changed\ndata: ${JSON.stringify(event)}\n\n`;
    if (options.rate === 0) history.push({ seq, frame });
    return frame;
  };
  const session = {
    internalId: null,
    user: { externalId: "bench@example.com", firstName: "Bench", lastName: "", roles: ["Supervisor"] },
    expires: null,
  };

  app.post("/api/v1/createSession", (_request, reply) =>
    reply.header("set-cookie", "callboard_session=bench; HttpOnly; SameSite=Strict; Path=/").send(envelope([session])),
  );
  app.post("/api/v1/showCurrentSession", (request, reply) =>
    request.headers.cookie?.includes("callboard_session=bench")
      ? reply.send(envelope([session]))
      : reply.code(401).send({
          data: [],
          dataOffset: 0,
          errors: [{ code: "NO_SESSION", message: "No current session" }],
          warnings: [],
        }),
  );
  app.post("/api/v1/showAgentGroupState", (_request, reply) => reply.send(envelope([])));
  app.post("/api/v1/changeAgentState", (_request, reply) => reply.send(envelope([])));
  app.get("/api/v1/events", (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const header = request.headers["last-event-id"];
    const lastEventId = typeof header === "string" ? header : undefined;
    if (query.format !== "json") requests.push({ url: request.url, lastEventId });
    if (failures && failures.count > 0) {
      failures.count--;
      return reply
        .code(failures.status)
        .send({ data: [], dataOffset: 0, errors: [{ code: "X", message: "failing" }], warnings: [] });
    }
    const resume = lastEventId ?? query.since;
    if (resume !== undefined && Number(resume) < oldest)
      return reply.code(410).send({
        data: [],
        dataOffset: 0,
        errors: [{ code: "OBJECT_NOT_EXISTS", message: "too old", context: `oldest seq kept: ${oldest + 1}` }],
        warnings: [],
      });
    if (query.format === "json") return reply.send(envelope([]));
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    if (resume === undefined) {
      const snapshot = JSON.stringify({ agentStates: agents, agentGroupStates: groupStates });
      res.write(`retry: 500\nid: ${seq}\nevent: snapshot\ndata: ${snapshot}\n\n`);
    } else {
      const missed = history.filter((h) => h.seq > Number(resume)).map((h) => h.frame);
      res.write(`retry: 500\n${missed.join("")}`);
    }
    streams.add(res);
    res.on("close", () => streams.delete(res));
  });
  registerWallboard(app);

  // Events are produced on a 10 ms tick, as many as the rate asks for by now,
  // and written as one chunk (what the real server's fan-out does, FINDINGS).
  const began = performance.now();
  let produced = 0;
  const tick = setInterval(() => {
    if (options.rate === 0) return;
    const due = Math.floor(((performance.now() - began) / 1000) * options.rate) - produced;
    if (due <= 0 || streams.size === 0) {
      if (streams.size === 0) produced += Math.max(0, due);
      return;
    }
    let chunk = "";
    const first = seq + 1;
    const now = new Date();
    for (let k = 0; k < due; k++) {
      const agent = agents[Math.floor(Math.random() * agents.length)]!;
      const roll = Math.floor(Math.random() * 20);
      agent.currentWorkState = WORK[roll % WORK.length]!;
      agent.currentContactState = agent.currentWorkState === "Ready" ? CONTACT[roll % CONTACT.length]! : "Idle";
      agent.currentDevice =
        agent.currentContactState === "Connected" ? { externalId: `+1555${String(roll).padStart(7, "0")}` } : null;
      agent.workStateStartTime = now.toISOString();
      agent.contactStateStartTime = now.toISOString();
      agent.version++;
      chunk += frameOf(agent, now);
    }
    produced += due;
    const at = Date.now();
    for (const res of streams) res.write(chunk);
    for (let s = first; s <= seq; s++) sentAt.set(s, at);
  }, 10);

  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    url: address,
    requests,
    failNext(status, count = 1) {
      failures = { status, count };
    },
    dropStreams() {
      for (const res of streams) res.destroy();
      streams.clear();
    },
    forgetHistory() {
      history.length = 0;
      oldest = seq + 1;
    },
    change(index, fields) {
      const agent = agents[index]!;
      Object.assign(agent, fields, { version: agent.version + 1 });
      const frame = frameOf(agent, new Date());
      for (const res of streams) res.write(frame);
      return seq;
    },
    sentAt,
    lastSeq: () => seq,
    async close() {
      clearInterval(tick);
      for (const res of streams) res.destroy();
      await app.close();
    },
  };
}
