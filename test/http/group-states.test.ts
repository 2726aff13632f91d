/**
 * Agent group state (SPEC §4, §5.10–12) through the production buildApp:
 * showAgentGroupState, listAgentGroupStates, changeAgentGroupState — the state
 * computed from the schedule at a fixed clock, the counts, the overrides per
 * mode and how long they last, their effect on acquireAgent, paging, and the
 * roles and tenancy rules (§3).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Auth, Reply, TestApp } from "../factories/app.js";
import { ManualClock, makeAccount, makeUser, suiteAccount, suiteApp, unique } from "../factories/app.js";
import { makeAgents } from "../factories/contact-center.js";
import { expectClean, failure, theError } from "../factories/expect.js";
import { type GuardedMethod, wrongCallerTests } from "../factories/wrong-callers.js";

/** A Monday; 10:00 in New York (EST, UTC−5). */
const MONDAY_15Z = "2026-03-02T15:00:00.000Z";

interface Counts {
  agents: number;
  loggedIn: number;
  ready: number;
  notReady: number;
  onBreak: number;
  acquired: number;
  connected: number;
}

interface WireGroupState {
  agentGroup: { internalId: string; externalId: string | null };
  mode: string;
  state: string;
  allocatedCount: number | null;
  currentStartTime: string | null;
  currentEndTime: string | null;
  phoneNumber: string | null;
  counts: Counts;
}

interface Group {
  internalId: string;
  externalId: string;
}

const ZERO: Counts = { agents: 0, loggedIn: 0, ready: 0, notReady: 0, onBreak: 0, acquired: 0, connected: 0 };

/** 09:00–17:00 New York = 14:00–22:00Z in March before the DST change (March 8). */
const NEW_YORK_DAY = {
  startTime: "09:00",
  endTime: "17:00",
  timeZone: "America/New_York",
  phoneNumber: "+1 555 010 0100",
  allocatedCount: 4,
};

/** A NONE result: 200, data []. */
function expectNone(reply: Reply): void {
  assert.deepEqual(reply, { status: 200, data: [], dataOffset: 0, errors: [], warnings: [] });
}

async function createGroup(t: TestApp, accountId: string, fields: Record<string, unknown> = {}): Promise<Group> {
  const reply = await t.call("createAgentGroup", {
    agentGroup: { externalId: unique("grp"), ...fields },
    parent: { internalId: accountId },
  });
  expectClean(reply);
  const { internalId, externalId } = reply.data[0] as unknown as Group;
  return { internalId, externalId };
}

async function stateOf(t: TestApp, group: Group, auth?: Auth): Promise<WireGroupState> {
  const reply = await t.call("showAgentGroupState", { agentGroup: { internalId: group.internalId } }, auth);
  expectClean(reply);
  assert.equal(reply.data.length, 1);
  return reply.data[0] as unknown as WireGroupState;
}

function keyOf(group: Group) {
  return { internalId: group.internalId, externalId: group.externalId };
}

async function override(t: TestApp, group: Group, change: Record<string, unknown>, auth?: Auth): Promise<void> {
  expectNone(
    await t.call(
      "changeAgentGroupState",
      { agentGroupState: { agentGroup: { internalId: group.internalId }, ...change } },
      auth,
    ),
  );
}

async function storedOverride(t: TestApp, group: Group): Promise<string | null> {
  const row = await t.runtime.deps.db.q
    .selectFrom("agent_groups")
    .select(["override"])
    .where("id", "=", group.internalId)
    .executeTakeFirstOrThrow();
  return row.override;
}

/** `count` logged-out agents of a group; answers their logins. */
async function agentLogins(t: TestApp, accountId: string, group: Group, count: number): Promise<string[]> {
  return (await makeAgents(t, accountId, group.internalId, count)).map((agent) => agent.auth.user);
}

async function changeAgent(t: TestApp, agent: string, change: Record<string, unknown>): Promise<void> {
  expectClean(await t.call("changeAgentState", { agentState: { agent: { externalId: agent }, ...change } }));
}

const login = (t: TestApp, agent: string) => changeAgent(t, agent, { requestedAction: "Login" });
const setWork = (t: TestApp, agent: string, state: string) => changeAgent(t, agent, { requestedWorkState: state });

/** Logged in and Ready. */
async function readyAgents(t: TestApp, accountId: string, group: Group, count: number): Promise<string[]> {
  const agents = await agentLogins(t, accountId, group, count);
  for (const agent of agents) {
    await login(t, agent);
    await setWork(t, agent, "Ready");
  }
  return agents;
}

async function acquire(t: TestApp, group: Group, extra: Record<string, unknown> = {}): Promise<Reply> {
  const reply = await t.call("acquireAgent", {
    agentState: { agentGroup: { internalId: group.internalId }, ...extra },
  });
  expectClean(reply);
  return reply;
}

// ---------------------------------------------------------------------------

