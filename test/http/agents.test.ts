/**
 * Agents (SPEC §5.1, 5.2, 5.5–5.8) through the production buildApp:
 * createAgents, createAgentsUsingString, deleteAgents, showAgentStateUsingUser,
 * showAgentStateUsingDevice, listAgentStatesUsingEntity — the happy path, every
 * whole-call error (checking that nothing changed), every per-item warning, the
 * limits, the events written with each change, and the wrong callers.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Auth, Reply, TestApp } from "../factories/app.js";
import { ADMIN, ManualClock, makeAccount, makeUser, suiteApp, unique, uniqueEmail } from "../factories/app.js";
import { makeAgents, makeGroup, type WireState } from "../factories/contact-center.js";
import { codes, expectOk, failure, NO_SESSION, PERMISSION_DENIED, theError } from "../factories/expect.js";
import { eventCount, eventsAfter, lastSeq } from "../factories/inspect.js";

const NOW = "2026-03-02T12:00:00.000Z";
const ADMIN_KEY = { externalId: ADMIN.user };

type Group = { internalId: string; externalId: string };

const statesOf = (reply: Reply) => reply.data as unknown as WireState[];
const loginsOf = (reply: Reply) => statesOf(reply).map((s) => s.agent.externalId);

/** A freshly created agent's state: LoggedOut, Idle, version 1, made by the administrator at NOW. */
function fresh(internalId: string, login: string, group: Group, fields: Partial<WireState> = {}): WireState {
  return {
    internalId,
    agent: { externalId: login, firstName: "Test", lastName: "User", loginEnabled: true, attributes: [] },
    agentGroup: { internalId: group.internalId, externalId: group.externalId },
    currentScheduleGroup: null,
    currentWorkState: "LoggedOut",
    requestedWorkState: null,
    currentContactState: "Idle",
    currentDevice: null,
    currentPhoneNumber: null,
    workStateStartTime: NOW,
    contactStateStartTime: NOW,
    acquisition: null,
    breakExceeded: false,
    version: 1,
    createdDate: NOW,
    updatedDate: NOW,
    createdBy: ADMIN_KEY,
    modifiedBy: ADMIN_KEY,
    ...fields,
  };
}

async function agentLogins(t: TestApp, accountId: string): Promise<string[]> {
  const reply = await t.call("listAgentStatesUsingEntity", { baseEntity: { internalId: accountId } });
  expectOk(reply);
  return loginsOf(reply);
}

async function showAgent(t: TestApp, login: string, auth?: Auth | null): Promise<Reply> {
  return t.call("showAgentStateUsingUser", { agent: { externalId: login } }, auth);
}

async function makeScheduleGroup(t: TestApp, groupId: string): Promise<Group> {
  const reply = await t.call("createScheduleGroup", {
    scheduleGroup: { externalId: unique("sg") },
    parent: { internalId: groupId },
  });
  expectOk(reply);
  return reply.data[0] as unknown as Group;
}

/** An Account with an agent group and `n` users holding the Agent role (not agents yet). */
async function accountWithUsers(t: TestApp, n: number) {
  const account = await makeAccount(t);
  const group = await makeGroup(t, account.accountId);
  const users: Auth[] = [];
  for (let i = 0; i < n; i++) users.push(await makeUser(t, account.accountId, ["Agent"]));
  return { ...account, group, users };
}

