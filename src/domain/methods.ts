/**
 * Every method of the API: its arguments in signature order (the order gives
 * `argumentIndex`), which of them are required (null or missing → ARG_NULL),
 * and whether it pages. The HTTP layer validates against these, the OpenAPI
 * document is generated from them, and the client is typed by them.
 */
import { type Static, type TProperties, type TSchema, Type } from "typebox";
import { METHOD_RESULTS } from "./results.js";
import * as S from "./schemas.js";

export interface MethodSpec<P extends TProperties = TProperties, R extends keyof P = keyof P> {
  /** the argument schemas, in signature order */
  args: P;
  required: readonly R[];
  /** list methods accept `options: {offset, limit}` */
  list: boolean;
  /** callable without credentials */
  anonymous: boolean;
  summary: string;
}

function method<P extends TProperties, R extends keyof P = never>(
  summary: string,
  args: P,
  required: readonly R[],
  flags: { list?: boolean; anonymous?: boolean } = {},
): MethodSpec<P, R> {
  return { summary, args, required, list: flags.list ?? false, anonymous: flags.anonymous ?? false };
}

const Str = Type.String();
const Users = Type.Array(S.User);

export const METHODS = {
  // Security
  createSession: method(
    "Signs in and returns a Session whose internalId is a bearer token.",
    { externalId: Str, password: Str },
    ["externalId", "password"],
    { anonymous: true },
  ),
  deleteSession: method("Ends the caller's session.", {}, []),
  showCurrentSession: method("Returns the caller's session.", {}, []),
  // Organization
  createOrg: method("Creates an Enterprise or an Account.", { child: S.Org, parent: S.OrgRef }, ["child", "parent"]),
  showOrg: method("Returns an org.", { org: S.OrgRef }, ["org"]),
  listOrgs: method(
    "Lists the child orgs of an org that match a sample.",
    { parent: S.OrgRef, sample: S.Org },
    ["parent"],
    { list: true },
  ),
  changeOrg: method("Changes an org's attributes and preferences.", { org: S.Org }, ["org"]),
  deleteOrg: method("Deletes an org without child orgs, users or agent groups.", { org: S.OrgRef }, ["org"]),
  // Identity
  createUsers: method("Creates up to 1,000 users in an org.", { users: Users, org: S.OrgRef }, ["users", "org"]),
  createUsersUsingString: method("Creates users from text, one user a line.", { users: Str, org: S.OrgRef }, [
    "users",
    "org",
  ]),
  showUser: method("Returns a user.", { user: S.User }, ["user"]),
  listUsers: method("Lists the users of an org that match a sample.", { org: S.OrgRef, sample: S.User }, ["org"], {
    list: true,
  }),
  changeUser: method("Changes a user.", { user: S.User }, ["user"]),
  deleteUsers: method("Deletes up to 1,000 users.", { users: Users }, ["users"]),
  changePassword: method(
    "Changes a password, given the current one.",
    { user: S.User, currentPassword: Str, newPassword: Str },
    ["user", "currentPassword", "newPassword"],
  ),
  resetPassword: method("Sets a user's password.", { user: S.User, newPassword: Str }, ["user", "newPassword"]),
  // Contact Center
  createAgents: method(
    "Makes existing users agents of an agent group.",
    { agents: Users, agentGroup: S.AgentGroup, initialState: S.AgentState },
    ["agents", "agentGroup", "initialState"],
  ),
  createAgentsUsingString: method(
    "Makes the users named in a text agents of an agent group.",
    { agents: Str, agentGroup: S.AgentGroup, initialState: S.AgentState },
    ["agents", "agentGroup", "initialState"],
  ),
  acquireAgent: method("Atomically acquires the longest-idle available agent.", { agentState: S.AgentState }, [
    "agentState",
  ]),
  releaseAgent: method("Releases an acquired agent.", { agentState: S.AgentState }, ["agentState"]),
  deleteAgents: method("Removes agents; the users remain.", { agents: Users }, ["agents"]),
  showAgentStateUsingUser: method("Returns an agent's state.", { agent: S.User }, ["agent"]),
  showAgentStateUsingDevice: method(
    "Returns the state of the agent connected to a device.",
    { device: S.Device, org: S.OrgRef },
    ["device", "org"],
  ),
  listAgentStatesUsingEntity: method(
    "Lists the agent states of an Account, AgentGroup or ScheduleGroup.",
    { baseEntity: S.OrgRef },
    ["baseEntity"],
    { list: true },
  ),
  changeAgentState: method(
    "Logs an agent in or out, changes its work state, phone number or registration.",
    { agentState: S.AgentState },
    ["agentState"],
  ),
  showAgentGroupState: method("Returns an agent group's state.", { agentGroup: S.AgentGroup }, ["agentGroup"]),
  listAgentGroupStates: method(
    "Lists the states of the agent groups of an Account or of one AgentGroup.",
    { org: S.OrgRef },
    ["org"],
    { list: true },
  ),
  changeAgentGroupState: method(
    "Overrides an agent group's state, window or allocated count.",
    { agentGroupState: S.AgentGroupState },
    ["agentGroupState"],
  ),
  createAgentGroup: method("Creates an agent group in an Account.", { agentGroup: S.AgentGroup, parent: S.OrgRef }, [
    "agentGroup",
    "parent",
  ]),
  deleteAgentGroup: method("Deletes an agent group without agents.", { agentGroup: S.AgentGroup }, ["agentGroup"]),
  showAgentGroup: method("Returns an agent group.", { agentGroup: S.AgentGroup }, ["agentGroup"]),
  changeAgentGroup: method(
    "Changes an agent group's intensity, initialWorkState or maxBreakTime.",
    { agentGroup: S.AgentGroup },
    ["agentGroup"],
  ),
  createScheduleGroup: method(
    "Creates a schedule group (a shift) in an agent group.",
    { scheduleGroup: S.ScheduleGroup, parent: S.AgentGroup },
    ["scheduleGroup", "parent"],
  ),
  deleteScheduleGroup: method("Deletes a schedule group no agent is in.", { scheduleGroup: S.ScheduleGroup }, [
    "scheduleGroup",
  ]),
  showScheduleGroup: method("Returns a schedule group.", { scheduleGroup: S.ScheduleGroup }, ["scheduleGroup"]),
} as const;

export type MethodName = keyof typeof METHODS;

type Args<M extends MethodName> = (typeof METHODS)[M]["args"];
type Required<M extends MethodName> = (typeof METHODS)[M]["required"][number];
type StaticOf<T> = T extends TSchema ? Static<T> : never;

/** The decoded input of a method: required arguments present, others optional or null. */
export type InputOf<M extends MethodName> = {
  [K in Required<M> & keyof Args<M>]: StaticOf<Args<M>[K]>;
} & {
  [K in Exclude<keyof Args<M>, Required<M>>]?: StaticOf<Args<M>[K]> | null;
} & { options?: S.ListOptionsInput | null };

/** The schema of one item of a method's `data` (results.ts); NONE methods answer `data: []`. */
export function resultOf<M extends MethodName>(name: M): (typeof METHOD_RESULTS)[M] {
  return METHOD_RESULTS[name];
}

export type { ResultItem } from "./results.js";

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(METHODS, name);
}

export type { TSchema };
