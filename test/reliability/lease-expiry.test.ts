/**
 * Lease expiry happens once whatever the number of instances (SPEC §6):
 * two instances sweep one database, each lease that ends is released by one
 * of them, and one `agentState.changed` with reason leaseExpired is written
 * per lease.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { makeAccount, suiteInstances } from "../factories/app.js";
import { makeAgents, makeGroup, type WireState } from "../factories/contact-center.js";
import { lastSeq } from "../factories/inspect.js";

const AGENTS = 20;

describe("lease expiry with two instances on one database", () => {
  const { first, second } = suiteInstances();

  it("each ended lease is released once, by one instance", async () => {
    const { accountId } = await makeAccount(first);
    const group = await makeGroup(first, accountId);
    const agents = await makeAgents(first, accountId, group.internalId, AGENTS, { ready: true });
    const since = await lastSeq(first);
    for (const [i, agent] of agents.entries()) {
      const instance = i % 2 === 0 ? first : second;
      const reply = await instance.call("acquireAgent", {
        agentState: {
          agentGroup: { internalId: group.internalId },
          agent: { externalId: agent.auth.user },
          leaseSeconds: 1,
        },
      });
      assert.equal(reply.data.length, 1, JSON.stringify(reply.errors));
    }
    const deadline = Date.now() + 5000;
    for (;;) {
      const list = await second.call("listAgentStatesUsingEntity", {
        baseEntity: { internalId: group.internalId, type: "AgentGroup" },
      });
      const states = list.data as unknown as WireState[];
      if (states.every((s) => s.currentContactState === "Idle")) break;
      assert.ok(Date.now() < deadline, "leases not released");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await Promise.all([first.runtime.deps.db.settled(), second.runtime.deps.db.settled()]);
    const rows = await first.runtime.deps.db.q
      .selectFrom("events")
      .select(["data", "reason"])
      .where("seq", ">", since)
      .where("reason", "=", "leaseExpired")
      .execute();
    const released = rows.map((row) => (JSON.parse(row.data) as WireState).internalId).sort();
    assert.deepEqual(released, agents.map((a) => a.state.internalId).sort());
    for (const agent of agents) {
      const shown = await first.call("showAgentStateUsingUser", { agent: { externalId: agent.auth.user } });
      assert.equal((shown.data[0] as unknown as WireState).version, agent.state.version + 2);
    }
  });
});
