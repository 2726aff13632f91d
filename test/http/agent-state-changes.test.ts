/**
 * changeAgentState (SPEC §5.9) through the production buildApp: every row of
 * the transition table, the attributes that may change and those that may
 * only be echoed, compare-and-set on `version`, the roles (an Agent acts on
 * itself only), and maxBreakTime with its one `agentState.breakExceeded` event.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sweepBreaks } from "../../src/services/breaks.js";
import type { Auth, Reply, TestApp } from "../factories/app.js";
import { ManualClock, makeAccount, makeUser, suiteApp, uniqueEmail } from "../factories/app.js";
import { type Agent, makeAgents, makeGroup, type WireState } from "../factories/contact-center.js";
import { expectClean, failure, NO_SESSION, PERMISSION_DENIED, theError } from "../factories/expect.js";
import { eventCount } from "../factories/inspect.js";

const stateOf = (reply: Reply) => {
  assert.equal(reply.data.length, 1, JSON.stringify(reply));
  return reply.data[0] as unknown as WireState;
};

const invalidState = (attributeName: string) => failure(409, "INVALID_STATE", 0, attributeName);
const invalidData = (attributeName: string) => failure(400, "ATTRIBUTE_INVALID_DATA", 0, attributeName);

async function change(t: TestApp, agentState: Record<string, unknown>, auth?: Auth | null): Promise<Reply> {
  return t.call("changeAgentState", { agentState }, auth);
}

/** The one state a call answers, failing the test on any error or warning. */
async function stateAfter(call: Promise<Reply>): Promise<WireState> {
  const reply = await call;
  expectClean(reply);
  return stateOf(reply);
}

/** Changes and answers the new state, failing the test on any error. */
const changed = (t: TestApp, agentState: Record<string, unknown>, auth?: Auth) =>
  stateAfter(change(t, agentState, auth));

const current = (t: TestApp, agent: Agent) =>
  stateAfter(t.call("showAgentStateUsingUser", { agent: { externalId: agent.auth.user } }));

const acquire = (t: TestApp, groupId: string, agent: Agent, device?: string) =>
  stateAfter(
    t.call("acquireAgent", {
      agentState: {
        agentGroup: { internalId: groupId },
        agent: { externalId: agent.auth.user },
        ...(device ? { currentContactState: "Connected", currentDevice: { externalId: device } } : {}),
      },
    }),
  );

const release = (t: TestApp, agent: Agent) =>
  stateAfter(t.call("releaseAgent", { agentState: { internalId: agent.state.internalId } }));

/** A fresh Account with one agent group and `n` agents, logged out or (ready) logged in and Ready. */
async function setting(t: TestApp, n: number, options: { ready?: boolean; group?: Record<string, unknown> } = {}) {
  const account = await makeAccount(t);
  const group = await makeGroup(t, account.accountId, options.group);
  const agents = await makeAgents(t, account.accountId, group.internalId, n, { ready: options.ready ?? false });
  return { ...account, group, agents };
}