describe("createAgents", () => {
  const t = suiteApp({ clock: new ManualClock() });

  it("creates LoggedOut, Idle agents in input order, readable afterwards", async () => {
    const { accountId, group, users } = await accountWithUsers(t, 2);
    const [a, b] = users.map((u) => u.user) as [string, string];
    const reply = await t.call("createAgents", {
      agents: [{ externalId: b }, { externalId: a.toUpperCase() }],
      agentGroup: { internalId: group.internalId },
      initialState: {},
    });
    expectOk(reply);
    assert.deepEqual(reply.warnings, []);
    const [first, second] = statesOf(reply);
    assert.ok(first && second);
    assert.notEqual(first.internalId, second.internalId);
    assert.deepEqual(statesOf(reply), [fresh(first.internalId, b, group), fresh(second.internalId, a, group)]);
    assert.deepEqual((await showAgent(t, a)).data, [second]);
    assert.deepEqual((await showAgent(t, b)).data, [first]);
    assert.deepEqual(await agentLogins(t, accountId), [a, b].sort());
  });

  it("applies initialState: work state, phone number (normalised), registrationMethod, schedule group", async () => {
    const { group, users } = await accountWithUsers(t, 1);
    const login = users[0]!.user;
    const sg = await makeScheduleGroup(t, group.internalId);
    const reply = await t.call("createAgents", {
      agents: [{ externalId: login }],
      agentGroup: { externalId: group.externalId },
      initialState: {
        currentWorkState: "Ready",
        currentPhoneNumber: "+1 (555) 010-1234",
        agent: { attributes: [{ name: "registrationMethod", value: "SIP" }] },
        currentScheduleGroup: { internalId: sg.internalId },
      },
    });
    expectOk(reply);
    const state = statesOf(reply)[0]!;
    const expected = fresh(state.internalId, login, group, {
      agent: {
        externalId: login,
        firstName: "Test",
        lastName: "User",
        loginEnabled: true,
        attributes: [{ name: "registrationMethod", value: "SIP" }],
      },
      currentWorkState: "Ready",
      currentPhoneNumber: "+15550101234",
      currentScheduleGroup: { internalId: sg.internalId, externalId: sg.externalId },
    });
    assert.deepEqual(statesOf(reply), [expected]);
    assert.deepEqual((await showAgent(t, login)).data, [expected]);
    const user = await t.call("showUser", { user: { externalId: login } });
    assert.deepEqual((user.data[0] as { attributes: unknown }).attributes, [
      { name: "registrationMethod", value: "SIP" },
    ]);
  });

  it("rejects the whole call for a null, mistyped or unknown argument and changes nothing", async () => {
    const { accountId, group, users } = await accountWithUsers(t, 1);
    const other = await makeGroup(t, accountId);
    const otherSg = await makeScheduleGroup(t, other.internalId);
    const agents = [{ externalId: users[0]!.user }];
    const agentGroup = { internalId: group.internalId };
    const cases: [Record<string, unknown>, ReturnType<typeof theError>][] = [
      [
        { agents: null, agentGroup, initialState: {} },
        { status: 400, code: "ARG_NULL", argumentIndex: 0, attributeName: undefined },
      ],
      [
        { agents, agentGroup: null, initialState: {} },
        { status: 400, code: "ARG_NULL", argumentIndex: 1, attributeName: undefined },
      ],
      [
        { agents, agentGroup },
        { status: 400, code: "ARG_NULL", argumentIndex: 2, attributeName: undefined },
      ],
      [
        { agents: { externalId: users[0]!.user }, agentGroup, initialState: {} },
        { status: 400, code: "ARG_INVALID_TYPE", argumentIndex: 0, attributeName: undefined },
      ],
      [
        { agents: users[0]!.user, agentGroup, initialState: {} },
        { status: 400, code: "ARG_INVALID_TYPE", argumentIndex: 0, attributeName: undefined },
      ],
      [
        { agents, agentGroup: { internalId: unique("nogroup") }, initialState: {} },
        { status: 404, code: "OBJECT_NOT_EXISTS", argumentIndex: 1, attributeName: undefined },
      ],
      [
        { agents, agentGroup: { externalId: unique("nogroup") }, initialState: {} },
        { status: 404, code: "OBJECT_NOT_EXISTS", argumentIndex: 1, attributeName: undefined },
      ],
      [
        { agents, agentGroup, initialState: { currentWorkState: "Busy" } },
        { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 2, attributeName: "currentWorkState" },
      ],
      [
        { agents, agentGroup, initialState: { currentPhoneNumber: "call me" } },
        { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 2, attributeName: "currentPhoneNumber" },
      ],
      [
        { agents, agentGroup, initialState: { currentScheduleGroup: { internalId: otherSg.internalId } } },
        { status: 404, code: "OBJECT_NOT_EXISTS", argumentIndex: 2, attributeName: "currentScheduleGroup" },
      ],
    ];
    const events = await eventCount(t);
    for (const [body, expected] of cases) {
      assert.deepEqual(theError(await t.call("createAgents", body)), expected, JSON.stringify(body));
    }
    assert.deepEqual(await agentLogins(t, accountId), []);
    assert.equal(await eventCount(t), events);
  });

  it("reports every bad item as a warning naming its index and externalId, and creates the others", async () => {
    const { accountId, group, users } = await accountWithUsers(t, 3);
    const [good1, good2, already] = users.map((u) => u.user) as [string, string, string];
    await t.call("createAgents", {
      agents: [{ externalId: already }],
      agentGroup: { internalId: (await makeGroup(t, accountId)).internalId },
      initialState: {},
    });
    const elsewhere = await makeAccount(t);
    const foreign = (await makeUser(t, elsewhere.accountId, ["Agent"])).user;
    const supervisor = (await makeUser(t, accountId, ["Supervisor"])).user;
    const unknown = uniqueEmail("ghost");
    const badChar = `bad\u0007${uniqueEmail()}`;
    const items: [{ externalId?: string }, string | null][] = [
      [{}, "ARG_NULL"],
      [{ externalId: badChar }, "ARG_INVALID_CHAR"],
      [{ externalId: good1 }, null],
      [{ externalId: unknown }, "OBJECT_NOT_EXISTS"],
      [{ externalId: foreign }, "OBJECT_NOT_EXISTS"],
      [{ externalId: supervisor }, "INVALID_OBJECT_TYPE"],
      [{ externalId: already }, "OBJECT_EXISTS"],
      [{ externalId: good1 }, "OBJECT_EXISTS"],
      [{ externalId: good2 }, null],
    ];
    const reply = await t.call("createAgents", {
      agents: items.map(([item]) => item),
      agentGroup: { internalId: group.internalId },
      initialState: {},
    });
    expectOk(reply);
    assert.deepEqual(loginsOf(reply), [good1, good2]);
    const failed = items.flatMap(([item, code], index) => (code ? [{ index, item, code }] : []));
    assert.deepEqual(
      codes(reply.warnings),
      failed.map((f) => f.code),
    );
    for (const [n, { index, item }] of failed.entries()) {
      const w = reply.warnings[n]!;
      assert.equal(w.severity, "Warning");
      assert.equal(w.argumentIndex, 0);
      assert.equal(w.attributeName, `agents[${index}].externalId`);
      assert.ok(w.context?.startsWith(`agents[${index}]: ${item.externalId ?? ""}`), w.context);
    }
    assert.deepEqual(await agentLogins(t, accountId), [already, good1, good2].sort());
    assert.equal((await showAgent(t, foreign)).status, 404, "the foreign user did not become an agent");
  });
});

