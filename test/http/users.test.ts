/**
 * Identity methods (SPEC §3) through the production buildApp: createUsers,
 * createUsersUsingString, showUser, listUsers, changeUser, deleteUsers,
 * changePassword, resetPassword — the happy path, every error code (checking
 * that nothing changed), the roles, the tenancy rule, and that a change to a
 * password, roles or loginEnabled takes effect at the very next call.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Auth, Reply, TestApp } from "../factories/app.js";
import { ADMIN, ManualClock, makeAccount, makeUser, suiteApp, unique, uniqueEmail } from "../factories/app.js";
import { codes, expectOk, failure, PERMISSION_DENIED, theError } from "../factories/expect.js";
import { eventsAfter, lastSeq, userCount } from "../factories/inspect.js";
import { insertAgent } from "../factories/rows.js";
import type { NameValue, Stamps } from "../factories/wire.js";

const NOW = "2026-03-02T12:00:00.000Z";
const ADMIN_KEY = { externalId: ADMIN.user };
const PASSWORD = "password-1";

interface WireUser extends Stamps {
  externalId: string;
  loginEnabled: boolean;
  firstName: string;
  lastName: string;
  email: string | null;
  timeZone: string | null;
  locale: string | null;
  roles: string[];
  defaultPhoneNumber: string | null;
  org: { internalId: string; externalId: string; type: string };
  attributes: NameValue[];
  preferences: NameValue[];
}

/** A user as the administrator created it at NOW: login enabled, the optional fields empty but for `fields`. */
function created(
  fields: Pick<WireUser, "externalId" | "firstName" | "lastName" | "roles" | "org"> & Partial<WireUser>,
): WireUser {
  return {
    loginEnabled: true,
    email: null,
    timeZone: null,
    locale: null,
    defaultPhoneNumber: null,
    attributes: [],
    preferences: [],
    createdDate: NOW,
    updatedDate: NOW,
    createdBy: ADMIN_KEY,
    modifiedBy: ADMIN_KEY,
    ...fields,
  };
}

const userOf = (reply: Reply) => reply.data[0] as unknown as WireUser;
const usersOf = (reply: Reply) => reply.data as unknown as WireUser[];
const loginsOf = (reply: Reply) => usersOf(reply).map((u) => u.externalId);

const placed = (issues: Reply["warnings"]) =>
  issues.map((w) => ({
    code: w.code,
    severity: w.severity,
    attributeName: w.attributeName,
    // the item's label; the reasons that follow in parentheses are checked on their own
    context: w.context?.replace(/ \(.*\)$/s, ""),
  }));

async function show(t: TestApp, externalId: string): Promise<Reply> {
  return t.call("showUser", { user: { externalId } });
}

async function signIn(t: TestApp, auth: Auth): Promise<string> {
  const reply = await t.call("createSession", { externalId: auth.user, password: auth.password }, null);
  expectOk(reply);
  return (reply.data[0] as { internalId: string }).internalId;
}

/** Whether these credentials are accepted right now. */
async function accepted(t: TestApp, auth: Auth | string): Promise<boolean> {
  const reply = await t.call("showCurrentSession", {}, auth);
  if (reply.status === 200) return true;
  assert.equal(reply.status, 401, JSON.stringify(reply.errors));
  return false;
}

/** Two tenants (an Enterprise with an Account each) and users of every role in Account A, an Agent in B. */
async function twoTenants(t: TestApp) {
  const a = await makeAccount(t);
  const b = await makeAccount(t);
  return {
    a,
    b,
    keyA: { internalId: a.accountId, externalId: a.account, type: "Account" },
    adminA: await makeUser(t, a.accountId, ["Administrator"]),
    managerA: await makeUser(t, a.accountId, ["AccountManager"]),
    supervisorA: await makeUser(t, a.accountId, ["Supervisor"]),
    agentA: await makeUser(t, a.accountId, ["Agent"]),
    managerB: await makeUser(t, b.accountId, ["AccountManager"]),
    agentB: await makeUser(t, b.accountId, ["Agent"]),
  };
}

type Tenants = Awaited<ReturnType<typeof twoTenants>>;

/** The wrong-caller cases every method shares: another tenant (404 like a missing object), a too weak role (403), bad credentials (401). */
async function refusesWrongCallers(
  t: TestApp,
  tenants: Tenants,
  method: string,
  onB: Record<string, unknown>,
  onMissing: Record<string, unknown>,
  weak: Auth[],
): Promise<void> {
  const other = await t.call(method, onB, tenants.managerA);
  const missing = await t.call(method, onMissing, tenants.managerA);
  assert.equal(other.status, 404, `${method}: ${JSON.stringify(other.errors)}`);
  assert.deepEqual(theError(other), theError(missing));
  assert.equal(other.errors[0]?.code, "OBJECT_NOT_EXISTS");
  for (const caller of weak) {
    assert.deepEqual(theError(await t.call(method, onB, caller)), PERMISSION_DENIED);
  }
  assert.equal(theError(await t.call(method, onB, null)).code, "NO_SESSION");
  assert.equal(theError(await t.call(method, onB, null)).status, 401);
  const wrong = await t.call(method, onB, { user: tenants.managerA.user, password: "not-the-password" });
  assert.deepEqual(theError(wrong), failure(401, "AUTHENTICATION_FAILURE"));
}

