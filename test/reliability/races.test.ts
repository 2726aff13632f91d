/**
 * Conflicting writes at the same moment: uniqueness and limits hold, and the
 * losers get catalogue answers, never a 500. On SQLite the write lock
 * serialises them; on PostgreSQL (test/postgres) the row locks must.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { makeAccount, makeUser, type Reply, suiteApp, unique } from "../factories/app.js";
import { makeAgents, makeGroup } from "../factories/contact-center.js";

const together = <T>(n: number, fn: (i: number) => Promise<T>) =>
  Promise.all(Array.from({ length: n }, (_, i) => fn(i)));
const noServerErrors = (replies: Reply[]) =>
  assert.ok(
    replies.every((r) => r.status < 500),
    JSON.stringify(replies.map((r) => r.errors)),
  );

describe("concurrent conflicting writes", () => {
  const t = suiteApp();
  let accountId: string;
  before(async () => {
    ({ accountId } = await makeAccount(t));
  });

  it("a capped Standard group never holds more than its allocatedCount", async () => {
    const group = await makeGroup(t, accountId);
    await makeAgents(t, accountId, group.internalId, 10, { ready: true });
    await t.call("changeAgentGroupState", {
      agentGroupState: { agentGroup: { internalId: group.internalId }, allocatedCount: 3 },
    });
    const replies = await together(32, () =>
      t.call("acquireAgent", { agentState: { agentGroup: { internalId: group.internalId } } }),
    );
    noServerErrors(replies);
    assert.equal(replies.filter((r) => r.data.length === 1).length, 3);
  });

  it("one device is connected to one agent, whoever asks at once", async () => {
    const group = await makeGroup(t, accountId);
    await makeAgents(t, accountId, group.internalId, 8, { ready: true });
    const replies = await together(8, () =>
      t.call("acquireAgent", {
        agentState: {
          agentGroup: { internalId: group.internalId },
          currentContactState: "Connected",
          currentDevice: { externalId: "+15557770000" },
        },
      }),
    );
    noServerErrors(replies);
    assert.equal(replies.filter((r) => r.data.length === 1).length, 1);
    assert.ok(replies.filter((r) => r.data.length === 0).every((r) => r.errors[0]?.code === "OBJECT_EXISTS"));
  });

  it("the same agent group created at once exists once", async () => {
    const externalId = unique("same");
    const replies = await together(8, () =>
      t.call("createAgentGroup", { agentGroup: { externalId }, parent: { internalId: accountId } }),
    );
    noServerErrors(replies);
    assert.equal(replies.filter((r) => r.status === 200).length, 1);
    assert.ok(replies.filter((r) => r.status !== 200).every((r) => r.errors[0]?.code === "OBJECT_EXISTS"));
  });

  it("the same user made an agent at once becomes one agent", async () => {
    const group = await makeGroup(t, accountId);
    const user = await makeUser(t, accountId, ["Agent"]);
    const replies = await together(8, () =>
      t.call("createAgents", {
        agents: [{ externalId: user.user }],
        agentGroup: { internalId: group.internalId },
        initialState: {},
      }),
    );
    noServerErrors(replies);
    assert.equal(replies.filter((r) => r.data.length === 1).length, 1);
    assert.equal(replies.filter((r) => r.warnings[0]?.code === "OBJECT_EXISTS").length, 7);
  });

  it("one phone number claimed by several agents at once goes to one", async () => {
    const group = await makeGroup(t, accountId);
    const agents = await makeAgents(t, accountId, group.internalId, 6);
    const replies = await together(6, (i) =>
      t.call("changeAgentState", {
        agentState: { internalId: agents[i]?.state.internalId, currentPhoneNumber: "+15558880000" },
      }),
    );
    noServerErrors(replies);
    assert.equal(replies.filter((r) => r.status === 200).length, 1);
  });

  it("deleting a user while it is made an agent: one of the two wins, cleanly", async () => {
    const group = await makeGroup(t, accountId);
    for (let round = 0; round < 5; round++) {
      const user = await makeUser(t, accountId, ["Agent"]);
      const [made, deleted] = await Promise.all([
        t.call("createAgents", {
          agents: [{ externalId: user.user }],
          agentGroup: { internalId: group.internalId },
          initialState: {},
        }),
        t.call("deleteUsers", { users: [{ externalId: user.user }] }),
      ]);
      noServerErrors([made, deleted]);
      const isAgent = made.data.length === 1;
      const isDeleted = deleted.warnings.length === 0;
      assert.notEqual(isAgent, isDeleted, `agent ${isAgent}, deleted ${isDeleted}`);
    }
  });
});
