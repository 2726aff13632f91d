/**
 * Agent groups and schedule groups (SPEC §4, §5.13–19) through the production
 * buildApp: createAgentGroup, showAgentGroup, changeAgentGroup,
 * deleteAgentGroup, createScheduleGroup, showScheduleGroup,
 * deleteScheduleGroup — the exact objects returned, every error code the SPEC
 * names, identification (§4), that an error changes nothing, and the roles and
 * tenancy rules (§3).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Auth, Reply, TestApp } from "../factories/app.js";
import { ADMIN, ManualClock, makeAccount, makeUser, suiteAccount, suiteApp, unique } from "../factories/app.js";
import { makeAgents } from "../factories/contact-center.js";
import { expectClean, failure, theError } from "../factories/expect.js";
import { groupCount, scheduleGroupCount } from "../factories/inspect.js";
import type { NameValue, Stamps } from "../factories/wire.js";
import { type GuardedMethod, wrongCallerTests } from "../factories/wrong-callers.js";

const NOW = "2026-03-02T15:00:00.000Z";
const ADMIN_KEY = { externalId: ADMIN.user };

interface Key {
  internalId: string;
  externalId: string | null;
}

interface WireScheduleEntry {
  day: string | null;
  startTime: string;
  endTime: string;
  open24: boolean;
  timeZone: string;
  phoneNumber: string | null;
  allocatedCount: number | null;
}

interface WireAgentGroup extends Stamps {
  internalId: string;
  externalId: string;
  parent: { internalId: string; externalId: string; type: string };
  mode: string;
  intensity: number;
  initialWorkState: string;
  maxBreakTime: number;
  currentSchedule: WireScheduleEntry[];
  tags: string[];
  attributes: NameValue[];
  configuration: NameValue[];
}

interface WireScheduleGroup extends Stamps {
  internalId: string;
  externalId: string | null;
  parent: Key;
  type: "ScheduleGroup";
  schedule: WireScheduleEntry[];
  attributes: NameValue[];
}

const groupOf = (reply: Reply) => reply.data[0] as unknown as WireAgentGroup;
const scheduleGroupOf = (reply: Reply) => reply.data[0] as unknown as WireScheduleGroup;

/** Every error of a failed reply, placed. */
function allErrors(reply: Reply) {
  assert.deepEqual(reply.data, []);
  return reply.errors.map((e) => ({ code: e.code, argumentIndex: e.argumentIndex, attributeName: e.attributeName }));
}

async function createGroup(
  t: TestApp,
  accountId: string,
  fields: Record<string, unknown> = {},
  auth: Auth = ADMIN,
): Promise<WireAgentGroup> {
  const reply = await t.call(
    "createAgentGroup",
    { agentGroup: { externalId: unique("grp"), ...fields }, parent: { internalId: accountId } },
    auth,
  );
  expectClean(reply);
  return groupOf(reply);
}

async function createScheduleGroup(
  t: TestApp,
  groupId: string,
  fields: Record<string, unknown> = {},
): Promise<WireScheduleGroup> {
  const reply = await t.call("createScheduleGroup", {
    scheduleGroup: { externalId: unique("shift"), ...fields },
    parent: { internalId: groupId },
  });
  expectClean(reply);
  return scheduleGroupOf(reply);
}

async function showGroup(t: TestApp, internalId: string): Promise<WireAgentGroup> {
  const reply = await t.call("showAgentGroup", { agentGroup: { internalId } });
  expectClean(reply);
  return groupOf(reply);
}

const newYorkDay = {
  startTime: "09:00",
  endTime: "17:00",
  timeZone: "America/New_York",
  phoneNumber: "+1 (555) 010-0100",
  allocatedCount: 4,
};

const newYorkDayStored: WireScheduleEntry = {
  day: null,
  startTime: "09:00",
  endTime: "17:00",
  open24: false,
  timeZone: "America/New_York",
  phoneNumber: "+15550100100",
  allocatedCount: 4,
};

// ---------------------------------------------------------------------------

