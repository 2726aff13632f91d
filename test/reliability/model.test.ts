/**
 * Model-based test: random sequences of createAgents, Login, Logout, work state
 * requests, loginEnabled changes, acquireAgent (with and without a lease),
 * releaseAgent (also naming a stale acquisition), lease extensions, clock steps
 * and deleteAgents run against the server and against a small reference model
 * written independently of the service code; every response must match the
 * model. Every step moves the clock, then runs the lease sweep, so a lease
 * ends at a known step (the server's background sweeps are off).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import fc from "fast-check";
import { expireLeases } from "../../src/services/leases.js";
import { ManualClock, makeAccount, suiteApp, type TestApp, unique, uniqueEmail } from "../factories/app.js";
import { makeGroup } from "../factories/contact-center.js";
import { codes } from "../factories/expect.js";

type Work = "LoggedOut" | "NotReady" | "Ready" | "Break";

interface ModelAgent {
  id: string;
  work: Work;
  requested: Work | null;
  contact: "Idle" | "Acquired";
  loginEnabled: boolean;
  version: number;
  contactStart: number;
  /** the current acquisition's id (from the server's answer), and its lease's end */
  acquisition: string | null;
  expires: number | null;
}

interface World {
  agents: (ModelAgent | undefined)[];
  loginEnabled: boolean[];
}

interface Real {
  t: TestApp;
  clock: ManualClock;
  groupId: string;
  users: string[];
}

interface Wire {
  internalId: string;
  currentWorkState: string;
  requestedWorkState: string | null;
  currentContactState: string;
  version: number;
  agent: { loginEnabled: boolean };
  acquisition: { id: string; expires: string | null } | null;
}

const USERS = 3;
const INITIAL: Work = "Ready";

function expectState(actual: Wire | undefined, agent: ModelAgent): void {
  assert.ok(actual, "a state was expected");
  assert.deepEqual(
    {
      id: actual.internalId,
      work: actual.currentWorkState,
      requested: actual.requestedWorkState,
      contact: actual.currentContactState,
      version: actual.version,
      loginEnabled: actual.agent.loginEnabled,
      acquisition: actual.acquisition?.id ?? null,
      expires: actual.acquisition?.expires ? Date.parse(actual.acquisition.expires) : null,
    },
    {
      id: agent.id,
      work: agent.work,
      requested: agent.requested,
      contact: agent.contact,
      version: agent.version,
      loginEnabled: agent.loginEnabled,
      acquisition: agent.acquisition,
      expires: agent.expires,
    },
  );
}

/** The model of a release: Idle, the pending requested work state applied. */
function released(agent: ModelAgent, now: number): void {
  agent.contact = "Idle";
  agent.contactStart = now;
  if (agent.requested !== null) {
    agent.work = agent.requested;
    agent.requested = null;
  }
  agent.acquisition = null;
  agent.expires = null;
  agent.version += 1;
}

/** Moves the clock and runs the lease sweep; in the model, every lease that has ended is released. */
async function elapse(world: World, real: Real, ms: number): Promise<void> {
  real.clock.advance(ms);
  await expireLeases(real.t.runtime.deps);
  const now = real.clock.now().getTime();
  for (const agent of world.agents) {
    if (agent && agent.contact !== "Idle" && agent.expires !== null && agent.expires <= now) released(agent, now);
  }
}

abstract class Step implements fc.AsyncCommand<World, Real> {
  constructor(readonly user: number) {}
  check(): boolean {
    return true;
  }
  abstract run(world: World, real: Real): Promise<void>;
  abstract toString(): string;
  protected async call(world: World, real: Real, method: string, body: unknown) {
    await elapse(world, real, 1000);
    return real.t.call(method, body);
  }
  protected agentRef(real: Real) {
    return { agent: { externalId: real.users[this.user] } };
  }
}

class CreateAgent extends Step {
  async run(world: World, real: Real) {
    const reply = await this.call(world, real, "createAgents", {
      agents: [{ externalId: real.users[this.user] }],
      agentGroup: { internalId: real.groupId },
      initialState: {},
    });
    assert.equal(reply.status, 200);
    if (world.agents[this.user]) {
      assert.deepEqual(codes(reply.warnings), ["OBJECT_EXISTS"]);
      assert.equal(reply.data.length, 0);
      return;
    }
    const state = reply.data[0] as unknown as Wire;
    const agent: ModelAgent = {
      id: state.internalId,
      work: "LoggedOut",
      requested: null,
      contact: "Idle",
      loginEnabled: world.loginEnabled[this.user] ?? true,
      version: 1,
      contactStart: real.clock.now().getTime(),
      acquisition: null,
      expires: null,
    };
    expectState(state, agent);
    world.agents[this.user] = agent;
  }
  toString() {
    return `create(${this.user})`;
  }
}

