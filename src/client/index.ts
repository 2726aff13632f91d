/**
 * `callboard/client`: the typed client of the Callboard API, for TypeScript
 * and JavaScript projects (compiled to dist/client/, with declarations).
 *
 * ```ts
 * import { createClient } from "callboard/client";
 * const cb = createClient({ baseUrl: "http://127.0.0.1:7340", auth: { user, password } });
 * const { data } = await cb.showAgentGroup({ agentGroup: { externalId: "sales" } });
 * ```
 */
export type { InputOf, MethodName, ResultItem } from "../domain/methods.js";
export type {
  AgentGroupOutput as AgentGroup,
  AgentGroupStateOutput as AgentGroupState,
  AgentStateOutput as AgentState,
  CallboardEvent,
  EventOf,
  EventType,
  IssueOut,
  OrgOutput as Org,
  ScheduleGroupOutput as ScheduleGroup,
  SessionOutput as Session,
  Snapshot,
  UserOutput as User,
} from "../domain/results.js";
export {
  type CallboardClient,
  type CallOptions,
  type ClientOptions,
  createClient,
  type Envelope,
  isReadOnlyMethod,
  type Result,
} from "./client.js";
export { CallboardError, type Issue, TransportError } from "./errors.js";
export type { SubscribeOptions, Subscription, SubscriptionStatus } from "./events.js";
export type { ClientAuth } from "./http.js";