describe("showAgentGroupState", () => {
  const clock = new ManualClock(new Date(MONDAY_15Z));
  const t = suiteApp({ clock });
  const a = suiteAccount(t);

  it("an empty schedule: Open, no window, no allocated count", async () => {
    clock.set(MONDAY_15Z);
    const group = await createGroup(t, a.accountId);
    const expected: WireGroupState = {
      agentGroup: keyOf(group),
      mode: "Standard",
      state: "Open",
      allocatedCount: null,
      currentStartTime: null,
      currentEndTime: null,
      phoneNumber: null,
      counts: ZERO,
    };
    for (const agentGroup of [
      { internalId: group.internalId },
      { externalId: group.externalId },
      { externalId: group.externalId, parent: { internalId: a.accountId } },
    ]) {
      const reply = await t.call("showAgentGroupState", { agentGroup });
      assert.deepEqual(reply, { status: 200, data: [expected], dataOffset: 0, errors: [], warnings: [] });
    }
    clock.set("2026-03-08T03:17:00.000Z");
    assert.deepEqual(await stateOf(t, group), expected);
  });

  it("09:00–17:00 New York: Open at 10:00 local with the entry's window, count and number; Closed outside", async () => {
    clock.set(MONDAY_15Z);
    const group = await createGroup(t, a.accountId, { currentSchedule: [NEW_YORK_DAY] });
    const open: WireGroupState = {
      agentGroup: keyOf(group),
      mode: "Standard",
      state: "Open",
      allocatedCount: 4,
      currentStartTime: "2026-03-02T14:00:00.000Z",
      currentEndTime: "2026-03-02T22:00:00.000Z",
      phoneNumber: "+15550100100",
      counts: ZERO,
    };
    const closed: WireGroupState = {
      ...open,
      state: "Closed",
      allocatedCount: null,
      currentStartTime: null,
      currentEndTime: null,
      phoneNumber: null,
    };
    assert.deepEqual(await stateOf(t, group), open);
    clock.set("2026-03-02T14:00:00.000Z");
    assert.deepEqual(await stateOf(t, group), open, "the start is inside");
    clock.set("2026-03-02T21:59:59.999Z");
    assert.deepEqual(await stateOf(t, group), open);
    clock.set("2026-03-02T22:00:00.000Z");
    assert.deepEqual(await stateOf(t, group), closed, "the end is outside");
    clock.set("2026-03-02T23:00:00.000Z");
    assert.deepEqual(await stateOf(t, group), closed);
    clock.set("2026-03-02T13:59:59.999Z");
    assert.deepEqual(await stateOf(t, group), closed);
    // After the DST change (March 8) 09:00 New York is 13:00Z.
    clock.set("2026-03-09T13:30:00.000Z");
    assert.deepEqual(await stateOf(t, group), {
      ...open,
      currentStartTime: "2026-03-09T13:00:00.000Z",
      currentEndTime: "2026-03-09T21:00:00.000Z",
    });
  });

  it("an entry past midnight (22:00–06:00) runs into the next day", async () => {
    clock.set(MONDAY_15Z);
    const group = await createGroup(t, a.accountId, {
      currentSchedule: [{ startTime: "22:00", endTime: "06:00", allocatedCount: 2 }],
    });
    const night = {
      state: "Open",
      allocatedCount: 2,
      currentStartTime: "2026-03-02T22:00:00.000Z",
      currentEndTime: "2026-03-03T06:00:00.000Z",
    };
    const closed = { state: "Closed", allocatedCount: null, currentStartTime: null, currentEndTime: null };
    const pick = (s: WireGroupState) => ({
      state: s.state,
      allocatedCount: s.allocatedCount,
      currentStartTime: s.currentStartTime,
      currentEndTime: s.currentEndTime,
    });
    for (const [at, expected] of [
      ["2026-03-02T15:00:00.000Z", closed],
      ["2026-03-02T21:59:00.000Z", closed],
      ["2026-03-02T22:00:00.000Z", night],
      ["2026-03-02T23:00:00.000Z", night],
      ["2026-03-03T05:59:00.000Z", night],
      ["2026-03-03T06:00:00.000Z", closed],
    ] as const) {
      clock.set(at);
      assert.deepEqual(pick(await stateOf(t, group)), expected, at);
    }
  });

  it("day-of-week entries apply on their day only, in their own zone", async () => {
    clock.set(MONDAY_15Z);
    const group = await createGroup(t, a.accountId, {
      currentSchedule: [
        { day: "Tuesday", startTime: "09:00", endTime: "17:00", allocatedCount: 3, phoneNumber: "+15550100003" },
        { day: "Monday", startTime: "10:00", endTime: "12:00", allocatedCount: 1, phoneNumber: "+15550100001" },
        { day: "Friday", startTime: "22:00", endTime: "02:00" },
        { day: "Wednesday", open24: true, timeZone: "America/New_York", allocatedCount: 7 },
      ],
    });
    const pick = (s: WireGroupState) => [
      s.state,
      s.allocatedCount,
      s.currentStartTime,
      s.currentEndTime,
      s.phoneNumber,
    ];
    for (const [at, expected] of [
      // Monday
      ["2026-03-02T11:00:00.000Z", ["Open", 1, "2026-03-02T10:00:00.000Z", "2026-03-02T12:00:00.000Z", "+15550100001"]],
      ["2026-03-02T15:00:00.000Z", ["Closed", null, null, null, null]],
      // Tuesday
      ["2026-03-03T11:00:00.000Z", ["Open", 3, "2026-03-03T09:00:00.000Z", "2026-03-03T17:00:00.000Z", "+15550100003"]],
      // Wednesday 02:00Z is still Tuesday in New York; Thursday 03:00Z is still Wednesday there
      ["2026-03-04T02:00:00.000Z", ["Closed", null, null, null, null]],
      ["2026-03-04T05:00:00.000Z", ["Open", 7, "2026-03-04T05:00:00.000Z", "2026-03-05T05:00:00.000Z", null]],
      ["2026-03-05T03:00:00.000Z", ["Open", 7, "2026-03-04T05:00:00.000Z", "2026-03-05T05:00:00.000Z", null]],
      // Friday night into Saturday
      ["2026-03-07T01:00:00.000Z", ["Open", null, "2026-03-06T22:00:00.000Z", "2026-03-07T02:00:00.000Z", null]],
      ["2026-03-08T01:00:00.000Z", ["Closed", null, null, null, null]],
    ] as const) {
      clock.set(at);
      assert.deepEqual(pick(await stateOf(t, group)), expected, at);
    }
  });

  it("Enhanced and Remote groups report the number of Ready agents as allocatedCount", async () => {
    clock.set(MONDAY_15Z);
    for (const mode of ["Enhanced", "Remote"]) {
      const group = await createGroup(t, a.accountId, {
        mode,
        initialWorkState: "Ready",
        currentSchedule: [{ ...NEW_YORK_DAY, allocatedCount: 9 }],
      });
      assert.equal((await stateOf(t, group)).allocatedCount, 0);
      const agents = await agentLogins(t, a.accountId, group, 3);
      for (const agent of agents) await login(t, agent);
      await setWork(t, agents[0]!, "NotReady");
      const state = await stateOf(t, group);
      assert.deepEqual(state, {
        agentGroup: keyOf(group),
        mode,
        state: "Open",
        allocatedCount: 2,
        currentStartTime: "2026-03-02T14:00:00.000Z",
        currentEndTime: "2026-03-02T22:00:00.000Z",
        phoneNumber: "+15550100100",
        counts: { ...ZERO, agents: 3, loggedIn: 3, ready: 2, notReady: 1 },
      });
    }
    // A Standard group keeps the entry's count, whatever its agents.
    const standard = await createGroup(t, a.accountId, { initialWorkState: "Ready", currentSchedule: [NEW_YORK_DAY] });
    await readyAgents(t, a.accountId, standard, 2);
    assert.equal((await stateOf(t, standard)).allocatedCount, 4);
  });

  it("counts agents by work state and contact state", async () => {
    clock.set(MONDAY_15Z);
    const group = await createGroup(t, a.accountId);
    const agents = await agentLogins(t, a.accountId, group, 6);
    assert.deepEqual((await stateOf(t, group)).counts, { ...ZERO, agents: 6 });

    for (const agent of agents.slice(0, 5)) await login(t, agent);
    assert.deepEqual((await stateOf(t, group)).counts, { ...ZERO, agents: 6, loggedIn: 5, notReady: 5 });

    for (const agent of agents.slice(0, 3)) await setWork(t, agent, "Ready");
    await setWork(t, agents[3]!, "Break");
    assert.deepEqual((await stateOf(t, group)).counts, {
      ...ZERO,
      agents: 6,
      loggedIn: 5,
      ready: 3,
      notReady: 1,
      onBreak: 1,
    });

    clock.advance(1000);
    assert.equal((await acquire(t, group)).data.length, 1);
    const connected = await acquire(t, group, {
      currentContactState: "Connected",
      currentDevice: { externalId: "+15550107777" },
    });
    assert.equal(connected.data.length, 1);
    const counts: Counts = {
      agents: 6,
      loggedIn: 5,
      ready: 3,
      notReady: 1,
      onBreak: 1,
      acquired: 1,
      connected: 1,
    };
    assert.deepEqual((await stateOf(t, group)).counts, counts);

    await changeAgent(t, agents[4]!, { requestedAction: "Logout" });
    assert.deepEqual((await stateOf(t, group)).counts, { ...counts, loggedIn: 4, notReady: 0 });
  });

  it("the same externalId in two Accounts: ambiguous for root without parent, resolved with it", async () => {
    const b = await makeAccount(t);
    const externalId = unique("grp");
    await createGroup(t, a.accountId, { externalId });
    const inB = await createGroup(t, b.accountId, { externalId, mode: "Remote" });
    assert.deepEqual(
      theError(await t.call("showAgentGroupState", { agentGroup: { externalId } })),
      failure(400, "ATTRIBUTE_NULL", 0, "parent"),
    );
    const reply = await t.call("showAgentGroupState", {
      agentGroup: { externalId, parent: { externalId: b.account } },
    });
    expectClean(reply);
    assert.deepEqual((reply.data[0] as unknown as WireGroupState).agentGroup, keyOf(inB));
    assert.equal((reply.data[0] as unknown as WireGroupState).mode, "Remote");
  });

  it("errors: ARG_NULL, ATTRIBUTE_NULL, OBJECT_NOT_EXISTS", async () => {
    assert.deepEqual(theError(await t.call("showAgentGroupState", {})), failure(400, "ARG_NULL", 0));
    assert.deepEqual(
      theError(await t.call("showAgentGroupState", { agentGroup: { mode: "Standard" } })),
      failure(400, "ATTRIBUTE_NULL", 0, "externalId"),
    );
    assert.deepEqual(
      theError(await t.call("showAgentGroupState", { agentGroup: { externalId: unique("no") } })),
      failure(404, "OBJECT_NOT_EXISTS", 0),
    );
  });
});

