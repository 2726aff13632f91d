/**
 * Acquisition leases and fencing (SPEC §5.3–4): a held agent shows its
 * acquisition; a lease that ends releases the agent as releaseAgent would,
 * once, with `reason: "leaseExpired"`; an extension moves the end from now;
 * a release or extension naming an acquisition that is not the current one is
 * refused and changes nothing.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { expireLeases } from "../../src/services/leases.js";
import { ManualClock, makeAccount, type Reply, suiteApp, type TestApp } from "../factories/app.js";
import { type Agent, makeAgents, makeGroup, type WireState } from "../factories/contact-center.js";
import { expectOk, failure, theError } from "../factories/expect.js";
import { eventsAfter, lastSeq } from "../factories/inspect.js";

const held = (reply: Reply) => reply.data[0] as unknown as WireState;

async function oneAgent(t: TestApp, accountId: string): Promise<{ group: string; agent: Agent }> {
  const group = await makeGroup(t, accountId);
  const [agent] = await makeAgents(t, accountId, group.internalId, 1, { ready: true });
  if (!agent) throw new Error("no agent");
  return { group: group.internalId, agent };
}

const show = async (t: TestApp, agent: Agent) =>
  held(await t.call("showAgentStateUsingUser", { agent: { externalId: agent.auth.user } }));

describe("acquisition leases, with a clock the test moves", () => {
  const clock = new ManualClock();
  const t = suiteApp({ clock });
  let accountId: string;
  before(async () => {
    ({ accountId } = await makeAccount(t));
  });

  const acquire = (group: string, extra: Record<string, unknown> = {}) =>
    t.call("acquireAgent", { agentState: { agentGroup: { internalId: group }, ...extra } });

  it("a held agent shows its acquisition and lease end; an Idle one shows null", async () => {
    const { group, agent } = await oneAgent(t, accountId);
    assert.equal((await show(t, agent)).acquisition, null);
    const reply = await acquire(group, { leaseSeconds: 30 });
    expectOk(reply);
    const { acquisition } = held(reply);
    assert.ok(acquisition?.id);
    assert.equal(acquisition.expires, new Date(clock.now().getTime() + 30_000).toISOString());
    assert.deepEqual((await show(t, agent)).acquisition, acquisition);
    const released = await t.call("releaseAgent", { agentState: { internalId: agent.state.internalId } });
    assert.equal(held(released).acquisition, null);
  });

  it("without leaseSeconds (and CALLBOARD_DEFAULT_LEASE_SECONDS 0) an acquisition has no end", async () => {
    const { group, agent } = await oneAgent(t, accountId);
    const { acquisition } = held(await acquire(group));
    assert.equal(acquisition?.expires, null);
    clock.advance(86_400_000);
    assert.equal(await expireLeases(t.runtime.deps), 0);
    assert.equal((await show(t, agent)).currentContactState, "Acquired");
    await t.call("releaseAgent", { agentState: { internalId: agent.state.internalId } });
  });

  it("an ended lease releases the agent once, applying a pending Logout, with reason leaseExpired", async () => {
    const { group, agent } = await oneAgent(t, accountId);
    const taken = held(await acquire(group, { leaseSeconds: 10 }));
    expectOk(
      await t.call("changeAgentState", {
        agentState: { internalId: agent.state.internalId, requestedAction: "Logout" },
      }),
    );
    clock.advance(9_999);
    assert.equal(await expireLeases(t.runtime.deps), 0, "not before its end");
    const since = await lastSeq(t);
    clock.advance(1);
    assert.equal(await expireLeases(t.runtime.deps), 1);
    assert.equal(await expireLeases(t.runtime.deps), 0, "once");
    const after = await show(t, agent);
    assert.equal(after.currentContactState, "Idle");
    assert.equal(after.currentWorkState, "LoggedOut");
    assert.equal(after.requestedWorkState, null);
    assert.equal(after.acquisition, null);
    assert.equal(after.version, taken.version + 2);
    const events = await eventsAfter(t, since);
    assert.equal(events.length, 1);
    assert.equal(events[0]?.type, "agentState.changed");
    await t.runtime.deps.db.settled();
    const stored = await t.runtime.deps.db.q
      .selectFrom("events")
      .select("reason")
      .where("seq", "=", since + 1)
      .execute();
    assert.deepEqual(stored, [{ reason: "leaseExpired" }]);
  });

  it("changeAgentState with leaseSeconds while held extends the lease from now", async () => {
    const { group, agent } = await oneAgent(t, accountId);
    const taken = held(await acquire(group, { leaseSeconds: 10 }));
    clock.advance(8_000);
    const extended = await t.call("changeAgentState", {
      agentState: { internalId: agent.state.internalId, leaseSeconds: 60, acquisition: taken.acquisition },
    });
    expectOk(extended);
    assert.equal(held(extended).acquisition?.id, taken.acquisition?.id);
    assert.equal(held(extended).acquisition?.expires, new Date(clock.now().getTime() + 60_000).toISOString());
    clock.advance(10_000);
    assert.equal(await expireLeases(t.runtime.deps), 0);
    assert.equal((await show(t, agent)).currentContactState, "Acquired");
    clock.advance(50_000);
    assert.equal(await expireLeases(t.runtime.deps), 1);
  });

  it("fencing: a release or an extension naming an earlier acquisition is refused and changes nothing", async () => {
    const { group, agent } = await oneAgent(t, accountId);
    const first = held(await acquire(group, { leaseSeconds: 5 }));
    clock.advance(5_000);
    await expireLeases(t.runtime.deps);
    const second = held(await acquire(group, { leaseSeconds: 5 }));
    assert.notEqual(second.acquisition?.id, first.acquisition?.id);
    const internalId = agent.state.internalId;
    const late = await t.call("releaseAgent", { agentState: { internalId, acquisition: first.acquisition } });
    assert.deepEqual(theError(late), failure(409, "INVALID_STATE", 0, "acquisition.id"));
    const lateExtension = await t.call("changeAgentState", {
      agentState: { internalId, leaseSeconds: 100, acquisition: { id: first.acquisition?.id } },
    });
    assert.deepEqual(theError(lateExtension), failure(409, "INVALID_STATE", 0, "acquisition.id"));
    const now = await show(t, agent);
    assert.equal(now.currentContactState, "Acquired");
    assert.deepEqual(now.acquisition, second.acquisition);
    assert.equal(now.version, second.version);
    const rightful = await t.call("releaseAgent", { agentState: { internalId, acquisition: second.acquisition } });
    expectOk(rightful);
    const again = await t.call("releaseAgent", { agentState: { internalId, acquisition: second.acquisition } });
    assert.deepEqual(theError(again), failure(409, "INVALID_STATE", 0, "acquisition.id"));
  });

  it("leaseSeconds of changeAgentState: not while Idle, not by an Agent", async () => {
    const { group, agent } = await oneAgent(t, accountId);
    const idle = await t.call("changeAgentState", {
      agentState: { internalId: agent.state.internalId, leaseSeconds: 5 },
    });
    assert.deepEqual(theError(idle), failure(409, "INVALID_STATE", 0, "leaseSeconds"));
    await t.call("acquireAgent", { agentState: { agentGroup: { internalId: group }, leaseSeconds: 5 } });
    const byAgent = await t.call(
      "changeAgentState",
      { agentState: { agent: { externalId: agent.auth.user }, leaseSeconds: 5 } },
      agent.auth,
    );
    assert.deepEqual(theError(byAgent), failure(403, "PERMISSION_DENIED"));
  });

  it("refuses bad lease lengths with the attribute named, changing nothing", async () => {
    const { group, agent } = await oneAgent(t, accountId);
    for (const leaseSeconds of [0, -1, 86_401, 1.5, "10", true]) {
      const reply = await acquire(group, { leaseSeconds });
      assert.equal(reply.status, 400, JSON.stringify(leaseSeconds));
      assert.equal(reply.errors[0]?.attributeName, "leaseSeconds", JSON.stringify(reply.errors));
      assert.equal((await show(t, agent)).currentContactState, "Idle");
    }
    expectOk(await acquire(group, { leaseSeconds: 86_400 }));
    for (const leaseSeconds of [0, 86_401, 2.5]) {
      const reply = await t.call("changeAgentState", {
        agentState: { internalId: agent.state.internalId, leaseSeconds },
      });
      assert.deepEqual(theError(reply), failure(400, "ATTRIBUTE_INVALID_DATA", 0, "leaseSeconds"));
    }
  });
});

describe("acquisition leases: the server's default", () => {
  const clock = new ManualClock();
  const t = suiteApp({ clock, env: { CALLBOARD_DEFAULT_LEASE_SECONDS: "90" } });

  it("an acquisition without leaseSeconds gets CALLBOARD_DEFAULT_LEASE_SECONDS", async () => {
    const { accountId } = await makeAccount(t);
    const { group } = await oneAgent(t, accountId);
    const reply = await t.call("acquireAgent", { agentState: { agentGroup: { internalId: group } } });
    assert.equal(held(reply).acquisition?.expires, new Date(clock.now().getTime() + 90_000).toISOString());
  });
});

describe("acquisition leases in real time", () => {
  const t = suiteApp();

  it("a one-second lease is released by the server's own sweep within a second of its end", async () => {
    const { accountId } = await makeAccount(t);
    const { group, agent } = await oneAgent(t, accountId);
    const reply = await t.call("acquireAgent", { agentState: { agentGroup: { internalId: group }, leaseSeconds: 1 } });
    const ends = Date.parse(held(reply).acquisition?.expires ?? "");
    for (;;) {
      const state = await show(t, agent);
      if (state.currentContactState === "Idle") break;
      assert.ok(Date.now() < ends + 1000, "still held a second after its lease ended");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(Date.now() < ends + 1000);
  });
});
