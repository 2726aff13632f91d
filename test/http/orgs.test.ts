/**
 * Organization methods (SPEC §3) through the production buildApp: createOrg,
 * showOrg, listOrgs, changeOrg, deleteOrg — the happy path, every error code,
 * the roles and the tenancy rule (an org outside the caller's scope answers
 * exactly like one that does not exist).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Auth, Reply, TestApp } from "../factories/app.js";
import { ADMIN, ManualClock, makeAccount, makeUser, suiteApp, unique } from "../factories/app.js";
import { expectOk, failure, NO_SESSION, PERMISSION_DENIED, theError } from "../factories/expect.js";
import { eventsAfter, lastSeq, orgCount } from "../factories/inspect.js";
import { insertAgentGroup } from "../factories/rows.js";
import type { NameValue, Stamps } from "../factories/wire.js";

const NOW = "2026-03-02T12:00:00.000Z";
const ROOT_KEY = { internalId: "root", externalId: "root", type: "SuperEnterprise" };
const ADMIN_KEY = { externalId: ADMIN.user };

interface WireOrg extends Stamps {
  internalId: string;
  externalId: string;
  type: string;
  parent: { internalId: string; externalId: string; type: string } | null;
  attributes: NameValue[];
  preferences: NameValue[];
}

const orgOf = (reply: Reply) => reply.data[0] as unknown as WireOrg;

async function createEnterprise(t: TestApp, auth: Auth = ADMIN): Promise<WireOrg> {
  const reply = await t.call(
    "createOrg",
    { child: { externalId: unique("ent") }, parent: { internalId: "root" } },
    auth,
  );
  expectOk(reply);
  return orgOf(reply);
}

async function createAccount(t: TestApp, parentId: string, externalId = unique("acc")): Promise<WireOrg> {
  const reply = await t.call("createOrg", { child: { externalId }, parent: { internalId: parentId } });
  expectOk(reply);
  return orgOf(reply);
}

/** Two tenants: an Enterprise with an Account each, and users of several roles in each. */
async function twoTenants(t: TestApp) {
  const a = await makeAccount(t);
  const b = await makeAccount(t);
  return {
    a,
    b,
    enterpriseManagerA: await makeUser(t, a.enterpriseId, ["AccountManager"]),
    managerA: await makeUser(t, a.accountId, ["AccountManager"]),
    supervisorA: await makeUser(t, a.accountId, ["Supervisor"]),
    agentA: await makeUser(t, a.accountId, ["Agent"]),
  };
}