describe("changeAgentGroupState", () => {
  const clock = new ManualClock(new Date(MONDAY_15Z));
  const t = suiteApp({ clock });
  const a = suiteAccount(t);

  it("Standard: overrides allocatedCount, state and the window", async () => {
    clock.set(MONDAY_15Z);
    const group = await createGroup(t, a.accountId, { currentSchedule: [NEW_YORK_DAY] });
    const base = await stateOf(t, group);

    await override(t, group, { allocatedCount: 1 });
    assert.deepEqual(await stateOf(t, group), { ...base, allocatedCount: 1 });

    await override(t, group, { allocatedCount: 0 });
    assert.deepEqual(await stateOf(t, group), { ...base, allocatedCount: 0 });

    await override(t, group, { state: "Closed" });
    assert.deepEqual(await stateOf(t, group), { ...base, allocatedCount: 0, state: "Closed" });

    await override(t, group, {
      state: "Open",
      currentStartTime: "2026-03-02T13:00:00Z",
      currentEndTime: "2026-03-02T19:30:00+01:00",
    });
    assert.deepEqual(await stateOf(t, group), {
      ...base,
      allocatedCount: 0,
      currentStartTime: "2026-03-02T13:00:00.000Z",
      currentEndTime: "2026-03-02T18:30:00.000Z",
    });
  });

  for (const mode of ["Enhanced", "Remote"]) {
    it(`${mode}: allocatedCount and state → ATTRIBUTE_INVALID_FORMAT; the window is accepted`, async () => {
      clock.set(MONDAY_15Z);
      const group = await createGroup(t, a.accountId, { mode, currentSchedule: [NEW_YORK_DAY] });
      const base = await stateOf(t, group);
      const change = (fields: Record<string, unknown>) =>
        t.call("changeAgentGroupState", {
          agentGroupState: { agentGroup: { internalId: group.internalId }, ...fields },
        });

      for (const [field, value] of [
        ["allocatedCount", 5],
        ["state", "Closed"],
      ] as const) {
        assert.deepEqual(
          theError(await change({ [field]: value })),
          failure(400, "ATTRIBUTE_INVALID_FORMAT", 0, field),
        );
      }
      const both = await change({ allocatedCount: 5, state: "Closed", currentEndTime: "2026-03-02T20:00:00Z" });
      assert.equal(both.status, 400);
      assert.deepEqual(
        both.errors.map((e) => [e.code, e.attributeName]),
        [
          ["ATTRIBUTE_INVALID_FORMAT", "allocatedCount"],
          ["ATTRIBUTE_INVALID_FORMAT", "state"],
        ],
      );
      assert.deepEqual(await stateOf(t, group), base);
      assert.equal(await storedOverride(t, group), null);

      await override(t, group, { currentStartTime: "2026-03-02T12:00:00Z", currentEndTime: "2026-03-02T20:00:00Z" });
      assert.deepEqual(await stateOf(t, group), {
        ...base,
        currentStartTime: "2026-03-02T12:00:00.000Z",
        currentEndTime: "2026-03-02T20:00:00.000Z",
      });
      clock.set("2026-03-02T20:00:00.000Z");
      assert.equal((await stateOf(t, group)).state, "Closed", "the overridden window has ended");
    });
  }

  describe("malformed values → ATTRIBUTE_INVALID_FORMAT, and nothing changes", () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["a negative allocatedCount", { allocatedCount: -1 }, "allocatedCount"],
      ["a fractional allocatedCount", { allocatedCount: 1.5 }, "allocatedCount"],
      ['state "Half"', { state: "Half" }, "state"],
      ['state "open"', { state: "open" }, "state"],
      [
        "a start after the end",
        { currentStartTime: "2026-03-02T18:00:00Z", currentEndTime: "2026-03-02T17:00:00Z" },
        "currentEndTime",
      ],
      [
        "a start equal to the end",
        { currentStartTime: "2026-03-02T18:00:00Z", currentEndTime: "2026-03-02T18:00:00Z" },
        "currentEndTime",
      ],
      ["an end before the current start", { currentEndTime: "2026-03-02T13:00:00Z" }, "currentEndTime"],
      ["a start after the current end", { currentStartTime: "2026-03-02T23:00:00Z" }, "currentStartTime"],
      ["a date without a zone", { currentStartTime: "2026-03-02T15:00:00" }, "currentStartTime"],
      ["a date only", { currentEndTime: "2026-03-02" }, "currentEndTime"],
      ["not a date", { currentEndTime: "tomorrow" }, "currentEndTime"],
      ["February 30th", { currentEndTime: "2026-02-30T18:00:00Z" }, "currentEndTime"],
      ["hour 24", { currentEndTime: "2026-03-02T24:00:00Z" }, "currentEndTime"],
      ["a changed mode", { mode: "Remote" }, "mode"],
      ["a changed phoneNumber", { phoneNumber: "+15550100999" }, "phoneNumber"],
    ];
    for (const [name, change, attributeName] of cases) {
      it(`${name} → ${attributeName}`, async () => {
        clock.set(MONDAY_15Z);
        const group = await createGroup(t, a.accountId, { currentSchedule: [NEW_YORK_DAY] });
        const base = await stateOf(t, group);
        const reply = await t.call("changeAgentGroupState", {
          agentGroupState: { agentGroup: { internalId: group.internalId }, ...change },
        });
        assert.deepEqual(theError(reply), {
          status: 400,
          code: "ATTRIBUTE_INVALID_FORMAT",
          argumentIndex: 0,
          attributeName,
        });
        assert.deepEqual(await stateOf(t, group), base);
        assert.equal(await storedOverride(t, group), null);
      });
    }

    it("all malformed values are reported together", async () => {
      clock.set(MONDAY_15Z);
      const group = await createGroup(t, a.accountId, { currentSchedule: [NEW_YORK_DAY] });
      const reply = await t.call("changeAgentGroupState", {
        agentGroupState: {
          agentGroup: { internalId: group.internalId },
          allocatedCount: -2,
          state: "Half",
          currentStartTime: "soon",
        },
      });
      assert.equal(reply.status, 400);
      assert.deepEqual(
        reply.errors.map((e) => [e.code, e.attributeName]),
        [
          ["ATTRIBUTE_INVALID_FORMAT", "allocatedCount"],
          ["ATTRIBUTE_INVALID_FORMAT", "state"],
          ["ATTRIBUTE_INVALID_FORMAT", "currentStartTime"],
        ],
      );
      assert.equal(await storedOverride(t, group), null);
    });

    it('allocatedCount "3" (a string) is a protocol error, not coerced', async () => {
      const group = await createGroup(t, a.accountId);
      const reply = await t.call("changeAgentGroupState", {
        agentGroupState: { agentGroup: { internalId: group.internalId }, allocatedCount: "3" },
      });
      assert.deepEqual(theError(reply), failure(400, "ATTRIBUTE_INVALID_DATA", 0, "allocatedCount"));
      assert.equal(await storedOverride(t, group), null);
    });
  });

  it("an override lasts until the end of the current interval", async () => {
    clock.set("2026-03-02T10:00:00.000Z");
    const group = await createGroup(t, a.accountId, {
      currentSchedule: [
        { startTime: "09:00", endTime: "12:00", allocatedCount: 2 },
        { startTime: "12:00", endTime: "18:00", allocatedCount: 5 },
      ],
    });
    await override(t, group, { allocatedCount: 1 });
    clock.set("2026-03-02T11:59:59.000Z");
    assert.equal((await stateOf(t, group)).allocatedCount, 1);
    clock.set("2026-03-02T12:00:00.000Z");
    const next = await stateOf(t, group);
    assert.deepEqual(
      [next.state, next.allocatedCount, next.currentStartTime, next.currentEndTime],
      ["Open", 5, "2026-03-02T12:00:00.000Z", "2026-03-02T18:00:00.000Z"],
    );

    await override(t, group, { state: "Closed" });
    clock.set("2026-03-02T17:59:00.000Z");
    assert.equal((await stateOf(t, group)).state, "Closed");
    clock.set("2026-03-03T10:00:00.000Z");
    const tomorrow = await stateOf(t, group);
    assert.deepEqual([tomorrow.state, tomorrow.allocatedCount], ["Open", 2], "the override is gone the next day");
  });

  it("an extended window lasts until the overridden currentEndTime", async () => {
    clock.set(MONDAY_15Z);
    const group = await createGroup(t, a.accountId, { currentSchedule: [NEW_YORK_DAY] });
    await override(t, group, { currentEndTime: "2026-03-03T01:00:00Z", allocatedCount: 2 });
    clock.set("2026-03-02T23:00:00.000Z");
    assert.deepEqual(await stateOf(t, group), {
      agentGroup: keyOf(group),
      mode: "Standard",
      state: "Open",
      allocatedCount: 2,
      currentStartTime: "2026-03-02T14:00:00.000Z",
      currentEndTime: "2026-03-03T01:00:00.000Z",
      phoneNumber: null,
      counts: ZERO,
    });
    clock.set("2026-03-03T01:00:00.000Z");
    const after = await stateOf(t, group);
    assert.deepEqual([after.state, after.allocatedCount, after.currentEndTime], ["Closed", null, null]);
    clock.set("2026-03-03T15:00:00.000Z");
    const tomorrow = await stateOf(t, group);
    assert.deepEqual(
      [tomorrow.state, tomorrow.allocatedCount, tomorrow.currentEndTime],
      ["Open", 4, "2026-03-03T22:00:00.000Z"],
    );
  });

  it("a shortened window closes the group at the overridden end until the interval's end", async () => {
    clock.set(MONDAY_15Z);
    const group = await createGroup(t, a.accountId, { currentSchedule: [NEW_YORK_DAY] });
    await override(t, group, { currentEndTime: "2026-03-02T18:00:00Z" });
    clock.set("2026-03-02T17:59:00.000Z");
    const before = await stateOf(t, group);
    assert.deepEqual([before.state, before.currentEndTime], ["Open", "2026-03-02T18:00:00.000Z"]);
    clock.set("2026-03-02T18:00:00.000Z");
    assert.equal((await stateOf(t, group)).state, "Closed");
    clock.set("2026-03-02T21:59:00.000Z");
    assert.equal((await stateOf(t, group)).state, "Closed");
    clock.set("2026-03-03T15:00:00.000Z");
    const tomorrow = await stateOf(t, group);
    assert.deepEqual([tomorrow.state, tomorrow.currentEndTime], ["Open", "2026-03-03T22:00:00.000Z"]);
  });

  it("state Closed makes acquireAgent answer data [] without error; Open lets it acquire", async () => {
    clock.set(MONDAY_15Z);
    const group = await createGroup(t, a.accountId, { currentSchedule: [NEW_YORK_DAY] });
    const [agent] = await readyAgents(t, a.accountId, group, 1);
    await override(t, group, { state: "Closed" });
    expectNone(await t.call("acquireAgent", { agentState: { agentGroup: { internalId: group.internalId } } }));

    // Outside the schedule the group is Closed; an Open override lets the dialer acquire.
    clock.set("2026-03-02T23:00:00.000Z");
    assert.equal((await stateOf(t, group)).state, "Closed");
    expectNone(await t.call("acquireAgent", { agentState: { agentGroup: { internalId: group.internalId } } }));
    await override(t, group, { state: "Open" });
    const acquired = await acquire(t, group);
    assert.equal(acquired.data.length, 1);
    assert.equal((acquired.data[0] as { agent: { externalId: string } }).agent.externalId, agent);
  });

  it("an override made outside every interval lapses at the start of the next interval", async () => {
    clock.set("2026-03-02T23:00:00.000Z"); // Monday 18:00 New York, after the interval
    const group = await createGroup(t, a.accountId, { currentSchedule: [NEW_YORK_DAY] });
    assert.equal((await stateOf(t, group)).state, "Closed");
    await override(t, group, { state: "Open" });
    const opened = await stateOf(t, group);
    assert.deepEqual(
      [opened.state, opened.allocatedCount, opened.currentStartTime, opened.currentEndTime],
      ["Open", null, null, null],
    );
    const stored = await storedOverride(t, group);
    assert.equal(
      (JSON.parse(stored ?? "null") as { until: string | null }).until,
      "2026-03-03T14:00:00.000Z",
      "Tuesday 09:00 New York",
    );
    clock.set("2026-03-03T13:59:59.000Z");
    assert.equal((await stateOf(t, group)).state, "Open", "open through the night");
    // Inside Tuesday's interval the schedule rules again: its window, count and number.
    clock.set("2026-03-03T14:30:00.000Z");
    assert.deepEqual(await stateOf(t, group), {
      agentGroup: keyOf(group),
      mode: "Standard",
      state: "Open",
      allocatedCount: 4,
      currentStartTime: "2026-03-03T14:00:00.000Z",
      currentEndTime: "2026-03-03T22:00:00.000Z",
      phoneNumber: "+15550100100",
      counts: ZERO,
    });
    clock.set("2026-03-03T23:00:00.000Z");
    assert.equal((await stateOf(t, group)).state, "Closed", "the Open override has lapsed");
  });

  it("on an empty schedule an override lasts until it is next changed", async () => {
    clock.set(MONDAY_15Z);
    const group = await createGroup(t, a.accountId);
    await override(t, group, { state: "Closed" });
    assert.equal((JSON.parse((await storedOverride(t, group)) ?? "null") as { until: string | null }).until, null);
    for (const later of ["2026-03-03T15:00:00.000Z", "2026-03-10T03:00:00.000Z", "2027-01-01T00:00:00.000Z"]) {
      clock.set(later);
      assert.equal((await stateOf(t, group)).state, "Closed", later);
    }
    await override(t, group, { state: "Open" });
    assert.equal((await stateOf(t, group)).state, "Open");
  });

  it("an allocatedCount override caps acquisitions", async () => {
    clock.set(MONDAY_15Z);
    const group = await createGroup(t, a.accountId);
    await readyAgents(t, a.accountId, group, 3);
    await override(t, group, { allocatedCount: 1 });
    const first = await acquire(t, group);
    assert.equal(first.data.length, 1);
    expectNone(await t.call("acquireAgent", { agentState: { agentGroup: { internalId: group.internalId } } }));
    const held = first.data[0] as { internalId: string };
    expectClean(await t.call("releaseAgent", { agentState: { internalId: held.internalId } }));
    assert.equal((await acquire(t, group)).data.length, 1, "free again after the release");
    await override(t, group, { allocatedCount: 3 });
    assert.equal((await acquire(t, group)).data.length, 1);
    assert.equal((await acquire(t, group)).data.length, 1);
    expectNone(await t.call("acquireAgent", { agentState: { agentGroup: { internalId: group.internalId } } }));
  });

  it("echoing the whole state changes nothing and is not an error", async () => {
    clock.set(MONDAY_15Z);
    for (const mode of ["Standard", "Enhanced", "Remote"]) {
      const group = await createGroup(t, a.accountId, {
        mode,
        initialWorkState: "Ready",
        currentSchedule: [NEW_YORK_DAY],
      });
      const agents = await agentLogins(t, a.accountId, group, 2);
      await login(t, agents[0]!);
      const shown = await stateOf(t, group);
      expectNone(await t.call("changeAgentGroupState", { agentGroupState: shown }));
      assert.deepEqual(await stateOf(t, group), shown);
      assert.equal(await storedOverride(t, group), null, mode);
    }
    // With an override in place, its echo changes nothing either.
    const group = await createGroup(t, a.accountId, { currentSchedule: [NEW_YORK_DAY] });
    await override(t, group, { allocatedCount: 2, currentEndTime: "2026-03-02T20:00:00Z" });
    const stored = await storedOverride(t, group);
    const shown = await stateOf(t, group);
    expectNone(await t.call("changeAgentGroupState", { agentGroupState: shown }));
    assert.deepEqual(await stateOf(t, group), shown);
    assert.equal(await storedOverride(t, group), stored);
  });

  it("names the group by externalId within its parent", async () => {
    clock.set(MONDAY_15Z);
    const group = await createGroup(t, a.accountId);
    expectNone(
      await t.call("changeAgentGroupState", {
        agentGroupState: {
          agentGroup: { externalId: group.externalId, parent: { internalId: a.accountId } },
          allocatedCount: 6,
        },
      }),
    );
    assert.equal((await stateOf(t, group)).allocatedCount, 6);
  });

  it("errors: ARG_NULL, ATTRIBUTE_NULL for agentGroup, OBJECT_NOT_EXISTS", async () => {
    assert.deepEqual(theError(await t.call("changeAgentGroupState", {})), failure(400, "ARG_NULL", 0));
    assert.deepEqual(
      theError(await t.call("changeAgentGroupState", { agentGroupState: { state: "Open" } })),
      failure(400, "ATTRIBUTE_NULL", 0, "agentGroup"),
    );
    assert.deepEqual(
      theError(await t.call("changeAgentGroupState", { agentGroupState: { agentGroup: {}, state: "Open" } })),
      failure(400, "ATTRIBUTE_NULL", 0, "agentGroup.externalId"),
    );
    assert.deepEqual(
      theError(
        await t.call("changeAgentGroupState", {
          agentGroupState: { agentGroup: { internalId: "feedfeedfeedfeedfeedfeed" }, state: "Open" },
        }),
      ),
      failure(404, "OBJECT_NOT_EXISTS", 0, "agentGroup"),
    );
  });
});