describe("createAgents: the Account's agent limit", () => {
  const t = suiteApp({ clock: new ManualClock(), env: { CALLBOARD_MAX_AGENTS_PER_ACCOUNT: "2" } });

  it("creates the items that fit, in input order, and warns SYSTEM_LIMIT_EXCEEDED for the rest", async () => {
    const { accountId, group, users } = await accountWithUsers(t, 4);
    const [a, b, c, d] = users.map((u) => u.user) as [string, string, string, string];
    const reply = await t.call("createAgents", {
      agents: [{ externalId: c }, { externalId: a }, { externalId: b }],
      agentGroup: { internalId: group.internalId },
      initialState: {},
    });
    expectOk(reply);
    assert.deepEqual(loginsOf(reply), [c, a]);
    assert.deepEqual(codes(reply.warnings), ["SYSTEM_LIMIT_EXCEEDED"]);
    assert.ok(reply.warnings[0]?.context?.includes(b), reply.warnings[0]?.context);
    assert.equal(
      reply.warnings[0]?.message,
      "maximum number of agents (2 per Account; CALLBOARD_MAX_AGENTS_PER_ACCOUNT) exceeded",
    );
    const again = await t.call("createAgents", {
      agents: [{ externalId: d }],
      agentGroup: { internalId: group.internalId },
      initialState: {},
    });
    expectOk(again);
    assert.deepEqual(again.data, []);
    assert.deepEqual(codes(again.warnings), ["SYSTEM_LIMIT_EXCEEDED"]);
    assert.deepEqual(await agentLogins(t, accountId), [a, c].sort());
  });
});

describe("createAgentsUsingString", () => {
  const t = suiteApp({ clock: new ManualClock() });

  /** The agents of `text` in the group, with an empty initialState. */
  const fromText = (text: string, group: Group) =>
    t.call("createAgentsUsingString", { agents: text, agentGroup: { internalId: group.internalId }, initialState: {} });

  it("reads comments, blank lines, CRLF and trimmed fields; a field on a line overrides initialState", async () => {
    const { group, users } = await accountWithUsers(t, 3);
    const [a, b, c] = users.map((u) => u.user) as [string, string, string];
    const sg1 = await makeScheduleGroup(t, group.internalId);
    const sg2 = await makeScheduleGroup(t, group.internalId);
    const text = [
      "# externalId,registrationMethod,currentPhoneNumber,scheduleGroup",
      "",
      `   ${a}   `,
      "  # an indented comment",
      ` ${b.toUpperCase()} , WebRTC , +1 555 010 2000 , ${sg2.externalId} `,
      "   ",
      `${c},,,`,
      "",
    ].join("\r\n");
    const reply = await t.call("createAgentsUsingString", {
      agents: text,
      agentGroup: { internalId: group.internalId },
      initialState: {
        currentWorkState: "NotReady",
        agent: { attributes: [{ name: "registrationMethod", value: "SIP" }] },
        currentScheduleGroup: { internalId: sg1.internalId },
      },
    });
    expectOk(reply);
    assert.deepEqual(reply.warnings, []);
    const view = (s: WireState) => ({
      login: s.agent.externalId,
      method: s.agent.attributes,
      phone: s.currentPhoneNumber,
      sg: s.currentScheduleGroup?.internalId,
      work: s.currentWorkState,
    });
    const sip = [{ name: "registrationMethod", value: "SIP" }];
    assert.deepEqual(statesOf(reply).map(view), [
      { login: a, method: sip, phone: null, sg: sg1.internalId, work: "NotReady" },
      {
        login: b,
        method: [{ name: "registrationMethod", value: "WebRTC" }],
        phone: "+15550102000",
        sg: sg2.internalId,
        work: "NotReady",
      },
      { login: c, method: sip, phone: null, sg: sg1.internalId, work: "NotReady" },
    ]);
    assert.deepEqual(view(statesOf(await showAgent(t, b))[0]!), view(statesOf(reply)[1]!));
  });

  it("rejects an empty or comment-only text with ARG_NULL", async () => {
    const { group } = await accountWithUsers(t, 0);
    for (const agents of ["", "# only a comment\n\n  \r\n# another"]) {
      assert.deepEqual(theError(await fromText(agents, group)), failure(400, "ARG_NULL", 0));
    }
  });

  it("rejects a NUL or a TAB anywhere with ARG_INVALID_CHAR, creating nothing", async () => {
    const { accountId, group, users } = await accountWithUsers(t, 2);
    const [a, b] = users.map((u) => u.user) as [string, string];
    for (const agents of [`${a}\n${b}\u0000`, `${a}\n${b}\tSIP`]) {
      assert.deepEqual(theError(await fromText(agents, group)), failure(400, "ARG_INVALID_CHAR", 0));
    }
    assert.deepEqual(await agentLogins(t, accountId), []);
  });

  it("warns about a malformed line with its number (counting comments and blank lines) and a bad value", async () => {
    const { accountId, group, users } = await accountWithUsers(t, 3);
    const [a, b, c] = users.map((u) => u.user) as [string, string, string];
    const text = [
      "# header", // 1
      "", // 2
      a, // 3
      `${b},SIP,,,extra`, // 4: five fields
      " ,SIP", // 5: empty externalId
      "# note", // 6
      `${c},Fax`, // 7: not a RegistrationMethod
    ].join("\n");
    const reply = await fromText(text, group);
    expectOk(reply);
    assert.deepEqual(loginsOf(reply), [a]);
    assert.deepEqual(codes(reply.warnings), ["ARG_INVALID_DATA", "ARG_INVALID_DATA", "ATTRIBUTE_INVALID_DATA"]);
    const [five, empty, fax] = reply.warnings;
    assert.match(five?.context ?? "", /^line 4\b/);
    assert.match(empty?.context ?? "", /^line 5\b/);
    assert.match(fax?.context ?? "", /^line 7\b/);
    assert.ok(fax?.context?.includes(c), fax?.context);
    assert.deepEqual(await agentLogins(t, accountId), [a]);
  });
  it("warns per line about a phone number held by another agent, a bad phone and an unknown schedule group", async () => {
    const { accountId, group, users } = await accountWithUsers(t, 4);
    const [a, b, c, d] = users.map((u) => u.user) as [string, string, string, string];
    const sg = await makeScheduleGroup(t, group.internalId);
    const text = [
      `${a},,+1 555 010 3000`, // 1
      `${b},,+15550103000`, // 2: the number a now holds
      `${c},,555-0100`, // 3: not a phone number
      `${d},,,${sg.externalId}-nope`, // 4: no such schedule group in this agent group
    ].join("\n");
    const reply = await fromText(text, group);
    expectOk(reply);
    assert.deepEqual(loginsOf(reply), [a]);
    assert.equal(statesOf(reply)[0]?.currentPhoneNumber, "+15550103000");
    assert.deepEqual(codes(reply.warnings), ["OBJECT_EXISTS", "ATTRIBUTE_INVALID_DATA", "OBJECT_NOT_EXISTS"]);
    assert.deepEqual(
      reply.warnings.map((w) => w.context?.split(":")[0]),
      ["line 2", "line 3", "line 4"],
    );
    assert.deepEqual(await agentLogins(t, accountId), [a]);
  });
});

