/**
 * Two instances on one database (two compose() runtimes: one SQLite file, or
 * one PostgreSQL schema): events committed on either reach the subscribers of
 * both, complete and in seq order; a revoked session or user stops working and
 * its streams close on the other instance too.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { compose, type Runtime } from "../../src/compose.js";
import { loadConfig } from "../../src/config.js";
import type { MethodResult } from "../../src/domain/errors.js";
import { eventStreamOf } from "../../src/http/events-route.js";
import {
  ADMIN,
  type Auth,
  basic,
  makeAccount,
  makeUser,
  type Reply,
  startApp,
  TEST_DATABASE,
  type TestApp,
} from "../factories/app.js";
import { type Agent, makeAgents, makeGroup } from "../factories/contact-center.js";
import { lastSeq } from "../factories/inspect.js";
import { listen, openStream, type WireEvent } from "../factories/sse.js";

const dir = TEST_DATABASE === "sqlite" ? mkdtempSync(join(tmpdir(), "callboard-events-")) : undefined;
let a: TestApp;
let b: TestApp;
let second: Runtime;

async function callOn(runtime: Runtime, method: string, body: unknown, auth: Auth | string = ADMIN): Promise<Reply> {
  const response = await runtime.app.inject({
    method: "POST",
    url: `/api/v1/${method}`,
    headers: { "content-type": "application/json", authorization: typeof auth === "string" ? auth : basic(auth) },
    payload: JSON.stringify(body),
  });
  return { status: response.statusCode, ...(response.json() as MethodResult<Record<string, unknown>>) };
}

before(async () => {
  const env: Record<string, string> = dir ? { CALLBOARD_DATA_DIR: dir } : {};
  a = await startApp({ env });
  const config = loadConfig({
    CALLBOARD_DATA_DIR: dir ?? ":memory:",
    CALLBOARD_ADMIN_USER: ADMIN.user,
    CALLBOARD_ADMIN_PASSWORD: ADMIN.password,
    CALLBOARD_PASSWORD_HASH_COST: "16",
    CALLBOARD_RATE_LIMIT: "0",
    CALLBOARD_AUTH_FAILURE_LIMIT: "0",
    ...(a.databaseUrl ? { CALLBOARD_DATABASE_URL: a.databaseUrl } : {}),
  });
  second = await compose(config);
  b = {
    runtime: second,
    call: (method, body, auth) => callOn(second, method, body, auth ?? ADMIN),
    close: () => second.close(),
  };
});

after(async () => {
  await second.close();
  await a.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function touch(app: TestApp, agent: Agent, n: number): Promise<void> {
  const reply = await app.call("changeAgentState", {
    agentState: { internalId: agent.state.internalId, currentPhoneNumber: `+1555${String(n).padStart(7, "0")}` },
  });
  if (reply.errors.length) throw new Error(JSON.stringify(reply.errors));
}

/** Retries `check` for up to `ms` (a revocation travels asynchronously, in a few ms). */
async function soon(check: () => Promise<boolean>, ms = 500): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe(`two instances on one ${TEST_DATABASE} database`, () => {
  it("deliver every event committed on either to the subscribers of both, in seq order", async () => {
    const account = await makeAccount(a);
    const group = await makeGroup(a, account.accountId);
    const agents = await makeAgents(a, account.accountId, group.internalId, 6);
    const start = await lastSeq(a);
    // From `start` on both: "the present" of an instance that polls a shared file may still be behind it.
    const path = `/api/v1/events?since=${start}`;
    const onA = await openStream(await listen(a.runtime.app), path, { authorization: basic(ADMIN) });
    const onB = await openStream(await listen(b.runtime.app), path, { authorization: basic(ADMIN) });
    await onA.until(() => onA.retry !== undefined);
    await onB.until(() => onB.retry !== undefined);
    const perWriter = 30;
    await Promise.all(
      agents.map(async (agent, w) => {
        const app = w % 2 === 0 ? a : b;
        for (let i = 0; i < perWriter; i++) await touch(app, agent, w * 1000 + i);
      }),
    );
    const total = perWriter * agents.length;
    const expected = Array.from({ length: total }, (_, i) => start + 1 + i);
    for (const es of [onA, onB]) {
      await es.until(() => es.events.length >= total, 20_000, "all events");
      assert.deepEqual(
        es.events.map((e: WireEvent) => e.seq),
        expected,
      );
      // Each agent's changes in the order they were made.
      for (const [w, agent] of agents.entries()) {
        const phones = es.events
          .map((e: WireEvent) => e.data as { internalId?: string; currentPhoneNumber?: string })
          .filter((d) => d.internalId === agent.state.internalId)
          .map((d) => d.currentPhoneNumber);
        assert.deepEqual(
          phones,
          Array.from({ length: perWriter }, (_, i) => `+1555${String(w * 1000 + i).padStart(7, "0")}`),
        );
      }
      es.close();
    }
  });

  it("revoke a deleted session and a disabled user on the other instance too, closing its streams", async () => {
    const account = await makeAccount(a);
    const user = await makeUser(a, account.accountId, ["Supervisor"]);
    const session = await a.call("createSession", { externalId: user.user, password: user.password }, null);
    const bearer = `Bearer ${(session.data[0] as { internalId: string }).internalId}`;
    // Warm B's credential cache with both credentials.
    assert.equal((await b.call("showCurrentSession", {}, bearer)).status, 200);
    assert.equal((await b.call("showCurrentSession", {}, user)).status, 200);
    const url = await listen(b.runtime.app);
    const bySession = await openStream(url, "/api/v1/events", { authorization: bearer });
    const byPassword = await openStream(url, "/api/v1/events", { authorization: basic(user) });
    await bySession.until(() => bySession.retry !== undefined);
    await byPassword.until(() => byPassword.retry !== undefined);

    assert.deepEqual((await a.call("deleteSession", {}, bearer)).errors, []);
    assert.ok(await soon(async () => (await b.call("showCurrentSession", {}, bearer)).status === 401));
    await bySession.until(() => bySession.ended, 1000, "B's stream of the deleted session");
    assert.equal((await b.call("showCurrentSession", {}, user)).status, 200);

    assert.deepEqual((await a.call("changeUser", { user: { externalId: user.user, loginEnabled: false } })).errors, []);
    assert.ok(await soon(async () => (await b.call("showCurrentSession", {}, user)).status === 401));
    await byPassword.until(() => byPassword.ended, 1000, "B's stream of the disabled user");
  });

  it("a listener whose connection is killed reconnects, catches up from the log and misses no revocation", {
    skip: TEST_DATABASE !== "postgres" && "PostgreSQL only",
  }, async () => {
    const account = await makeAccount(a);
    const group = await makeGroup(a, account.accountId);
    const [agent] = await makeAgents(a, account.accountId, group.internalId, 1);
    const user = await makeUser(a, account.accountId, ["Supervisor"]);
    const session = await b.call("createSession", { externalId: user.user, password: user.password }, null);
    const bearer = `Bearer ${(session.data[0] as { internalId: string }).internalId}`;
    const start = await lastSeq(a);
    const url = await listen(a.runtime.app);
    const events = await openStream(url, "/api/v1/events", { authorization: basic(ADMIN) });
    const doomed = await openStream(url, "/api/v1/events", { authorization: bearer });
    await events.until(() => events.retry !== undefined);
    await doomed.until(() => doomed.retry !== undefined);
    const listener = eventStreamOf(a.runtime.app)?.listener;
    const pid = listener?.backendPid;
    assert.ok(pid);
    await a.runtime.deps.db.q.selectNoFrom((eb) => eb.fn("pg_terminate_backend", [eb.val(pid)]).as("done")).execute();
    // While A's listener is down, B commits events and ends the session: both NOTIFYs are lost to A.
    for (let i = 0; i < 20; i++) await touch(b, agent!, 9000 + i);
    assert.deepEqual((await b.call("deleteSession", {}, bearer)).errors, []);
    await events.until(() => events.events.length >= 20, 10_000, "events committed while the listener was down");
    assert.deepEqual(
      events.events.map((e) => e.seq),
      Array.from({ length: 20 }, (_, i) => start + 1 + i),
    );
    await doomed.until(() => doomed.ended, 5_000, "stream of a session ended while the listener was down");
    assert.ok(await soon(async () => listener?.backendPid !== undefined && listener.backendPid !== pid, 5_000));
    events.close();
  });
});
