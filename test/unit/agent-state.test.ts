import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  type AgentSituation,
  CONTACT_STATES,
  decide,
  decideAll,
  isAvailable,
  isBreakExceeded,
  onRelease,
  rowFor,
  type StateRequest,
  TRANSITIONS,
  WORK_STATES,
  type WorkState,
} from "../../src/domain/agent-state.js";

const situation = (over: Partial<AgentSituation> = {}): AgentSituation => ({
  workState: "NotReady",
  requestedWorkState: null,
  contactState: "Idle",
  loginEnabled: true,
  ...over,
});

/** Every row of SPEC §5.9's table, with the situation it applies to and the expected result. */
const TABLE: {
  name: string;
  s: AgentSituation;
  request: StateRequest;
  expect: [WorkState, WorkState | null] | "INVALID_STATE";
}[] = [
  {
    name: "Login | LoggedOut, loginEnabled → initialWorkState",
    s: situation({ workState: "LoggedOut" }),
    request: { action: "Login" },
    expect: ["Ready", null],
  },
  {
    name: "Login | loginEnabled false → INVALID_STATE",
    s: situation({ workState: "LoggedOut", loginEnabled: false }),
    request: { action: "Login" },
    expect: "INVALID_STATE",
  },
  {
    name: "Login | already logged in → no change",
    s: situation({ workState: "Break" }),
    request: { action: "Login" },
    expect: ["Break", null],
  },
  {
    name: "Logout | logged in, Idle → LoggedOut now",
    s: situation({ workState: "Ready" }),
    request: { action: "Logout" },
    expect: ["LoggedOut", null],
  },
  {
    name: "Logout | Acquired → deferred",
    s: situation({ workState: "Ready", contactState: "Acquired" }),
    request: { action: "Logout" },
    expect: ["Ready", "LoggedOut"],
  },
  {
    name: "Logout | Connected → deferred",
    s: situation({ workState: "Ready", contactState: "Connected" }),
    request: { action: "Logout" },
    expect: ["Ready", "LoggedOut"],
  },
  {
    name: "Logout | LoggedOut → no change",
    s: situation({ workState: "LoggedOut" }),
    request: { action: "Logout" },
    expect: ["LoggedOut", null],
  },
  {
    name: "Ready | LoggedOut → INVALID_STATE",
    s: situation({ workState: "LoggedOut" }),
    request: { workState: "Ready" },
    expect: "INVALID_STATE",
  },
  {
    name: "NotReady | LoggedOut → INVALID_STATE",
    s: situation({ workState: "LoggedOut" }),
    request: { workState: "NotReady" },
    expect: "INVALID_STATE",
  },
  {
    name: "Break | LoggedOut → INVALID_STATE",
    s: situation({ workState: "LoggedOut" }),
    request: { workState: "Break" },
    expect: "INVALID_STATE",
  },
  {
    name: "X | logged in, Idle → now",
    s: situation({ workState: "NotReady", requestedWorkState: "Break" }),
    request: { workState: "Ready" },
    expect: ["Ready", null],
  },
  {
    name: "X | Acquired → pending",
    s: situation({ workState: "Ready", contactState: "Acquired" }),
    request: { workState: "Break" },
    expect: ["Ready", "Break"],
  },
  {
    name: "X | Connected → pending",
    s: situation({ workState: "Ready", contactState: "Connected" }),
    request: { workState: "NotReady" },
    expect: ["Ready", "NotReady"],
  },
];

describe("agent state table (SPEC §5.9)", () => {
  for (const row of TABLE) {
    it(row.name, () => {
      const decision = decide(row.s, row.request, "Ready");
      if (row.expect === "INVALID_STATE") {
        assert.equal(decision.ok, false);
        assert.equal(decision.row.effect, "invalidState");
      } else {
        assert.ok(decision.ok);
        assert.deepEqual(decision.next, { workState: row.expect[0], requestedWorkState: row.expect[1] });
      }
    });
  }

  it("every row of TRANSITIONS is reached by some situation", () => {
    const reached = new Set<string>();
    const requests: StateRequest[] = [{ action: "Login" }, { action: "Logout" }, { workState: "Ready" }];
    for (const workState of WORK_STATES)
      for (const contactState of CONTACT_STATES)
        for (const loginEnabled of [true, false])
          for (const request of requests) {
            const row = rowFor({ workState, contactState, loginEnabled, requestedWorkState: null }, request);
            reached.add(`${row.request}:${row.when}`);
          }
    assert.deepEqual([...reached].sort(), TRANSITIONS.map((r) => `${r.request}:${r.when}`).sort());
  });

  it("decides the action first, then the work state against its result", () => {
    const both = decideAll(
      situation({ workState: "LoggedOut" }),
      [{ action: "Login" }, { workState: "Break" }],
      "NotReady",
    );
    assert.deepEqual(both, { ok: true, next: { workState: "Break", requestedWorkState: null } });
    const denied = decideAll(
      situation({ workState: "Ready" }),
      [{ action: "Logout" }, { workState: "Ready" }],
      "NotReady",
    );
    assert.equal(denied.ok, false);
  });

  it("a release applies the pending work state, a deferred Logout included", () => {
    assert.deepEqual(onRelease({ workState: "Ready", requestedWorkState: "LoggedOut" }), {
      workState: "LoggedOut",
      requestedWorkState: null,
    });
    assert.deepEqual(onRelease({ workState: "Ready", requestedWorkState: null }), {
      workState: "Ready",
      requestedWorkState: null,
    });
  });

  it("only a Ready, Idle, login-enabled agent is available", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...WORK_STATES),
        fc.constantFrom(...CONTACT_STATES),
        fc.boolean(),
        (workState, contactState, loginEnabled) => {
          const available = isAvailable({ workState, contactState, loginEnabled, requestedWorkState: null });
          assert.equal(available, workState === "Ready" && contactState === "Idle" && loginEnabled);
        },
      ),
    );
  });

  it("no decision leaves a logged-out agent with a pending work state", () => {
    const request = fc.oneof(
      fc.constantFrom<StateRequest>({ action: "Login" }, { action: "Logout" }),
      fc.constantFrom("Ready", "NotReady", "Break").map((w) => ({ workState: w }) as StateRequest),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...WORK_STATES),
        fc.constantFrom(...CONTACT_STATES),
        fc.boolean(),
        fc.array(request, { maxLength: 4 }),
        (workState, contactState, loginEnabled, requests) => {
          if (workState === "LoggedOut" && contactState !== "Idle") return;
          let s: AgentSituation = { workState, contactState, loginEnabled, requestedWorkState: null };
          for (const r of requests) {
            const d = decide(s, r, "NotReady");
            if (d.ok) s = { ...s, ...d.next };
          }
          if (s.contactState === "Idle") assert.equal(s.requestedWorkState, null);
          if (s.workState === "LoggedOut") assert.equal(s.requestedWorkState, null);
        },
      ),
    );
  });

  it("breakExceeded only past maxBreakTime minutes of a Break, never with no limit", () => {
    const start = new Date("2026-01-01T10:00:00Z");
    const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
    assert.equal(isBreakExceeded("Break", start, 15, at(15)), false);
    assert.equal(isBreakExceeded("Break", start, 15, at(15.01)), true);
    assert.equal(isBreakExceeded("Break", start, 0, at(1000)), false);
    assert.equal(isBreakExceeded("Ready", start, 15, at(1000)), false);
  });
});
