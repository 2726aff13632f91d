/**
 * All method implementations, by method name. The HTTP layer dispatches here;
 * nothing below knows which door a call came through.
 */
import type { MethodResult } from "../domain/errors.js";
import type { InputOf, MethodName } from "../domain/methods.js";
import { acquireMethods } from "./acquire.js";
import { agentGroupMethods } from "./agent-groups.js";
import { agentMethods } from "./agents.js";
import { changeAgentStateMethods } from "./change-agent-state.js";
import type { Ctx, Deps } from "./context.js";
import { createAgentMethods } from "./create-agents.js";
import { createUserMethods } from "./create-users.js";
import { groupStateMethods } from "./group-states.js";
import { orgMethods } from "./orgs.js";
import { sessionMethods } from "./sessions.js";
import { passwordMethods } from "./user-passwords.js";
import { userMethods } from "./users.js";

export type MethodImpl<M extends MethodName> = (ctx: Ctx, input: InputOf<M>) => Promise<MethodResult>;
export type Services = { [M in MethodName]: MethodImpl<M> };

export function createServices(deps: Deps): Services {
  return {
    ...sessionMethods(deps),
    ...orgMethods(deps),
    ...createUserMethods(deps),
    ...userMethods(deps),
    ...passwordMethods(deps),
    ...agentGroupMethods(deps),
    ...groupStateMethods(deps),
    ...createAgentMethods(deps),
    ...agentMethods(deps),
    ...changeAgentStateMethods(deps),
    ...acquireMethods(deps),
  };
}
