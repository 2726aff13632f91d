import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { type Auth, ManualClock, makeAccount, makeUser, suiteApp } from "../factories/app.js";
import { type Agent, makeAgents, makeGroup, type WireState } from "../factories/contact-center.js";

const state = (reply: { data: unknown[] }) => reply.data[0] as WireState & Record<string, unknown>;

describe("acquireAgent and releaseAgent", () => {
  const clock = new ManualClock();
  const t = suiteApp({ clock });
  let accountId: string;
  let supervisor: Auth;
  let agentUser: Auth;
  let otherAdmin: Auth;

  before(async () => {
    ({ accountId } = await makeAccount(t));
    supervisor = await makeUser(t, accountId, ["Supervisor"]);
    agentUser = await makeUser(t, accountId, ["Agent"]);
    const other = await makeAccount(t);
    otherAdmin = await makeUser(t, other.accountId, ["Administrator"]);
  });

  async function group(agents: number, fields: Record<string, unknown> = {}) {
    const g = await makeGroup(t, accountId, fields);
    const list = await makeAgents(t, accountId, g.internalId, agents, { ready: true });
    return { g, list };
  }

  const acquire = (agentState: Record<string, unknown>, auth?: Auth | null) =>
    t.call("acquireAgent", { agentState }, auth === undefined ? undefined : auth);
  const release = (agentState: Record<string, unknown>, auth?: Auth | null) =>
    t.call("releaseAgent", { agentState }, auth === undefined ? undefined : auth);

  it("acquires the agent idle longest, as Acquired without a device, and bumps its version", async () => {
    const { g, list } = await group(3);
    // Make the idle order known: release in the order 2, 0, 1, a second apart.
    const held: WireState[] = [];
    for (let i = 0; i < 3; i++) held.push(state(await acquire({ agentGroup: { internalId: g.internalId } })));
    for (const i of [2, 0, 1]) {
      clock.advance(1000);
      await release({ internalId: list[i]?.state.internalId });
    }
    clock.advance(1000);
    const reply = await acquire({ agentGroup: { externalId: g.externalId } });
    assert.equal(reply.status, 200);
    const got = state(reply);
    assert.equal(got.internalId, list[2]?.state.internalId);
    assert.equal(got.currentContactState, "Acquired");
    assert.equal(got.currentDevice, null);
    assert.equal(got.contactStateStartTime, clock.now().toISOString());
    assert.equal(held.length, 3);
  });

  it("answers data [] without an error when no agent is free", async () => {
    const { g } = await group(1);
    assert.equal((await acquire({ agentGroup: { internalId: g.internalId } })).data.length, 1);
    const none = await acquire({ agentGroup: { internalId: g.internalId } });
    assert.equal(none.status, 200);
    assert.deepEqual(none.data, []);
    assert.deepEqual(none.errors, []);
  });

  it("skips agents that are not Ready, not Idle or not login-enabled", async () => {
    const { g, list } = await group(3);
    const [a, b, c] = list as [Agent, Agent, Agent];
    await t.call("changeAgentState", {
      agentState: { internalId: a.state.internalId, requestedWorkState: "NotReady" },
    });
    await t.call("changeAgentState", {
      agentState: { internalId: b.state.internalId, agent: { loginEnabled: false } },
    });
    const got = state(await acquire({ agentGroup: { internalId: g.internalId } }));
    assert.equal(got.internalId, c.state.internalId);
    assert.deepEqual((await acquire({ agentGroup: { internalId: g.internalId } })).data, []);
  });

  it("Connected needs the client's device, records it, and refuses a device already connected", async () => {
    const { g } = await group(2);
    const missing = await acquire({ agentGroup: { internalId: g.internalId }, currentContactState: "Connected" });
    assert.equal(missing.status, 400);
    assert.equal(missing.errors[0]?.code, "ATTRIBUTE_NULL");
    const connected = await acquire({
      agentGroup: { internalId: g.internalId },
      currentContactState: "Connected",
      currentDevice: { externalId: "+1 (555) 012-3456" },
    });
    assert.equal(state(connected).currentContactState, "Connected");
    assert.deepEqual(state(connected).currentDevice, { externalId: "+15550123456" });
    const again = await acquire({
      agentGroup: { internalId: g.internalId },
      currentContactState: "Connected",
      currentDevice: { externalId: "+15550123456" },
    });
    assert.equal(again.status, 409);
    assert.equal(again.errors[0]?.code, "OBJECT_EXISTS");
    const counts = await t.call("showAgentGroupState", { agentGroup: { internalId: g.internalId } });
    assert.equal((counts.data[0] as { counts: { connected: number } }).counts.connected, 1);
  });

  it("takes the pool from a schedule group, or a single named agent", async () => {
    const g = await makeGroup(t, accountId);
    const sg = await t.call("createScheduleGroup", {
      scheduleGroup: { externalId: "late" },
      parent: { internalId: g.internalId },
    });
    const sgId = (sg.data[0] as { internalId: string }).internalId;
    const outside = await makeAgents(t, accountId, g.internalId, 1, { ready: true });
    const users = [await makeUser(t, accountId, ["Agent"])];
    const inShift = await t.call("createAgents", {
      agents: users.map((u) => ({ externalId: u.user })),
      agentGroup: { internalId: g.internalId },
      initialState: { currentWorkState: "Ready", currentScheduleGroup: { internalId: sgId } },
    });
    const shiftAgent = state(inShift);
    const fromShift = state(await acquire({ currentScheduleGroup: { internalId: sgId } }));
    assert.equal(fromShift.internalId, shiftAgent.internalId);
    assert.deepEqual((await acquire({ currentScheduleGroup: { internalId: sgId } })).data, []);
    const named = await acquire({
      agentGroup: { internalId: g.internalId },
      agent: { externalId: outside[0]?.auth.user },
    });
    assert.equal(state(named).internalId, outside[0]?.state.internalId);
  });

  it("a closed group and a full Standard group answer data []", async () => {
    const { g } = await group(2);
    await t.call("changeAgentGroupState", {
      agentGroupState: { agentGroup: { internalId: g.internalId }, state: "Closed" },
    });
    assert.deepEqual((await acquire({ agentGroup: { internalId: g.internalId } })).data, []);
    await t.call("changeAgentGroupState", {
      agentGroupState: { agentGroup: { internalId: g.internalId }, state: "Open", allocatedCount: 1 },
    });
    assert.equal((await acquire({ agentGroup: { internalId: g.internalId } })).data.length, 1);
    assert.deepEqual((await acquire({ agentGroup: { internalId: g.internalId } })).data, []);
  });

  it("rejects bad requests with catalogue errors and changes nothing", async () => {
    const { g } = await group(1);
    const neither = await acquire({});
    assert.equal(neither.status, 400);
    assert.equal(neither.errors[0]?.code, "ARG_NULL");
    assert.equal(neither.errors[0]?.argumentIndex, 0);
    const nullArg = await t.call("acquireAgent", { agentState: null });
    assert.equal(nullArg.errors[0]?.code, "ARG_NULL");
    const idle = await acquire({ agentGroup: { internalId: g.internalId }, currentContactState: "Idle" });
    assert.equal(idle.errors[0]?.code, "ATTRIBUTE_INVALID_DATA");
    assert.equal(idle.errors[0]?.attributeName, "currentContactState");
    const unknown = await acquire({ agentGroup: { internalId: "nope" } });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.errors[0]?.code, "OBJECT_NOT_EXISTS");
    const wrongType = await t.call("acquireAgent", { agentState: "x" });
    assert.equal(wrongType.errors[0]?.code, "ARG_INVALID_TYPE");
    const counts = await t.call("showAgentGroupState", { agentGroup: { internalId: g.internalId } });
    assert.equal((counts.data[0] as { counts: { acquired: number } }).counts.acquired, 0);
  });

  it("release returns the agent to Idle, clears the device and applies a pending work state", async () => {
    const { g, list } = await group(1);
    const agent = list[0] as Agent;
    const got = state(
      await acquire({
        agentGroup: { internalId: g.internalId },
        currentContactState: "Connected",
        currentDevice: { externalId: "Client@Example.com" },
      }),
    );
    assert.deepEqual(got.currentDevice, { externalId: "client@example.com" });
    const pending = await t.call("changeAgentState", {
      agentState: { internalId: agent.state.internalId, requestedWorkState: "Break" },
    });
    assert.equal(state(pending).requestedWorkState, "Break");
    assert.equal(state(pending).currentWorkState, "Ready");
    const released = state(await release({ agent: { externalId: agent.auth.user } }));
    assert.equal(released.currentContactState, "Idle");
    assert.equal(released.currentDevice, null);
    assert.equal(released.currentWorkState, "Break");
    assert.equal(released.requestedWorkState, null);
    assert.equal(released.version, got.version + 2);
  });

  it("releasing an Idle agent changes nothing (idempotent)", async () => {
    const { list } = await group(1);
    const agent = list[0] as Agent;
    const first = state(await release({ internalId: agent.state.internalId }));
    const second = state(await release({ internalId: agent.state.internalId }));
    assert.equal(first.version, agent.state.version);
    assert.deepEqual(second, first);
  });

  it("release errors: null, unknown agent", async () => {
    const nullArg = await t.call("releaseAgent", { agentState: null });
    assert.equal(nullArg.errors[0]?.code, "ARG_NULL");
    const unknown = await release({ internalId: "missing" });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.errors[0]?.code, "OBJECT_NOT_EXISTS");
    const noName = await release({});
    assert.equal(noName.status, 400);
    assert.equal(noName.errors[0]?.code, "ATTRIBUTE_NULL");
  });

  it("a Supervisor may acquire and release; an Agent may not; another Account sees nothing; no credentials → 401", async () => {
    const { g, list } = await group(1);
    const bySupervisor = await acquire({ agentGroup: { internalId: g.internalId } }, supervisor);
    assert.equal(bySupervisor.data.length, 1);
    assert.equal((await release({ internalId: list[0]?.state.internalId }, supervisor)).status, 200);
    const byAgent = await acquire({ agentGroup: { internalId: g.internalId } }, agentUser);
    assert.equal(byAgent.status, 403);
    assert.equal(byAgent.errors[0]?.code, "PERMISSION_DENIED");
    assert.equal((await release({ internalId: list[0]?.state.internalId }, agentUser)).status, 403);
    const foreign = await acquire({ agentGroup: { internalId: g.internalId } }, otherAdmin);
    assert.equal(foreign.status, 404);
    assert.equal(foreign.errors[0]?.code, "OBJECT_NOT_EXISTS");
    const foreignByName = await acquire({ agentGroup: { externalId: g.externalId } }, otherAdmin);
    assert.equal(foreignByName.errors[0]?.code, "OBJECT_NOT_EXISTS");
    const foreignRelease = await release({ internalId: list[0]?.state.internalId }, otherAdmin);
    assert.equal(foreignRelease.errors[0]?.code, "OBJECT_NOT_EXISTS");
    const anonymous = await acquire({ agentGroup: { internalId: g.internalId } }, null);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.errors[0]?.code, "NO_SESSION");
  });
});