describe("createUsers", () => {
  const t = suiteApp({ clock: new ManualClock() });

  it("creates users with normalised fields, in input order, and emits user.created", async () => {
    const { accountId, account, enterpriseId } = await makeAccount(t);
    const orgKey = { internalId: accountId, externalId: account, type: "Account" };
    const name = unique("bob");
    const phoneLogin = `+1 (555) ${String(Date.now()).slice(-3)}-${String(Math.floor(Math.random() * 9000) + 1000)}`;
    const seq = await lastSeq(t);
    const reply = await t.call("createUsers", {
      users: [
        {
          externalId: `${name}@Example.COM`,
          firstName: " Bob ",
          lastName: "Builder",
          email: "Bob.Builder@Example.com",
          timeZone: "america/new_york",
          locale: "en_US",
          roles: ["Agent", "Supervisor", "Agent"],
          defaultPhoneNumber: "+44 20 7946 0000",
          attributes: [
            { name: "registrationMethod", value: "SIP" },
            { name: "registrationPhoneNumber", value: "+1.555.010.0200" },
            { name: "tags", value: "sales,night" },
          ],
          preferences: [{ name: "theme", value: "dark" }],
          password: "p".repeat(8),
        },
        {
          externalId: phoneLogin,
          firstName: "Pat",
          lastName: "Phone",
          roles: ["Agent"],
          loginEnabled: false,
          timeZone: "Asia/Kolkata",
        },
      ],
      org: { internalId: accountId },
    });
    expectOk(reply);
    const phone = `+${phoneLogin.replace(/\D/g, "")}`;
    const expected: WireUser[] = [
      {
        externalId: `${name}@example.com`,
        loginEnabled: true,
        firstName: "Bob",
        lastName: "Builder",
        email: "bob.builder@example.com",
        timeZone: "America/New_York",
        locale: "en_US",
        roles: ["Agent", "Supervisor"],
        defaultPhoneNumber: "+442079460000",
        org: orgKey,
        attributes: [
          { name: "registrationMethod", value: "SIP" },
          { name: "registrationPhoneNumber", value: "+15550100200" },
          { name: "tags", value: "sales,night" },
        ],
        preferences: [{ name: "theme", value: "dark" }],
        createdDate: NOW,
        updatedDate: NOW,
        createdBy: ADMIN_KEY,
        modifiedBy: ADMIN_KEY,
      },
      created({
        externalId: phone,
        firstName: "Pat",
        lastName: "Phone",
        roles: ["Agent"],
        org: orgKey,
        loginEnabled: false,
        // Kept as given: Intl itself would answer the older name Asia/Calcutta.
        timeZone: "Asia/Kolkata",
      }),
    ];
    assert.deepEqual(reply, { status: 200, data: expected, dataOffset: 0, errors: [], warnings: [] });
    assert.deepEqual((await show(t, `${name}@EXAMPLE.com`)).data, [expected[0]]);
    assert.deepEqual((await show(t, phoneLogin)).data, [expected[1]]);
    const orgPath = `/root/${enterpriseId}/${accountId}/`;
    assert.deepEqual(await eventsAfter(t, seq), [
      { type: "user.created", orgPath, data: expected[0] },
      { type: "user.created", orgPath, data: expected[1] },
    ]);
    assert.ok(await accepted(t, { user: `${name}@example.com`, password: "pppppppp" }));
    assert.equal(await accepted(t, { user: phone, password: "anything" }), false, "no password: cannot sign in");
  });

  it("accepts passwords of 8 and of 256 characters", async () => {
    const { accountId } = await makeAccount(t);
    const short = { user: uniqueEmail(), password: "12345678" };
    const long = { user: uniqueEmail(), password: "é".repeat(256) };
    const reply = await t.call("createUsers", {
      users: [short, long].map((u) => ({
        externalId: u.user,
        firstName: "A",
        lastName: "B",
        roles: ["Agent"],
        password: u.password,
      })),
      org: { internalId: accountId },
    });
    expectOk(reply);
    assert.deepEqual(reply.warnings, []);
    assert.ok(await accepted(t, short));
    assert.ok(await accepted(t, long));
  });

  it("creates the valid items and answers one warning per failed item, in input order", async () => {
    const { accountId } = await makeAccount(t);
    const other = await makeAccount(t);
    const ok1 = uniqueEmail("ok");
    const ok2 = uniqueEmail("ok");
    const base = { firstName: "F", lastName: "L", roles: ["Agent"] };
    const users: Record<string, unknown>[] = [
      { ...base, externalId: ok1 },
      { ...base },
      { ...base, externalId: "bad\u0001@example.com" },
      { ...base, externalId: "not-a-login" },
      { ...base, externalId: ADMIN.user },
      { ...base, externalId: ok1.toUpperCase() },
      { ...base, externalId: uniqueEmail(), firstName: undefined },
      { ...base, externalId: uniqueEmail(), lastName: "   " },
      { ...base, externalId: uniqueEmail(), roles: [] },
      { ...base, externalId: uniqueEmail(), roles: ["Agent", "Wizard"] },
      { ...base, externalId: uniqueEmail(), email: "nope" },
      { ...base, externalId: uniqueEmail(), defaultPhoneNumber: "12" },
      { ...base, externalId: uniqueEmail(), timeZone: "Mars/Olympus" },
      { ...base, externalId: uniqueEmail(), password: "short" },
      { ...base, externalId: uniqueEmail(), password: "x".repeat(257) },
      { ...base, externalId: uniqueEmail(), attributes: [{ name: "registrationMethod", value: "Pigeon" }] },
      { ...base, externalId: uniqueEmail(), attributes: [{ name: "registrationPhoneNumber", value: "abc" }] },
      {
        ...base,
        externalId: uniqueEmail(),
        attributes: [
          { name: "tags", value: "a" },
          { name: "tags", value: "b" },
        ],
      },
      { ...base, externalId: uniqueEmail(), org: { internalId: other.accountId } },
      { ...base, externalId: uniqueEmail(), locale: "not a locale!" },
      { ...base, externalId: uniqueEmail(), firstName: "x".repeat(256) },
      { ...base, externalId: ok2 },
    ];
    const before = await userCount(t);
    const reply = await t.call("createUsers", { users, org: { internalId: accountId } });
    expectOk(reply);
    assert.deepEqual(loginsOf(reply), [ok1, ok2]);
    const at = (i: number, field: string, code: string) => ({
      code,
      severity: "Warning",
      attributeName: `users[${i}].${field}`,
      context: users[i]?.externalId ? `users[${i}]: ${String(users[i]?.externalId)}` : `users[${i}]`,
    });
    assert.deepEqual(placed(reply.warnings), [
      at(1, "externalId", "ARG_NULL"),
      at(2, "externalId", "ARG_INVALID_CHAR"),
      at(3, "externalId", "ATTRIBUTE_INVALID_FORMAT"),
      at(4, "externalId", "OBJECT_EXISTS"),
      at(5, "externalId", "OBJECT_EXISTS"),
      at(6, "firstName", "ATTRIBUTE_NULL"),
      at(7, "lastName", "ATTRIBUTE_NULL"),
      at(8, "roles", "ATTRIBUTE_NULL"),
      at(9, "roles", "ATTRIBUTE_INVALID_DATA"),
      at(10, "email", "ATTRIBUTE_INVALID_FORMAT"),
      at(11, "defaultPhoneNumber", "ATTRIBUTE_INVALID_FORMAT"),
      at(12, "timeZone", "ATTRIBUTE_INVALID_DATA"),
      at(13, "password", "ATTRIBUTE_INVALID_DATA"),
      at(14, "password", "ATTRIBUTE_INVALID_DATA"),
      at(15, "attributes", "ATTRIBUTE_INVALID_DATA"),
      at(16, "attributes", "ATTRIBUTE_INVALID_DATA"),
      at(17, "attributes", "ATTRIBUTE_INVALID_DATA"),
      at(18, "org", "ATTRIBUTE_INVALID_DATA"),
      at(19, "locale", "ATTRIBUTE_INVALID_DATA"),
      at(20, "firstName", "ATTRIBUTE_INVALID_DATA"),
    ]);
    for (const w of reply.warnings) assert.equal(w.argumentIndex, 0);
    assert.equal(reply.warnings[3]?.message, `Object '${ADMIN.user}' already exists`);
    assert.equal(reply.warnings[4]?.message, `Object '${ok1}' already exists`);
    assert.equal(await userCount(t), before + 2);
  });

  it("names every problem of a failed item in its one warning, and lists the valid roles", async () => {
    const { accountId } = await makeAccount(t);
    const reply = await t.call("createUsers", {
      users: [{ externalId: uniqueEmail(), firstName: "F", lastName: "L", roles: ["Wizard"], email: "nope" }],
      org: { internalId: accountId },
    });
    expectOk(reply);
    assert.equal(reply.warnings.length, 1);
    const context = reply.warnings[0]?.context ?? "";
    assert.match(context, /'Wizard' is not a role: Administrator, AccountManager, Supervisor, Agent/);
    assert.match(context, /not an email/);
  });

  it("lets an AccountManager grant every role but Administrator", async () => {
    const tenants = await twoTenants(t);
    const allowed = uniqueEmail();
    const denied = uniqueEmail();
    const reply = await t.call(
      "createUsers",
      {
        users: [
          { externalId: allowed, firstName: "A", lastName: "B", roles: ["AccountManager", "Supervisor", "Agent"] },
          { externalId: denied, firstName: "A", lastName: "B", roles: ["Agent", "Administrator"] },
        ],
        org: { internalId: tenants.a.accountId },
      },
      tenants.managerA,
    );
    expectOk(reply);
    assert.deepEqual(loginsOf(reply), [allowed]);
    assert.deepEqual(userOf(reply).createdBy, { externalId: tenants.managerA.user });
    assert.deepEqual(placed(reply.warnings), [
      {
        code: "PERMISSION_DENIED",
        severity: "Warning",
        attributeName: "users[1].roles",
        context: `users[1]: ${denied}`,
      },
    ]);
    assert.equal(theError(await show(t, denied)).code, "OBJECT_NOT_EXISTS");
    const byAdmin = await t.call(
      "createUsers",
      {
        users: [{ externalId: denied, firstName: "A", lastName: "B", roles: ["Administrator"] }],
        org: { internalId: tenants.a.accountId },
      },
      tenants.adminA,
    );
    expectOk(byAdmin);
    assert.deepEqual(byAdmin.warnings, []);
  });

  it("answers whole-call errors for an empty list or an unknown org, creating nothing", async () => {
    const before = await userCount(t);
    const user = { externalId: uniqueEmail(), firstName: "A", lastName: "B", roles: ["Agent"] };
    assert.deepEqual(
      theError(await t.call("createUsers", { users: [user], org: { internalId: "nope" } })),
      failure(404, "OBJECT_NOT_EXISTS", 1),
    );
    assert.deepEqual(
      theError(await t.call("createUsers", { users: [], org: { internalId: "root" } })),
      failure(400, "ARG_NULL", 0),
    );
    const both = await t.call("createUsers", { users: "bob", org: null });
    assert.deepEqual(
      both.errors.map((e) => [e.code, e.argumentIndex]),
      [
        ["ARG_INVALID_TYPE", 0],
        ["ARG_NULL", 1],
      ],
    );
    assert.equal(await userCount(t), before);
  });

  it("refuses another tenant's org (404), weak roles (403) and bad credentials (401)", async () => {
    const tenants = await twoTenants(t);
    const before = await userCount(t);
    const users = [{ externalId: uniqueEmail(), firstName: "A", lastName: "B", roles: ["Agent"] }];
    await refusesWrongCallers(
      t,
      tenants,
      "createUsers",
      { users, org: { internalId: tenants.b.accountId } },
      { users, org: { internalId: "no-such-org" } },
      [tenants.supervisorA, tenants.agentA],
    );
    const byName = await t.call("createUsers", { users, org: { externalId: tenants.b.account } }, tenants.managerA);
    assert.equal(theError(byName).code, "OBJECT_NOT_EXISTS");
    assert.equal(await userCount(t), before);
  });
});

