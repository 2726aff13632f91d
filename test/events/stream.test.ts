/**
 * GET /api/v1/events over a real port: the frame format, where a stream starts
 * and resumes, narrowing, scope, the JSON page, bad requests, the cookie, a
 * snapshot consistent with its seq, order and completeness under concurrent
 * writers and reconnects, and streams that close when their credentials go
 * or their session expires.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eventStreamOf } from "../../src/http/events-route.js";
import { type Auth, basic, ManualClock, makeAccount, makeUser, suiteApp, type TestApp } from "../factories/app.js";
import { type Agent, makeAgents, makeGroup, type WireState } from "../factories/contact-center.js";
import { lastSeq } from "../factories/inspect.js";
import { listen, openStream, type SseStream, type WireEvent } from "../factories/sse.js";

const t = suiteApp();

async function url(): Promise<string> {
  return listen(t.runtime.app);
}

async function stream(
  path: string,
  auth: Auth | string = { user: "admin@callboard.local", password: "admin-password" },
) {
  const headers: Record<string, string> = typeof auth === "string" ? { cookie: auth } : { authorization: basic(auth) };
  return openStream(await url(), path, headers);
}

/** One event-emitting change: the agent's phone number, made unique by `n`. */
async function touch(app: TestApp, agent: Agent, n: number): Promise<void> {
  const reply = await app.call("changeAgentState", {
    agentState: { internalId: agent.state.internalId, currentPhoneNumber: `+1555${String(n).padStart(7, "0")}` },
  });
  if (reply.errors.length) throw new Error(JSON.stringify(reply.errors));
}

async function setup(app: TestApp, agents = 2) {
  const account = await makeAccount(app);
  const group = await makeGroup(app, account.accountId);
  const made = await makeAgents(app, account.accountId, group.internalId, agents);
  return { ...account, group, agents: made };
}

function assertContiguous(events: WireEvent[], from: number, to: number): void {
  assert.deepEqual(
    events.map((e) => e.seq),
    Array.from({ length: to - from + 1 }, (_, i) => from + i),
  );
}