describe("createAgentGroup", () => {
  const t = suiteApp({ clock: new ManualClock(new Date(NOW)) });
  const a = suiteAccount(t);

  it("creates a group with the defaults and answers every field", async () => {
    const externalId = unique("grp");
    const reply = await t.call("createAgentGroup", {
      agentGroup: { externalId },
      parent: { internalId: a.accountId },
    });
    expectClean(reply);
    const group = groupOf(reply);
    assert.match(group.internalId, /^[0-9a-f]{24}$/);
    const expected: WireAgentGroup = {
      internalId: group.internalId,
      externalId,
      parent: { internalId: a.accountId, externalId: a.account, type: "Account" },
      mode: "Standard",
      intensity: 1,
      initialWorkState: "NotReady",
      maxBreakTime: 0,
      currentSchedule: [],
      tags: [],
      attributes: [],
      configuration: [],
      createdDate: NOW,
      updatedDate: NOW,
      createdBy: ADMIN_KEY,
      modifiedBy: ADMIN_KEY,
    };
    assert.deepEqual(reply, { status: 200, data: [expected], dataOffset: 0, errors: [], warnings: [] });
    assert.deepEqual(await showGroup(t, group.internalId), expected);
  });

  it("stores every field given, the schedule normalised", async () => {
    const externalId = unique("grp");
    const manager = await makeUser(t, a.accountId, ["AccountManager"]);
    const reply = await t.call(
      "createAgentGroup",
      {
        agentGroup: {
          externalId,
          type: "AgentGroup",
          mode: "Enhanced",
          intensity: 2.5,
          initialWorkState: "Ready",
          maxBreakTime: 15,
          currentSchedule: [
            newYorkDay,
            { day: "Saturday", open24: true },
            { day: "Sunday", startTime: "22:00", endTime: "06:00", timeZone: "Europe/Paris" },
          ],
          tags: ["sales", "west"],
          attributes: [{ name: "costCenter", value: "42" }],
          configuration: [{ name: "dialer", value: null }],
        },
        parent: { externalId: a.account, type: "Account" },
      },
      manager,
    );
    expectClean(reply);
    const group = groupOf(reply);
    const managerKey = { externalId: manager.user };
    const expected: WireAgentGroup = {
      internalId: group.internalId,
      externalId,
      parent: { internalId: a.accountId, externalId: a.account, type: "Account" },
      mode: "Enhanced",
      intensity: 2.5,
      initialWorkState: "Ready",
      maxBreakTime: 15,
      currentSchedule: [
        newYorkDayStored,
        {
          day: "Saturday",
          startTime: "00:00",
          endTime: "00:00",
          open24: true,
          timeZone: "UTC",
          phoneNumber: null,
          allocatedCount: null,
        },
        {
          day: "Sunday",
          startTime: "22:00",
          endTime: "06:00",
          open24: false,
          timeZone: "Europe/Paris",
          phoneNumber: null,
          allocatedCount: null,
        },
      ],
      tags: ["sales", "west"],
      attributes: [{ name: "costCenter", value: "42" }],
      configuration: [{ name: "dialer", value: null }],
      createdDate: NOW,
      updatedDate: NOW,
      createdBy: managerKey,
      modifiedBy: managerKey,
    };
    assert.deepEqual(reply.data, [expected]);
    assert.deepEqual(await showGroup(t, group.internalId), expected);
  });

  it("accepts each mode and the bounds of intensity and maxBreakTime", async () => {
    for (const [mode, intensity, maxBreakTime] of [
      ["Standard", 100, 0],
      ["Remote", 0.001, 1440],
    ] as const) {
      const group = await createGroup(t, a.accountId, { mode, intensity, maxBreakTime });
      assert.deepEqual([group.mode, group.intensity, group.maxBreakTime], [mode, intensity, maxBreakTime]);
    }
  });

  it("allows the same externalId in another Account", async () => {
    const b = await makeAccount(t);
    const externalId = unique("grp");
    const one = await createGroup(t, a.accountId, { externalId });
    const two = await createGroup(t, b.accountId, { externalId });
    assert.notEqual(one.internalId, two.internalId);
    assert.equal(two.parent.internalId, b.accountId);
  });

  it("OBJECT_EXISTS for an externalId already used in the Account, and nothing changes", async () => {
    const existing = await createGroup(t, a.accountId, { intensity: 3 });
    const before = await groupCount(t, a.accountId);
    const reply = await t.call("createAgentGroup", {
      agentGroup: { externalId: existing.externalId, mode: "Remote" },
      parent: { internalId: a.accountId },
    });
    assert.deepEqual(theError(reply), failure(409, "OBJECT_EXISTS", 0, "externalId"));
    assert.equal(await groupCount(t, a.accountId), before);
    assert.deepEqual(await showGroup(t, existing.internalId), existing);
  });

  describe("errors change nothing", () => {
    const cases: { name: string; body: () => Record<string, unknown>; expected: object }[] = [
      {
        name: "no agentGroup → ARG_NULL 0",
        body: () => ({ parent: { internalId: a.accountId } }),
        expected: { status: 400, code: "ARG_NULL", argumentIndex: 0, attributeName: undefined },
      },
      {
        name: "a null parent → ARG_NULL 1",
        body: () => ({ agentGroup: { externalId: unique("grp") }, parent: null }),
        expected: { status: 400, code: "ARG_NULL", argumentIndex: 1, attributeName: undefined },
      },
      {
        name: "an Enterprise as parent → ARG_INVALID_TYPE",
        body: () => ({ agentGroup: { externalId: unique("grp") }, parent: { internalId: a.enterpriseId } }),
        expected: { status: 400, code: "ARG_INVALID_TYPE", argumentIndex: 1, attributeName: undefined },
      },
      {
        name: "the SuperEnterprise as parent → ARG_INVALID_TYPE",
        body: () => ({ agentGroup: { externalId: unique("grp") }, parent: { internalId: "root" } }),
        expected: { status: 400, code: "ARG_INVALID_TYPE", argumentIndex: 1, attributeName: undefined },
      },
      {
        name: "a parent that does not exist → OBJECT_NOT_EXISTS",
        body: () => ({ agentGroup: { externalId: unique("grp") }, parent: { internalId: "feedfeedfeedfeedfeedfeed" } }),
        expected: { status: 404, code: "OBJECT_NOT_EXISTS", argumentIndex: 1, attributeName: undefined },
      },
      {
        name: "a parent without ids → ATTRIBUTE_NULL",
        body: () => ({ agentGroup: { externalId: unique("grp") }, parent: { type: "Account" } }),
        expected: { status: 400, code: "ATTRIBUTE_NULL", argumentIndex: 1, attributeName: "externalId" },
      },
      {
        name: "no externalId → ATTRIBUTE_NULL",
        body: () => ({ agentGroup: { mode: "Standard" }, parent: { internalId: a.accountId } }),
        expected: { status: 400, code: "ATTRIBUTE_NULL", argumentIndex: 0, attributeName: "externalId" },
      },
      {
        name: "a control character in externalId → ARG_INVALID_CHAR",
        body: () => ({ agentGroup: { externalId: "bad\u0007grp" }, parent: { internalId: a.accountId } }),
        expected: { status: 400, code: "ARG_INVALID_CHAR", argumentIndex: 0, attributeName: "externalId" },
      },
      {
        name: "an empty externalId → ATTRIBUTE_INVALID_DATA",
        body: () => ({ agentGroup: { externalId: "" }, parent: { internalId: a.accountId } }),
        expected: { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "externalId" },
      },
      {
        name: "an externalId over 255 characters → ATTRIBUTE_INVALID_DATA",
        body: () => ({ agentGroup: { externalId: "g".repeat(256) }, parent: { internalId: a.accountId } }),
        expected: { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "externalId" },
      },
      ...(
        [
          ["mode", "Turbo"],
          ["mode", "standard"],
          ["intensity", 0],
          ["intensity", -1],
          ["intensity", 101],
          ["initialWorkState", "Break"],
          ["initialWorkState", "LoggedOut"],
          ["maxBreakTime", -1],
          ["maxBreakTime", 1.5],
          ["type", "ScheduleGroup"],
        ] as const
      ).map(([field, value]) => ({
        name: `${field} ${JSON.stringify(value)} → ATTRIBUTE_INVALID_DATA`,
        body: () => ({
          agentGroup: { externalId: unique("grp"), [field]: value },
          parent: { internalId: a.accountId },
        }),
        expected: { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: field },
      })),
      {
        name: 'intensity "5" (a string) → a protocol ATTRIBUTE_INVALID_DATA, no coercion',
        body: () => ({
          agentGroup: { externalId: unique("grp"), intensity: "5" },
          parent: { internalId: a.accountId },
        }),
        expected: { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "intensity" },
      },
      {
        name: "an unknown field → ATTRIBUTE_INVALID_DATA",
        body: () => ({ agentGroup: { externalId: unique("grp"), colour: "red" }, parent: { internalId: a.accountId } }),
        expected: { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "colour" },
      },
      ...(
        [
          ["startTime", { startTime: "9:00", endTime: "17:00" }],
          ["startTime", { startTime: "24:00", endTime: "17:00" }],
          ["endTime", { startTime: "09:00", endTime: "17:60" }],
          ["endTime", { startTime: "09:00" }],
          ["timeZone", { startTime: "09:00", endTime: "17:00", timeZone: "Mars/Olympus_Mons" }],
          ["timeZone", { startTime: "09:00", endTime: "17:00", timeZone: "+05:30" }],
          ["day", { day: "Funday", startTime: "09:00", endTime: "17:00" }],
          ["day", { day: "monday", startTime: "09:00", endTime: "17:00" }],
          ["phoneNumber", { startTime: "09:00", endTime: "17:00", phoneNumber: "call me" }],
          ["allocatedCount", { startTime: "09:00", endTime: "17:00", allocatedCount: -1 }],
          ["allocatedCount", { startTime: "09:00", endTime: "17:00", allocatedCount: 1.5 }],
        ] as const
      ).map(([field, entry]) => ({
        name: `schedule entry ${JSON.stringify(entry)} → ATTRIBUTE_INVALID_DATA at currentSchedule[1].${field}`,
        body: () => ({
          agentGroup: { externalId: unique("grp"), currentSchedule: [newYorkDay, entry] },
          parent: { internalId: a.accountId },
        }),
        expected: {
          status: 400,
          code: "ATTRIBUTE_INVALID_DATA",
          argumentIndex: 0,
          attributeName: `currentSchedule[1].${field}`,
        },
      })),
      {
        name: "a duplicate attribute name → ATTRIBUTE_INVALID_DATA",
        body: () => ({
          agentGroup: {
            externalId: unique("grp"),
            attributes: [
              { name: "x", value: "1" },
              { name: "x", value: "2" },
            ],
          },
          parent: { internalId: a.accountId },
        }),
        expected: { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "attributes" },
      },
      {
        name: "a 100,000-character attribute value → ATTRIBUTE_INVALID_DATA",
        body: () => ({
          agentGroup: { externalId: unique("grp"), attributes: [{ name: "x", value: "v".repeat(100_000) }] },
          parent: { internalId: a.accountId },
        }),
        expected: { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "attributes" },
      },
      {
        name: "a configuration name over 255 characters → ATTRIBUTE_INVALID_DATA",
        body: () => ({
          agentGroup: { externalId: unique("grp"), configuration: [{ name: "n".repeat(256), value: "1" }] },
          parent: { internalId: a.accountId },
        }),
        expected: { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "configuration" },
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const before = await groupCount(t, a.accountId);
        const reply = await t.call("createAgentGroup", c.body());
        assert.deepEqual(theError(reply), c.expected);
        assert.equal(await groupCount(t, a.accountId), before);
      });
    }
  });

  it("reports every error found, not just the first", async () => {
    const before = await groupCount(t, a.accountId);
    const reply = await t.call("createAgentGroup", {
      agentGroup: {
        mode: "Turbo",
        intensity: 0,
        maxBreakTime: -1,
        currentSchedule: [{ startTime: "25:00", endTime: "17:00", timeZone: "Nowhere/Land" }],
      },
      parent: { internalId: a.enterpriseId },
    });
    assert.equal(reply.status, 400);
    assert.deepEqual(allErrors(reply), [
      { code: "ATTRIBUTE_NULL", argumentIndex: 0, attributeName: "externalId" },
      { code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "mode" },
      { code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "intensity" },
      { code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "maxBreakTime" },
      { code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "currentSchedule[0].startTime" },
      { code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "currentSchedule[0].timeZone" },
      { code: "ARG_INVALID_TYPE", argumentIndex: 1, attributeName: undefined },
    ]);
    assert.equal(await groupCount(t, a.accountId), before);
  });

  it("no arguments at all → ARG_NULL for both", async () => {
    const reply = await t.call("createAgentGroup", {});
    assert.equal(reply.status, 400);
    assert.deepEqual(allErrors(reply), [
      { code: "ARG_NULL", argumentIndex: 0, attributeName: undefined },
      { code: "ARG_NULL", argumentIndex: 1, attributeName: undefined },
    ]);
  });
});

