/**
 * The wallboard's store (web/src/store.ts): a snapshot and the events after it
 * give the picture the server has; a batch replaces only what it touched, so
 * the view's memoised tiles and rows re-render only for real changes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  applyBatch,
  applyEvents,
  applyGroupState,
  type Board,
  fromSnapshot,
  matches,
  staleGroups,
} from "../../web/src/store.js";
import type { AgentState, BoardEvent } from "../../web/src/types.js";

const group = (id: string) => ({ internalId: id, externalId: `group-${id}` });
function agent(id: string, groupId: string, extra: Partial<AgentState> = {}): AgentState {
  return {
    internalId: id,
    agent: { externalId: `agent-${id}@example.com` },
    agentGroup: group(groupId),
    currentWorkState: "LoggedOut",
    currentContactState: "Idle",
    version: 1,
    ...extra,
  };
}
let seq = 10;
const event = (type: string, data: unknown): BoardEvent => ({
  seq: ++seq,
  type,
  time: new Date().toISOString(),
  account: null,
  data,
});

function board(): Board {
  seq = 10;
  return fromSnapshot(
    {
      agentStates: [agent("b", "g1"), agent("a", "g1", { currentWorkState: "Ready" }), agent("c", "g2")],
      agentGroupStates: [
        { agentGroup: group("g1"), mode: "Standard", state: "Open", allocatedCount: 3 },
        { agentGroup: group("g2"), mode: "Enhanced", state: "Closed" },
        { agentGroup: group("g3"), mode: "Standard", state: "Open" },
      ],
    },
    10,
  );
}

describe("wallboard store", () => {
  it("builds groups from a snapshot, agents ordered by externalId, counts from the agents", () => {
    const b = board();
    assert.equal(b.seq, 10);
    assert.deepEqual(b.order, ["g1", "g2", "g3"]);
    const g1 = b.groups.get("g1")!;
    assert.deepEqual(
      g1.agents.map((a) => a.internalId),
      ["a", "b"],
    );
    assert.equal(g1.counts.agents, 2);
    assert.equal(g1.counts.ready, 1);
    assert.equal(g1.counts.loggedIn, 1);
    assert.equal(b.groups.get("g3")!.agents.length, 0);
  });

  it("a change replaces that agent and its group only: everything else keeps its identity", () => {
    const before = board();
    const after = applyEvents(before, [
      event("agentState.changed", agent("b", "g1", { currentWorkState: "Break", version: 2 })),
    ]);
    assert.equal(after.seq, 11);
    assert.notEqual(after.groups.get("g1"), before.groups.get("g1"));
    assert.equal(after.groups.get("g2"), before.groups.get("g2"), "untouched group is the same object");
    assert.equal(
      after.groups.get("g1")!.agents[0],
      before.groups.get("g1")!.agents[0],
      "untouched row is the same object",
    );
    assert.equal(after.groups.get("g1")!.counts.onBreak, 1);
    assert.equal(after.order, before.order);
  });

  it("skips events already applied (a resumed stream may repeat), so applying is idempotent", () => {
    const before = board();
    const change = event("agentState.changed", agent("b", "g1", { currentWorkState: "Ready" }));
    const once = applyEvents(before, [change]);
    assert.equal(applyEvents(once, [change]), once);
    assert.equal(applyEvents(once, [{ ...change, seq: 5 }]), once);
  });

  it("moves, adds and deletes agents; creates and deletes groups", () => {
    let b = board();
    b = applyEvents(b, [
      event("agentState.changed", agent("b", "g2")),
      event("agentState.changed", agent("d", "g4")),
      event("agentState.deleted", { internalId: "c", agentGroup: group("g2") }),
      event("agentGroup.created", { internalId: "g5", externalId: "group-g5" }),
      event("agentGroup.deleted", { internalId: "g3", externalId: "group-g3" }),
    ]);
    assert.deepEqual(
      b.groups.get("g1")!.agents.map((a) => a.internalId),
      ["a"],
    );
    assert.deepEqual(
      b.groups.get("g2")!.agents.map((a) => a.internalId),
      ["b"],
    );
    assert.deepEqual(
      b.groups.get("g4")!.agents.map((a) => a.internalId),
      ["d"],
    );
    assert.deepEqual(b.order, ["g1", "g2", "g4", "g5"]);
    assert.equal(b.agents.has("c"), false);
  });

  it("a group state event or a read of the group replaces its state, not its agents", () => {
    let b = board();
    const agents = b.groups.get("g1")!.agents;
    b = applyEvents(b, [event("agentGroupState.changed", { agentGroup: group("g1"), state: "Closed" })]);
    assert.equal(b.groups.get("g1")!.state?.state, "Closed");
    assert.equal(b.groups.get("g1")!.agents, agents);
    const seqBefore = b.seq;
    b = applyGroupState(b, { agentGroup: group("g1"), state: "Open", currentEndTime: "2000-01-01T00:00:00Z" });
    assert.equal(b.groups.get("g1")!.state?.state, "Open");
    assert.equal(b.seq, seqBefore);
    assert.deepEqual(staleGroups(b, Date.now()), ["g1"]);
  });

  it("a snapshot in a batch starts afresh; events after it apply on top", () => {
    const b = applyBatch(board(), [
      { kind: "event", event: event("agentState.changed", agent("a", "g1", { currentWorkState: "Break" })) },
      {
        kind: "snapshot",
        seq: 50,
        snapshot: { agentStates: [agent("z", "g9")], agentGroupStates: [{ agentGroup: group("g9"), state: "Open" }] },
      },
      {
        kind: "event",
        event: { ...event("agentState.changed", agent("z", "g9", { currentWorkState: "Ready" })), seq: 51 },
      },
    ]);
    assert.equal(b.seq, 51);
    assert.deepEqual(b.order, ["g9"]);
    assert.equal(b.agents.get("z")!.currentWorkState, "Ready");
  });

  it("filters by work state, contact state and break exceeded", () => {
    const ready = agent("x", "g1", { currentWorkState: "Ready", currentContactState: "Connected" });
    assert.ok(matches(ready, "all"));
    assert.ok(matches(ready, "Ready"));
    assert.ok(matches(ready, "Connected"));
    assert.ok(!matches(ready, "Break"));
    assert.ok(matches(agent("y", "g1", { currentWorkState: "Break", breakExceeded: true }), "breakExceeded"));
  });
});