describe("the event stream", () => {
  it("starts at the present and sends id, event and data, after a retry hint", async () => {
    const s = await setup(t);
    const before = await lastSeq(t);
    const es = await stream("/api/v1/events");
    assert.equal(es.status, 200);
    assert.match(String(es.headers["content-type"]), /^text\/event-stream/);
    await es.until(() => es.retry !== undefined, 5000, "retry hint");
    await touch(t, s.agents[0]!, 1);
    await es.until(() => es.frames.length >= 1);
    const [frame] = es.frames;
    const event = es.events[0]!;
    assert.equal(frame?.id, String(before + 1));
    assert.equal(frame?.event, "agentState.changed");
    assert.equal(event.seq, before + 1);
    assert.equal(event.type, "agentState.changed");
    assert.deepEqual(event.account, { internalId: s.accountId, externalId: s.account });
    assert.equal((event.data as unknown as WireState).currentPhoneNumber, "+15550000001");
    assert.equal(typeof event.time, "string");
    es.close();
  });

  it("resumes after since, Last-Event-ID winning over it, and since=0 starts at the oldest kept", async () => {
    const s = await setup(t);
    const start = await lastSeq(t);
    for (let i = 0; i < 5; i++) await touch(t, s.agents[0]!, 10 + i);
    const bySince = await stream(`/api/v1/events?since=${start}`);
    await bySince.until(() => bySince.events.length >= 5);
    assertContiguous(bySince.events, start + 1, start + 5);
    bySince.close();

    const both = await openStream(await url(), `/api/v1/events?since=${start}`, {
      authorization: basic({ user: "admin@callboard.local", password: "admin-password" }),
      "last-event-id": String(start + 3),
    });
    await both.until(() => both.events.length >= 2);
    await touch(t, s.agents[0]!, 20);
    await both.until(() => both.events.length >= 3);
    assertContiguous(both.events, start + 4, start + 6);
    both.close();

    const all = await stream("/api/v1/events?since=0");
    await all.until(() => all.events.length >= start + 6);
    assertContiguous(all.events, 1, start + 6);
    all.close();
  });

  it("narrows by types and by agent group", async () => {
    const s = await setup(t);
    const other = await makeGroup(t, s.accountId);
    const [agentElsewhere] = await makeAgents(t, s.accountId, other.internalId, 1);
    const start = await lastSeq(t);
    const byGroup = await stream(`/api/v1/events?since=${start}&agentGroup=${s.group.internalId}`);
    const byType = await stream(`/api/v1/events?since=${start}&types=agentGroup.changed,org.changed`);
    await touch(t, agentElsewhere!, 30);
    await touch(t, s.agents[0]!, 31);
    const changed = await t.call("changeOrg", {
      org: { internalId: s.accountId, attributes: [{ name: "a", value: "1" }] },
    });
    assert.deepEqual(changed.errors, []);
    await byType.until(() => byType.events.length >= 1);
    await byGroup.until(() => byGroup.events.length >= 1);
    await touch(t, s.agents[1]!, 32);
    await byGroup.until(() => byGroup.events.length >= 2);
    assert.deepEqual(
      byGroup.events.map((e) => (e.data as unknown as WireState).agentGroup.internalId),
      [s.group.internalId, s.group.internalId],
    );
    assert.deepEqual(
      byType.events.map((e) => e.type),
      ["org.changed"],
    );
    byGroup.close();
    byType.close();
  });

  it("never sends another Account's events; an Agent gets only its own agent's", async () => {
    const mine = await setup(t);
    const theirs = await setup(t);
    const supervisor = await makeUser(t, mine.accountId, ["Supervisor"]);
    const sup = await stream("/api/v1/events", supervisor);
    const agent = await stream("/api/v1/events", mine.agents[0]!.auth);
    await sup.until(() => sup.retry !== undefined);
    await agent.until(() => agent.retry !== undefined);
    await touch(t, theirs.agents[0]!, 40);
    await touch(t, mine.agents[1]!, 41);
    await touch(t, mine.agents[0]!, 42);
    await sup.until(() => sup.events.length >= 2);
    await agent.until(() => agent.events.length >= 1);
    assert.ok(sup.events.every((e) => e.account?.internalId === mine.accountId));
    assert.deepEqual(
      sup.events.map((e) => (e.data as unknown as WireState).currentPhoneNumber),
      ["+15550000041", "+15550000042"],
    );
    assert.deepEqual(
      agent.events.map((e) => (e.data as unknown as WireState).agent.externalId),
      [mine.agents[0]!.auth.user],
    );
    // The Agent's later events still come, the others' never did.
    await touch(t, mine.agents[0]!, 43);
    await agent.until(() => agent.events.length >= 2);
    assert.equal(agent.events.length, 2);
    sup.close();
    agent.close();
  });

  it("answers a JSON page for polling clients, at most limit events, scoped", async () => {
    const s = await setup(t);
    const start = await lastSeq(t);
    for (let i = 0; i < 4; i++) await touch(t, s.agents[0]!, 50 + i);
    const supervisor = await makeUser(t, s.accountId, ["Supervisor"]);
    const page = await openStream(await url(), `/api/v1/events?since=${start}&format=json&limit=3`, {
      authorization: basic(supervisor),
    });
    assert.equal(page.status, 200);
    const body = JSON.parse(page.body) as { data: WireEvent[]; errors: unknown[] };
    assert.deepEqual(body.errors, []);
    assert.deepEqual(
      body.data.map((e) => e.seq),
      [start + 1, start + 2, start + 3],
    );
    assert.ok(body.data.every((e) => e.account?.internalId === s.accountId));
  });

  it("refuses bad parameters, no credentials and a resume point no longer kept", async () => {
    const app = await url();
    const none = await openStream(app, "/api/v1/events");
    assert.equal(none.status, 401);
    assert.equal((JSON.parse(none.body) as { errors: { code: string }[] }).errors[0]?.code, "NO_SESSION");
    for (const query of ["since=abc", "since=-1", "types=nope", "limit=5", "format=json&limit=1001", "bogus=1"]) {
      const bad = await stream(`/api/v1/events?${query}`);
      assert.equal(bad.status, 400, query);
      const body = JSON.parse(bad.body) as { errors: { code: string }[] };
      assert.equal(body.errors[0]?.code, "ARG_INVALID_DATA", query);
    }
    const head = await fetch(`${app}/api/v1/events`, {
      method: "HEAD",
      headers: { authorization: basic({ user: "admin@callboard.local", password: "admin-password" }) },
    });
    assert.equal(head.status, 200);
    assert.equal(eventStreamOf(t.runtime.app)?.hub.subscriberCount, 0, "a HEAD request subscribes nothing");
    const missing = await stream("/api/v1/events?agentGroup=000000000000000000000000");
    assert.equal(missing.status, 404);

    // Retention removed the oldest events: resuming before them is 410.
    const s = await setup(t);
    await touch(t, s.agents[0]!, 60);
    const latest = await lastSeq(t);
    await t.runtime.deps.db.q.deleteFrom("events").where("seq", "<", 3).execute();
    const gone = await stream("/api/v1/events?since=1");
    assert.equal(gone.status, 410);
    const body = JSON.parse(gone.body) as { errors: { code: string; context: string }[] };
    assert.equal(body.errors[0]?.code, "OBJECT_NOT_EXISTS");
    assert.match(body.errors[0]?.context ?? "", /oldest seq kept: 3/);
    const kept = await stream("/api/v1/events?since=2");
    assert.equal(kept.status, 200);
    kept.close();
    const ahead = await stream(`/api/v1/events?since=${latest + 1000}`);
    assert.equal(ahead.status, 400);
  });

  it("starts with a snapshot consistent with its seq, then every later event", async () => {
    const s = await setup(t, 6);
    let n = 100;
    let writing = true;
    const writer = (async () => {
      while (writing) await touch(t, s.agents[n % 6]!, n++);
    })();
    const snaps: SseStream[] = [];
    for (let i = 0; i < 4; i++) {
      snaps.push(await stream(`/api/v1/events?snapshot=true&agentGroup=${s.group.internalId}`));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    writing = false;
    await writer;
    const final = await t.call("listAgentStatesUsingEntity", {
      baseEntity: { internalId: s.group.internalId, type: "AgentGroup" },
    });
    assert.deepEqual(final.errors, []);
    const finalVersions = new Map(
      (final.data as unknown as WireState[]).map((st) => [st.internalId, st.currentPhoneNumber]),
    );
    const end = await lastSeq(t);
    for (const es of snaps) {
      await es.until(() => Number(es.lastId) >= end || es.events.some((e) => e.seq >= end), 10_000, "snapshot stream");
      const [first] = es.frames;
      assert.equal(first?.event, "snapshot");
      const snapshot = JSON.parse(first.data) as { agentStates: WireState[]; agentGroupStates: unknown[] };
      assert.equal(snapshot.agentStates.length, 6);
      assert.equal(snapshot.agentGroupStates.length, 1);
      // The snapshot and the events after its seq replay to the final state.
      const phones = new Map(snapshot.agentStates.map((st) => [st.internalId, st.currentPhoneNumber]));
      const after = es.events;
      assert.equal(after[0]?.seq, Number(first.id) + 1, "the stream continues right after the snapshot's seq");
      for (const e of after) {
        const st = e.data as unknown as WireState;
        if (e.type === "agentState.changed") phones.set(st.internalId, st.currentPhoneNumber);
      }
      assert.deepEqual(phones, finalVersions);
      es.close();
    }
  });

  it("delivers every event of concurrent writers exactly once, in seq order", async () => {
    const s = await setup(t, 8);
    const start = await lastSeq(t);
    const es = await stream("/api/v1/events");
    await es.until(() => es.retry !== undefined);
    const perWriter = 40;
    await Promise.all(
      s.agents.map(async (agent, w) => {
        for (let i = 0; i < perWriter; i++) await touch(t, agent, w * 1000 + i);
      }),
    );
    const total = perWriter * s.agents.length;
    await es.until(() => es.events.length >= total, 20_000, "all events");
    assertContiguous(es.events, start + 1, start + total);
    es.close();
  });

  it("a subscriber reconnecting at random moments ends with exactly the committed events", async () => {
    const s = await setup(t, 4);
    const start = await lastSeq(t);
    let writing = true;
    const total = 4 * 60;
    const writers = Promise.all(
      s.agents.map(async (agent, w) => {
        for (let i = 0; i < 60; i++) await touch(t, agent, 5000 + w * 100 + i);
      }),
    ).finally(() => {
      writing = false;
    });
    const received: WireEvent[] = [];
    let last = String(start);
    while (writing || received.length < total) {
      const es = await openStream(await url(), "/api/v1/events", {
        authorization: basic({ user: "admin@callboard.local", password: "admin-password" }),
        "last-event-id": last,
      });
      assert.equal(es.status, 200);
      const stayMs = Math.random() * 60;
      await Promise.race([
        new Promise((resolve) => setTimeout(resolve, stayMs)),
        es.until(() => !writing && received.length + es.events.length >= total, 20_000).catch(() => {}),
      ]);
      es.close();
      received.push(...es.events);
      last = es.lastId ?? last;
      if (!writing && received.length >= total) break;
    }
    await writers;
    assertContiguous(received, start + 1, start + total);
  });

  it("closes a stream within 1 s of deleteSession or of disabling its user", async () => {
    const s = await setup(t);
    const user = await makeUser(t, s.accountId, ["Supervisor"]);
    const session = await t.call("createSession", { externalId: user.user, password: user.password }, null);
    const token = (session.data[0] as { internalId: string }).internalId;
    const bySession = await openStream(await url(), "/api/v1/events", { authorization: `Bearer ${token}` });
    const byPassword = await stream("/api/v1/events", user);
    await bySession.until(() => bySession.retry !== undefined);
    await byPassword.until(() => byPassword.retry !== undefined);

    let began = Date.now();
    assert.deepEqual((await t.call("deleteSession", {}, `Bearer ${token}`)).errors, []);
    await bySession.until(() => bySession.ended, 1000, "stream of the deleted session");
    assert.ok(Date.now() - began < 1000);
    assert.equal(byPassword.ended, false);

    began = Date.now();
    const disabled = await t.call("changeUser", { user: { externalId: user.user, loginEnabled: false } });
    assert.deepEqual(disabled.errors, []);
    await byPassword.until(() => byPassword.ended, 1000, "stream of the disabled user");
    assert.ok(Date.now() - began < 1000);
  });

  it("accepts the session cookie of createSession?cookie=true, and deleteSession clears it", async () => {
    const s = await setup(t);
    const user = await makeUser(t, s.accountId, ["Supervisor"]);
    const app = await url();
    const signIn = await fetch(`${app}/api/v1/createSession?cookie=true`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ externalId: user.user, password: user.password }),
    });
    assert.equal(signIn.status, 200);
    const setCookie = signIn.headers.get("set-cookie") ?? "";
    assert.match(setCookie, /^callboard_session=[^;]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+$/);
    const cookie = setCookie.split(";")[0]!;

    const shown = await fetch(`${app}/api/v1/showCurrentSession`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: "{}",
    });
    assert.equal(shown.status, 200);
    const es = await stream("/api/v1/events", cookie);
    assert.equal(es.status, 200);
    await touch(t, s.agents[0]!, 70);
    await es.until(() => es.events.length >= 1);

    const signOut = await fetch(`${app}/api/v1/deleteSession`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: "{}",
    });
    assert.equal(signOut.status, 200);
    assert.match(signOut.headers.get("set-cookie") ?? "", /^callboard_session=; .*Max-Age=0$/);
    await es.until(() => es.ended, 1000, "stream of the signed-out cookie");
    const after = await stream("/api/v1/events", cookie);
    assert.equal(after.status, 401);
  });
});