describe("createUsersUsingString", () => {
  const t = suiteApp({ clock: new ManualClock() });

  it("creates one user a line; comments, blank lines, CRLF", async () => {
    const { accountId, account } = await makeAccount(t);
    const [a, b] = [uniqueEmail("line"), uniqueEmail("line")];
    const text = [
      "# externalId,firstName,lastName,roles,password",
      "",
      `${a},Ann,Lee,Agent;Supervisor,pass-word.with;odd:chars`,
      "   ",
      `${b.toUpperCase()} , Bo , Kim , Agent`,
      "",
    ].join("\r\n");
    const reply = await t.call("createUsersUsingString", {
      users: text,
      org: { externalId: account, type: "Account" },
    });
    expectOk(reply);
    assert.deepEqual(reply.warnings, []);
    const [first, second] = usersOf(reply);
    assert.deepEqual(
      first,
      created({
        externalId: a,
        firstName: "Ann",
        lastName: "Lee",
        roles: ["Agent", "Supervisor"],
        org: { internalId: accountId, externalId: account, type: "Account" },
      }),
    );
    assert.equal(second?.externalId, b);
    assert.equal(second?.firstName, "Bo");
    assert.ok(await accepted(t, { user: a, password: "pass-word.with;odd:chars" }));
  });

  it("warns about malformed lines and bad items with their line number, creating the rest", async () => {
    const { accountId } = await makeAccount(t);
    const ok1 = uniqueEmail("ok");
    const dup = uniqueEmail("dup");
    const lines = [
      `${ok1},A,B,Agent`, // 1
      "only,three,fields", // 2
      "not-a-login,A,B,Agent", // 3
      `${dup},A,B,Agent`, // 4
      `${dup},A,B,Agent`, // 5
      `${uniqueEmail()},A,B,`, // 6
      `${uniqueEmail()},A,B,Agent;Wizard`, // 7
      `${uniqueEmail()},,B,Agent`, // 8
      `${uniqueEmail()},A,B,Agent,short`, // 9
      `${ADMIN.user},A,B,Agent`, // 10
      ",A,B,Agent", // 11
      `${uniqueEmail()},A,B,Agent,password-1,extra,columns`, // 12
    ];
    const before = await userCount(t);
    const reply = await t.call("createUsersUsingString", { users: lines.join("\n"), org: { internalId: accountId } });
    expectOk(reply);
    assert.deepEqual(loginsOf(reply), [ok1, dup]);
    const at = (n: number, code: string) => ({
      code,
      severity: "Warning",
      attributeName: undefined,
      context: `line ${n}: ${lines[n - 1]?.split(",")[0]}`,
    });
    assert.deepEqual(placed(reply.warnings), [
      { code: "ARG_INVALID_DATA", severity: "Warning", attributeName: undefined, context: "line 2" },
      at(3, "ATTRIBUTE_INVALID_FORMAT"),
      at(5, "OBJECT_EXISTS"),
      at(6, "ATTRIBUTE_NULL"),
      at(7, "ATTRIBUTE_INVALID_DATA"),
      at(8, "ATTRIBUTE_NULL"),
      at(9, "ATTRIBUTE_INVALID_DATA"),
      at(10, "OBJECT_EXISTS"),
      { code: "ARG_NULL", severity: "Warning", attributeName: undefined, context: "line 11" },
      { code: "ARG_INVALID_DATA", severity: "Warning", attributeName: undefined, context: "line 12" },
    ]);
    for (const w of reply.warnings) assert.equal(w.argumentIndex, 0);
    assert.equal(reply.warnings[3]?.message, "Attribute supplied is null 'roles'");
    assert.equal(await userCount(t), before + 2);
  });

  it("answers whole-call errors for an empty text, control characters or an unknown org, creating nothing", async () => {
    const before = await userCount(t);
    const line = `${uniqueEmail()},A,B,Agent`;
    const cases: [unknown, unknown, object][] = [
      ["", { internalId: "root" }, { status: 400, code: "ARG_NULL", argumentIndex: 0, attributeName: undefined }],
      [
        "# nothing\n\n",
        { internalId: "root" },
        { status: 400, code: "ARG_NULL", argumentIndex: 0, attributeName: undefined },
      ],
      [
        `${line}\n${uniqueEmail()},A\u0000,B,Agent`,
        { internalId: "root" },
        { status: 400, code: "ARG_INVALID_CHAR", argumentIndex: 0, attributeName: undefined },
      ],
      [
        line,
        { internalId: "nope" },
        { status: 404, code: "OBJECT_NOT_EXISTS", argumentIndex: 1, attributeName: undefined },
      ],
      [
        ["not", "a", "string"],
        { internalId: "root" },
        { status: 400, code: "ARG_INVALID_TYPE", argumentIndex: 0, attributeName: undefined },
      ],
    ];
    for (const [users, org, expected] of cases) {
      assert.deepEqual(
        theError(await t.call("createUsersUsingString", { users, org })),
        expected,
        JSON.stringify(users),
      );
    }
    assert.equal(await userCount(t), before);
  });

  it("refuses another tenant's org (404), weak roles (403) and bad credentials (401)", async () => {
    const tenants = await twoTenants(t);
    const before = await userCount(t);
    const users = `${uniqueEmail()},A,B,Agent`;
    await refusesWrongCallers(
      t,
      tenants,
      "createUsersUsingString",
      { users, org: { internalId: tenants.b.accountId } },
      { users, org: { internalId: "no-such-org" } },
      [tenants.supervisorA, tenants.agentA],
    );
    const denied = await t.call(
      "createUsersUsingString",
      { users: `${uniqueEmail()},A,B,Administrator`, org: { internalId: tenants.a.accountId } },
      tenants.managerA,
    );
    expectOk(denied);
    assert.deepEqual(codes(denied.warnings), ["PERMISSION_DENIED"]);
    assert.equal(await userCount(t), before);
  });
});