describe("createAgentGroup and createScheduleGroup limits", () => {
  const t = suiteApp({
    env: {
      CALLBOARD_MAX_AGENT_GROUPS_PER_ACCOUNT: "2",
      CALLBOARD_MAX_SCHEDULE_GROUPS_PER_AGENT_GROUP: "2",
    },
  });

  it("SYSTEM_LIMIT_EXCEEDED past the agent groups of an Account; other Accounts are not affected", async () => {
    const a = await makeAccount(t);
    const b = await makeAccount(t);
    const first = await createGroup(t, a.accountId);
    await createGroup(t, a.accountId);
    const reply = await t.call("createAgentGroup", {
      agentGroup: { externalId: unique("grp") },
      parent: { internalId: a.accountId },
    });
    assert.deepEqual(theError(reply), failure(409, "SYSTEM_LIMIT_EXCEEDED"));
    assert.equal(
      reply.errors[0]?.message,
      "maximum number of agent groups (2 per Account; CALLBOARD_MAX_AGENT_GROUPS_PER_ACCOUNT) exceeded",
    );
    assert.equal(await groupCount(t, a.accountId), 2);
    await createGroup(t, b.accountId);
    expectClean(await t.call("deleteAgentGroup", { agentGroup: { internalId: first.internalId } }));
    await createGroup(t, a.accountId);
  });

  it("SYSTEM_LIMIT_EXCEEDED past the schedule groups of an agent group; sibling groups are not affected", async () => {
    const a = await makeAccount(t);
    const group = await createGroup(t, a.accountId);
    const sibling = await createGroup(t, a.accountId);
    const first = await createScheduleGroup(t, group.internalId);
    await createScheduleGroup(t, group.internalId, { externalId: null });
    const reply = await t.call("createScheduleGroup", {
      scheduleGroup: { externalId: unique("shift") },
      parent: { internalId: group.internalId },
    });
    assert.deepEqual(theError(reply), failure(409, "SYSTEM_LIMIT_EXCEEDED"));
    assert.equal(await scheduleGroupCount(t, group.internalId), 2);
    await createScheduleGroup(t, sibling.internalId);
    expectClean(await t.call("deleteScheduleGroup", { scheduleGroup: { internalId: first.internalId } }));
    await createScheduleGroup(t, group.internalId);
  });
});