describe("the event stream of an expiring session", () => {
  const clock = new ManualClock();
  const e = suiteApp({ clock });
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("closes within 1 s of the session's expiry, with a reason; another session's stream stays open", async () => {
    const { accountId } = await makeAccount(e);
    const user = await makeUser(e, accountId, ["Supervisor"]);
    const credentials = JSON.stringify({ externalId: user.user, password: user.password });
    const base = await listen(e.runtime.app);
    const early = await e.call("createSession", JSON.parse(credentials), null);
    const { internalId: earlyToken, expires } = early.data[0] as { internalId: string; expires: string };
    const signIn = await fetch(`${base}/api/v1/createSession?cookie=true`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: credentials,
    });
    const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    clock.advance(3_600_000);
    const later = await e.call("createSession", JSON.parse(credentials), null);
    const laterToken = (later.data[0] as { internalId: string }).internalId;

    const byBearer = await openStream(base, "/api/v1/events", { authorization: `Bearer ${earlyToken}` });
    const byCookie = await openStream(base, "/api/v1/events", { cookie });
    const byLater = await openStream(base, "/api/v1/events", { authorization: `Bearer ${laterToken}` });
    const byPassword = await openStream(base, "/api/v1/events", { authorization: basic(user) });
    const all = [byBearer, byCookie, byLater, byPassword];
    for (const s of all) await s.until(() => s.retry !== undefined, 5000, "retry hint");

    clock.set(new Date(Date.parse(expires) - 1000).toISOString());
    await pause(600);
    assert.deepEqual(
      all.map((s) => s.ended),
      [false, false, false, false],
      "nothing closes before the expiry",
    );

    clock.set(expires);
    const began = Date.now();
    await byBearer.until(() => byBearer.ended, 1000, "stream of the expired session (Bearer)");
    await byCookie.until(() => byCookie.ended, 1000, "stream of the expired session (cookie)");
    assert.ok(Date.now() - began < 1000);
    assert.ok(byBearer.comments.includes("disconnected: session expired"), byBearer.comments.join("|"));
    assert.ok(byCookie.comments.includes("disconnected: session expired"), byCookie.comments.join("|"));

    await pause(600);
    assert.equal(byLater.ended, false, "the later session has not expired");
    assert.equal(byPassword.ended, false, "Basic credentials do not expire");
    await makeUser(e, accountId, ["Agent"]);
    await byLater.until(() => byLater.events.some((ev) => ev.type === "user.created"), 5000, "a later event");
    const reopened = await openStream(base, "/api/v1/events", { authorization: `Bearer ${earlyToken}` });
    assert.equal(reopened.status, 401);
    byLater.close();
    byPassword.close();
  });
});
