/**
 * The result schemas are the contract the OpenAPI document and the typed client
 * are made from: this suite calls every method for real (through the production
 * app) and checks that each successful reply, each failure and each stored
 * event validates against its schema. A field added, renamed or retyped in a
 * service without its schema fails here.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { TSchema } from "typebox";
import { Compile } from "typebox/compile";
import { METHODS, type MethodName, resultOf } from "../../src/domain/methods.js";
import { Envelope, ErrorEnvelope, EVENT_DATA, EVENT_TYPES, EVENTS, type EventType } from "../../src/domain/results.js";
import { ADMIN, type Auth, ManualClock, type Reply, suiteApp, unique, uniqueEmail } from "../factories/app.js";

function problems(schema: TSchema, value: unknown): string[] {
  const check = Compile(schema);
  return check.Check(value) ? [] : [...check.Errors(value)].map((e) => `${e.instancePath} ${e.message}`);
}

describe("every method's reply validates against its result schema", () => {
  // A Monday noon, inside the group's schedule.
  const t = suiteApp({ clock: new ManualClock(new Date("2026-03-02T12:00:00.000Z")) });
  const replies = new Map<MethodName, Reply[]>();
  let failed: Reply[] = [];

  async function call(method: MethodName, body: unknown, auth?: Auth | string | null): Promise<Reply> {
    const reply = await t.call(method, body, auth);
    assert.equal(reply.status, 200, `${method}: ${JSON.stringify(reply.errors)}`);
    assert.deepEqual(reply.errors, [], method);
    replies.set(method, [...(replies.get(method) ?? []), reply]);
    return reply;
  }
  const first = (reply: Reply) => reply.data[0] as Record<string, unknown> & { internalId: string };

  before(async () => {
    const session = first(
      await call("createSession", { externalId: ADMIN.user, password: ADMIN.password }, null),
    ).internalId;
    const bearer = `Bearer ${session}`;
    await call("showCurrentSession", {}, bearer);
    await call("showCurrentSession", {});

    const enterprise = first(
      await call("createOrg", {
        child: { externalId: unique("ent"), type: "Enterprise" },
        parent: { internalId: "root" },
      }),
    ).internalId;
    const account = first(
      await call("createOrg", {
        child: { externalId: unique("acc"), type: "Account" },
        parent: { internalId: enterprise },
      }),
    ).internalId;
    const org = { internalId: account };
    await call("showOrg", { org });
    await call("listOrgs", { parent: { internalId: enterprise }, sample: {}, options: { offset: 0, limit: 10 } });
    await call("changeOrg", { org: { internalId: account, attributes: [{ name: "region", value: "eu" }] } });

    const password = "password-1";
    const logins = [uniqueEmail("a"), uniqueEmail("b"), "+15550100123"];
    await call("createUsers", {
      users: logins.map((externalId) => ({
        externalId,
        firstName: "Ann",
        lastName: "Lee",
        roles: ["Agent"],
        password,
      })),
      org,
    });
    const stringUser = uniqueEmail("s");
    await call("createUsersUsingString", { users: `# one user\n${stringUser},Sam,Roe,Agent,${password}\n`, org });
    await call("showUser", { user: { externalId: stringUser } });
    await call("listUsers", { org, sample: {} });
    await call("changeUser", { user: { externalId: stringUser, firstName: "Samuel", timeZone: "Europe/Paris" } });
    await call(
      "changePassword",
      { user: { externalId: stringUser }, currentPassword: password, newPassword: "password-2" },
      { user: stringUser, password },
    );
    await call("resetPassword", { user: { externalId: stringUser }, newPassword: password });

    const group = first(
      await call("createAgentGroup", {
        agentGroup: {
          externalId: unique("grp"),
          currentSchedule: [
            { day: "Monday", startTime: "08:00", endTime: "18:00", timeZone: "UTC", allocatedCount: 3 },
          ],
          tags: ["sales"],
        },
        parent: org,
      }),
    );
    const agentGroup = { internalId: group.internalId };
    await call("showAgentGroup", { agentGroup });
    await call("changeAgentGroup", { agentGroup: { internalId: group.internalId, intensity: 2.5, maxBreakTime: 10 } });
    const shift = first(
      await call("createScheduleGroup", {
        scheduleGroup: { externalId: unique("shift"), schedule: [{ open24: true }] },
        parent: agentGroup,
      }),
    );
    await call("showScheduleGroup", { scheduleGroup: { internalId: shift.internalId } });

    const [a, b, phone] = logins;
    await call("createAgents", {
      agents: [{ externalId: a }, { externalId: b }],
      agentGroup,
      initialState: { currentScheduleGroup: { internalId: shift.internalId } },
    });
    await call("createAgentsUsingString", { agents: `${phone},Phone,+15550100999\n`, agentGroup, initialState: {} });
    for (const login of [a, b]) {
      await call("changeAgentState", {
        agentState: { agent: { externalId: login }, requestedAction: "Login", requestedWorkState: "Ready" },
      });
    }
    const held = first(
      await call("acquireAgent", {
        agentState: { agentGroup, currentContactState: "Connected", currentDevice: { externalId: "+15550177777" } },
      }),
    );
    await call("showAgentStateUsingDevice", { device: { externalId: "+15550177777" }, org });
    await call("releaseAgent", { agentState: { internalId: held.internalId } });
    await call("showAgentStateUsingUser", { agent: { externalId: a } });
    await call("listAgentStatesUsingEntity", { baseEntity: org });
    await call("showAgentGroupState", { agentGroup });
    await call("listAgentGroupStates", { org });
    await call("changeAgentGroupState", { agentGroupState: { agentGroup, state: "Closed", allocatedCount: 1 } });
    await call("showAgentGroupState", { agentGroup });

    await call("deleteAgents", { agents: logins.map((externalId) => ({ externalId })) });
    await call("deleteScheduleGroup", { scheduleGroup: { internalId: shift.internalId } });
    await call("deleteAgentGroup", { agentGroup });
    await call("deleteUsers", { users: [...logins, stringUser].map((externalId) => ({ externalId })) });
    await call("deleteOrg", { org });
    await call("deleteSession", {}, bearer);

    failed = [
      await t.call("showOrg", { org: { internalId: "missing" } }),
      await t.call("createUsers", { users: [{ loginEnabled: "yes" }, { firstName: 5 }], org: "x" }),
      await t.call("showCurrentSession", {}, null),
      await t.call("noSuchMethod", {}),
    ];
  });

  for (const name of Object.keys(METHODS) as MethodName[]) {
    it(name, () => {
      const got = replies.get(name);
      assert.ok(got && got.length > 0, `${name} was not called`);
      for (const { status: _status, ...envelope } of got) {
        assert.deepEqual(problems(Envelope(resultOf(name)), envelope), [], JSON.stringify(envelope));
      }
    });
  }

  it("the replies of methods with results carry data, so the schemas were exercised on objects", () => {
    const empty = [...replies].filter(
      ([name, list]) => resultOf(name)["~kind"] !== "Never" && list.every((r) => r.data.length === 0),
    );
    assert.deepEqual(
      empty.map(([name]) => name),
      [],
    );
  });

  it("failed calls validate against the error envelope", () => {
    assert.equal(failed.length, 4);
    for (const { status, ...envelope } of failed) {
      assert.ok(status >= 400, String(status));
      assert.deepEqual(problems(ErrorEnvelope, envelope), [], JSON.stringify(envelope));
    }
  });

  it("every stored event has a known type, and its data validates against that type's schema", async () => {
    await t.runtime.deps.db.settled();
    const rows = await t.runtime.deps.db.q.selectFrom("events").selectAll().orderBy("seq").execute();
    const seen = new Set<string>();
    for (const row of rows) {
      assert.ok((EVENT_TYPES as string[]).includes(row.type), row.type);
      seen.add(row.type);
      const type = row.type as EventType;
      assert.deepEqual(problems(EVENT_DATA[type], JSON.parse(row.data)), [], `${type}: ${row.data}`);
      const event = {
        seq: Number(row.seq),
        type,
        time: row.time,
        account: row.org_path.split("/").length > 4 ? { internalId: "a", externalId: "b" } : null,
        data: JSON.parse(row.data),
      };
      assert.deepEqual(problems(EVENTS[type], event), [], type);
    }
    // Every type but breakExceeded (it needs the sweep and a clock moved past maxBreakTime).
    assert.deepEqual(
      EVENT_TYPES.filter((type) => !seen.has(type)),
      ["agentState.breakExceeded"],
    );
  });
});