describe("limits: bulk items, string bytes, list results", () => {
  const t = suiteApp({
    clock: new ManualClock(),
    env: {
      CALLBOARD_MAX_BULK_ITEMS: "2",
      CALLBOARD_MAX_STRING_BYTES: "64",
      CALLBOARD_MAX_LIST_RESULTS: "2",
    },
  });

  const tooLarge = { status: 400, code: "ARG_TOO_LARGE", argumentIndex: 0, attributeName: undefined };

  it("createAgents with more items than the bulk limit is ARG_TOO_LARGE and creates nothing", async () => {
    const { accountId, group, users } = await accountWithUsers(t, 3);
    const reply = await t.call("createAgents", {
      agents: users.map((u) => ({ externalId: u.user })),
      agentGroup: { internalId: group.internalId },
      initialState: {},
    });
    assert.deepEqual(theError(reply), tooLarge);
    assert.deepEqual(await agentLogins(t, accountId), []);
  });

  it("createAgentsUsingString over the byte limit or the record limit is ARG_TOO_LARGE", async () => {
    const { accountId, group } = await accountWithUsers(t, 0);
    const agentGroup = { internalId: group.internalId };
    const long = `# ${"x".repeat(60)}\nsomeone@example.com`;
    assert.ok(Buffer.byteLength(long) > 64);
    assert.deepEqual(
      theError(await t.call("createAgentsUsingString", { agents: long, agentGroup, initialState: {} })),
      tooLarge,
    );
    const many = "a@b.cd\nb@b.cd\nc@b.cd";
    assert.ok(Buffer.byteLength(many) <= 64);
    assert.deepEqual(
      theError(await t.call("createAgentsUsingString", { agents: many, agentGroup, initialState: {} })),
      tooLarge,
    );
    assert.deepEqual(await agentLogins(t, accountId), []);
  });

  it("deleteAgents with more items than the bulk limit is ARG_TOO_LARGE and deletes nothing", async () => {
    const { accountId } = await makeAccount(t);
    const group = await makeGroup(t, accountId);
    const agents = [
      ...(await makeAgents(t, accountId, group.internalId, 2)),
      ...(await makeAgents(t, accountId, group.internalId, 1)),
    ];
    const reply = await t.call("deleteAgents", { agents: agents.map((a) => ({ externalId: a.auth.user })) });
    assert.deepEqual(theError(reply), tooLarge);
    for (const agent of agents) expectOk(await showAgent(t, agent.auth.user));
  });

  it("listAgentStatesUsingEntity over the list limit without options is RESULT_TOO_LARGE; with options it pages", async () => {
    const { accountId } = await makeAccount(t);
    const group = await makeGroup(t, accountId);
    await makeAgents(t, accountId, group.internalId, 2);
    await makeAgents(t, accountId, group.internalId, 1);
    const baseEntity = { internalId: accountId };
    assert.deepEqual(
      theError(await t.call("listAgentStatesUsingEntity", { baseEntity })),
      failure(400, "RESULT_TOO_LARGE"),
    );
    const page1 = await t.call("listAgentStatesUsingEntity", { baseEntity, options: { offset: 0 } });
    const page2 = await t.call("listAgentStatesUsingEntity", { baseEntity, options: { offset: 2, limit: 5 } });
    expectOk(page1);
    expectOk(page2);
    assert.equal(page1.data.length, 2);
    assert.equal(page2.data.length, 1);
    assert.equal(page2.dataOffset, 2);
  });
});

