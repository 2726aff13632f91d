/**
 * `callboard demo` (SPEC §7): a throw-away server seeded through the API with
 * an Enterprise, an Account, two agent groups with schedules, a schedule group
 * and 50 agents; the simulated agents log in and the dialer connects them to
 * callers at once; stopping deletes the data.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { startDemo } from "../../src/cli/demo.js";
import { callMethod } from "../../src/client/http.js";

interface State {
  currentWorkState: string;
  currentContactState: string;
  currentScheduleGroup: { internalId: string } | null;
}

describe("callboard demo", () => {
  it("seeds 50 agents in two scheduled groups and keeps them busy through the API", async () => {
    const demo = await startDemo({ port: 0, host: "127.0.0.1", agents: 50, pace: 0.2 });
    try {
      const auth = { user: demo.supervisor.externalId, password: demo.supervisor.password };
      const groups = await callMethod<{ state: string; currentStartTime: string | null }>(
        demo.url,
        auth,
        "listAgentGroupStates",
        { org: { internalId: demo.accountId } },
      );
      assert.equal(groups.status, 200);
      assert.equal(groups.envelope.data.length, 2);
      for (const g of groups.envelope.data) {
        assert.equal(g.state, "Open");
        assert.ok(g.currentStartTime, "a schedule window");
      }
      const list = () =>
        callMethod<State>(demo.url, auth, "listAgentStatesUsingEntity", {
          baseEntity: { internalId: demo.accountId, type: "Account" },
        }).then((r) => r.envelope.data);
      assert.equal((await list()).length, 50);
      assert.ok(
        (await list()).some((s) => s.currentScheduleGroup !== null),
        "agents in the schedule group",
      );
      // The simulation is live at once: agents log in and the dialer connects some.
      const deadline = Date.now() + 15_000;
      let states = await list();
      while (
        Date.now() < deadline &&
        !(
          states.some((s) => s.currentContactState === "Connected") &&
          states.filter((s) => s.currentWorkState !== "LoggedOut").length >= 40
        )
      ) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        states = await list();
      }
      assert.ok(states.filter((s) => s.currentWorkState !== "LoggedOut").length >= 40, "most agents logged in");
      assert.ok(
        states.some((s) => s.currentContactState === "Connected"),
        "the dialer connected agents",
      );
    } finally {
      await demo.stop();
    }
    const reply = await fetch(`${demo.url}/healthz`).catch(() => undefined);
    assert.equal(reply, undefined, "the server is gone");
  });

  it("removes its throw-away database when stopped", async () => {
    const demo = await startDemo({ port: 0, host: "127.0.0.1", agents: 2, pace: 0.1 });
    assert.ok(existsSync(demo.dataDir));
    await demo.stop();
    assert.equal(existsSync(demo.dataDir), false);
  });
});
