/**
 * No lost update (SPEC §10): two writers of the same thing at the same moment,
 * on two instances of the server sharing one database, a fixed number of
 * rounds each. After every round, every acknowledged change is in the final
 * state, or the call was refused with a catalogue error — never both
 * acknowledged with one of them lost, and never a 500.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { makeAccount, makeUser, type Reply, suiteInstances, type TestApp, unique } from "../factories/app.js";
import { type Agent, makeAgents, makeGroup, type WireState } from "../factories/contact-center.js";
import { eventsAfter, lastSeq } from "../factories/inspect.js";

const ROUNDS = 40;

const noServerErrors = (...replies: Reply[]) =>
  assert.ok(
    replies.every((r) => r.status < 500),
    JSON.stringify(replies.map((r) => r.errors)),
  );

const stateOf = (reply: Reply) => reply.data[0] as unknown as WireState;

async function show(t: TestApp, agent: Agent): Promise<WireState | undefined> {
  const reply = await t.call("showAgentStateUsingUser", { agent: { externalId: agent.auth.user } });
  return reply.data[0] as unknown as WireState | undefined;
}

describe(`no lost update between two instances`, () => {
  const { first, second } = suiteInstances();
  let accountId: string;
  before(async () => {
    ({ accountId } = await makeAccount(first));
  });

  it("releaseAgent racing changeAgentState(Logout): both apply, the agent ends LoggedOut", async () => {
    const group = await makeGroup(first, accountId);
    const agents = await makeAgents(first, accountId, group.internalId, ROUNDS, { ready: true });
    for (const agent of agents) {
      const held = await first.call("acquireAgent", {
        agentState: { agentGroup: { internalId: group.internalId }, agent: { externalId: agent.auth.user } },
      });
      const version = stateOf(held).version;
      const [released, loggedOut] = await Promise.all([
        first.call("releaseAgent", { agentState: { internalId: agent.state.internalId } }),
        second.call("changeAgentState", {
          agentState: { internalId: agent.state.internalId, requestedAction: "Logout" },
        }),
      ]);
      noServerErrors(released, loggedOut);
      // Neither sent a version: neither may be refused because of the other.
      assert.equal(released.status, 200, JSON.stringify(released.errors));
      assert.equal(loggedOut.status, 200, JSON.stringify(loggedOut.errors));
      const final = await show(first, agent);
      assert.equal(final?.currentWorkState, "LoggedOut");
      assert.equal(final?.currentContactState, "Idle");
      assert.equal(final?.requestedWorkState, null);
      assert.equal(final?.version, version + 2);
    }
  });

  it("two changeAgentState calls without version: both apply", async () => {
    const group = await makeGroup(first, accountId);
    const agents = await makeAgents(first, accountId, group.internalId, ROUNDS, { ready: true });
    for (const [i, agent] of agents.entries()) {
      const phone = `+1555${String(7_000_000 + i).padStart(7, "0")}`;
      const [onBreak, phoned] = await Promise.all([
        first.call("changeAgentState", {
          agentState: { internalId: agent.state.internalId, requestedWorkState: "Break" },
        }),
        second.call("changeAgentState", {
          agentState: { internalId: agent.state.internalId, currentPhoneNumber: phone },
        }),
      ]);
      noServerErrors(onBreak, phoned);
      assert.equal(onBreak.status, 200, JSON.stringify(onBreak.errors));
      assert.equal(phoned.status, 200, JSON.stringify(phoned.errors));
      const final = await show(first, agent);
      assert.equal(final?.currentWorkState, "Break");
      assert.equal(final?.currentPhoneNumber, phone);
      assert.equal(final?.version, agent.state.version + 2);
    }
  });

  it("two changeAgentState calls with the same version: one wins, the other is refused, nothing is mixed", async () => {
    const group = await makeGroup(first, accountId);
    const agents = await makeAgents(first, accountId, group.internalId, ROUNDS, { ready: true });
    for (const agent of agents) {
      const { internalId, version } = agent.state;
      const [toBreak, toNotReady] = await Promise.all([
        first.call("changeAgentState", { agentState: { internalId, version, requestedWorkState: "Break" } }),
        second.call("changeAgentState", { agentState: { internalId, version, requestedWorkState: "NotReady" } }),
      ]);
      noServerErrors(toBreak, toNotReady);
      const winners = [toBreak, toNotReady].filter((r) => r.status === 200);
      assert.equal(winners.length, 1, JSON.stringify([toBreak.errors, toNotReady.errors]));
      const loser = toBreak.status === 200 ? toNotReady : toBreak;
      assert.equal(loser.errors[0]?.code, "INVALID_STATE");
      const final = await show(first, agent);
      assert.equal(final?.currentWorkState, toBreak.status === 200 ? "Break" : "NotReady");
      assert.equal(final?.version, version + 1);
    }
  });

  it("deleteAgents racing acquireAgent: an agent reported held is never deleted", async () => {
    const group = await makeGroup(first, accountId);
    const agents = await makeAgents(first, accountId, group.internalId, ROUNDS, { ready: true });
    for (const agent of agents) {
      const [deleted, acquired] = await Promise.all([
        first.call("deleteAgents", { agents: [{ externalId: agent.auth.user }] }),
        second.call("acquireAgent", {
          agentState: { agentGroup: { internalId: group.internalId }, agent: { externalId: agent.auth.user } },
        }),
      ]);
      noServerErrors(deleted, acquired);
      assert.equal(deleted.status, 200);
      const final = await show(first, agent);
      if (acquired.data.length === 1) {
        assert.equal(deleted.warnings[0]?.code, "INVALID_STATE", "a held agent was deleted");
        assert.equal(final?.currentContactState, "Acquired");
      } else {
        assert.deepEqual(deleted.warnings, []);
        assert.equal(final, undefined);
      }
    }
  });

  it("deleteUsers racing createAgents: the user ends deleted or an agent, never both and never neither", async () => {
    const group = await makeGroup(first, accountId);
    for (let round = 0; round < ROUNDS; round++) {
      const user = await makeUser(first, accountId, ["Agent"]);
      const [made, deleted] = await Promise.all([
        first.call("createAgents", {
          agents: [{ externalId: user.user }],
          agentGroup: { internalId: group.internalId },
          initialState: {},
        }),
        second.call("deleteUsers", { users: [{ externalId: user.user }] }),
      ]);
      noServerErrors(made, deleted);
      const isAgent = made.data.length === 1;
      const isDeleted = deleted.warnings.length === 0;
      assert.notEqual(isAgent, isDeleted, `agent ${isAgent}, deleted ${isDeleted}`);
      const shown = await first.call("showUser", { user: { externalId: user.user } });
      assert.equal(shown.data.length === 1, isAgent);
    }
  });

  it("changeAgentGroupState racing acquireAgent on a capped group: no acquisition after the change exceeds its cap", async () => {
    const group = await makeGroup(first, accountId);
    const [busy, free] = await makeAgents(first, accountId, group.internalId, 2, { ready: true });
    const ref = { internalId: group.internalId };
    const byAgent = (agent: Agent | undefined) => ({ agentGroup: ref, agent: { externalId: agent?.auth.user } });
    for (let round = 0; round < ROUNDS; round++) {
      expectSuccess(
        await first.call("changeAgentGroupState", { agentGroupState: { agentGroup: ref, allocatedCount: 2 } }),
      );
      expectSuccess(await first.call("acquireAgent", { agentState: byAgent(busy) }));
      const since = await lastSeq(first);
      const [lowered, acquired] = await Promise.all([
        first.call("changeAgentGroupState", { agentGroupState: { agentGroup: ref, allocatedCount: 1 } }),
        second.call("acquireAgent", { agentState: byAgent(free) }),
      ]);
      noServerErrors(lowered, acquired);
      assert.equal(lowered.status, 200);
      if (acquired.data.length === 1) {
        // Acquired: then it must have committed before the cap went down to 1.
        const order = (await eventsAfter(first, since)).map((e) => e.type);
        assert.deepEqual(order, ["agentState.changed", "agentGroupState.changed"], "acquired past the lowered cap");
      }
      for (const agent of [busy, free]) {
        await first.call("releaseAgent", { agentState: { internalId: agent?.state.internalId } });
      }
    }
  });

  it("deleteAgentGroup racing createAgents into it: the group is gone with no agents, or stays with them", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const group = await makeGroup(first, accountId);
      const user = await makeUser(first, accountId, ["Agent"]);
      const [deleted, made] = await Promise.all([
        first.call("deleteAgentGroup", { agentGroup: { internalId: group.internalId } }),
        second.call("createAgents", {
          agents: [{ externalId: user.user }],
          agentGroup: { internalId: group.internalId },
          initialState: {},
        }),
      ]);
      noServerErrors(deleted, made);
      const shown = await first.call("showAgentGroup", { agentGroup: { internalId: group.internalId } });
      if (made.data.length === 1) {
        assert.equal(deleted.errors[0]?.code, "INVALID_STATE");
        assert.equal(shown.status, 200);
      } else {
        assert.equal(deleted.status, 200);
        assert.equal(made.errors[0]?.code, "OBJECT_NOT_EXISTS");
        assert.equal(shown.status, 404);
      }
    }
  });

  it("deleteScheduleGroup racing createAgents into it: the schedule group is gone with no agents, or stays with them", async () => {
    const group = await makeGroup(first, accountId);
    for (let round = 0; round < ROUNDS; round++) {
      const created = await first.call("createScheduleGroup", {
        scheduleGroup: { externalId: unique("shift") },
        parent: { internalId: group.internalId },
      });
      const shift = (created.data[0] as { internalId: string }).internalId;
      const user = await makeUser(first, accountId, ["Agent"]);
      const [deleted, made] = await Promise.all([
        first.call("deleteScheduleGroup", { scheduleGroup: { internalId: shift } }),
        second.call("createAgents", {
          agents: [{ externalId: user.user }],
          agentGroup: { internalId: group.internalId },
          initialState: { currentScheduleGroup: { internalId: shift } },
        }),
      ]);
      noServerErrors(deleted, made);
      const shown = await first.call("showScheduleGroup", { scheduleGroup: { internalId: shift } });
      if (made.data.length === 1) {
        assert.equal(deleted.errors[0]?.code, "INVALID_STATE");
        assert.equal(shown.status, 200);
        // Out of the way of the next round's count of agents in the schedule group.
        await first.call("deleteAgents", { agents: [{ externalId: user.user }] });
      } else {
        assert.equal(deleted.status, 200);
        assert.equal(made.errors[0]?.code, "OBJECT_NOT_EXISTS");
        assert.equal(shown.status, 404);
      }
    }
  });
});

describe("credentials cached on another instance", () => {
  const { first, second } = suiteInstances();

  it("a user deleted on one instance gets 401 on the other, never a 500", async () => {
    const { accountId } = await makeAccount(first);
    const user = await makeUser(first, accountId, ["Supervisor"]);
    assert.equal((await second.call("showCurrentSession", {}, user)).status, 200);
    expectSuccess(await first.call("deleteUsers", { users: [{ externalId: user.user }] }));
    const session = await second.call("showCurrentSession", {}, user);
    assert.equal(session.status, 401, JSON.stringify(session.errors));
    const password = await second.call(
      "changePassword",
      { user: { externalId: user.user }, currentPassword: user.password, newPassword: "another-password" },
      user,
    );
    assert.ok(password.status === 401 || password.status === 404, `${password.status}`);
  });
});

function expectSuccess(reply: Reply): void {
  assert.equal(reply.status, 200, JSON.stringify(reply.errors));
}