type Request = { action: "Login" | "Logout" } | { work: "Ready" | "NotReady" | "Break" };

class ChangeState extends Step {
  constructor(
    user: number,
    readonly request: Request,
  ) {
    super(user);
  }
  async run(world: World, real: Real) {
    const body =
      "action" in this.request
        ? { agentState: { ...this.agentRef(real), requestedAction: this.request.action } }
        : { agentState: { ...this.agentRef(real), requestedWorkState: this.request.work } };
    const reply = await this.call(world, real, "changeAgentState", body);
    const agent = world.agents[this.user];
    if (!agent) {
      assert.deepEqual(codes(reply.errors), ["OBJECT_NOT_EXISTS"]);
      return;
    }
    const before = { work: agent.work, requested: agent.requested };
    const loggedIn = agent.work !== "LoggedOut";
    if ("action" in this.request && this.request.action === "Login") {
      if (!loggedIn && !agent.loginEnabled) {
        assert.deepEqual(codes(reply.errors), ["INVALID_STATE"]);
        return;
      }
      if (!loggedIn) agent.work = INITIAL;
    } else if ("action" in this.request) {
      if (loggedIn && agent.contact === "Idle") agent.work = "LoggedOut";
      else if (loggedIn) agent.requested = "LoggedOut";
    } else {
      if (!loggedIn) {
        assert.deepEqual(codes(reply.errors), ["INVALID_STATE"]);
        return;
      }
      if (agent.contact === "Idle") {
        agent.work = this.request.work;
        agent.requested = null;
      } else agent.requested = this.request.work;
    }
    if (agent.work !== before.work || agent.requested !== before.requested) agent.version += 1;
    assert.deepEqual(reply.errors, []);
    expectState(reply.data[0] as unknown as Wire, agent);
  }
  toString() {
    return `change(${this.user}, ${JSON.stringify(this.request)})`;
  }
}

class SetLoginEnabled extends Step {
  constructor(
    user: number,
    readonly enabled: boolean,
  ) {
    super(user);
  }
  async run(world: World, real: Real) {
    const reply = await this.call(world, real, "changeAgentState", {
      agentState: { agent: { externalId: real.users[this.user], loginEnabled: this.enabled } },
    });
    const agent = world.agents[this.user];
    if (!agent) {
      assert.deepEqual(codes(reply.errors), ["OBJECT_NOT_EXISTS"]);
      return;
    }
    if (agent.loginEnabled !== this.enabled) agent.version += 1;
    agent.loginEnabled = this.enabled;
    world.loginEnabled[this.user] = this.enabled;
    expectState(reply.data[0] as unknown as Wire, agent);
  }
  toString() {
    return `loginEnabled(${this.user}, ${this.enabled})`;
  }
}

class Acquire extends Step {
  constructor(readonly lease: number | null) {
    super(0);
  }
  async run(world: World, real: Real) {
    const agentState = {
      agentGroup: { internalId: real.groupId },
      ...(this.lease ? { leaseSeconds: this.lease } : {}),
    };
    const reply = await this.call(world, real, "acquireAgent", { agentState });
    assert.deepEqual(reply.errors, []);
    const eligible = world.agents
      .filter((a): a is ModelAgent => a !== undefined)
      .filter((a) => a.work === "Ready" && a.contact === "Idle" && a.loginEnabled)
      .sort((a, b) => a.contactStart - b.contactStart || (a.id < b.id ? -1 : 1));
    const winner = eligible[0];
    if (!winner) {
      assert.equal(reply.data.length, 0);
      return;
    }
    const state = reply.data[0] as unknown as Wire;
    winner.contact = "Acquired";
    winner.contactStart = real.clock.now().getTime();
    winner.version += 1;
    winner.acquisition = state.acquisition?.id ?? null;
    winner.expires = this.lease ? real.clock.now().getTime() + this.lease * 1000 : null;
    assert.ok(winner.acquisition, "a held agent shows its acquisition");
    expectState(state, winner);
  }
  toString() {
    return `acquire(lease ${this.lease})`;
  }
}

class Extend extends Step {
  constructor(
    user: number,
    readonly seconds: number,
  ) {
    super(user);
  }
  async run(world: World, real: Real) {
    const reply = await this.call(world, real, "changeAgentState", {
      agentState: { ...this.agentRef(real), leaseSeconds: this.seconds },
    });
    const agent = world.agents[this.user];
    if (!agent) return assert.deepEqual(codes(reply.errors), ["OBJECT_NOT_EXISTS"]);
    if (agent.contact === "Idle") return assert.deepEqual(codes(reply.errors), ["INVALID_STATE"]);
    const expires = real.clock.now().getTime() + this.seconds * 1000;
    // An extension to the end the lease already has changes nothing.
    if (expires !== agent.expires) agent.version += 1;
    agent.expires = expires;
    expectState(reply.data[0] as unknown as Wire, agent);
  }
  toString() {
    return `extend(${this.user}, ${this.seconds})`;
  }
}