describe("createOrg", () => {
  const t = suiteApp({ clock: new ManualClock() });

  it("creates an Enterprise under root and emits org.created", async () => {
    const seq = await lastSeq(t);
    const externalId = unique("ent");
    const reply = await t.call("createOrg", {
      child: {
        externalId,
        type: "Enterprise",
        attributes: [{ name: "applicationName", value: "Callboard" }],
        preferences: [{ name: "theme", value: null }],
      },
      parent: { internalId: "root" },
    });
    expectOk(reply);
    const org = orgOf(reply);
    assert.match(org.internalId, /^[0-9a-f]{24}$/);
    const expected: WireOrg = {
      internalId: org.internalId,
      externalId,
      type: "Enterprise",
      parent: ROOT_KEY,
      attributes: [{ name: "applicationName", value: "Callboard" }],
      preferences: [{ name: "theme", value: null }],
      createdDate: NOW,
      updatedDate: NOW,
      createdBy: ADMIN_KEY,
      modifiedBy: ADMIN_KEY,
    };
    assert.deepEqual(reply, { status: 200, data: [expected], dataOffset: 0, errors: [], warnings: [] });
    assert.deepEqual((await t.call("showOrg", { org: { internalId: org.internalId } })).data, [expected]);
    assert.deepEqual(await eventsAfter(t, seq), [
      { type: "org.created", orgPath: `/root/${org.internalId}/`, data: expected },
    ]);
  });

  it("infers the child's type from the parent, named by externalId and type", async () => {
    const enterprise = await createEnterprise(t);
    const externalId = unique("acc");
    const reply = await t.call("createOrg", {
      child: { externalId },
      parent: { externalId: enterprise.externalId, type: "Enterprise" },
    });
    expectOk(reply);
    const org = orgOf(reply);
    assert.equal(org.type, "Account");
    assert.deepEqual(org.parent, {
      internalId: enterprise.internalId,
      externalId: enterprise.externalId,
      type: "Enterprise",
    });
    assert.deepEqual(org.attributes, []);
    assert.deepEqual(org.preferences, []);
  });

  it("allows the same externalId under different parents", async () => {
    const one = await createEnterprise(t);
    const two = await createEnterprise(t);
    const externalId = unique("acc");
    await createAccount(t, one.internalId, externalId);
    await createAccount(t, two.internalId, externalId);
  });

  it("accepts a child that echoes its parent", async () => {
    const enterprise = await createEnterprise(t);
    const reply = await t.call("createOrg", {
      child: { externalId: unique("acc"), type: "Account", parent: { internalId: enterprise.internalId } },
      parent: { internalId: enterprise.internalId },
    });
    expectOk(reply);
  });

  describe("errors change nothing", () => {
    const cases: { name: string; child: Record<string, unknown>; parent?: unknown; expected: object }[] = [
      {
        name: "missing externalId → ATTRIBUTE_NULL",
        child: { type: "Enterprise" },
        expected: { status: 400, code: "ATTRIBUTE_NULL", argumentIndex: 0, attributeName: "externalId" },
      },
      {
        name: "a control character in externalId → ARG_INVALID_CHAR",
        child: { externalId: "bad\u0007id" },
        expected: { status: 400, code: "ARG_INVALID_CHAR", argumentIndex: 0, attributeName: "externalId" },
      },
      {
        name: "an empty externalId → ATTRIBUTE_INVALID_DATA",
        child: { externalId: "" },
        expected: { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "externalId" },
      },
      {
        name: "an externalId over 255 characters → ATTRIBUTE_INVALID_DATA",
        child: { externalId: "x".repeat(256) },
        expected: { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "externalId" },
      },
      {
        name: "an unknown type → ATTRIBUTE_INVALID_DATA",
        child: { externalId: unique("e"), type: "Galaxy" },
        expected: { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "type" },
      },
      {
        name: "a SuperEnterprise → ATTRIBUTE_INVALID_DATA",
        child: { externalId: unique("e"), type: "SuperEnterprise" },
        expected: { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "type" },
      },
      {
        name: "an attribute given twice → ATTRIBUTE_INVALID_DATA",
        child: {
          externalId: unique("e"),
          attributes: [
            { name: "a", value: "1" },
            { name: "a", value: "2" },
          ],
        },
        expected: { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "attributes" },
      },
      {
        name: "a preference without a name → ATTRIBUTE_INVALID_DATA",
        child: { externalId: unique("e"), preferences: [{ name: " ", value: "1" }] },
        expected: { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "preferences" },
      },
      {
        name: "an Account under the SuperEnterprise → ARG_INVALID_TYPE",
        child: { externalId: unique("a"), type: "Account" },
        expected: { status: 400, code: "ARG_INVALID_TYPE", argumentIndex: 0, attributeName: "type" },
      },
      {
        name: "a parent that does not exist → OBJECT_NOT_EXISTS",
        child: { externalId: unique("e") },
        parent: { internalId: "nope" },
        expected: { status: 404, code: "OBJECT_NOT_EXISTS", argumentIndex: 1, attributeName: undefined },
      },
      {
        name: "a child.parent that contradicts the parent → ATTRIBUTE_INVALID_DATA",
        child: { externalId: unique("e"), parent: { internalId: "elsewhere" } },
        expected: { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "parent" },
      },
      {
        name: "a wrongly typed externalId → ATTRIBUTE_INVALID_DATA (no coercion)",
        child: { externalId: 5 },
        expected: { status: 400, code: "ATTRIBUTE_INVALID_DATA", argumentIndex: 0, attributeName: "externalId" },
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const before = await orgCount(t);
        const reply = await t.call("createOrg", { child: c.child, parent: c.parent ?? { internalId: "root" } });
        assert.deepEqual(theError(reply), c.expected);
        assert.equal(await orgCount(t), before);
      });
    }

    it("an Enterprise under an Enterprise → ARG_INVALID_TYPE on the child", async () => {
      const enterprise = await createEnterprise(t);
      const reply = await t.call("createOrg", {
        child: { externalId: unique("e"), type: "Enterprise" },
        parent: { internalId: enterprise.internalId },
      });
      assert.deepEqual(theError(reply), failure(400, "ARG_INVALID_TYPE", 0, "type"));
    });

    it("any child of an Account → ARG_INVALID_TYPE on the parent", async () => {
      const { accountId } = await makeAccount(t);
      const before = await orgCount(t);
      const reply = await t.call("createOrg", {
        child: { externalId: unique("x") },
        parent: { internalId: accountId },
      });
      assert.deepEqual(theError(reply), failure(400, "ARG_INVALID_TYPE", 1));
      assert.equal(await orgCount(t), before);
    });

    it("an externalId taken under the same parent → OBJECT_EXISTS", async () => {
      const enterprise = await createEnterprise(t);
      const externalId = unique("acc");
      await createAccount(t, enterprise.internalId, externalId);
      const before = await orgCount(t);
      const reply = await t.call("createOrg", { child: { externalId }, parent: { internalId: enterprise.internalId } });
      assert.deepEqual(theError(reply), failure(409, "OBJECT_EXISTS", 0, "externalId"));
      assert.equal(reply.errors[0]?.message, `Object '${externalId}' already exists`);
      assert.equal(await orgCount(t), before);
    });

    it("a missing parent → ARG_NULL", async () => {
      const reply = await t.call("createOrg", { child: { externalId: unique("e") } });
      assert.deepEqual(theError(reply), failure(400, "ARG_NULL", 1));
    });

    it("reports every problem at once", async () => {
      const before = await orgCount(t);
      const reply = await t.call("createOrg", {
        child: {
          type: "Galaxy",
          preferences: [
            { name: "p", value: "1" },
            { name: "p", value: null },
          ],
        },
        parent: { internalId: "nope" },
      });
      assert.equal(reply.status, 400);
      assert.deepEqual(
        reply.errors.map((e) => [e.code, e.argumentIndex, e.attributeName]),
        [
          ["ATTRIBUTE_NULL", 0, "externalId"],
          ["ATTRIBUTE_INVALID_DATA", 0, "type"],
          ["ATTRIBUTE_INVALID_DATA", 0, "preferences"],
          ["OBJECT_NOT_EXISTS", 1, undefined],
        ],
      );
      assert.equal(await orgCount(t), before);
    });
  });

  describe("roles and scope", () => {
    it("an AccountManager does not create Enterprises, but creates Accounts", async () => {
      const manager = await makeUser(t, "root", ["AccountManager"]);
      const before = await orgCount(t);
      const denied = await t.call(
        "createOrg",
        { child: { externalId: unique("e"), type: "Enterprise" }, parent: { internalId: "root" } },
        manager,
      );
      assert.deepEqual(theError(denied), PERMISSION_DENIED);
      assert.equal(await orgCount(t), before);
      const enterprise = await createEnterprise(t);
      const reply = await t.call(
        "createOrg",
        { child: { externalId: unique("acc") }, parent: { internalId: enterprise.internalId } },
        manager,
      );
      expectOk(reply);
      assert.deepEqual(orgOf(reply).createdBy, { externalId: manager.user });
    });

    it("an Administrator below root creates Accounts in its Enterprise only", async () => {
      const tenants = await twoTenants(t);
      const adminA = await makeUser(t, tenants.a.enterpriseId, ["Administrator"]);
      expectOk(
        await t.call(
          "createOrg",
          { child: { externalId: unique("acc") }, parent: { internalId: tenants.a.enterpriseId } },
          adminA,
        ),
      );
      const before = await orgCount(t);
      const other = await t.call(
        "createOrg",
        { child: { externalId: unique("acc") }, parent: { internalId: tenants.b.enterpriseId } },
        adminA,
      );
      const missing = await t.call(
        "createOrg",
        { child: { externalId: unique("acc") }, parent: { internalId: "no-such-org" } },
        adminA,
      );
      assert.deepEqual(theError(other), theError(missing));
      assert.equal(other.errors[0]?.code, "OBJECT_NOT_EXISTS");
      // root is above its scope: it does not exist for this caller either
      const root = await t.call(
        "createOrg",
        { child: { externalId: unique("e"), type: "Enterprise" }, parent: { internalId: "root" } },
        adminA,
      );
      assert.equal(root.errors[0]?.code, "OBJECT_NOT_EXISTS");
      assert.equal(await orgCount(t), before);
    });

    it("a Supervisor or an Agent gets PERMISSION_DENIED", async () => {
      const tenants = await twoTenants(t);
      for (const caller of [tenants.supervisorA, tenants.agentA]) {
        const reply = await t.call(
          "createOrg",
          { child: { externalId: unique("acc") }, parent: { internalId: tenants.a.enterpriseId } },
          caller,
        );
        assert.equal(theError(reply).status, 403);
        assert.equal(reply.errors[0]?.code, "PERMISSION_DENIED");
      }
    });

    it("no credentials → 401 NO_SESSION; a wrong password → 401 AUTHENTICATION_FAILURE", async () => {
      const body = { child: { externalId: unique("e") }, parent: { internalId: "root" } };
      const before = await orgCount(t);
      assert.deepEqual(theError(await t.call("createOrg", body, null)), NO_SESSION);
      const wrong = await t.call("createOrg", body, { user: ADMIN.user, password: "not-the-password" });
      assert.deepEqual(theError(wrong), failure(401, "AUTHENTICATION_FAILURE"));
      assert.equal(await orgCount(t), before);
    });
  });
});