describe("showAgentGroup and identification", () => {
  const t = suiteApp({ clock: new ManualClock(new Date(NOW)) });
  const a = suiteAccount(t);
  const b = suiteAccount(t);
  let adminA: Auth;
  before(async () => {
    adminA = await makeUser(t, a.accountId, ["Administrator"]);
  });

  it("answers the group by internalId, by externalId in scope, and by externalId within a parent", async () => {
    const group = await createGroup(t, a.accountId, { mode: "Remote", currentSchedule: [newYorkDay] });
    for (const agentGroup of [
      { internalId: group.internalId },
      { externalId: group.externalId },
      { externalId: group.externalId, parent: { internalId: a.accountId } },
      { externalId: group.externalId, parent: { externalId: a.account } },
      { externalId: group.externalId, parent: { externalId: a.account, type: "Account" } },
    ]) {
      const reply = await t.call("showAgentGroup", { agentGroup });
      assert.deepEqual(reply, { status: 200, data: [group], dataOffset: 0, errors: [], warnings: [] });
    }
  });

  it("accepts a whole group echoed back", async () => {
    const group = await createGroup(t, a.accountId);
    const reply = await t.call("showAgentGroup", { agentGroup: group });
    expectClean(reply);
    assert.deepEqual(reply.data, [group]);
  });

  it("internalId wins over externalId", async () => {
    const one = await createGroup(t, a.accountId);
    const two = await createGroup(t, a.accountId);
    const reply = await t.call("showAgentGroup", {
      agentGroup: { internalId: one.internalId, externalId: two.externalId },
    });
    expectClean(reply);
    assert.deepEqual(reply.data, [one]);
    const missing = await t.call("showAgentGroup", {
      agentGroup: { internalId: "feedfeedfeedfeedfeedfeed", externalId: two.externalId },
    });
    assert.deepEqual(theError(missing), failure(404, "OBJECT_NOT_EXISTS", 0));
  });

  it("the same externalId in two Accounts: found in the caller's scope, ambiguous for root, resolved by parent", async () => {
    const externalId = unique("grp");
    const inA = await createGroup(t, a.accountId, { externalId });
    const inB = await createGroup(t, b.accountId, { externalId });

    const scoped = await t.call("showAgentGroup", { agentGroup: { externalId } }, adminA);
    expectClean(scoped);
    assert.deepEqual(scoped.data, [inA]);

    const ambiguous = await t.call("showAgentGroup", { agentGroup: { externalId } });
    assert.deepEqual(theError(ambiguous), failure(400, "ATTRIBUTE_NULL", 0, "parent"));

    const resolved = await t.call("showAgentGroup", {
      agentGroup: { externalId, parent: { internalId: b.accountId } },
    });
    expectClean(resolved);
    assert.deepEqual(resolved.data, [inB]);
    const byName = await t.call("showAgentGroup", { agentGroup: { externalId, parent: { externalId: a.account } } });
    expectClean(byName);
    assert.deepEqual(byName.data, [inA]);
  });

  it("a group in another Account's parent is not found", async () => {
    const group = await createGroup(t, a.accountId);
    const reply = await t.call("showAgentGroup", {
      agentGroup: { externalId: group.externalId, parent: { internalId: b.accountId } },
    });
    assert.deepEqual(theError(reply), failure(404, "OBJECT_NOT_EXISTS", 0));
  });

  const cases: { name: string; body: () => unknown; expected: object }[] = [
    {
      name: "no agentGroup → ARG_NULL",
      body: () => ({}),
      expected: { status: 400, code: "ARG_NULL", argumentIndex: 0, attributeName: undefined },
    },
    {
      name: "neither internalId nor externalId → ATTRIBUTE_NULL",
      body: () => ({ agentGroup: { mode: "Standard" } }),
      expected: { status: 400, code: "ATTRIBUTE_NULL", argumentIndex: 0, attributeName: "externalId" },
    },
    {
      name: "an unknown externalId → OBJECT_NOT_EXISTS",
      body: () => ({ agentGroup: { externalId: unique("nope") } }),
      expected: { status: 404, code: "OBJECT_NOT_EXISTS", argumentIndex: 0, attributeName: undefined },
    },
    {
      name: "a parent that does not exist → OBJECT_NOT_EXISTS at parent",
      body: () => ({ agentGroup: { externalId: "x", parent: { internalId: "feedfeedfeedfeedfeedfeed" } } }),
      expected: { status: 404, code: "OBJECT_NOT_EXISTS", argumentIndex: 0, attributeName: "parent" },
    },
    {
      name: "a string as agentGroup → ARG_INVALID_TYPE",
      body: () => ({ agentGroup: "sales" }),
      expected: { status: 400, code: "ARG_INVALID_TYPE", argumentIndex: 0, attributeName: undefined },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      assert.deepEqual(theError(await t.call("showAgentGroup", c.body())), c.expected);
    });
  }
});