describe("listAgentGroupStates", () => {
  const t = suiteApp({ clock: new ManualClock(new Date(MONDAY_15Z)) });
  const a = suiteAccount(t);
  let groups: Group[];
  before(async () => {
    const prefix = unique("grp");
    groups = [];
    for (const [suffix, fields] of [
      ["-b", { currentSchedule: [NEW_YORK_DAY] }],
      ["-a", { mode: "Enhanced" }],
      ["-c", { currentSchedule: [{ startTime: "00:00", endTime: "01:00" }] }],
    ] as const) {
      groups.push(await createGroup(t, a.accountId, { externalId: `${prefix}${suffix}`, ...fields }));
    }
  });

  const byExternalId = () => [...groups].sort((x, y) => (x.externalId < y.externalId ? -1 : 1));

  it("lists every group of an Account, ordered by externalId, as showAgentGroupState shows them", async () => {
    const expected = [];
    for (const group of byExternalId()) expected.push(await stateOf(t, group));
    assert.deepEqual(
      expected.map((s) => s.state),
      ["Open", "Open", "Closed"],
    );
    for (const org of [
      { internalId: a.accountId },
      { externalId: a.account },
      { externalId: a.account, type: "Account" },
    ]) {
      const reply = await t.call("listAgentGroupStates", { org });
      assert.deepEqual(reply, { status: 200, data: expected, dataOffset: 0, errors: [], warnings: [] });
    }
  });

  it("an Account without groups lists nothing", async () => {
    const empty = await makeAccount(t);
    expectNone(await t.call("listAgentGroupStates", { org: { internalId: empty.accountId } }));
  });

  it("an AgentGroup lists just that one", async () => {
    const group = groups[0]!;
    const expected = await stateOf(t, group);
    for (const org of [
      { internalId: group.internalId, type: "AgentGroup" },
      { externalId: group.externalId, type: "AgentGroup" },
      { internalId: group.internalId },
    ]) {
      const reply = await t.call("listAgentGroupStates", { org });
      expectClean(reply);
      assert.deepEqual(reply.data, [expected], JSON.stringify(org));
    }
  });

  it("pages with options and sets dataOffset", async () => {
    const expected = [];
    for (const group of byExternalId()) expected.push(await stateOf(t, group));
    const page = await t.call("listAgentGroupStates", {
      org: { internalId: a.accountId },
      options: { offset: 1, limit: 1 },
    });
    assert.deepEqual(page, { status: 200, data: [expected[1]], dataOffset: 1, errors: [], warnings: [] });
    const rest = await t.call("listAgentGroupStates", { org: { internalId: a.accountId }, options: { offset: 2 } });
    assert.deepEqual(rest, { status: 200, data: [expected[2]], dataOffset: 2, errors: [], warnings: [] });
    const past = await t.call("listAgentGroupStates", { org: { internalId: a.accountId }, options: { offset: 9 } });
    assert.deepEqual(past, { status: 200, data: [], dataOffset: 9, errors: [], warnings: [] });
  });

  it("an Enterprise or the SuperEnterprise → ARG_INVALID_TYPE", async () => {
    for (const org of [
      { internalId: a.enterpriseId },
      { internalId: a.enterpriseId, type: "Enterprise" },
      { internalId: "root" },
      { internalId: groups[0]!.internalId, type: "ScheduleGroup" },
    ]) {
      assert.deepEqual(
        theError(await t.call("listAgentGroupStates", { org })),
        failure(400, "ARG_INVALID_TYPE", 0),
        JSON.stringify(org),
      );
    }
  });

  it("errors: ARG_NULL, ATTRIBUTE_NULL, OBJECT_NOT_EXISTS, bad options", async () => {
    assert.deepEqual(theError(await t.call("listAgentGroupStates", {})), failure(400, "ARG_NULL", 0));
    assert.deepEqual(
      theError(await t.call("listAgentGroupStates", { org: { type: "Account" } })),
      failure(400, "ATTRIBUTE_NULL", 0, "externalId"),
    );
    assert.deepEqual(
      theError(await t.call("listAgentGroupStates", { org: { internalId: "feedfeedfeedfeedfeedfeed" } })),
      failure(404, "OBJECT_NOT_EXISTS", 0),
    );
    const badOptions = await t.call("listAgentGroupStates", {
      org: { internalId: a.accountId },
      options: { offset: -1, limit: 0 },
    });
    assert.equal(badOptions.status, 400);
    assert.deepEqual(badOptions.data, []);
    assert.ok(badOptions.errors.every((e) => e.argumentIndex === 1));
  });
});