describe("createOrg limits", () => {
  const t = suiteApp({ env: { CALLBOARD_MAX_ENTERPRISES: "2", CALLBOARD_MAX_ACCOUNTS_PER_ENTERPRISE: "1" } });

  it("refuses an Enterprise or Account over the limit with SYSTEM_LIMIT_EXCEEDED", async () => {
    const enterprise = await createEnterprise(t);
    await createEnterprise(t);
    const before = await orgCount(t);
    const third = await t.call("createOrg", { child: { externalId: unique("e") }, parent: { internalId: "root" } });
    assert.deepEqual(theError(third), failure(409, "SYSTEM_LIMIT_EXCEEDED"));
    assert.equal(
      third.errors[0]?.message,
      "maximum number of enterprises (2 per SuperEnterprise; CALLBOARD_MAX_ENTERPRISES) exceeded",
    );
    await createAccount(t, enterprise.internalId);
    const second = await t.call("createOrg", {
      child: { externalId: unique("a") },
      parent: { internalId: enterprise.internalId },
    });
    assert.equal(second.status, 409);
    assert.equal(
      second.errors[0]?.message,
      "maximum number of accounts (1 per Enterprise; CALLBOARD_MAX_ACCOUNTS_PER_ENTERPRISE) exceeded",
    );
    assert.equal(await orgCount(t), before + 1);
  });
});