describe("changeAgentState: the transition table", () => {
  const clock = new ManualClock();
  const t = suiteApp({ clock });

  it("Login: the work state becomes the group's initialWorkState (Ready, or the default NotReady)", async () => {
    const { accountId } = await makeAccount(t);
    const readyGroup = await makeGroup(t, accountId, { initialWorkState: "Ready" });
    const plainGroup = await makeGroup(t, accountId);
    const [toReady] = await makeAgents(t, accountId, readyGroup.internalId, 1);
    const [toNotReady] = await makeAgents(t, accountId, plainGroup.internalId, 1);
    clock.advance(1000);
    const now = clock.now().toISOString();
    for (const [agent, workState] of [
      [toReady!, "Ready"],
      [toNotReady!, "NotReady"],
    ] as const) {
      const state = await changed(t, { internalId: agent.state.internalId, requestedAction: "Login" });
      assert.deepEqual(
        [state.currentWorkState, state.requestedWorkState, state.currentContactState, state.version],
        [workState, null, "Idle", 2],
      );
      assert.equal(state.workStateStartTime, now);
      assert.deepEqual(await current(t, agent), state);
    }
  });

  it("Login with loginEnabled false is INVALID_STATE and changes nothing", async () => {
    const { agents } = await setting(t, 1);
    const agent = agents[0]!;
    const disabled = await changed(t, { internalId: agent.state.internalId, agent: { loginEnabled: false } });
    assert.equal(disabled.agent.loginEnabled, false);
    assert.equal(disabled.version, 2);
    const reply = await change(t, { agent: { externalId: agent.auth.user }, requestedAction: "Login" });
    assert.deepEqual(theError(reply), invalidState("requestedAction"));
    assert.deepEqual(await current(t, agent), disabled);
  });

  it("Login when already logged in changes nothing: same version, no event", async () => {
    const { agents } = await setting(t, 1, { ready: true });
    const agent = agents[0]!;
    const events = await eventCount(t);
    clock.advance(1000);
    const state = await changed(t, { internalId: agent.state.internalId, requestedAction: "Login" });
    assert.deepEqual(state, agent.state);
    assert.equal(state.currentWorkState, "Ready");
    assert.equal(await eventCount(t), events);
  });

  it("Logout when logged in and Idle: LoggedOut now", async () => {
    const { agents } = await setting(t, 1, { ready: true });
    const agent = agents[0]!;
    clock.advance(1000);
    const state = await changed(t, { internalId: agent.state.internalId, requestedAction: "Logout" });
    assert.deepEqual(
      [state.currentWorkState, state.requestedWorkState, state.version],
      ["LoggedOut", null, agent.state.version + 1],
    );
    assert.equal(state.workStateStartTime, clock.now().toISOString());
  });

  it("Logout when Acquired: requestedWorkState LoggedOut, applied at releaseAgent", async () => {
    const { group, agents } = await setting(t, 1, { ready: true });
    const agent = agents[0]!;
    await acquire(t, group.internalId, agent);
    const pending = await changed(t, { internalId: agent.state.internalId, requestedAction: "Logout" });
    assert.deepEqual(
      [pending.currentWorkState, pending.requestedWorkState, pending.currentContactState],
      ["Ready", "LoggedOut", "Acquired"],
    );
    const released = await release(t, agent);
    assert.deepEqual(
      [released.currentWorkState, released.requestedWorkState, released.currentContactState],
      ["LoggedOut", null, "Idle"],
    );
  });

  it("requestedWorkState Ready, NotReady or Break when LoggedOut is INVALID_STATE", async () => {
    const { agents } = await setting(t, 1);
    const agent = agents[0]!;
    for (const requestedWorkState of ["Ready", "NotReady", "Break"]) {
      const reply = await change(t, { internalId: agent.state.internalId, requestedWorkState });
      assert.deepEqual(theError(reply), invalidState("requestedWorkState"), requestedWorkState);
    }
    assert.deepEqual(await current(t, agent), agent.state);
  });

  it("requestedWorkState when logged in and Idle applies now; requestedWorkState stays null; workStateStartTime moves", async () => {
    const { agents } = await setting(t, 1, { ready: true });
    const agent = agents[0]!;
    let version = agent.state.version;
    for (const workState of ["Break", "NotReady", "Ready"]) {
      clock.advance(5000);
      const state = await changed(t, { internalId: agent.state.internalId, requestedWorkState: workState });
      version += 1;
      assert.deepEqual(
        [state.currentWorkState, state.requestedWorkState, state.version],
        [workState, null, version],
        workState,
      );
      assert.equal(state.workStateStartTime, clock.now().toISOString());
      assert.equal(state.contactStateStartTime, agent.state.contactStateStartTime);
    }
  });

  it("requestedWorkState when Acquired or Connected is pending and applied at releaseAgent", async () => {
    const { group, agents } = await setting(t, 2, { ready: true });
    const [held, connected] = agents as [Agent, Agent];
    await acquire(t, group.internalId, held);
    await acquire(t, group.internalId, connected, "+1 555 010 7777");
    for (const [agent, workState, contactState] of [
      [held, "Break", "Acquired"],
      [connected, "NotReady", "Connected"],
    ] as const) {
      const pending = await changed(t, { internalId: agent.state.internalId, requestedWorkState: workState });
      assert.deepEqual(
        [pending.currentWorkState, pending.requestedWorkState, pending.currentContactState],
        ["Ready", workState, contactState],
      );
      clock.advance(1000);
      const released = await release(t, agent);
      assert.deepEqual(
        [released.currentWorkState, released.requestedWorkState, released.currentContactState, released.currentDevice],
        [workState, null, "Idle", null],
      );
      assert.equal(released.workStateStartTime, clock.now().toISOString());
    }
  });

  it("agent.loginEnabled false when logged in: allowed; then no acquisition, and the user's credentials fail at once", async () => {
    const { group, agents } = await setting(t, 1, { ready: true });
    const agent = agents[0]!;
    expectClean(await t.call("showAgentStateUsingUser", { agent: { externalId: agent.auth.user } }, agent.auth));
    const state = await changed(t, { internalId: agent.state.internalId, agent: { loginEnabled: false } });
    assert.deepEqual([state.agent.loginEnabled, state.currentWorkState], [false, "Ready"]);
    const acquired = await t.call("acquireAgent", { agentState: { agentGroup: { internalId: group.internalId } } });
    assert.deepEqual(acquired, { status: 200, data: [], dataOffset: 0, errors: [], warnings: [] });
    const refused = await t.call("showAgentStateUsingUser", { agent: { externalId: agent.auth.user } }, agent.auth);
    assert.deepEqual(theError(refused), failure(401, "AUTHENTICATION_FAILURE"));
    const enabled = await changed(t, { internalId: agent.state.internalId, agent: { loginEnabled: true } });
    assert.equal(enabled.agent.loginEnabled, true);
    expectClean(await t.call("showAgentStateUsingUser", { agent: { externalId: agent.auth.user } }, agent.auth));
  });

  it("currentPhoneNumber: stored normalised; not a phone number, or held by another agent of the Account, refused", async () => {
    const { agents } = await setting(t, 2, { ready: true });
    const [first, second] = agents as [Agent, Agent];
    const stored = await changed(t, { internalId: first.state.internalId, currentPhoneNumber: "+1 (555) 010-1234" });
    assert.equal(stored.currentPhoneNumber, "+15550101234");
    assert.deepEqual(
      theError(await change(t, { internalId: second.state.internalId, currentPhoneNumber: "not a phone" })),
      invalidData("currentPhoneNumber"),
    );
    assert.deepEqual(
      theError(await change(t, { internalId: second.state.internalId, currentPhoneNumber: "+1.555.010.1234" })),
      failure(409, "OBJECT_EXISTS", 0, "currentPhoneNumber"),
    );
    assert.deepEqual(await current(t, second), second.state);
    const again = await changed(t, { internalId: first.state.internalId, currentPhoneNumber: "+15550101234" });
    assert.equal(again.version, stored.version, "the same number again is no change");
    const elsewhere = await setting(t, 1);
    const other = elsewhere.agents[0]!;
    const otherAccount = await changed(t, { internalId: other.state.internalId, currentPhoneNumber: "+15550101234" });
    assert.equal(otherAccount.currentPhoneNumber, "+15550101234", "another Account may use the same number");
    const cleared = await changed(t, { internalId: first.state.internalId, currentPhoneNumber: null });
    assert.equal(cleared.currentPhoneNumber, null, "null clears the number");
  });

  it("registrationMethod: a RegistrationMethod is stored in agent.attributes; 'Fax' is ATTRIBUTE_INVALID_DATA", async () => {
    const { agents } = await setting(t, 1);
    const agent = agents[0]!;
    const attributes = (value: string) => ({ attributes: [{ name: "registrationMethod", value }] });
    const state = await changed(t, { internalId: agent.state.internalId, agent: attributes("WebRTC") });
    assert.deepEqual(state.agent.attributes, [{ name: "registrationMethod", value: "WebRTC" }]);
    const user = await t.call("showUser", { user: { externalId: agent.auth.user } });
    assert.deepEqual((user.data[0] as { attributes: unknown }).attributes, state.agent.attributes);
    assert.deepEqual(
      theError(await change(t, { internalId: agent.state.internalId, agent: attributes("Fax") })),
      invalidData("agent.attributes.registrationMethod"),
    );
    assert.deepEqual(await current(t, agent), state);
  });

  it("reports every bad requestedAction, requestedWorkState and attribute at once, changing nothing", async () => {
    const { agents } = await setting(t, 1, { ready: true });
    const agent = agents[0]!;
    const reply = await change(t, {
      internalId: agent.state.internalId,
      requestedAction: "Dance",
      requestedWorkState: "Busy",
      agent: { attributes: [{ name: "tags", value: "x" }] },
    });
    assert.equal(reply.status, 400);
    assert.deepEqual(reply.errors.map((e) => [e.code, e.attributeName]).sort(), [
      ["ATTRIBUTE_INVALID_DATA", "agent.attributes.tags"],
      ["ATTRIBUTE_INVALID_DATA", "requestedAction"],
      ["ATTRIBUTE_INVALID_DATA", "requestedWorkState"],
    ]);
    assert.deepEqual(await current(t, agent), agent.state);
  });

  it("version: stale is INVALID_STATE and changes nothing; current is applied and incremented", async () => {
    const { agents } = await setting(t, 1, { ready: true });
    const agent = agents[0]!;
    const { internalId, version } = agent.state;
    const stale = await change(t, { internalId, version: version - 1, requestedWorkState: "Break" });
    assert.deepEqual(theError(stale), invalidState("version"));
    assert.deepEqual(await current(t, agent), agent.state);
    const applied = await changed(t, { internalId, version, requestedWorkState: "Break" });
    assert.deepEqual([applied.currentWorkState, applied.version], ["Break", version + 1]);
    assert.deepEqual(
      theError(await change(t, { internalId, version, requestedWorkState: "Ready" })),
      invalidState("version"),
    );
    assert.equal((await current(t, agent)).currentWorkState, "Break");
  });

  it("echoing the whole object with one change applies that change", async () => {
    const { agents } = await setting(t, 1, { ready: true });
    const agent = agents[0]!;
    const shown = await current(t, agent);
    clock.advance(1000);
    const state = await changed(t, { ...shown, requestedWorkState: "Break" });
    assert.deepEqual([state.currentWorkState, state.version], ["Break", shown.version + 1]);
    const echoed = await changed(t, { ...state, currentPhoneNumber: "+44 20 7946 0000" });
    assert.deepEqual([echoed.currentPhoneNumber, echoed.currentWorkState], ["+442079460000", "Break"]);
    const same = await changed(t, { ...echoed });
    assert.deepEqual(same, echoed, "echoing it unchanged changes nothing");
  });

  it("echoing a different read-only value is ATTRIBUTE_INVALID_DATA naming it", async () => {
    const { agents } = await setting(t, 1, { ready: true });
    const agent = agents[0]!;
    const shown = await current(t, agent);
    const cases: [Record<string, unknown>, string][] = [
      [{ currentWorkState: "Break" }, "currentWorkState"],
      [{ currentContactState: "Acquired" }, "currentContactState"],
      [{ agent: { ...shown.agent, firstName: "Renamed" } }, "agent.firstName"],
      [{ currentDevice: { externalId: "+15550106666" } }, "currentDevice"],
    ];
    for (const [field, name] of cases) {
      assert.deepEqual(theError(await change(t, { ...shown, ...field })), invalidData(name), name);
    }
    assert.deepEqual(await current(t, agent), shown);
  });

  it("decides the action first when requestedAction Login and requestedWorkState Break come together", async () => {
    const { agents } = await setting(t, 1);
    const agent = agents[0]!;
    const state = await changed(t, {
      internalId: agent.state.internalId,
      requestedWorkState: "Break",
      requestedAction: "Login",
    });
    assert.deepEqual(
      [state.currentWorkState, state.requestedWorkState, state.version],
      ["Break", null, agent.state.version + 1],
    );
  });
});