describe("deleteAgents", () => {
  const t = suiteApp({ clock: new ManualClock() });

  it("removes the agents' states; the users remain", async () => {
    const { accountId } = await makeAccount(t);
    const group = await makeGroup(t, accountId);
    const agents = await makeAgents(t, accountId, group.internalId, 3);
    const [gone1, gone2, kept] = agents.map((a) => a.auth.user) as [string, string, string];
    const reply = await t.call("deleteAgents", {
      agents: [{ externalId: gone1 }, { externalId: gone2.toUpperCase() }],
    });
    assert.deepEqual(reply, { status: 200, data: [], dataOffset: 0, errors: [], warnings: [] });
    for (const login of [gone1, gone2]) {
      assert.deepEqual(theError(await showAgent(t, login)), failure(404, "OBJECT_NOT_EXISTS", 0));
      expectOk(await t.call("showUser", { user: { externalId: login } }));
    }
    assert.deepEqual(await agentLogins(t, accountId), [kept]);
  });

  it("warns OBJECT_NOT_EXISTS for a user who is not an agent and INVALID_STATE for an Acquired agent, which is kept", async () => {
    const { accountId } = await makeAccount(t);
    const group = await makeGroup(t, accountId);
    const [busy, idle] = await makeAgents(t, accountId, group.internalId, 2, { ready: true });
    const acquired = await t.call("acquireAgent", {
      agentState: { agentGroup: { internalId: group.internalId }, agent: { externalId: busy!.auth.user } },
    });
    expectOk(acquired);
    assert.equal(statesOf(acquired)[0]?.currentContactState, "Acquired");
    const plainUser = (await makeUser(t, accountId, ["Agent"])).user;
    const unknown = uniqueEmail("ghost");
    const reply = await t.call("deleteAgents", {
      agents: [
        { externalId: plainUser },
        { externalId: busy!.auth.user },
        { externalId: idle!.auth.user },
        {
          externalId: unknown,
        },
      ],
    });
    expectOk(reply);
    assert.deepEqual(codes(reply.warnings), ["OBJECT_NOT_EXISTS", "INVALID_STATE", "OBJECT_NOT_EXISTS"]);
    assert.deepEqual(
      reply.warnings.map((w) => w.attributeName),
      ["agents[0].externalId", "agents[1].externalId", "agents[3].externalId"],
    );
    assert.ok(reply.warnings[1]?.context?.includes(busy!.auth.user));
    assert.deepEqual(await agentLogins(t, accountId), [busy!.auth.user]);
    assert.equal(statesOf(await showAgent(t, busy!.auth.user))[0]?.currentContactState, "Acquired");
  });
});

describe("showAgentStateUsingUser", () => {
  const t = suiteApp({ clock: new ManualClock() });

  it("returns the agent's state, by a login in any case", async () => {
    const { accountId } = await makeAccount(t);
    const group = await makeGroup(t, accountId);
    const [agent] = await makeAgents(t, accountId, group.internalId, 1);
    const reply = await showAgent(t, agent!.auth.user.toUpperCase());
    expectOk(reply);
    assert.deepEqual(statesOf(reply), [fresh(agent!.state.internalId, agent!.auth.user, group)]);
  });

  it("answers OBJECT_NOT_EXISTS for a user who is not an agent and ARG_NULL for null", async () => {
    const { accountId } = await makeAccount(t);
    const user = await makeUser(t, accountId, ["Agent"]);
    assert.deepEqual(theError(await showAgent(t, user.user)), failure(404, "OBJECT_NOT_EXISTS", 0));
    assert.deepEqual(theError(await showAgent(t, uniqueEmail("ghost"))).code, "OBJECT_NOT_EXISTS");
    assert.deepEqual(theError(await t.call("showAgentStateUsingUser", { agent: null })), failure(400, "ARG_NULL", 0));
  });

  it("lets an Agent read itself but no other agent; a Supervisor reads any in scope; another Account sees none", async () => {
    const { accountId } = await makeAccount(t);
    const group = await makeGroup(t, accountId);
    const [me, other] = await makeAgents(t, accountId, group.internalId, 2);
    expectOk(await showAgent(t, me!.auth.user, me!.auth));
    const missing = theError(await showAgent(t, uniqueEmail("ghost"), me!.auth));
    assert.deepEqual(theError(await showAgent(t, other!.auth.user, me!.auth)), missing);
    assert.equal(missing.code, "OBJECT_NOT_EXISTS");
    expectOk(await showAgent(t, other!.auth.user, await makeUser(t, accountId, ["Supervisor"])));
    const elsewhere = await makeAccount(t);
    const foreignAdmin = await makeUser(t, elsewhere.accountId, ["Administrator"]);
    assert.deepEqual(theError(await showAgent(t, other!.auth.user, foreignAdmin)), missing);
    assert.equal(theError(await showAgent(t, other!.auth.user, null)).code, "NO_SESSION");
  });
});