describe("showOrg", () => {
  const t = suiteApp({ clock: new ManualClock() });

  it("finds an org by internalId, by externalId and type, and by externalId within a parent", async () => {
    const enterprise = await createEnterprise(t);
    const account = await createAccount(t, enterprise.internalId);
    const expected = {
      internalId: account.internalId,
      externalId: account.externalId,
      type: "Account",
      parent: { internalId: enterprise.internalId, externalId: enterprise.externalId, type: "Enterprise" },
      attributes: [],
      preferences: [],
      createdDate: NOW,
      updatedDate: NOW,
      createdBy: ADMIN_KEY,
      modifiedBy: ADMIN_KEY,
    };
    for (const org of [
      { internalId: account.internalId },
      { internalId: account.internalId, externalId: "ignored when internalId is given" },
      { externalId: account.externalId, type: "Account" },
      { externalId: account.externalId, parent: { internalId: enterprise.internalId } },
    ]) {
      const reply = await t.call("showOrg", { org });
      assert.deepEqual(reply, { status: 200, data: [expected], dataOffset: 0, errors: [], warnings: [] });
    }
    const root = await t.call("showOrg", { org: { internalId: "root" } });
    assert.deepEqual(orgOf(root).parent, null);
    assert.equal(orgOf(root).type, "SuperEnterprise");
  });

  it("answers OBJECT_NOT_EXISTS for an unknown org, ATTRIBUTE_NULL without an id or when ambiguous", async () => {
    assert.deepEqual(
      theError(await t.call("showOrg", { org: { internalId: "nope" } })),
      failure(404, "OBJECT_NOT_EXISTS", 0),
    );
    assert.deepEqual(
      theError(await t.call("showOrg", { org: { type: "Account" } })),
      failure(400, "ATTRIBUTE_NULL", 0, "externalId"),
    );
    const name = unique("twin");
    await createAccount(t, (await createEnterprise(t)).internalId, name);
    await createAccount(t, (await createEnterprise(t)).internalId, name);
    assert.deepEqual(
      theError(await t.call("showOrg", { org: { externalId: name } })),
      failure(400, "ATTRIBUTE_NULL", 0, "parent"),
    );
  });

  it("shows a Supervisor its own Account but never another tenant's", async () => {
    const tenants = await twoTenants(t);
    const own = await t.call("showOrg", { org: { internalId: tenants.a.accountId } }, tenants.supervisorA);
    expectOk(own);
    assert.equal(orgOf(own).internalId, tenants.a.accountId);
    const other = await t.call("showOrg", { org: { internalId: tenants.b.accountId } }, tenants.supervisorA);
    const missing = await t.call("showOrg", { org: { internalId: "no-such-org" } }, tenants.supervisorA);
    assert.equal(other.status, 404);
    assert.deepEqual(theError(other), theError(missing));
    const byName = await t.call("showOrg", { org: { externalId: tenants.b.account } }, tenants.supervisorA);
    assert.equal(theError(byName).code, "OBJECT_NOT_EXISTS");
    const parent = await t.call("showOrg", { org: { internalId: tenants.a.enterpriseId } }, tenants.supervisorA);
    assert.equal(theError(parent).code, "OBJECT_NOT_EXISTS");
  });

  it("refuses an Agent (403) and callers without valid credentials (401)", async () => {
    const tenants = await twoTenants(t);
    const body = { org: { internalId: tenants.a.accountId } };
    assert.equal(theError(await t.call("showOrg", body, tenants.agentA)).code, "PERMISSION_DENIED");
    assert.equal((await t.call("showOrg", body, tenants.agentA)).status, 403);
    assert.equal(theError(await t.call("showOrg", body, null)).code, "NO_SESSION");
    const wrong = await t.call("showOrg", body, { user: tenants.supervisorA.user, password: "wrong-password" });
    assert.deepEqual(theError(wrong), failure(401, "AUTHENTICATION_FAILURE"));
  });
});

