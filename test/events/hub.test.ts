/**
 * The hub's catch-up → live handover under concurrent writers, with the
 * in-memory window off and tiny catch-up pages, so subscribers read the log in
 * many steps while events keep being published: every subscriber, started at a
 * random moment from a random resume point, ends with exactly the committed
 * events after it, in order.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import type { ServerResponse } from "node:http";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { EventHub } from "../../src/events/hub.js";
import { makeAccount, suiteApp, type TestApp } from "../factories/app.js";
import { type Agent, makeAgents, makeGroup } from "../factories/contact-center.js";
import { lastSeq } from "../factories/inspect.js";

const t = suiteApp();

/**
 * A response that records the ids of the frames written to it. It takes each
 * chunk on a later turn of the event loop with no buffer (a slow socket), so a
 * catch-up waits for it and writes go on meanwhile.
 */
function sink(): { res: ServerResponse; ids: number[] } {
  const ids: number[] = [];
  let buffer = "";
  const res = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, callback) {
      const done = () => setImmediate(callback);
      buffer += chunk.toString("utf8");
      for (const match of buffer.matchAll(/^id: (\d+)$/gm)) ids.push(Number(match[1]));
      buffer = buffer.slice(buffer.lastIndexOf("\n") + 1);
      done();
    },
  });
  return { res: res as unknown as ServerResponse, ids };
}

async function touch(app: TestApp, agent: Agent, n: number): Promise<void> {
  const reply = await app.call("changeAgentState", {
    agentState: { internalId: agent.state.internalId, currentPhoneNumber: `+1556${String(n).padStart(7, "0")}` },
  });
  if (reply.errors.length) throw new Error(JSON.stringify(reply.errors));
}

describe("the event hub", () => {
  it("hands every subscriber over from catch-up to live with nothing lost or repeated", async () => {
    const account = await makeAccount(t);
    const group = await makeGroup(t, account.accountId);
    const agents = await makeAgents(t, account.accountId, group.internalId, 4);
    const { db } = t.runtime.deps;
    const hub = new EventHub({ q: db.q, recentEvents: 0, catchUpPage: 4, tickMs: 1 });
    await db.settled();
    await hub.start();
    const off = db.onCommitted((events) => hub.committed(events));
    const start = await lastSeq(t);
    const perWriter = 75;
    const subscribers: { after: number; ids: number[] }[] = [];
    const write = (from: number, to: number) =>
      Promise.all(
        agents.map(async (agent, w) => {
          for (let i = from; i < to; i++) await touch(t, agent, w * 1000 + i);
        }),
      );
    // A backlog first, so that later subscribers catch up through many pages while writes go on.
    await write(0, 25);
    let done = false;
    const writers = write(25, perWriter).finally(() => {
      done = true;
    });
    // A dozen subscribers, spread over the writes.
    while (!done && subscribers.length < 12) {
      const { res, ids } = sink();
      const after = start + Math.floor(Math.random() * (hub.lastSeq - start + 1));
      const filter = { scope: "/" };
      hub.subscribe(res, { filter, holder: { userId: "u", credential: "" }, after, first: "" });
      subscribers.push({ after, ids });
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 30));
    }
    await writers;
    const end = start + perWriter * agents.length;
    assert.equal(await lastSeq(t), end);
    const deadline = Date.now() + 10_000;
    while (subscribers.some((s) => s.ids[s.ids.length - 1] !== end) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(subscribers.length >= 2);
    for (const s of subscribers) {
      assert.deepEqual(
        s.ids,
        Array.from({ length: end - s.after }, (_, i) => s.after + 1 + i),
        `subscriber after ${s.after}`,
      );
    }
    off();
    hub.stop();
  });

  it("never repeats to a subscriber that starts past what the hub has published (a resume point from another instance)", async () => {
    const account = await makeAccount(t);
    const group = await makeGroup(t, account.accountId);
    const [agent] = await makeAgents(t, account.accountId, group.internalId, 1);
    const { db } = t.runtime.deps;
    // A hub that hears of no commit: it lags the log until woken, like an instance the NOTIFY has not reached yet.
    const hub = new EventHub({ q: db.q, tickMs: 1 });
    await db.settled();
    await hub.start();
    for (let i = 0; i < 6; i++) await touch(t, agent!, 7000 + i);
    const seen = await lastSeq(t);
    const { res, ids } = sink();
    hub.subscribe(res, { filter: { scope: "/" }, holder: { userId: "u", credential: "" }, after: seen, first: "" });
    for (let i = 0; i < 3; i++) await touch(t, agent!, 7100 + i);
    await db.settled();
    hub.wake();
    const deadline = Date.now() + 10_000;
    while (ids.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(ids, [seen + 1, seen + 2, seen + 3]);
    hub.stop();
  });

  it("disconnects a subscriber that does not read, with a reason, and goes on serving the others", async () => {
    const account = await makeAccount(t);
    const group = await makeGroup(t, account.accountId);
    const [agent] = await makeAgents(t, account.accountId, group.internalId, 1);
    const { db } = t.runtime.deps;
    const hub = new EventHub({ q: db.q, tickMs: 1, maxBufferBytes: 8_000 });
    await db.settled();
    await hub.start();
    const off = db.onCommitted((events) => hub.committed(events));
    // A socket that never takes anything: its bytes stay queued.
    const stuck = new Writable({ highWaterMark: 1, write() {} }) as unknown as ServerResponse;
    let ended = "";
    const end = stuck.end.bind(stuck);
    stuck.end = ((chunk?: unknown) => {
      ended = String(chunk ?? "");
      return end();
    }) as typeof stuck.end;
    const slow = hub.subscribe(stuck, {
      filter: { scope: "/" },
      holder: { userId: "u", credential: "" },
      after: hub.lastSeq,
      first: "",
    });
    const fast = sink();
    const start = hub.lastSeq;
    hub.subscribe(fast.res, {
      filter: { scope: "/" },
      holder: { userId: "u", credential: "" },
      after: start,
      first: "",
    });
    for (let i = 0; i < 40; i++) await touch(t, agent!, 8000 + i);
    const deadline = Date.now() + 10_000;
    while (fast.ids.length < 40 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(slow.closed, true);
    assert.match(ended, /disconnected: subscriber too slow/);
    assert.deepEqual(
      fast.ids,
      Array.from({ length: 40 }, (_, i) => start + 1 + i),
    );
    assert.equal(hub.subscriberCount, 1);
    off();
    hub.stop();
  });

  it("stops with committed batches still queued, and the process goes on (no spin on the microtask queue)", () => {
    // Run in a child: a spinning pump starves every timer of its own process,
    // the test's timeout included, so only a kill from outside can end it.
    const script = `
      import { EventHub } from "./src/events/hub.ts";
      const event = (seq) => ({ seq, type: "org.changed", time: "", orgPath: "/", data: null });
      const hub = new EventHub({ q: {} });
      hub.committed([event(1)]);
      hub.committed([event(2)]);
      hub.stop();
      setTimeout(() => console.log("alive"), 10);
    `;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 20_000,
    });
    assert.equal(child.signal, null, "the child was killed: it spun");
    assert.equal(child.stdout.trim(), "alive", child.stderr);
  });
});