describe("changeAgentGroup", () => {
  const clock = new ManualClock(new Date(NOW));
  const t = suiteApp({ clock });
  const a = suiteAccount(t);
  let adminA: Auth;
  before(async () => {
    adminA = await makeUser(t, a.accountId, ["Administrator"]);
  });

  it("changes intensity, initialWorkState and maxBreakTime, and stamps the change", async () => {
    clock.set(NOW);
    const group = await createGroup(t, a.accountId, { currentSchedule: [newYorkDay] });
    clock.set("2026-03-02T16:30:00.000Z");
    const reply = await t.call(
      "changeAgentGroup",
      { agentGroup: { internalId: group.internalId, intensity: 7.5, initialWorkState: "Ready", maxBreakTime: 30 } },
      adminA,
    );
    expectClean(reply);
    const expected: WireAgentGroup = {
      ...group,
      intensity: 7.5,
      initialWorkState: "Ready",
      maxBreakTime: 30,
      updatedDate: "2026-03-02T16:30:00.000Z",
      modifiedBy: { externalId: adminA.user },
    };
    assert.deepEqual(reply, { status: 200, data: [expected], dataOffset: 0, errors: [], warnings: [] });
    assert.deepEqual(await showGroup(t, group.internalId), expected);
  });

  it("echoing the whole object with one field changed changes that field", async () => {
    clock.set(NOW);
    const group = await createGroup(t, a.accountId, {
      mode: "Enhanced",
      currentSchedule: [newYorkDay, { day: "Sunday", open24: true }],
      tags: ["t1"],
      attributes: [{ name: "k", value: "v" }],
      configuration: [{ name: "c", value: null }],
    });
    for (const [field, value] of [
      ["intensity", 100],
      ["initialWorkState", "Ready"],
      ["maxBreakTime", 5],
    ] as const) {
      const shown = await showGroup(t, group.internalId);
      const reply = await t.call("changeAgentGroup", { agentGroup: { ...shown, [field]: value } });
      expectClean(reply);
      assert.deepEqual(reply.data, [{ ...shown, [field]: value }]);
      assert.deepEqual(await showGroup(t, group.internalId), { ...shown, [field]: value });
    }
  });

  it("echoing the whole object unchanged changes nothing, not even updatedDate", async () => {
    clock.set(NOW);
    const group = await createGroup(t, a.accountId, { currentSchedule: [newYorkDay], tags: ["x"] });
    clock.set("2026-03-02T18:00:00.000Z");
    const reply = await t.call("changeAgentGroup", { agentGroup: group }, adminA);
    expectClean(reply);
    assert.deepEqual(reply.data, [group]);
    assert.deepEqual(await showGroup(t, group.internalId), group);
  });

  it("an echo matches whatever key order the attributes were created with", async () => {
    clock.set(NOW);
    const reply = await t.call("createAgentGroup", {
      agentGroup: {
        externalId: unique("grp"),
        attributes: [{ value: "v", name: "k" }],
        configuration: [{ value: null, name: "c" }],
      },
      parent: { internalId: a.accountId },
    });
    expectClean(reply);
    const group = groupOf(reply);
    assert.deepEqual(group.attributes, [{ name: "k", value: "v" }]);
    const changed = await t.call("changeAgentGroup", { agentGroup: { ...group, intensity: 3 } });
    expectClean(changed);
    assert.deepEqual(changed.data, [{ ...group, intensity: 3 }]);
  });

  it("finds the group by externalId within its parent", async () => {
    const group = await createGroup(t, a.accountId);
    const reply = await t.call("changeAgentGroup", {
      agentGroup: { externalId: group.externalId, parent: { internalId: a.accountId }, intensity: 4 },
    });
    expectClean(reply);
    assert.equal(groupOf(reply).intensity, 4);
  });

  describe("errors change nothing", () => {
    const cases: { name: string; change: (g: WireAgentGroup) => Record<string, unknown>; expected: object[] }[] = [
      {
        name: 'initialWorkState "Break" → INVALID_STATE',
        change: (g) => ({ internalId: g.internalId, initialWorkState: "Break" }),
        expected: [{ status: 409, code: "INVALID_STATE", argumentIndex: 0, attributeName: "initialWorkState" }],
      },
      {
        name: 'initialWorkState "Busy" → INVALID_STATE, even in a whole echoed object',
        change: (g) => ({ ...g, intensity: 9, initialWorkState: "Busy" }),
        expected: [{ status: 409, code: "INVALID_STATE", argumentIndex: 0, attributeName: "initialWorkState" }],
      },
      ...(
        [
          ["intensity", 0],
          ["intensity", 101],
          ["maxBreakTime", -1],
          ["maxBreakTime", 1.5],
        ] as const
      ).map(([field, value]) => ({
        name: `${field} ${value} → ATTRIBUTE_INVALID_DATA`,
        change: (g: WireAgentGroup) => ({ internalId: g.internalId, [field]: value }),
        expected: [{ status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: field }],
      })),
      {
        name: 'intensity "5" (a string) → a protocol ATTRIBUTE_INVALID_DATA',
        change: (g) => ({ internalId: g.internalId, intensity: "5" }),
        expected: [{ status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "intensity" }],
      },
      {
        name: "a changed mode → ATTRIBUTE_INVALID_DATA",
        change: (g) => ({ ...g, mode: "Enhanced" }),
        expected: [{ status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "mode" }],
      },
      {
        name: "a changed schedule → ATTRIBUTE_INVALID_DATA",
        change: (g) => ({ ...g, currentSchedule: [{ ...newYorkDay, endTime: "18:00" }] }),
        expected: [{ status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "currentSchedule" }],
      },
      {
        name: "an emptied schedule → ATTRIBUTE_INVALID_DATA",
        change: (g) => ({ internalId: g.internalId, currentSchedule: [] }),
        expected: [{ status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "currentSchedule" }],
      },
      {
        name: "changed tags, attributes and configuration → ATTRIBUTE_INVALID_DATA for each",
        change: (g) => ({
          ...g,
          tags: ["other"],
          attributes: [{ name: "k", value: "changed" }],
          configuration: [],
        }),
        expected: [
          { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "tags" },
          { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "attributes" },
          { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "configuration" },
        ],
      },
      {
        name: "a valid change beside a changed mode is not applied either",
        change: (g) => ({ internalId: g.internalId, intensity: 50, maxBreakTime: 10, mode: "Remote" }),
        expected: [{ status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "mode" }],
      },
      {
        name: "several bad values are all reported",
        change: (g) => ({ internalId: g.internalId, intensity: 0, initialWorkState: "LoggedOut", maxBreakTime: -5 }),
        expected: [
          { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "intensity" },
          { status: 400, code: "INVALID_STATE", argumentIndex: 0, attributeName: "initialWorkState" },
          { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "maxBreakTime" },
        ],
      },
      {
        name: "an unknown group → OBJECT_NOT_EXISTS",
        change: () => ({ internalId: "feedfeedfeedfeedfeedfeed", intensity: 2 }),
        expected: [{ status: 404, code: "OBJECT_NOT_EXISTS", argumentIndex: 0, attributeName: undefined }],
      },
      {
        name: "no ids → ATTRIBUTE_NULL",
        change: () => ({ intensity: 2 }),
        expected: [{ status: 400, code: "ATTRIBUTE_NULL", argumentIndex: 0, attributeName: "externalId" }],
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        clock.set(NOW);
        const group = await createGroup(t, a.accountId, {
          currentSchedule: [newYorkDay],
          tags: ["t"],
          attributes: [{ name: "k", value: "v" }],
          configuration: [{ name: "c", value: "1" }],
        });
        clock.set("2026-03-02T16:00:00.000Z");
        const reply = await t.call("changeAgentGroup", { agentGroup: c.change(group) });
        assert.deepEqual(reply.data, []);
        assert.equal(reply.status, (c.expected[0] as { status: number }).status);
        assert.deepEqual(
          reply.errors.map((e) => ({
            status: reply.status,
            code: e.code,
            argumentIndex: e.argumentIndex,
            attributeName: e.attributeName,
          })),
          c.expected.map((e) => ({ ...e, status: reply.status })),
        );
        assert.deepEqual(await showGroup(t, group.internalId), group);
      });
    }

    it("no agentGroup → ARG_NULL", async () => {
      assert.deepEqual(theError(await t.call("changeAgentGroup", {})), failure(400, "ARG_NULL", 0));
    });
  });
});