class ReleaseStale extends Step {
  async run(world: World, real: Real) {
    const reply = await this.call(world, real, "releaseAgent", {
      agentState: { ...this.agentRef(real), acquisition: { id: "an-earlier-acquisition" } },
    });
    const agent = world.agents[this.user];
    assert.deepEqual(codes(reply.errors), [agent ? "INVALID_STATE" : "OBJECT_NOT_EXISTS"]);
  }
  toString() {
    return `releaseStale(${this.user})`;
  }
}

class Tick extends Step {
  constructor(readonly ms: number) {
    super(0);
  }
  async run(world: World, real: Real) {
    await elapse(world, real, this.ms);
  }
  toString() {
    return `tick(${this.ms})`;
  }
}

class Release extends Step {
  async run(world: World, real: Real) {
    const reply = await this.call(world, real, "releaseAgent", { agentState: this.agentRef(real) });
    const agent = world.agents[this.user];
    if (!agent) {
      assert.deepEqual(codes(reply.errors), ["OBJECT_NOT_EXISTS"]);
      return;
    }
    if (agent.contact !== "Idle") released(agent, real.clock.now().getTime());
    expectState(reply.data[0] as unknown as Wire, agent);
  }
  toString() {
    return `release(${this.user})`;
  }
}

class Delete extends Step {
  async run(world: World, real: Real) {
    const reply = await this.call(world, real, "deleteAgents", { agents: [{ externalId: real.users[this.user] }] });
    assert.equal(reply.status, 200);
    const agent = world.agents[this.user];
    if (!agent) assert.deepEqual(codes(reply.warnings), ["OBJECT_NOT_EXISTS"]);
    else if (agent.contact !== "Idle") assert.deepEqual(codes(reply.warnings), ["INVALID_STATE"]);
    else {
      assert.deepEqual(reply.warnings, []);
      world.agents[this.user] = undefined;
    }
  }
  toString() {
    return `delete(${this.user})`;
  }
}

const user = fc.integer({ min: 0, max: USERS - 1 });
const commands = [
  user.map((u) => new CreateAgent(u)),
  fc
    .tuple(
      user,
      fc.constantFrom<Request>(
        { action: "Login" },
        { action: "Logout" },
        { work: "Ready" },
        { work: "NotReady" },
        { work: "Break" },
      ),
    )
    .map(([u, r]) => new ChangeState(u, r)),
  fc.tuple(user, fc.boolean()).map(([u, e]) => new SetLoginEnabled(u, e)),
  fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }).map((lease) => new Acquire(lease)),
  fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }).map((lease) => new Acquire(lease)),
  fc.tuple(user, fc.integer({ min: 1, max: 4 })).map(([u, s]) => new Extend(u, s)),
  user.map((u) => new ReleaseStale(u)),
  fc.integer({ min: 0, max: 5000 }).map((ms) => new Tick(ms)),
  user.map((u) => new Release(u)),
  user.map((u) => new Delete(u)),
];

describe("agent state model", () => {
  const clock = new ManualClock();
  // The sweeps run at the steps the model chooses, never in the background.
  const t = suiteApp({ clock, background: false });
  let enterpriseId: string;
  before(async () => {
    ({ enterpriseId } = await makeAccount(t));
  });

  it("every response matches the reference model", async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: "medium" }), async (cmds) => {
        const account = await t.call("createOrg", {
          child: { externalId: unique("acc") },
          parent: { internalId: enterpriseId },
        });
        const accountId = (account.data[0] as { internalId: string }).internalId;
        const group = await makeGroup(t, accountId, { initialWorkState: INITIAL });
        const users = Array.from({ length: USERS }, () => uniqueEmail("model"));
        const created = await t.call("createUsers", {
          users: users.map((externalId) => ({ externalId, firstName: "M", lastName: "Odel", roles: ["Agent"] })),
          org: { internalId: accountId },
        });
        assert.equal(created.data.length, USERS);
        const world: World = { agents: [], loginEnabled: users.map(() => true) };
        const real: Real = { t, clock, groupId: group.internalId, users };
        // Every user starts as a logged-in agent, so most steps act on one.
        for (let u = 0; u < USERS; u++) {
          await new CreateAgent(u).run(world, real);
          await new ChangeState(u, { action: "Login" }).run(world, real);
        }
        await fc.asyncModelRun(() => ({ model: world, real }), cmds);
      }),
      { numRuns: 60 },
    );
  });
});