describe("listAgentGroupStates past the list limit", () => {
  const t = suiteApp({ clock: new ManualClock(), env: { CALLBOARD_MAX_LIST_RESULTS: "2" } });

  it("RESULT_TOO_LARGE without options; pages of at most the limit with them", async () => {
    const a = await makeAccount(t);
    const prefix = unique("grp");
    for (const suffix of ["1", "2", "3"]) await createGroup(t, a.accountId, { externalId: `${prefix}-${suffix}` });
    assert.deepEqual(
      theError(await t.call("listAgentGroupStates", { org: { internalId: a.accountId } })),
      failure(400, "RESULT_TOO_LARGE"),
    );
    const first = await t.call("listAgentGroupStates", {
      org: { internalId: a.accountId },
      options: { offset: 0, limit: 50 },
    });
    expectClean(first);
    assert.deepEqual(
      first.data.map((s) => (s as unknown as WireGroupState).agentGroup.externalId),
      [`${prefix}-1`, `${prefix}-2`],
    );
    const second = await t.call("listAgentGroupStates", { org: { internalId: a.accountId }, options: { offset: 2 } });
    expectClean(second);
    assert.equal(second.dataOffset, 2);
    assert.deepEqual(
      second.data.map((s) => (s as unknown as WireGroupState).agentGroup.externalId),
      [`${prefix}-3`],
    );
    // Exactly the limit is fine.
    const b = await makeAccount(t);
    for (const suffix of ["1", "2"]) await createGroup(t, b.accountId, { externalId: `${prefix}-${suffix}` });
    const full = await t.call("listAgentGroupStates", { org: { internalId: b.accountId } });
    expectClean(full);
    assert.equal(full.data.length, 2);
  });
});