describe("listOrgs", () => {
  const t = suiteApp({ env: { CALLBOARD_MAX_LIST_RESULTS: "3" } });
  let enterprise: WireOrg;
  const names = ["c", "a", "d", "b"].map((letter) => `${letter}-${unique("acc")}`);

  before(async () => {
    enterprise = await createEnterprise(t);
    for (const name of names) await createAccount(t, enterprise.internalId, name);
  });

  const externalIds = (reply: Reply) => reply.data.map((org) => (org as unknown as WireOrg).externalId);

  it("pages the children of an org, ordered by externalId", async () => {
    const sorted = [...names].sort();
    const page = await t.call("listOrgs", {
      parent: { internalId: enterprise.internalId },
      options: { offset: 1, limit: 2 },
    });
    expectOk(page);
    assert.equal(page.dataOffset, 1);
    assert.deepEqual(externalIds(page), sorted.slice(1, 3));
    const capped = await t.call("listOrgs", { parent: { internalId: enterprise.internalId }, options: { limit: 100 } });
    assert.deepEqual(externalIds(capped), sorted.slice(0, 3));
    const rest = await t.call("listOrgs", { parent: { internalId: enterprise.internalId }, options: { offset: 3 } });
    assert.deepEqual(externalIds(rest), sorted.slice(3));
    const first = orgOf(page);
    assert.deepEqual(first.parent, {
      internalId: enterprise.internalId,
      externalId: enterprise.externalId,
      type: "Enterprise",
    });
  });

  it("answers RESULT_TOO_LARGE over the list limit without options", async () => {
    const reply = await t.call("listOrgs", { parent: { internalId: enterprise.internalId } });
    assert.deepEqual(theError(reply), failure(400, "RESULT_TOO_LARGE"));
  });

  it("matches the sample's externalId and type", async () => {
    const one = await t.call("listOrgs", {
      parent: { internalId: enterprise.internalId },
      sample: { externalId: names[2] },
    });
    assert.deepEqual(externalIds(one), [names[2]]);
    const none = await t.call("listOrgs", {
      parent: { internalId: enterprise.internalId },
      sample: { externalId: names[2], type: "Enterprise" },
    });
    assert.deepEqual(none, { status: 200, data: [], dataOffset: 0, errors: [], warnings: [] });
    const enterprises = await t.call("listOrgs", {
      parent: { internalId: "root" },
      sample: { externalId: enterprise.externalId, type: "Enterprise" },
    });
    assert.deepEqual(externalIds(enterprises), [enterprise.externalId]);
  });

  it("answers OBJECT_NOT_EXISTS for an unknown parent and ARG_NULL without one", async () => {
    assert.deepEqual(
      theError(await t.call("listOrgs", { parent: { internalId: "nope" } })),
      failure(404, "OBJECT_NOT_EXISTS", 0),
    );
    assert.equal(theError(await t.call("listOrgs", { sample: {} })).code, "ARG_NULL");
  });

  it("lists nothing outside the caller's scope", async () => {
    const tenants = await twoTenants(t);
    const own = await t.call(
      "listOrgs",
      { parent: { internalId: tenants.a.enterpriseId } },
      tenants.enterpriseManagerA,
    );
    assert.deepEqual(externalIds(own), [tenants.a.account]);
    const other = await t.call(
      "listOrgs",
      { parent: { internalId: tenants.b.enterpriseId } },
      tenants.enterpriseManagerA,
    );
    const missing = await t.call("listOrgs", { parent: { internalId: "no-such-org" } }, tenants.enterpriseManagerA);
    assert.deepEqual(theError(other), theError(missing));
    const root = await t.call("listOrgs", { parent: { internalId: "root" } }, tenants.supervisorA);
    assert.equal(theError(root).code, "OBJECT_NOT_EXISTS");
    assert.equal(theError(await t.call("listOrgs", { parent: { internalId: "root" } }, tenants.agentA)).status, 403);
    assert.equal(theError(await t.call("listOrgs", { parent: { internalId: "root" } }, null)).status, 401);
    const wrong = await t.call("listOrgs", { parent: { internalId: "root" } }, { user: ADMIN.user, password: "x" });
    assert.equal(theError(wrong).code, "AUTHENTICATION_FAILURE");
  });
});