describe("bulk and list limits", () => {
  const t = suiteApp({
    env: { CALLBOARD_MAX_BULK_ITEMS: "3", CALLBOARD_MAX_STRING_BYTES: "200", CALLBOARD_MAX_LIST_RESULTS: "2" },
  });

  const user = () => ({ externalId: uniqueEmail("l"), firstName: "A", lastName: "B", roles: ["Agent"] });
  const line = () => `${uniqueEmail("l")},A,B,Agent`;

  it("createUsers: more than bulkItems → ARG_TOO_LARGE, with an unknown org reported too", async () => {
    const before = await userCount(t);
    const reply = await t.call("createUsers", { users: [user(), user(), user(), user()], org: { internalId: "nope" } });
    assert.equal(reply.status, 400);
    assert.deepEqual(
      reply.errors.map((e) => [e.code, e.argumentIndex]),
      [
        ["ARG_TOO_LARGE", 0],
        ["OBJECT_NOT_EXISTS", 1],
      ],
    );
    expectOk(await t.call("createUsers", { users: [user(), user(), user()], org: { internalId: "root" } }));
    assert.equal(await userCount(t), before + 3);
  });

  it("createUsersUsingString: over the byte or the record limit → ARG_TOO_LARGE", async () => {
    const before = await userCount(t);
    const tooMany = [line(), line(), line(), line()].join("\n");
    assert.ok(Buffer.byteLength(tooMany) <= 200);
    const tooLong = `${line()},${"p".repeat(200)}`;
    for (const users of [tooMany, tooLong]) {
      assert.deepEqual(
        theError(await t.call("createUsersUsingString", { users, org: { internalId: "root" } })),
        failure(400, "ARG_TOO_LARGE", 0),
      );
    }
    assert.equal(await userCount(t), before);
  });

  it("deleteUsers: more than bulkItems → ARG_TOO_LARGE; an empty list → ARG_NULL", async () => {
    const victims = [user(), user(), user()];
    expectOk(await t.call("createUsers", { users: victims, org: { internalId: "root" } }));
    const before = await userCount(t);
    const refs = [...victims.map((v) => ({ externalId: v.externalId })), { externalId: ADMIN.user }];
    assert.deepEqual(theError(await t.call("deleteUsers", { users: refs })), failure(400, "ARG_TOO_LARGE", 0));
    assert.equal(theError(await t.call("deleteUsers", { users: [] })).code, "ARG_NULL");
    assert.equal(await userCount(t), before);
  });

  it("listUsers: more than listResults without options → RESULT_TOO_LARGE; pages with options", async () => {
    const { accountId } = await makeAccount(t);
    const logins = [uniqueEmail("c"), uniqueEmail("a"), uniqueEmail("b")];
    expectOk(
      await t.call("createUsers", {
        users: logins.map((externalId) => ({ externalId, firstName: "A", lastName: "B", roles: ["Agent"] })),
        org: { internalId: accountId },
      }),
    );
    assert.equal(theError(await t.call("listUsers", { org: { internalId: accountId } })).code, "RESULT_TOO_LARGE");
    const sorted = [...logins].sort();
    const first = await t.call("listUsers", { org: { internalId: accountId }, options: { limit: 10 } });
    assert.deepEqual(loginsOf(first), sorted.slice(0, 2));
    const next = await t.call("listUsers", { org: { internalId: accountId }, options: { offset: 2, limit: 2 } });
    assert.deepEqual(next.dataOffset, 2);
    assert.deepEqual(loginsOf(next), sorted.slice(2));
  });
});