describe("deleteAgentGroup", () => {
  const t = suiteApp({ clock: new ManualClock() });
  const a = suiteAccount(t);

  it("deletes the group and its schedule groups", async () => {
    const group = await createGroup(t, a.accountId);
    const shifts = [await createScheduleGroup(t, group.internalId), await createScheduleGroup(t, group.internalId)];
    const reply = await t.call("deleteAgentGroup", { agentGroup: { internalId: group.internalId } });
    assert.deepEqual(reply, { status: 200, data: [], dataOffset: 0, errors: [], warnings: [] });
    assert.equal(
      theError(await t.call("showAgentGroup", { agentGroup: { internalId: group.internalId } })).code,
      "OBJECT_NOT_EXISTS",
    );
    for (const shift of shifts) {
      assert.equal(
        theError(await t.call("showScheduleGroup", { scheduleGroup: { internalId: shift.internalId } })).code,
        "OBJECT_NOT_EXISTS",
      );
    }
    assert.equal(await scheduleGroupCount(t, group.internalId), 0);
    // Deleted twice: the second time it does not exist.
    assert.deepEqual(
      theError(await t.call("deleteAgentGroup", { agentGroup: { internalId: group.internalId } })),
      failure(404, "OBJECT_NOT_EXISTS", 0),
    );
  });

  it("deletes by externalId within the caller's scope, and the externalId can be used again", async () => {
    const group = await createGroup(t, a.accountId);
    expectClean(await t.call("deleteAgentGroup", { agentGroup: { externalId: group.externalId } }));
    await createGroup(t, a.accountId, { externalId: group.externalId });
  });

  it("INVALID_STATE while the group has agents, and nothing is deleted; once they are gone it deletes", async () => {
    const group = await createGroup(t, a.accountId);
    const shift = await createScheduleGroup(t, group.internalId);
    const [agent] = (await makeAgents(t, a.accountId, group.internalId, 1)).map((made) => made.auth.user);
    const reply = await t.call("deleteAgentGroup", { agentGroup: { internalId: group.internalId } });
    assert.deepEqual(theError(reply), failure(409, "INVALID_STATE", 0));
    assert.deepEqual(await showGroup(t, group.internalId), group);
    expectClean(await t.call("showScheduleGroup", { scheduleGroup: { internalId: shift.internalId } }));
    expectClean(await t.call("showAgentStateUsingUser", { agent: { externalId: agent } }));

    expectClean(await t.call("deleteAgents", { agents: [{ externalId: agent }] }));
    expectClean(await t.call("deleteAgentGroup", { agentGroup: { internalId: group.internalId } }));
  });

  it("no agentGroup → ARG_NULL; no ids → ATTRIBUTE_NULL; unknown → OBJECT_NOT_EXISTS", async () => {
    assert.deepEqual(theError(await t.call("deleteAgentGroup", { agentGroup: null })), failure(400, "ARG_NULL", 0));
    assert.deepEqual(
      theError(await t.call("deleteAgentGroup", { agentGroup: {} })),
      failure(400, "ATTRIBUTE_NULL", 0, "externalId"),
    );
    assert.deepEqual(
      theError(await t.call("deleteAgentGroup", { agentGroup: { externalId: unique("nope") } })),
      failure(404, "OBJECT_NOT_EXISTS", 0),
    );
  });
});

