/**
 * Agent groups and agents for tests: a group in an Account, and agents made from
 * fresh users with the Agent role, optionally logged in and Ready.
 */
import { type Auth, makeUser, type TestApp, unique } from "./app.js";
import type { NameValue, Stamps } from "./wire.js";

/** An agent's state as the API answers it (SPEC §5). */
export interface WireState extends Stamps {
  internalId: string;
  agent: {
    externalId: string;
    firstName: string;
    lastName: string;
    loginEnabled: boolean;
    attributes: NameValue[];
  };
  agentGroup: { internalId: string; externalId: string };
  currentScheduleGroup: { internalId: string; externalId: string | null } | null;
  currentWorkState: string;
  requestedWorkState: string | null;
  currentContactState: string;
  currentDevice: { externalId: string } | null;
  currentPhoneNumber: string | null;
  workStateStartTime: string;
  contactStateStartTime: string;
  breakExceeded: boolean;
  acquisition: { id: string; expires: string | null } | null;
  version: number;
}

export async function makeGroup(
  t: TestApp,
  accountId: string,
  fields: Record<string, unknown> = {},
): Promise<{ internalId: string; externalId: string }> {
  const reply = await t.call("createAgentGroup", {
    agentGroup: { externalId: unique("grp"), ...fields },
    parent: { internalId: accountId },
  });
  if (reply.errors.length) throw new Error(`makeGroup failed: ${JSON.stringify(reply.errors)}`);
  return reply.data[0] as { internalId: string; externalId: string };
}

export interface Agent {
  auth: Auth;
  state: WireState;
}

/**
 * `n` agents in the group, made with `initialState` (default {}); `ready` logs
 * them in and makes them Ready.
 */
export async function makeAgents(
  t: TestApp,
  accountId: string,
  groupId: string,
  n: number,
  options: { ready?: boolean; initialState?: Record<string, unknown> } = {},
): Promise<Agent[]> {
  const users: Auth[] = [];
  for (let i = 0; i < n; i++) users.push(await makeUser(t, accountId, ["Agent"]));
  const reply = await t.call("createAgents", {
    agents: users.map((u) => ({ externalId: u.user })),
    agentGroup: { internalId: groupId },
    initialState: options.initialState ?? {},
  });
  if (reply.errors.length || reply.warnings.length || reply.data.length !== n)
    throw new Error(`makeAgents failed: ${JSON.stringify(reply)}`);
  const agents: Agent[] = users.map((auth, i) => ({ auth, state: reply.data[i] as unknown as WireState }));
  if (options.ready) {
    for (const agent of agents) {
      const ready = await t.call("changeAgentState", {
        agentState: { internalId: agent.state.internalId, requestedAction: "Login", requestedWorkState: "Ready" },
      });
      if (ready.errors.length) throw new Error(`login failed: ${JSON.stringify(ready.errors)}`);
      agent.state = ready.data[0] as unknown as WireState;
    }
  }
  return agents;
}