describe("showUser", () => {
  const t = suiteApp({ clock: new ManualClock() });

  it("finds a user by its login in any spelling", async () => {
    const tenants = await twoTenants(t);
    const reply = await t.call(
      "showUser",
      { user: { externalId: tenants.agentA.user.toUpperCase() } },
      tenants.supervisorA,
    );
    assert.deepEqual(reply, {
      status: 200,
      data: [
        created({
          externalId: tenants.agentA.user,
          firstName: "Test",
          lastName: "User",
          roles: ["Agent"],
          org: tenants.keyA,
        }),
      ],
      dataOffset: 0,
      errors: [],
      warnings: [],
    });
    const phone = "+44 7700 900123";
    await makeUser(t, tenants.a.accountId, ["Agent"], phone);
    assert.equal(userOf(await show(t, "447700900123")).externalId, "+447700900123");
  });

  it("answers OBJECT_NOT_EXISTS for an unknown login and ATTRIBUTE_NULL without one", async () => {
    assert.deepEqual(theError(await show(t, uniqueEmail("nobody"))), failure(404, "OBJECT_NOT_EXISTS", 0));
    assert.deepEqual(
      theError(await t.call("showUser", { user: { firstName: "x" } })),
      failure(400, "ATTRIBUTE_NULL", 0, "externalId"),
    );
  });

  it("refuses another tenant's user (404), an Agent (403) and bad credentials (401)", async () => {
    const tenants = await twoTenants(t);
    await refusesWrongCallers(
      t,
      tenants,
      "showUser",
      { user: { externalId: tenants.agentB.user } },
      { user: { externalId: uniqueEmail("nobody") } },
      [tenants.agentA],
    );
    const self = await t.call("showUser", { user: { externalId: tenants.agentA.user } }, tenants.agentA);
    assert.equal(self.status, 403, "an Agent reads itself through showCurrentSession");
  });
});

describe("listUsers", () => {
  const t = suiteApp({ clock: new ManualClock() });

  it("lists the users directly in an org, ordered by externalId, matching a sample", async () => {
    const { accountId, enterpriseId } = await makeAccount(t);
    const logins = ["d", "b", "c", "a"].map((letter) => uniqueEmail(letter));
    const reply = await t.call("createUsers", {
      users: [
        { externalId: logins[0], firstName: "Dee", lastName: "Smith", roles: ["Agent"] },
        { externalId: logins[1], firstName: "Bea", lastName: "Jones", roles: ["Supervisor", "Agent"] },
        { externalId: logins[2], firstName: "Cy", lastName: "Smith", roles: ["AccountManager"], loginEnabled: false },
        { externalId: logins[3], firstName: "Al", lastName: "Smith", roles: ["Agent"] },
      ],
      org: { internalId: accountId },
    });
    expectOk(reply);
    await makeUser(t, enterpriseId, ["Agent"]);
    const list = (sample?: Record<string, unknown>) =>
      t.call("listUsers", { org: { internalId: accountId }, ...(sample ? { sample } : {}) });
    const all = await list();
    expectOk(all);
    assert.deepEqual(loginsOf(all), [...logins].sort());
    assert.deepEqual(
      usersOf(all).find((u) => u.externalId === logins[1]),
      usersOf(reply).find((u) => u.externalId === logins[1]),
    );
    assert.deepEqual(loginsOf(await list({ lastName: "Smith", roles: ["Agent"] })), [logins[3], logins[0]].sort());
    assert.deepEqual(loginsOf(await list({ roles: ["Agent", "Supervisor"] })), [logins[1]]);
    assert.deepEqual(loginsOf(await list({ loginEnabled: false })), [logins[2]]);
    assert.deepEqual(loginsOf(await list({ firstName: "Bea" })), [logins[1]]);
    assert.deepEqual(loginsOf(await list({ externalId: logins[0]?.toUpperCase() })), [logins[0]]);
    assert.deepEqual((await list({ roles: ["Wizard"] })).data, []);
    assert.deepEqual((await list({ externalId: "not a login" })).data, []);
    const enterpriseOnly = await t.call("listUsers", { org: { internalId: enterpriseId } });
    assert.equal(enterpriseOnly.data.length, 1, "users of child orgs are not listed");
  });

  it("answers OBJECT_NOT_EXISTS for an unknown org", async () => {
    assert.deepEqual(
      theError(await t.call("listUsers", { org: { internalId: "nope" } })),
      failure(404, "OBJECT_NOT_EXISTS", 0),
    );
  });

  it("lets a Supervisor list its Account; refuses another tenant's org (404), an Agent (403), bad credentials (401)", async () => {
    const tenants = await twoTenants(t);
    const own = await t.call("listUsers", { org: { internalId: tenants.a.accountId } }, tenants.supervisorA);
    expectOk(own);
    assert.equal(own.data.length, 4);
    await refusesWrongCallers(
      t,
      tenants,
      "listUsers",
      { org: { internalId: tenants.b.accountId } },
      { org: { internalId: "no-such-org" } },
      [tenants.agentA],
    );
  });
});