describe("createScheduleGroup", () => {
  const t = suiteApp({ clock: new ManualClock(new Date(NOW)) });
  const a = suiteAccount(t);
  let group: WireAgentGroup;
  before(async () => {
    group = await createGroup(t, a.accountId);
  });

  it("creates a schedule group and answers every field", async () => {
    const externalId = unique("shift");
    const reply = await t.call("createScheduleGroup", {
      scheduleGroup: {
        externalId,
        type: "ScheduleGroup",
        schedule: [newYorkDay, { day: "Friday", startTime: "22:00", endTime: "02:00" }],
        attributes: [{ name: "lead", value: "Ana" }],
      },
      parent: { internalId: group.internalId },
    });
    expectClean(reply);
    const shift = scheduleGroupOf(reply);
    assert.match(shift.internalId, /^[0-9a-f]{24}$/);
    const expected: WireScheduleGroup = {
      internalId: shift.internalId,
      externalId,
      parent: { internalId: group.internalId, externalId: group.externalId },
      type: "ScheduleGroup",
      schedule: [
        newYorkDayStored,
        {
          day: "Friday",
          startTime: "22:00",
          endTime: "02:00",
          open24: false,
          timeZone: "UTC",
          phoneNumber: null,
          allocatedCount: null,
        },
      ],
      attributes: [{ name: "lead", value: "Ana" }],
      createdDate: NOW,
      updatedDate: NOW,
      createdBy: ADMIN_KEY,
      modifiedBy: ADMIN_KEY,
    };
    assert.deepEqual(reply, { status: 200, data: [expected], dataOffset: 0, errors: [], warnings: [] });
    const shown = await t.call("showScheduleGroup", { scheduleGroup: { internalId: shift.internalId } });
    assert.deepEqual(shown.data, [expected]);
  });

  it("creates one without externalId, schedule or attributes; several may lack an externalId", async () => {
    for (let i = 0; i < 2; i += 1) {
      const reply = await t.call("createScheduleGroup", {
        scheduleGroup: {},
        parent: { externalId: group.externalId, parent: { internalId: a.accountId } },
      });
      expectClean(reply);
      const shift = scheduleGroupOf(reply);
      assert.deepEqual(
        { ...shift, internalId: "" },
        {
          internalId: "",
          externalId: null,
          parent: { internalId: group.internalId, externalId: group.externalId },
          type: "ScheduleGroup",
          schedule: [],
          attributes: [],
          createdDate: NOW,
          updatedDate: NOW,
          createdBy: ADMIN_KEY,
          modifiedBy: ADMIN_KEY,
        },
      );
    }
  });

  it("OBJECT_EXISTS for an externalId used in the same agent group; another agent group may reuse it", async () => {
    const other = await createGroup(t, a.accountId);
    const existing = await createScheduleGroup(t, group.internalId);
    const before = await scheduleGroupCount(t, group.internalId);
    const reply = await t.call("createScheduleGroup", {
      scheduleGroup: { externalId: existing.externalId, schedule: [newYorkDay] },
      parent: { internalId: group.internalId },
    });
    assert.deepEqual(theError(reply), failure(409, "OBJECT_EXISTS", 0, "externalId"));
    assert.equal(await scheduleGroupCount(t, group.internalId), before);
    const reused = await createScheduleGroup(t, other.internalId, { externalId: existing.externalId });
    assert.equal(reused.parent.internalId, other.internalId);
  });

  describe("errors change nothing", () => {
    const cases: { name: string; body: () => Record<string, unknown>; expected: object }[] = [
      {
        name: "no scheduleGroup → ARG_NULL 0",
        body: () => ({ parent: { internalId: group.internalId } }),
        expected: { status: 400, code: "ARG_NULL", argumentIndex: 0, attributeName: undefined },
      },
      {
        name: "no parent → ARG_NULL 1",
        body: () => ({ scheduleGroup: { externalId: unique("shift") } }),
        expected: { status: 400, code: "ARG_NULL", argumentIndex: 1, attributeName: undefined },
      },
      {
        name: "an unknown parent → OBJECT_NOT_EXISTS 1",
        body: () => ({ scheduleGroup: {}, parent: { internalId: "feedfeedfeedfeedfeedfeed" } }),
        expected: { status: 404, code: "OBJECT_NOT_EXISTS", argumentIndex: 1, attributeName: undefined },
      },
      {
        name: "an Account as parent → OBJECT_NOT_EXISTS 1 (the parent is an agent group)",
        body: () => ({ scheduleGroup: {}, parent: { internalId: a.accountId } }),
        expected: { status: 404, code: "OBJECT_NOT_EXISTS", argumentIndex: 1, attributeName: undefined },
      },
      {
        name: "a parent without ids → ATTRIBUTE_NULL 1",
        body: () => ({ scheduleGroup: {}, parent: { mode: "Standard" } }),
        expected: { status: 400, code: "ATTRIBUTE_NULL", argumentIndex: 1, attributeName: "externalId" },
      },
      {
        name: "a control character in externalId → ARG_INVALID_CHAR",
        body: () => ({ scheduleGroup: { externalId: "x\u0001y" }, parent: { internalId: group.internalId } }),
        expected: { status: 400, code: "ARG_INVALID_CHAR", argumentIndex: 0, attributeName: "externalId" },
      },
      {
        name: "a wrong type → ATTRIBUTE_INVALID_DATA",
        body: () => ({ scheduleGroup: { type: "AgentGroup" }, parent: { internalId: group.internalId } }),
        expected: { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "type" },
      },
      ...(
        [
          ["startTime", { startTime: "7", endTime: "17:00" }],
          ["endTime", { startTime: "07:00", endTime: "" }],
          ["timeZone", { startTime: "07:00", endTime: "17:00", timeZone: "Atlantis/Capital" }],
          ["day", { day: "Someday", startTime: "07:00", endTime: "17:00" }],
        ] as const
      ).map(([field, entry]) => ({
        name: `schedule entry ${JSON.stringify(entry)} → ATTRIBUTE_INVALID_DATA at schedule[0].${field}`,
        body: () => ({ scheduleGroup: { schedule: [entry] }, parent: { internalId: group.internalId } }),
        expected: {
          status: 400,
          code: "ATTRIBUTE_INVALID_DATA",
          argumentIndex: 0,
          attributeName: `schedule[0].${field}`,
        },
      })),
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const before = await scheduleGroupCount(t, group.internalId);
        assert.deepEqual(theError(await t.call("createScheduleGroup", c.body())), c.expected);
        assert.equal(await scheduleGroupCount(t, group.internalId), before);
      });
    }
  });
});