describe("showAgentStateUsingDevice", () => {
  const t = suiteApp({ clock: new ManualClock() });

  async function connected(device: string) {
    const account = await makeAccount(t);
    const group = await makeGroup(t, account.accountId);
    const [agent] = await makeAgents(t, account.accountId, group.internalId, 1, { ready: true });
    const acquired = await t.call("acquireAgent", {
      agentState: {
        agentGroup: { internalId: group.internalId },
        currentContactState: "Connected",
        currentDevice: { externalId: device },
      },
    });
    expectOk(acquired);
    assert.equal(acquired.data.length, 1);
    return { ...account, group, agent: agent!, state: statesOf(acquired)[0]! };
  }

  it("finds the agent connected to a phone device, in its Account and in its Enterprise", async () => {
    const { accountId, account, enterpriseId, state } = await connected("+1 555 010 9999");
    assert.deepEqual(state.currentDevice, { externalId: "+15550109999" });
    for (const org of [
      { internalId: accountId },
      { externalId: account, type: "Account" },
      { internalId: enterpriseId },
    ]) {
      for (const externalId of ["+15550109999", "+1 (555) 010-9999"]) {
        const reply = await t.call("showAgentStateUsingDevice", { device: { externalId }, org });
        expectOk(reply);
        assert.deepEqual(reply.data, [state], JSON.stringify(org));
      }
    }
  });

  it("matches an email device case-insensitively", async () => {
    const device = uniqueEmail("Desk").replace("desk", "Desk");
    const { accountId, state } = await connected(device);
    assert.equal(state.currentDevice?.externalId, device.toLowerCase());
    const reply = await t.call("showAgentStateUsingDevice", {
      device: { externalId: device.toUpperCase() },
      org: { internalId: accountId },
    });
    expectOk(reply);
    assert.deepEqual(reply.data, [state]);
  });

  it("answers data [] without an error when no agent is connected to the device", async () => {
    const { accountId, enterpriseId } = await connected("+1 555 010 9999");
    const other = await makeAccount(t);
    for (const [device, org] of [
      ["+1 555 010 8888", accountId],
      ["+1 555 010 9999", other.accountId],
    ] as const) {
      const reply = await t.call("showAgentStateUsingDevice", {
        device: { externalId: device },
        org: { internalId: org },
      });
      assert.deepEqual(reply, { status: 200, data: [], dataOffset: 0, errors: [], warnings: [] });
    }
    assert.notEqual(enterpriseId, other.enterpriseId);
  });

  it("rejects the root SuperEnterprise, a null device and a device without externalId", async () => {
    const { accountId } = await makeAccount(t);
    const org = { internalId: accountId };
    assert.deepEqual(
      theError(
        await t.call("showAgentStateUsingDevice", {
          device: { externalId: "+15550109999" },
          org: { internalId: "root" },
        }),
      ),
      failure(400, "ARG_INVALID_TYPE", 1),
    );
    assert.deepEqual(
      theError(await t.call("showAgentStateUsingDevice", { device: null, org })),
      failure(400, "ARG_NULL", 0),
    );
    assert.deepEqual(
      theError(await t.call("showAgentStateUsingDevice", { device: {}, org })),
      failure(400, "ATTRIBUTE_NULL", 0, "externalId"),
    );
  });
});