// ---------------------------------------------------------------------------

describe("group state: wrong callers", () => {
  const t = suiteApp({ clock: new ManualClock(new Date(MONDAY_15Z)) });
  const a = suiteAccount(t);
  let group: Group;
  let adminB: Auth;
  let supervisorA: Auth;
  let agentA: Auth;
  before(async () => {
    const b = await makeAccount(t);
    group = await createGroup(t, a.accountId, { currentSchedule: [NEW_YORK_DAY] });
    adminB = await makeUser(t, b.accountId, ["Administrator"]);
    supervisorA = await makeUser(t, a.accountId, ["Supervisor"]);
    agentA = await makeUser(t, a.accountId, ["Agent"]);
  });

  const methods: GuardedMethod[] = [
    {
      method: "showAgentGroupState",
      byId: () => ({ agentGroup: { internalId: group.internalId } }),
      byExternalId: () => ({ agentGroup: { externalId: group.externalId } }),
    },
    {
      method: "listAgentGroupStates",
      label: "listAgentGroupStates of an Account",
      byId: () => ({ org: { internalId: a.accountId } }),
      byExternalId: () => ({ org: { externalId: a.account } }),
    },
    {
      method: "listAgentGroupStates",
      label: "listAgentGroupStates of an AgentGroup",
      byId: () => ({ org: { internalId: group.internalId, type: "AgentGroup" } }),
      byExternalId: () => ({ org: { externalId: group.externalId, type: "AgentGroup" } }),
    },
    {
      method: "changeAgentGroupState",
      byId: () => ({ agentGroupState: { agentGroup: { internalId: group.internalId }, state: "Closed" } }),
      byExternalId: () => ({ agentGroupState: { agentGroup: { externalId: group.externalId }, state: "Closed" } }),
    },
  ];

  async function unchanged(): Promise<void> {
    const state = await stateOf(t, group);
    assert.deepEqual([state.state, state.allocatedCount], ["Open", 4]);
    assert.equal(await storedOverride(t, group), null);
  }

  wrongCallerTests(t, methods, () => ({ otherAdmin: adminB, supervisor: supervisorA, agent: agentA }), unchanged);

  it("a Supervisor of the Account may show, list and change the state", async () => {
    const shown = await stateOf(t, group, supervisorA);
    const listed = await t.call("listAgentGroupStates", { org: { internalId: a.accountId } }, supervisorA);
    expectClean(listed);
    assert.deepEqual(listed.data, [shown]);
    await override(t, group, { state: "Closed", allocatedCount: 1 }, supervisorA);
    const changed = await stateOf(t, group, supervisorA);
    assert.deepEqual(changed, { ...shown, state: "Closed", allocatedCount: 1 });
    await override(t, group, { state: "Open", allocatedCount: 4 }, supervisorA);
  });
});