describe("changeUser", () => {
  const clock = new ManualClock();
  const t = suiteApp({ clock });

  it("changes the given fields, keeps the absent ones, and emits user.changed", async () => {
    const tenants = await twoTenants(t);
    const target = await makeUser(t, tenants.a.accountId, ["Agent"]);
    const original = userOf(await show(t, target.user));
    clock.advance(1000);
    const seq = await lastSeq(t);
    const reply = await t.call(
      "changeUser",
      {
        user: {
          externalId: target.user,
          firstName: "Changed",
          email: "New@Example.com",
          timeZone: "Europe/Berlin",
          locale: "de-DE",
          roles: ["Agent", "Supervisor"],
          defaultPhoneNumber: "+49 30 1234567",
          attributes: [{ name: "registrationMethod", value: "WebRTC" }],
          preferences: [{ name: "lang", value: "de" }],
        },
      },
      tenants.managerA,
    );
    expectOk(reply);
    const expected: WireUser = {
      ...original,
      firstName: "Changed",
      email: "new@example.com",
      timeZone: "Europe/Berlin",
      locale: "de-DE",
      roles: ["Agent", "Supervisor"],
      defaultPhoneNumber: "+49301234567",
      attributes: [{ name: "registrationMethod", value: "WebRTC" }],
      preferences: [{ name: "lang", value: "de" }],
      updatedDate: "2026-03-02T12:00:01.000Z",
      modifiedBy: { externalId: tenants.managerA.user },
    };
    assert.deepEqual(reply.data, [expected]);
    assert.deepEqual((await show(t, target.user)).data, [expected]);
    assert.deepEqual(await eventsAfter(t, seq), [
      { type: "user.changed", orgPath: `/root/${tenants.a.enterpriseId}/${tenants.a.accountId}/`, data: expected },
    ]);

    // a client echoes the object back; null clears optional fields
    const cleared = await t.call("changeUser", {
      user: { ...expected, email: null, timeZone: null, locale: null, defaultPhoneNumber: null, attributes: null },
    });
    expectOk(cleared);
    assert.deepEqual(userOf(cleared), {
      ...expected,
      email: null,
      timeZone: null,
      locale: null,
      defaultPhoneNumber: null,
      attributes: [],
      modifiedBy: ADMIN_KEY,
    });
  });

  it("reports every bad field at once and changes nothing", async () => {
    const tenants = await twoTenants(t);
    const target = await makeUser(t, tenants.a.accountId, ["Agent"]);
    const before = (await show(t, target.user)).data;
    const reply = await t.call("changeUser", {
      user: {
        externalId: target.user,
        loginEnabled: null,
        firstName: null,
        lastName: "",
        email: "nope",
        timeZone: "Nowhere/Land",
        locale: "!!",
        roles: ["Agent", "Wizard"],
        defaultPhoneNumber: "123",
        org: { internalId: tenants.b.accountId },
        attributes: [{ name: "registrationMethod", value: "Carrier pigeon" }],
        preferences: [
          { name: "p", value: "1" },
          { name: "p", value: "2" },
        ],
        password: "a-new-password",
      },
    });
    assert.equal(reply.status, 400);
    assert.deepEqual(
      reply.errors.map((e) => [e.code, e.argumentIndex, e.attributeName]),
      [
        ["ATTRIBUTE_INVALID_DATA", 0, "org"],
        ["ATTRIBUTE_NULL", 0, "loginEnabled"],
        ["ATTRIBUTE_NULL", 0, "firstName"],
        ["ATTRIBUTE_NULL", 0, "lastName"],
        ["ATTRIBUTE_INVALID_FORMAT", 0, "email"],
        ["ATTRIBUTE_INVALID_FORMAT", 0, "defaultPhoneNumber"],
        ["ATTRIBUTE_INVALID_DATA", 0, "timeZone"],
        ["ATTRIBUTE_INVALID_DATA", 0, "locale"],
        ["ATTRIBUTE_INVALID_DATA", 0, "roles"],
        ["ATTRIBUTE_INVALID_DATA", 0, "attributes"],
        ["ATTRIBUTE_INVALID_DATA", 0, "preferences"],
        ["ATTRIBUTE_INVALID_DATA", 0, "password"],
      ],
    );
    for (const roles of [null, []]) {
      const reply = await t.call("changeUser", { user: { externalId: target.user, roles } });
      assert.deepEqual(theError(reply), failure(400, "ATTRIBUTE_NULL", 0, "roles"));
    }
    assert.deepEqual((await show(t, target.user)).data, before);
    assert.ok(await accepted(t, target), "the password did not change");
  });

  it("answers OBJECT_NOT_EXISTS for an unknown user", async () => {
    assert.deepEqual(
      theError(await t.call("changeUser", { user: { externalId: uniqueEmail("no"), firstName: "X" } })),
      failure(404, "OBJECT_NOT_EXISTS", 0),
    );
  });

  it("lets an AccountManager neither grant Administrator nor change an Administrator", async () => {
    const tenants = await twoTenants(t);
    const target = await makeUser(t, tenants.a.accountId, ["Agent"]);
    const grant = await t.call(
      "changeUser",
      { user: { externalId: target.user, roles: ["Administrator"] } },
      tenants.managerA,
    );
    assert.deepEqual(theError(grant), failure(403, "PERMISSION_DENIED", 0, "roles"));
    const demote = await t.call(
      "changeUser",
      { user: { externalId: tenants.adminA.user, roles: ["Agent"] } },
      tenants.managerA,
    );
    assert.equal(theError(demote).code, "PERMISSION_DENIED");
    const rename = await t.call(
      "changeUser",
      { user: { externalId: tenants.adminA.user, firstName: "X" } },
      tenants.managerA,
    );
    assert.equal(theError(rename).code, "PERMISSION_DENIED");
    assert.deepEqual(userOf(await show(t, tenants.adminA.user)).roles, ["Administrator"]);
    assert.deepEqual(userOf(await show(t, target.user)).roles, ["Agent"]);
    const byAdmin = await t.call(
      "changeUser",
      { user: { externalId: target.user, roles: ["Administrator"] } },
      tenants.adminA,
    );
    expectOk(byAdmin);
  });

  it("applies loginEnabled and roles at the very next call, cached credentials or not", async () => {
    const tenants = await twoTenants(t);
    const target = await makeUser(t, tenants.a.accountId, ["AccountManager"]);
    const token = await signIn(t, target);
    const body = { org: { internalId: tenants.a.accountId } };
    expectOk(await t.call("listUsers", body, target));
    expectOk(await t.call("listUsers", body, `Bearer ${token}`));
    expectOk(await t.call("changeUser", { user: { externalId: target.user, roles: ["Agent"] } }));
    assert.equal((await t.call("listUsers", body, target)).status, 403);
    assert.equal((await t.call("listUsers", body, `Bearer ${token}`)).status, 403);
    expectOk(await t.call("changeUser", { user: { externalId: target.user, loginEnabled: false } }));
    assert.equal(await accepted(t, target), false);
    assert.equal(await accepted(t, `Bearer ${token}`), false);
    expectOk(await t.call("changeUser", { user: { externalId: target.user, loginEnabled: true } }));
    assert.ok(await accepted(t, target));
  });

  it("refuses another tenant's user (404), weak roles (403) and bad credentials (401)", async () => {
    const tenants = await twoTenants(t);
    await refusesWrongCallers(
      t,
      tenants,
      "changeUser",
      { user: { externalId: tenants.agentB.user, firstName: "Hacked" } },
      { user: { externalId: uniqueEmail("nobody"), firstName: "Hacked" } },
      [tenants.supervisorA, tenants.agentA],
    );
    assert.equal(userOf(await show(t, tenants.agentB.user)).firstName, "Test");
  });
});