describe("changeAgentState: roles", () => {
  const t = suiteApp({ clock: new ManualClock() });

  it("an Agent may log itself in and out, change its work state, phone number and registration", async () => {
    const { agents } = await setting(t, 1);
    const me = agents[0]!;
    const self = { agent: { externalId: me.auth.user } };
    const login = await changed(t, { ...self, requestedAction: "Login" }, me.auth);
    assert.equal(login.currentWorkState, "NotReady");
    assert.deepEqual(login.modifiedBy, { externalId: me.auth.user });
    const ready = await changed(t, { internalId: me.state.internalId, requestedWorkState: "Ready" }, me.auth);
    assert.equal(ready.currentWorkState, "Ready");
    const phone = await changed(
      t,
      {
        ...self,
        currentPhoneNumber: "+1 555 010 4321",
        agent: { ...self.agent, attributes: [{ name: "registrationMethod", value: "Phone" }] },
      },
      me.auth,
    );
    assert.equal(phone.currentPhoneNumber, "+15550104321");
    assert.deepEqual(phone.agent.attributes, [{ name: "registrationMethod", value: "Phone" }]);
    const shown = await t.call("showAgentStateUsingUser", self, me.auth);
    const echoed = await changed(t, { ...stateOf(shown), requestedAction: "Logout" }, me.auth);
    assert.equal(echoed.currentWorkState, "LoggedOut");
  });

  it("an Agent may not change its loginEnabled, nor name another agent", async () => {
    const { agents } = await setting(t, 2, { ready: true });
    const [me, other] = agents as [Agent, Agent];
    assert.deepEqual(
      theError(await change(t, { internalId: me.state.internalId, agent: { loginEnabled: false } }, me.auth)),
      PERMISSION_DENIED,
    );
    const missing = theError(
      await change(t, { agent: { externalId: uniqueEmail("ghost") }, requestedAction: "Logout" }, me.auth),
    );
    assert.equal(missing.code, "OBJECT_NOT_EXISTS");
    assert.deepEqual(
      theError(await change(t, { internalId: other.state.internalId, requestedAction: "Logout" }, me.auth)),
      missing,
    );
    assert.deepEqual(
      theError(await change(t, { agent: { externalId: other.auth.user }, requestedAction: "Logout" }, me.auth)),
      missing,
    );
    assert.deepEqual(await current(t, me), me.state);
    assert.deepEqual(await current(t, other), other.state);
  });

  it("a Supervisor changes any agent in its scope; callers of another Account see none; no credentials is 401", async () => {
    const { accountId, enterpriseId, agents } = await setting(t, 1, { ready: true });
    const agent = agents[0]!;
    const supervisor = await makeUser(t, accountId, ["Supervisor"]);
    const onBreak = await changed(t, { internalId: agent.state.internalId, requestedWorkState: "Break" }, supervisor);
    assert.equal(onBreak.currentWorkState, "Break");
    const disabled = await changed(
      t,
      { internalId: agent.state.internalId, agent: { loginEnabled: false } },
      supervisor,
    );
    assert.equal(disabled.agent.loginEnabled, false);
    const enterpriseSupervisor = await makeUser(t, enterpriseId, ["Supervisor"]);
    const out = await changed(
      t,
      { agent: { externalId: agent.auth.user }, requestedAction: "Logout" },
      enterpriseSupervisor,
    );
    assert.equal(out.currentWorkState, "LoggedOut");

    const elsewhere = await makeAccount(t);
    const notFound = { status: 404, code: "OBJECT_NOT_EXISTS", argumentIndex: 0, attributeName: undefined };
    for (const roles of [["Administrator"], ["Supervisor"]]) {
      const stranger = await makeUser(t, elsewhere.accountId, roles);
      assert.deepEqual(
        theError(await change(t, { internalId: agent.state.internalId, requestedAction: "Login" }, stranger)),
        notFound,
      );
      assert.equal(
        theError(await change(t, { agent: { externalId: agent.auth.user }, requestedAction: "Login" }, stranger)).code,
        "OBJECT_NOT_EXISTS",
      );
    }
    assert.deepEqual(
      theError(await change(t, { internalId: agent.state.internalId, requestedAction: "Login" }, null)),
      NO_SESSION,
    );
    assert.deepEqual(await current(t, agent), out);
  });
});