describe("changeOrg", () => {
  const clock = new ManualClock();
  const t = suiteApp({ clock });

  it("changes attributes and preferences, keeps the rest, and emits org.changed", async () => {
    const enterprise = await createEnterprise(t);
    const account = await createAccount(t, enterprise.internalId);
    const manager = await makeUser(t, enterprise.internalId, ["AccountManager"]);
    clock.advance(60_000);
    const seq = await lastSeq(t);
    // a client echoes the whole object back with its changes
    const reply = await t.call(
      "changeOrg",
      {
        org: {
          ...account,
          attributes: [{ name: "defaultCallerID", value: "+15550100" }],
          preferences: [{ name: "color", value: "blue" }],
        },
      },
      manager,
    );
    expectOk(reply);
    const expected: WireOrg = {
      ...account,
      attributes: [{ name: "defaultCallerID", value: "+15550100" }],
      preferences: [{ name: "color", value: "blue" }],
      createdDate: NOW,
      updatedDate: "2026-03-02T12:01:00.000Z",
      modifiedBy: { externalId: manager.user },
    };
    assert.deepEqual(reply.data, [expected]);
    assert.deepEqual((await t.call("showOrg", { org: { internalId: account.internalId } })).data, [expected]);
    assert.deepEqual(await eventsAfter(t, seq), [
      { type: "org.changed", orgPath: `/root/${enterprise.internalId}/${account.internalId}/`, data: expected },
    ]);

    const onlyPreferences = await t.call("changeOrg", {
      org: { externalId: account.externalId, type: "Account", preferences: null },
    });
    expectOk(onlyPreferences);
    assert.deepEqual(orgOf(onlyPreferences).attributes, expected.attributes);
    assert.deepEqual(orgOf(onlyPreferences).preferences, []);
  });

  it("refuses a different type, parent or externalId, and bad attributes, changing nothing", async () => {
    const enterprise = await createEnterprise(t);
    const other = await createEnterprise(t);
    const account = await createAccount(t, enterprise.internalId);
    const id = account.internalId;
    const cases: [Record<string, unknown>, string][] = [
      [{ internalId: id, type: "Enterprise", attributes: [{ name: "x", value: "1" }] }, "type"],
      [{ internalId: id, parent: { internalId: other.internalId }, attributes: [] }, "parent"],
      [{ internalId: id, externalId: "renamed" }, "externalId"],
      [
        {
          internalId: id,
          attributes: [
            { name: "x", value: "1" },
            { name: "x", value: "2" },
          ],
        },
        "attributes",
      ],
      [{ internalId: id, preferences: [{ name: "", value: "1" }] }, "preferences"],
    ];
    for (const [org, attributeName] of cases) {
      const reply = await t.call("changeOrg", { org });
      assert.deepEqual(theError(reply), {
        status: 400,
        code: "ATTRIBUTE_INVALID_DATA",
        argumentIndex: 0,
        attributeName,
      });
    }
    assert.deepEqual((await t.call("showOrg", { org: { internalId: id } })).data, [account]);
  });

  it("answers OBJECT_NOT_EXISTS for an unknown org or one of another tenant", async () => {
    assert.deepEqual(
      theError(await t.call("changeOrg", { org: { internalId: "nope", attributes: [] } })),
      failure(404, "OBJECT_NOT_EXISTS", 0),
    );
    const tenants = await twoTenants(t);
    const body = { org: { internalId: tenants.b.accountId, attributes: [{ name: "hacked", value: "1" }] } };
    const other = await t.call("changeOrg", body, tenants.managerA);
    const missing = await t.call("changeOrg", { org: { internalId: "no-such-org", attributes: [] } }, tenants.managerA);
    assert.deepEqual(theError(other), theError(missing));
    const shown = await t.call("showOrg", { org: { internalId: tenants.b.accountId } });
    assert.deepEqual(orgOf(shown).attributes, []);
    const own = await t.call(
      "changeOrg",
      { org: { internalId: tenants.a.accountId, attributes: [] } },
      tenants.managerA,
    );
    expectOk(own);
  });

  it("refuses a Supervisor or Agent (403) and callers without valid credentials (401)", async () => {
    const tenants = await twoTenants(t);
    const body = { org: { internalId: tenants.a.accountId, attributes: [{ name: "x", value: "1" }] } };
    for (const caller of [tenants.supervisorA, tenants.agentA]) {
      assert.equal(theError(await t.call("changeOrg", body, caller)).code, "PERMISSION_DENIED");
    }
    assert.equal(theError(await t.call("changeOrg", body, null)).code, "NO_SESSION");
    const wrong = await t.call("changeOrg", body, { user: tenants.managerA.user, password: "bad-password" });
    assert.equal(theError(wrong).code, "AUTHENTICATION_FAILURE");
    assert.deepEqual(orgOf(await t.call("showOrg", { org: { internalId: tenants.a.accountId } })).attributes, []);
  });
});