describe("deleteUsers", () => {
  const t = suiteApp({ clock: new ManualClock() });

  it("deletes users, their sessions and cached credentials, and emits user.deleted", async () => {
    const tenants = await twoTenants(t);
    const one = await makeUser(t, tenants.a.accountId, ["Agent"]);
    const two = await makeUser(t, tenants.a.accountId, ["Supervisor"]);
    const token = await signIn(t, one);
    assert.ok(await accepted(t, two), "Basic credentials now cached");
    const shown = [userOf(await show(t, one.user)), userOf(await show(t, two.user))];
    const seq = await lastSeq(t);
    const reply = await t.call(
      "deleteUsers",
      { users: [{ externalId: one.user.toUpperCase() }, { externalId: two.user }, { externalId: one.user }] },
      tenants.managerA,
    );
    assert.deepEqual(reply, { status: 200, data: [], dataOffset: 0, errors: [], warnings: [] });
    for (const gone of [one, two]) assert.equal(theError(await show(t, gone.user)).code, "OBJECT_NOT_EXISTS");
    assert.equal(await accepted(t, `Bearer ${token}`), false);
    assert.equal(await accepted(t, two), false);
    const orgPath = `/root/${tenants.a.enterpriseId}/${tenants.a.accountId}/`;
    assert.deepEqual(await eventsAfter(t, seq), [
      { type: "user.deleted", orgPath, data: shown[0] },
      { type: "user.deleted", orgPath, data: shown[1] },
    ]);
    const sessions = await t.runtime.deps.db.q.selectFrom("sessions").selectAll().execute();
    assert.equal(sessions.length, sessions.filter((s) => s.token_hash !== token).length);
  });

  it("warns about each user it cannot delete and deletes the others", async () => {
    const tenants = await twoTenants(t);
    const agent = await makeUser(t, tenants.a.accountId, ["Agent"]);
    await insertAgent(t, tenants.a.accountId, agent.user);
    const victim = await makeUser(t, tenants.a.accountId, ["Agent"]);
    const nobody = uniqueEmail("nobody");
    const users = [
      { externalId: nobody },
      { externalId: agent.user },
      { externalId: tenants.managerA.user },
      { externalId: tenants.agentB.user },
      { firstName: "no externalId" },
      { externalId: tenants.adminA.user },
      { externalId: victim.user },
    ];
    const before = await userCount(t);
    const reply = await t.call("deleteUsers", { users }, tenants.managerA);
    expectOk(reply);
    assert.deepEqual(reply.data, []);
    assert.deepEqual(
      reply.warnings.map((w) => [w.code, w.severity, w.argumentIndex, w.attributeName, w.context]),
      [
        ["OBJECT_NOT_EXISTS", "Warning", 0, "users[0]", `users[0]: ${nobody}`],
        ["INVALID_STATE", "Warning", 0, undefined, `users[1]: ${agent.user}`],
        ["INVALID_STATE", "Warning", 0, undefined, `users[2]: ${tenants.managerA.user}`],
        ["OBJECT_NOT_EXISTS", "Warning", 0, "users[3]", `users[3]: ${tenants.agentB.user}`],
        ["ATTRIBUTE_NULL", "Warning", 0, "users[4].externalId", "users[4]"],
        ["PERMISSION_DENIED", "Warning", undefined, undefined, `users[5]: ${tenants.adminA.user}`],
      ],
    );
    assert.equal(await userCount(t), before - 1);
    for (const kept of [agent, tenants.managerA, tenants.agentB, tenants.adminA]) expectOk(await show(t, kept.user));
  });

  it("refuses weak roles (403) and bad credentials (401); another tenant's user is a missing one", async () => {
    const tenants = await twoTenants(t);
    const before = await userCount(t);
    const body = { users: [{ externalId: tenants.agentB.user }] };
    const other = await t.call("deleteUsers", body, tenants.managerA);
    const missing = await t.call("deleteUsers", { users: [{ externalId: "nobody@example.com" }] }, tenants.managerA);
    assert.deepEqual(
      other.warnings.map((w) => [w.code, w.message]),
      [["OBJECT_NOT_EXISTS", `Referenced object '${tenants.agentB.user}' does not exist`]],
    );
    assert.deepEqual(codes(missing.warnings), ["OBJECT_NOT_EXISTS"]);
    for (const caller of [tenants.supervisorA, tenants.agentA]) {
      assert.equal(theError(await t.call("deleteUsers", body, caller)).status, 403);
    }
    assert.equal(theError(await t.call("deleteUsers", body, null)).code, "NO_SESSION");
    const wrong = await t.call("deleteUsers", body, { user: tenants.managerA.user, password: "wrong-password" });
    assert.equal(theError(wrong).code, "AUTHENTICATION_FAILURE");
    assert.equal(await userCount(t), before);
  });
});

describe("changePassword", () => {
  const t = suiteApp({ clock: new ManualClock() });

  it("lets an Agent change its own password: cached credentials and other sessions end at once", async () => {
    const tenants = await twoTenants(t);
    const agent = await makeUser(t, tenants.a.accountId, ["Agent"]);
    const current = await signIn(t, agent);
    const otherSession = await signIn(t, agent);
    assert.ok(await accepted(t, agent), "the old Basic credentials are cached now");
    const seq = await lastSeq(t);
    const reply = await t.call(
      "changePassword",
      { user: { externalId: agent.user }, currentPassword: PASSWORD, newPassword: "a brand new password" },
      `Bearer ${current}`,
    );
    assert.deepEqual(reply, { status: 200, data: [], dataOffset: 0, errors: [], warnings: [] });
    assert.equal(await accepted(t, agent), false, "the old password is refused right after");
    assert.ok(await accepted(t, { user: agent.user, password: "a brand new password" }));
    assert.ok(await accepted(t, `Bearer ${current}`), "the session of the call is kept");
    assert.equal(await accepted(t, `Bearer ${otherSession}`), false, "other sessions end");
    const events = await eventsAfter(t, seq);
    assert.deepEqual(
      events.map((e) => e.type),
      ["user.changed"],
    );
    assert.equal(JSON.stringify(events).includes("password"), false);
  });

  it("lets a manager change the password of a user in scope, given the current one", async () => {
    const tenants = await twoTenants(t);
    const target = await makeUser(t, tenants.a.accountId, ["Supervisor"]);
    const token = await signIn(t, target);
    const reply = await t.call(
      "changePassword",
      { user: { externalId: target.user }, currentPassword: PASSWORD, newPassword: "another-password" },
      tenants.managerA,
    );
    expectOk(reply);
    assert.equal(await accepted(t, `Bearer ${token}`), false);
    assert.ok(await accepted(t, { user: target.user, password: "another-password" }));
  });

  it("answers ARG_INVALID_DATA for a wrong current or a bad new password, changing nothing", async () => {
    const tenants = await twoTenants(t);
    const agent = await makeUser(t, tenants.a.accountId, ["Agent"]);
    const token = await signIn(t, agent);
    const call = (currentPassword: string, newPassword: string) =>
      t.call("changePassword", { user: { externalId: agent.user }, currentPassword, newPassword }, agent);
    assert.deepEqual(theError(await call("wrong-password", "good-new-password")), failure(400, "ARG_INVALID_DATA", 1));
    for (const newPassword of ["1234567", "x".repeat(257)]) {
      assert.deepEqual(theError(await call(PASSWORD, newPassword)), failure(400, "ARG_INVALID_DATA", 2));
    }
    const both = await call("wrong", "short");
    assert.deepEqual(
      both.errors.map((e) => [e.code, e.argumentIndex]),
      [
        ["ARG_INVALID_DATA", 1],
        ["ARG_INVALID_DATA", 2],
      ],
    );
    const missing = await t.call("changePassword", { user: { externalId: agent.user } }, agent);
    assert.deepEqual(
      missing.errors.map((e) => [e.code, e.argumentIndex]),
      [
        ["ARG_NULL", 1],
        ["ARG_NULL", 2],
      ],
    );
    assert.ok(await accepted(t, agent));
    assert.ok(await accepted(t, `Bearer ${token}`));
  });

  it("refuses another user's password to an Agent (404), a Supervisor (403), and an AccountManager for an Administrator (403)", async () => {
    const tenants = await twoTenants(t);
    const body = (externalId: string) => ({
      user: { externalId },
      currentPassword: PASSWORD,
      newPassword: "x-new-password",
    });
    const byAgent = await t.call("changePassword", body(tenants.supervisorA.user), tenants.agentA);
    assert.deepEqual(theError(byAgent), failure(404, "OBJECT_NOT_EXISTS", 0));
    const bySupervisor = await t.call("changePassword", body(tenants.agentA.user), tenants.supervisorA);
    assert.equal(theError(bySupervisor).code, "PERMISSION_DENIED");
    const byManager = await t.call("changePassword", body(tenants.adminA.user), tenants.managerA);
    assert.equal(theError(byManager).code, "PERMISSION_DENIED");
    for (const auth of [tenants.supervisorA, tenants.agentA, tenants.adminA]) assert.ok(await accepted(t, auth));
  });

  it("refuses another tenant's user (404) and bad credentials (401)", async () => {
    const tenants = await twoTenants(t);
    const body = {
      user: { externalId: tenants.agentB.user },
      currentPassword: PASSWORD,
      newPassword: "x-new-password",
    };
    await refusesWrongCallers(
      t,
      tenants,
      "changePassword",
      body,
      { ...body, user: { externalId: "nobody@example.com" } },
      [],
    );
    assert.ok(await accepted(t, tenants.agentB));
  });
});