describe("maxBreakTime", () => {
  const clock = new ManualClock();
  const t = suiteApp({ clock });

  async function breakEvents() {
    await t.runtime.deps.db.settled();
    const rows = await t.runtime.deps.db.q
      .selectFrom("events")
      .selectAll()
      .where("type", "=", "agentState.breakExceeded")
      .orderBy("seq")
      .execute();
    return rows.map((row) => ({ seq: Number(row.seq), data: JSON.parse(row.data) as WireState }));
  }

  it("a Break longer than maxBreakTime reads breakExceeded, and one sweep emits one event", async () => {
    const { group, agents } = await setting(t, 2, { ready: true, group: { maxBreakTime: 1 } });
    const [agent, stays] = agents as [Agent, Agent];
    const onBreak = await changed(t, { internalId: agent.state.internalId, requestedWorkState: "Break" });
    assert.equal(onBreak.breakExceeded, false);
    assert.equal(await sweepBreaks(t.runtime.deps), 0);
    clock.advance(60_000);
    assert.equal((await current(t, agent)).breakExceeded, false, "exactly the limit is not longer than it");
    assert.equal(await sweepBreaks(t.runtime.deps), 0);
    clock.advance(1000);
    const over = await current(t, agent);
    assert.deepEqual([over.breakExceeded, over.version], [true, onBreak.version]);
    assert.equal((await current(t, stays)).breakExceeded, false, "a Ready agent never exceeds");

    assert.deepEqual(await breakEvents(), []);
    assert.equal(await sweepBreaks(t.runtime.deps), 1);
    const events = await breakEvents();
    assert.equal(events.length, 1);
    assert.equal(events[0]?.data.internalId, agent.state.internalId);
    assert.equal(events[0]?.data.breakExceeded, true);
    assert.deepEqual(events[0]?.data.agentGroup, { internalId: group.internalId, externalId: group.externalId });
    assert.equal(await sweepBreaks(t.runtime.deps), 0, "a second sweep emits nothing more");
    assert.equal((await breakEvents()).length, 1);

    // A new Break starts a new count, and crossing it again is a new event.
    await changed(t, { internalId: agent.state.internalId, requestedWorkState: "NotReady" });
    assert.equal((await current(t, agent)).breakExceeded, false);
    await changed(t, { internalId: agent.state.internalId, requestedWorkState: "Break" });
    clock.advance(61_000);
    assert.equal(await sweepBreaks(t.runtime.deps), 1);
    assert.equal((await breakEvents()).length, 2);
  });
});