describe("listAgentStatesUsingEntity", () => {
  const t = suiteApp({ clock: new ManualClock() });

  /** An Account with two groups; agents named so their order is known: c, a in group 1 (a in the shift), b in group 2. */
  async function roster() {
    const account = await makeAccount(t);
    const g1 = await makeGroup(t, account.accountId);
    const g2 = await makeGroup(t, account.accountId);
    const sg = await makeScheduleGroup(t, g1.internalId);
    const tag = unique("o");
    const [a, b, c] = ["a", "b", "c"].map((p) => `${p}${tag}@example.com`) as [string, string, string];
    for (const login of [c, b, a]) await makeUser(t, account.accountId, ["Agent"], login);
    const create = (logins: string[], group: Group, initialState: Record<string, unknown>) =>
      t.call("createAgents", {
        agents: logins.map((externalId) => ({ externalId })),
        agentGroup: { internalId: group.internalId },
        initialState,
      });
    expectOk(await create([c], g1, {}));
    expectOk(await create([a], g1, { currentScheduleGroup: { internalId: sg.internalId } }));
    expectOk(await create([b], g2, {}));
    return { ...account, g1, g2, sg, a, b, c };
  }

  it("lists an Account's, an AgentGroup's and a ScheduleGroup's agents, ordered by agent externalId", async () => {
    const { accountId, account, g1, g2, sg, a, b, c } = await roster();
    const cases: [Record<string, unknown>, string[]][] = [
      [{ internalId: accountId }, [a, b, c]],
      [{ externalId: account, type: "Account" }, [a, b, c]],
      [{ internalId: g1.internalId }, [a, c]],
      [{ externalId: g1.externalId, type: "AgentGroup" }, [a, c]],
      [{ externalId: g2.externalId, type: "AgentGroup" }, [b]],
      [{ internalId: sg.internalId }, [a]],
      [{ externalId: sg.externalId, type: "ScheduleGroup" }, [a]],
    ];
    for (const [baseEntity, logins] of cases) {
      const reply = await t.call("listAgentStatesUsingEntity", { baseEntity });
      expectOk(reply);
      assert.deepEqual(loginsOf(reply), logins, JSON.stringify(baseEntity));
    }
    const full = statesOf(await t.call("listAgentStatesUsingEntity", { baseEntity: { internalId: sg.internalId } }));
    assert.deepEqual(full, statesOf(await showAgent(t, a)));
  });

  it("pages with options and reports dataOffset", async () => {
    const { accountId, a, b, c } = await roster();
    const page = (options: Record<string, number>) =>
      t.call("listAgentStatesUsingEntity", { baseEntity: { internalId: accountId }, options });
    const first = await page({ offset: 0, limit: 2 });
    const second = await page({ offset: 2, limit: 2 });
    const past = await page({ offset: 5 });
    expectOk(first);
    expectOk(second);
    assert.deepEqual([loginsOf(first), first.dataOffset], [[a, b], 0]);
    assert.deepEqual([loginsOf(second), second.dataOffset], [[c], 2]);
    assert.deepEqual([past.data, past.dataOffset], [[], 5]);
  });

  it("needs type with an externalId, refuses other types, and answers OBJECT_NOT_EXISTS for unknown entities", async () => {
    const { account, enterpriseId, g1 } = await roster();
    const list = (baseEntity: unknown) => t.call("listAgentStatesUsingEntity", { baseEntity });
    assert.deepEqual(theError(await list({ externalId: account })), failure(400, "ATTRIBUTE_NULL", 0, "type"));
    const invalidType = { status: 400, code: "ARG_INVALID_TYPE", argumentIndex: 0, attributeName: undefined };
    assert.deepEqual(theError(await list({ externalId: account, type: "Enterprise" })), invalidType);
    assert.deepEqual(theError(await list({ internalId: enterpriseId })), invalidType);
    assert.deepEqual(theError(await list({ externalId: g1.externalId, type: "Device" })), invalidType);
    for (const ref of [
      { internalId: unique("none") },
      { externalId: unique("none"), type: "Account" },
      { externalId: unique("none"), type: "AgentGroup" },
      { externalId: unique("none"), type: "ScheduleGroup" },
    ]) {
      assert.deepEqual(theError(await list(ref)), failure(404, "OBJECT_NOT_EXISTS", 0));
    }
    assert.equal(theError(await list(null)).code, "ARG_NULL");
  });
});

describe("events", () => {
  const t = suiteApp({ clock: new ManualClock() });

  it("createAgents appends one agentState.changed per created agent, in the same transaction", async () => {
    const { accountId, enterpriseId, group, users } = await accountWithUsers(t, 2);
    const seq = await lastSeq(t);
    const reply = await t.call("createAgents", {
      agents: [...users.map((u) => ({ externalId: u.user })), { externalId: uniqueEmail("ghost") }],
      agentGroup: { internalId: group.internalId },
      initialState: {},
    });
    expectOk(reply);
    const orgPath = `/root/${enterpriseId}/${accountId}/`;
    assert.deepEqual(
      await eventsAfter(t, seq),
      statesOf(reply).map((data) => ({ type: "agentState.changed", orgPath, data })),
    );
  });

  it("deleteAgents appends agentState.deleted for each deleted agent", async () => {
    const { accountId, enterpriseId } = await makeAccount(t);
    const group = await makeGroup(t, accountId);
    const [agent] = await makeAgents(t, accountId, group.internalId, 1);
    const seq = await lastSeq(t);
    expectOk(
      await t.call("deleteAgents", { agents: [{ externalId: agent!.auth.user }, { externalId: uniqueEmail("x") }] }),
    );
    assert.deepEqual(await eventsAfter(t, seq), [
      {
        type: "agentState.deleted",
        orgPath: `/root/${enterpriseId}/${accountId}/`,
        data: {
          internalId: agent!.state.internalId,
          agent: { externalId: agent!.auth.user },
          agentGroup: { internalId: group.internalId, externalId: group.externalId },
        },
      },
    ]);
  });

  it("a call that fails with errors, or changes nothing, appends no event", async () => {
    const { accountId, group, users } = await accountWithUsers(t, 1);
    const [agent] = await makeAgents(t, accountId, group.internalId, 1);
    const before = await eventCount(t);
    const seq = await lastSeq(t);
    const failures: [string, Record<string, unknown>][] = [
      [
        "createAgents",
        {
          agents: [{ externalId: users[0]!.user }],
          agentGroup: { internalId: group.internalId },
          initialState: { currentWorkState: "Busy" },
        },
      ],
      [
        "createAgentsUsingString",
        { agents: `${users[0]!.user}\u0000`, agentGroup: { internalId: group.internalId }, initialState: {} },
      ],
      ["changeAgentState", { agentState: { internalId: agent!.state.internalId, requestedWorkState: "Ready" } }],
      [
        "changeAgentState",
        { agentState: { internalId: agent!.state.internalId, requestedAction: "Login", version: 7 } },
      ],
    ];
    for (const [method, body] of failures) {
      const reply = await t.call(method, body);
      assert.ok(reply.errors.length > 0, `${method} should fail`);
    }
    expectOk(await t.call("deleteAgents", { agents: [{ externalId: users[0]!.user }] }));
    expectOk(await t.call("showAgentStateUsingUser", { agent: { externalId: agent!.auth.user } }));
    assert.equal(await eventCount(t), before);
    assert.equal(await lastSeq(t), seq);
  });

  it("numbers events with consecutive seq values, no gaps, the counter at the last", async () => {
    const { accountId } = await makeAccount(t);
    const group = await makeGroup(t, accountId);
    await makeAgents(t, accountId, group.internalId, 3, { ready: true });
    await t.call("createAgents", { agents: null, agentGroup: { internalId: group.internalId }, initialState: {} });
    await t.runtime.deps.db.settled();
    const rows = await t.runtime.deps.db.q.selectFrom("events").select("seq").orderBy("seq").execute();
    const seqs = rows.map((r) => Number(r.seq));
    assert.ok(seqs.length > 10);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => seqs[0]! + i),
    );
    assert.equal(await lastSeq(t), seqs.at(-1));
  });
});