describe("deleteOrg", () => {
  const t = suiteApp({ clock: new ManualClock() });

  it("deletes an empty Account and emits org.deleted", async () => {
    const enterprise = await createEnterprise(t);
    const account = await createAccount(t, enterprise.internalId);
    const seq = await lastSeq(t);
    const reply = await t.call("deleteOrg", { org: { internalId: account.internalId } });
    assert.deepEqual(reply, { status: 200, data: [], dataOffset: 0, errors: [], warnings: [] });
    assert.equal(
      theError(await t.call("showOrg", { org: { internalId: account.internalId } })).code,
      "OBJECT_NOT_EXISTS",
    );
    assert.deepEqual(await eventsAfter(t, seq), [
      { type: "org.deleted", orgPath: `/root/${enterprise.internalId}/${account.internalId}/`, data: account },
    ]);
    expectOk(await t.call("deleteOrg", { org: { externalId: enterprise.externalId, type: "Enterprise" } }));
  });

  it("answers INVALID_STATE while the org has child orgs, users or agent groups", async () => {
    const { enterpriseId, accountId } = await makeAccount(t);
    const withUser = await makeAccount(t);
    await makeUser(t, withUser.accountId, ["Agent"]);
    await insertAgentGroup(t, accountId);
    const before = await orgCount(t);
    for (const id of [enterpriseId, accountId, withUser.accountId]) {
      const reply = await t.call("deleteOrg", { org: { internalId: id } });
      assert.deepEqual(theError(reply), failure(409, "INVALID_STATE", 0));
    }
    assert.match(
      (await t.call("deleteOrg", { org: { internalId: enterpriseId } })).errors[0]?.context ?? "",
      /child orgs/,
    );
    assert.equal(await orgCount(t), before);
  });

  it("lets an AccountManager delete Accounts but not Enterprises", async () => {
    const manager = await makeUser(t, "root", ["AccountManager"]);
    const enterprise = await createEnterprise(t);
    const account = await createAccount(t, enterprise.internalId);
    expectOk(await t.call("deleteOrg", { org: { internalId: account.internalId } }, manager));
    const denied = await t.call("deleteOrg", { org: { internalId: enterprise.internalId } }, manager);
    assert.deepEqual(theError(denied), PERMISSION_DENIED);
    expectOk(await t.call("showOrg", { org: { internalId: enterprise.internalId } }));
  });

  it("answers OBJECT_NOT_EXISTS for an unknown org or one of another tenant; refuses other roles", async () => {
    assert.deepEqual(
      theError(await t.call("deleteOrg", { org: { internalId: "nope" } })),
      failure(404, "OBJECT_NOT_EXISTS", 0),
    );
    const tenants = await twoTenants(t);
    const empty = await createAccount(t, tenants.b.enterpriseId);
    const other = await t.call("deleteOrg", { org: { internalId: empty.internalId } }, tenants.enterpriseManagerA);
    const missing = await t.call("deleteOrg", { org: { internalId: "no-such-org" } }, tenants.enterpriseManagerA);
    assert.deepEqual(theError(other), theError(missing));
    for (const caller of [tenants.supervisorA, tenants.agentA]) {
      assert.equal(theError(await t.call("deleteOrg", { org: { internalId: empty.internalId } }, caller)).status, 403);
    }
    assert.equal(theError(await t.call("deleteOrg", { org: { internalId: empty.internalId } }, null)).status, 401);
    const wrong = await t.call(
      "deleteOrg",
      { org: { internalId: empty.internalId } },
      { user: ADMIN.user, password: "x" },
    );
    assert.equal(theError(wrong).code, "AUTHENTICATION_FAILURE");
    expectOk(await t.call("showOrg", { org: { internalId: empty.internalId } }));
  });
});