describe("resetPassword", () => {
  const t = suiteApp({ clock: new ManualClock() });

  it("sets the password and ends every session of the user at once", async () => {
    const tenants = await twoTenants(t);
    const target = await makeUser(t, tenants.a.accountId, ["Agent"]);
    const token = await signIn(t, target);
    assert.ok(await accepted(t, target));
    const reply = await t.call(
      "resetPassword",
      { user: { externalId: target.user }, newPassword: "reset-password" },
      tenants.managerA,
    );
    assert.deepEqual(reply, { status: 200, data: [], dataOffset: 0, errors: [], warnings: [] });
    assert.equal(await accepted(t, target), false);
    assert.equal(await accepted(t, `Bearer ${token}`), false);
    assert.ok(await accepted(t, { user: target.user, password: "reset-password" }));
    assert.deepEqual(userOf(await show(t, target.user)).modifiedBy, { externalId: tenants.managerA.user });
  });

  it("gives a user created without a password one", async () => {
    const login = uniqueEmail("nopw");
    expectOk(
      await t.call("createUsers", {
        users: [{ externalId: login, firstName: "A", lastName: "B", roles: ["Agent"] }],
        org: { internalId: "root" },
      }),
    );
    expectOk(await t.call("resetPassword", { user: { externalId: login }, newPassword: "first-password" }));
    assert.ok(await accepted(t, { user: login, password: "first-password" }));
  });

  it("answers ARG_INVALID_DATA for a bad password and OBJECT_NOT_EXISTS for an unknown user", async () => {
    const tenants = await twoTenants(t);
    for (const newPassword of ["short", "y".repeat(257)]) {
      const reply = await t.call("resetPassword", { user: { externalId: tenants.agentA.user }, newPassword });
      assert.deepEqual(theError(reply), failure(400, "ARG_INVALID_DATA", 1));
    }
    const unknown = await t.call("resetPassword", {
      user: { externalId: uniqueEmail("x") },
      newPassword: "long-enough",
    });
    assert.deepEqual(theError(unknown), failure(404, "OBJECT_NOT_EXISTS", 0));
    assert.ok(await accepted(t, tenants.agentA));
  });

  it("refuses an AccountManager an Administrator (403), another tenant (404), weak roles (403), bad credentials (401)", async () => {
    const tenants = await twoTenants(t);
    const admin = await t.call(
      "resetPassword",
      { user: { externalId: tenants.adminA.user }, newPassword: "taken-over!" },
      tenants.managerA,
    );
    assert.deepEqual(theError(admin), PERMISSION_DENIED);
    await refusesWrongCallers(
      t,
      tenants,
      "resetPassword",
      { user: { externalId: tenants.agentB.user }, newPassword: "taken-over!" },
      { user: { externalId: "nobody@example.com" }, newPassword: "taken-over!" },
      [tenants.supervisorA, tenants.agentA],
    );
    assert.ok(await accepted(t, tenants.adminA));
    assert.ok(await accepted(t, tenants.agentB));
  });
});

describe("tenancy", () => {
  const t = suiteApp({ clock: new ManualClock() });

  it("an Administrator of one Account neither sees nor changes anything of another", async () => {
    const tenants = await twoTenants(t);
    const userB = { externalId: tenants.agentB.user };
    const orgB = { internalId: tenants.b.accountId };
    const snapshot = async () => ({
      user: (await show(t, tenants.agentB.user)).data,
      users: (await t.call("listUsers", { org: orgB })).data,
      org: (await t.call("showOrg", { org: orgB })).data,
    });
    const before = await snapshot();
    const calls: [string, Record<string, unknown>][] = [
      ["showUser", { user: userB }],
      ["listUsers", { org: orgB }],
      ["changeUser", { user: { ...userB, firstName: "Hacked" } }],
      ["resetPassword", { user: userB, newPassword: "hacked-password" }],
      ["changePassword", { user: userB, currentPassword: PASSWORD, newPassword: "hacked-password" }],
      [
        "createUsers",
        { users: [{ externalId: uniqueEmail(), firstName: "A", lastName: "B", roles: ["Agent"] }], org: orgB },
      ],
      ["createUsersUsingString", { users: `${uniqueEmail()},A,B,Agent`, org: orgB }],
      ["showOrg", { org: orgB }],
      ["listOrgs", { parent: { internalId: tenants.b.enterpriseId } }],
      ["changeOrg", { org: { ...orgB, attributes: [{ name: "hacked", value: "1" }] } }],
      ["deleteOrg", { org: orgB }],
    ];
    for (const [method, body] of calls) {
      const reply = await t.call(method, body, tenants.adminA);
      assert.deepEqual(
        reply.errors.map((e) => [e.code, reply.status]),
        [["OBJECT_NOT_EXISTS", 404]],
        method,
      );
    }
    const deleted = await t.call("deleteUsers", { users: [userB] }, tenants.adminA);
    assert.deepEqual(codes(deleted.warnings), ["OBJECT_NOT_EXISTS"]);
    assert.deepEqual(await snapshot(), before);
    assert.ok(await accepted(t, tenants.agentB));
  });
});