describe("wrong callers", () => {
  const t = suiteApp({ clock: new ManualClock() });

  async function setting() {
    const { accountId } = await makeAccount(t);
    const group = await makeGroup(t, accountId);
    const [agent] = await makeAgents(t, accountId, group.internalId, 1);
    const candidate = await makeUser(t, accountId, ["Agent"]);
    const elsewhere = await makeAccount(t);
    return {
      accountId,
      group,
      agent: agent!,
      candidate,
      supervisor: await makeUser(t, accountId, ["Supervisor"]),
      foreignAdmin: await makeUser(t, elsewhere.accountId, ["Administrator"]),
    };
  }

  it("createAgents and createAgentsUsingString: Supervisor and Agent 403, another Account 404, none 401", async () => {
    const { accountId, group, agent, candidate, supervisor, foreignAdmin } = await setting();
    const bodies: [string, Record<string, unknown>][] = [
      [
        "createAgents",
        { agents: [{ externalId: candidate.user }], agentGroup: { internalId: group.internalId }, initialState: {} },
      ],
      [
        "createAgentsUsingString",
        { agents: candidate.user, agentGroup: { externalId: group.externalId }, initialState: {} },
      ],
    ];
    for (const [method, body] of bodies) {
      assert.deepEqual(theError(await t.call(method, body, supervisor)), PERMISSION_DENIED, method);
      assert.deepEqual(theError(await t.call(method, body, agent.auth)), PERMISSION_DENIED, method);
      assert.deepEqual(theError(await t.call(method, body, candidate)), PERMISSION_DENIED, method);
      assert.deepEqual(
        theError(await t.call(method, body, foreignAdmin)),
        failure(404, "OBJECT_NOT_EXISTS", 1),
        method,
      );
      assert.deepEqual(theError(await t.call(method, body, null)), NO_SESSION, method);
    }
    assert.deepEqual(await agentLogins(t, accountId), [agent.auth.user]);
  });

  it("deleteAgents: Supervisor and Agent 403, another Account warns OBJECT_NOT_EXISTS and the agent remains", async () => {
    const { accountId, agent, supervisor, foreignAdmin } = await setting();
    const body = { agents: [{ externalId: agent.auth.user }] };
    assert.deepEqual(theError(await t.call("deleteAgents", body, supervisor)), PERMISSION_DENIED);
    assert.deepEqual(theError(await t.call("deleteAgents", body, agent.auth)), PERMISSION_DENIED);
    const foreign = await t.call("deleteAgents", body, foreignAdmin);
    expectOk(foreign);
    assert.deepEqual(codes(foreign.warnings), ["OBJECT_NOT_EXISTS"]);
    assert.deepEqual(theError(await t.call("deleteAgents", body, null)), NO_SESSION);
    assert.deepEqual(await agentLogins(t, accountId), [agent.auth.user]);
  });

  it("listAgentStatesUsingEntity: Supervisor may, Agent 403, another Account 404, none 401", async () => {
    const { accountId, agent, supervisor, foreignAdmin } = await setting();
    const body = { baseEntity: { internalId: accountId } };
    const seen = await t.call("listAgentStatesUsingEntity", body, supervisor);
    expectOk(seen);
    assert.deepEqual(loginsOf(seen), [agent.auth.user]);
    assert.deepEqual(theError(await t.call("listAgentStatesUsingEntity", body, agent.auth)), PERMISSION_DENIED);
    assert.deepEqual(
      theError(await t.call("listAgentStatesUsingEntity", body, foreignAdmin)),
      failure(404, "OBJECT_NOT_EXISTS", 0),
    );
    assert.deepEqual(theError(await t.call("listAgentStatesUsingEntity", body, null)), NO_SESSION);
  });
});