describe("showScheduleGroup and deleteScheduleGroup", () => {
  const t = suiteApp({ clock: new ManualClock() });
  const a = suiteAccount(t);
  let adminA: Auth;
  before(async () => {
    adminA = await makeUser(t, a.accountId, ["Administrator"]);
  });

  it("shows a schedule group by internalId, by externalId in scope and by externalId within its agent group", async () => {
    const group = await createGroup(t, a.accountId);
    const shift = await createScheduleGroup(t, group.internalId, { schedule: [newYorkDay] });
    for (const scheduleGroup of [
      { internalId: shift.internalId },
      { internalId: shift.internalId, externalId: "ignored" },
      { externalId: shift.externalId },
      { externalId: shift.externalId, parent: { internalId: group.internalId } },
      { externalId: shift.externalId, parent: { externalId: group.externalId } },
      shift,
    ]) {
      const reply = await t.call("showScheduleGroup", { scheduleGroup }, adminA);
      assert.deepEqual(reply, { status: 200, data: [shift], dataOffset: 0, errors: [], warnings: [] });
    }
  });

  it("the same externalId in two agent groups is ambiguous without parent", async () => {
    const one = await createGroup(t, a.accountId);
    const two = await createGroup(t, a.accountId);
    const externalId = unique("shift");
    await createScheduleGroup(t, one.internalId, { externalId });
    const inTwo = await createScheduleGroup(t, two.internalId, { externalId });
    assert.deepEqual(
      theError(await t.call("showScheduleGroup", { scheduleGroup: { externalId } })),
      failure(400, "ATTRIBUTE_NULL", 0, "parent"),
    );
    const resolved = await t.call("showScheduleGroup", {
      scheduleGroup: { externalId, parent: { internalId: two.internalId } },
    });
    expectClean(resolved);
    assert.deepEqual(resolved.data, [inTwo]);
  });

  it("show errors: ARG_NULL, ATTRIBUTE_NULL, OBJECT_NOT_EXISTS", async () => {
    assert.deepEqual(theError(await t.call("showScheduleGroup", {})), failure(400, "ARG_NULL", 0));
    assert.deepEqual(
      theError(await t.call("showScheduleGroup", { scheduleGroup: { type: "ScheduleGroup" } })),
      failure(400, "ATTRIBUTE_NULL", 0, "externalId"),
    );
    assert.deepEqual(
      theError(await t.call("showScheduleGroup", { scheduleGroup: { externalId: unique("no") } })),
      failure(404, "OBJECT_NOT_EXISTS", 0),
    );
  });

  it("deletes a schedule group; its agent group stays", async () => {
    const group = await createGroup(t, a.accountId);
    const shift = await createScheduleGroup(t, group.internalId);
    const keep = await createScheduleGroup(t, group.internalId);
    const reply = await t.call("deleteScheduleGroup", {
      scheduleGroup: { externalId: shift.externalId, parent: { internalId: group.internalId } },
    });
    assert.deepEqual(reply, { status: 200, data: [], dataOffset: 0, errors: [], warnings: [] });
    assert.equal(
      theError(await t.call("showScheduleGroup", { scheduleGroup: { internalId: shift.internalId } })).code,
      "OBJECT_NOT_EXISTS",
    );
    expectClean(await t.call("showScheduleGroup", { scheduleGroup: { internalId: keep.internalId } }));
    await showGroup(t, group.internalId);
    assert.equal(
      theError(await t.call("deleteScheduleGroup", { scheduleGroup: { internalId: shift.internalId } })).code,
      "OBJECT_NOT_EXISTS",
    );
  });

  it("INVALID_STATE while an agent has it as currentScheduleGroup; other schedule groups delete", async () => {
    const group = await createGroup(t, a.accountId);
    const busy = await createScheduleGroup(t, group.internalId);
    const idle = await createScheduleGroup(t, group.internalId);
    const agents = await makeAgents(t, a.accountId, group.internalId, 1, {
      initialState: { currentScheduleGroup: { internalId: busy.internalId } },
    });
    const agent = agents[0]?.auth.user;
    const reply = await t.call("deleteScheduleGroup", { scheduleGroup: { internalId: busy.internalId } });
    assert.deepEqual(theError(reply), failure(409, "INVALID_STATE", 0));
    const shown = await t.call("showScheduleGroup", { scheduleGroup: { internalId: busy.internalId } });
    assert.deepEqual(shown.data, [busy]);
    expectClean(await t.call("deleteScheduleGroup", { scheduleGroup: { internalId: idle.internalId } }));

    expectClean(await t.call("deleteAgents", { agents: [{ externalId: agent }] }));
    expectClean(await t.call("deleteScheduleGroup", { scheduleGroup: { internalId: busy.internalId } }));
  });

  it("delete errors: ARG_NULL, ATTRIBUTE_NULL, OBJECT_NOT_EXISTS", async () => {
    assert.deepEqual(theError(await t.call("deleteScheduleGroup", {})), failure(400, "ARG_NULL", 0));
    assert.deepEqual(
      theError(await t.call("deleteScheduleGroup", { scheduleGroup: {} })),
      failure(400, "ATTRIBUTE_NULL", 0, "externalId"),
    );
    assert.deepEqual(
      theError(await t.call("deleteScheduleGroup", { scheduleGroup: { internalId: "feedfeedfeedfeedfeedfeed" } })),
      failure(404, "OBJECT_NOT_EXISTS", 0),
    );
  });
});

// ---------------------------------------------------------------------------

describe("wrong callers", () => {
  const t = suiteApp({ clock: new ManualClock() });
  const a = suiteAccount(t);
  let group: WireAgentGroup;
  let shift: WireScheduleGroup;
  let adminB: Auth;
  let supervisorA: Auth;
  let agentA: Auth;
  before(async () => {
    const b = await makeAccount(t);
    group = await createGroup(t, a.accountId, { currentSchedule: [newYorkDay] });
    shift = await createScheduleGroup(t, group.internalId);
    adminB = await makeUser(t, b.accountId, ["Administrator"]);
    supervisorA = await makeUser(t, a.accountId, ["Supervisor"]);
    agentA = await makeUser(t, a.accountId, ["Agent"]);
  });

  /** Each method with a body naming A's objects by internalId and by externalId. */
  const methods: GuardedMethod[] = [
    {
      method: "createAgentGroup",
      supervisor: false,
      byId: () => ({ agentGroup: { externalId: unique("grp") }, parent: { internalId: a.accountId } }),
      byExternalId: () => ({ agentGroup: { externalId: unique("grp") }, parent: { externalId: a.account } }),
    },
    {
      method: "showAgentGroup",
      supervisor: true,
      byId: () => ({ agentGroup: { internalId: group.internalId } }),
      byExternalId: () => ({ agentGroup: { externalId: group.externalId } }),
    },
    {
      method: "changeAgentGroup",
      supervisor: false,
      byId: () => ({ agentGroup: { internalId: group.internalId, intensity: 9 } }),
      byExternalId: () => ({ agentGroup: { externalId: group.externalId, intensity: 9 } }),
    },
    {
      method: "deleteAgentGroup",
      supervisor: false,
      byId: () => ({ agentGroup: { internalId: group.internalId } }),
      byExternalId: () => ({ agentGroup: { externalId: group.externalId } }),
    },
    {
      method: "createScheduleGroup",
      supervisor: false,
      byId: () => ({ scheduleGroup: { externalId: unique("shift") }, parent: { internalId: group.internalId } }),
      byExternalId: () => ({
        scheduleGroup: { externalId: unique("shift") },
        parent: { externalId: group.externalId },
      }),
    },
    {
      method: "showScheduleGroup",
      supervisor: true,
      byId: () => ({ scheduleGroup: { internalId: shift.internalId } }),
      byExternalId: () => ({ scheduleGroup: { externalId: shift.externalId } }),
    },
    {
      method: "deleteScheduleGroup",
      supervisor: false,
      byId: () => ({ scheduleGroup: { internalId: shift.internalId } }),
      byExternalId: () => ({ scheduleGroup: { externalId: shift.externalId } }),
    },
  ];

  /** Nothing of A changed: the group, its schedule group and their counts. */
  async function unchanged(): Promise<void> {
    assert.deepEqual(await showGroup(t, group.internalId), group);
    const shown = await t.call("showScheduleGroup", { scheduleGroup: { internalId: shift.internalId } });
    assert.deepEqual(shown.data, [shift]);
    assert.equal(await groupCount(t, a.accountId), 1);
    assert.equal(await scheduleGroupCount(t, group.internalId), 1);
  }

  wrongCallerTests(t, methods, () => ({ otherAdmin: adminB, supervisor: supervisorA, agent: agentA }), unchanged);
});
