/**
 * What the server answers, one TypeBox schema per wire type: the objects in
 * `data`, the issue, the Response envelope, and the events of the stream
 * (SPEC §1, §4, §6). The argument schemas (schemas.ts) are lenient, because
 * clients echo whole objects back; these are exact: every field the server
 * writes is listed, required, and typed, and nothing else is allowed, so a
 * test that validates real responses against them catches any drift between
 * the code and the contract. The OpenAPI document, the typed client and the
 * SOAP door are generated from these and from the argument schemas.
 */
import { type Static, type TSchema, Type } from "typebox";
import { GROUP_STATES, MODES } from "./agent-group.js";
import { CONTACT_STATES, WORK_STATES } from "./agent-state.js";
import { CATALOGUE, type Code } from "./errors.js";
import type { MethodName } from "./methods.js";
import { ROLES } from "./roles.js";
import { DAYS } from "./schedule.js";

const closed = { additionalProperties: false } as const;

function nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

const Str = Type.String();
const Int = Type.Integer();

export const AttributeOut = Type.Object({ name: Str, value: nullable(Str) }, closed);
const AttributesOut = Type.Array(AttributeOut);

export const UserKeyOut = Type.Object({ externalId: Str }, closed);

const audit = {
  createdDate: Type.String({ format: "date-time" }),
  updatedDate: Type.String({ format: "date-time" }),
  createdBy: nullable(UserKeyOut),
  modifiedBy: nullable(UserKeyOut),
};

export const OrgType = Type.Enum(["SuperEnterprise", "Enterprise", "Account"]);
export const OrgKeyOut = Type.Object({ internalId: Str, externalId: Str, type: OrgType }, closed);
/** A reference to an agent group or schedule group: its ids (a schedule group's externalId is optional). */
export const GroupKeyOut = Type.Object({ internalId: Str, externalId: nullable(Str) }, closed);

export const OrgOut = Type.Object(
  {
    internalId: Str,
    externalId: Str,
    type: OrgType,
    parent: nullable(OrgKeyOut),
    attributes: AttributesOut,
    preferences: AttributesOut,
    ...audit,
  },
  closed,
);

export const UserOut = Type.Object(
  {
    externalId: Str,
    loginEnabled: Type.Boolean(),
    firstName: Str,
    lastName: Str,
    email: nullable(Str),
    timeZone: nullable(Str),
    locale: nullable(Str),
    roles: Type.Array(Type.Enum([...ROLES])),
    defaultPhoneNumber: nullable(Str),
    org: OrgKeyOut,
    attributes: AttributesOut,
    preferences: AttributesOut,
    ...audit,
  },
  closed,
);

export const SessionOut = Type.Object(
  {
    /** the bearer token; null when the call was not made with one */
    internalId: nullable(Str),
    user: UserOut,
    expires: nullable(Type.String({ format: "date-time" })),
  },
  closed,
);

export const ScheduleEntryOut = Type.Object(
  {
    day: nullable(Type.Enum([...DAYS])),
    startTime: Str,
    endTime: Str,
    open24: Type.Boolean(),
    timeZone: Str,
    phoneNumber: nullable(Str),
    allocatedCount: nullable(Int),
  },
  closed,
);

export const AgentGroupOut = Type.Object(
  {
    internalId: Str,
    externalId: Str,
    parent: OrgKeyOut,
    mode: Type.Enum([...MODES]),
    intensity: Type.Number(),
    initialWorkState: Type.Enum(["NotReady", "Ready"]),
    maxBreakTime: Int,
    currentSchedule: Type.Array(ScheduleEntryOut),
    tags: Type.Array(Str),
    attributes: AttributesOut,
    configuration: AttributesOut,
    ...audit,
  },
  closed,
);

export const ScheduleGroupOut = Type.Object(
  {
    internalId: Str,
    externalId: nullable(Str),
    parent: GroupKeyOut,
    type: Type.Literal("ScheduleGroup"),
    schedule: Type.Array(ScheduleEntryOut),
    attributes: AttributesOut,
    ...audit,
  },
  closed,
);

/** The shallow copy of the agent's user inside an AgentState. */
export const AgentUserOut = Type.Object(
  { externalId: Str, firstName: Str, lastName: Str, loginEnabled: Type.Boolean(), attributes: AttributesOut },
  closed,
);

const WorkStateOut = Type.Enum([...WORK_STATES]);

export const AgentStateOut = Type.Object(
  {
    internalId: Str,
    agent: AgentUserOut,
    agentGroup: GroupKeyOut,
    currentScheduleGroup: nullable(GroupKeyOut),
    currentWorkState: WorkStateOut,
    requestedWorkState: nullable(WorkStateOut),
    currentContactState: Type.Enum([...CONTACT_STATES]),
    currentDevice: nullable(Type.Object({ externalId: Str }, closed)),
    currentPhoneNumber: nullable(Str),
    workStateStartTime: Type.String({ format: "date-time" }),
    contactStateStartTime: Type.String({ format: "date-time" }),
    breakExceeded: Type.Boolean(),
    /** the current acquisition while Acquired or Connected (SPEC §5.3); null when Idle */
    acquisition: nullable(Type.Object({ id: Str, expires: nullable(Type.String({ format: "date-time" })) }, closed)),
    version: Int,
    ...audit,
  },
  closed,
);

export const AgentGroupCountsOut = Type.Object(
  { agents: Int, loggedIn: Int, ready: Int, notReady: Int, onBreak: Int, acquired: Int, connected: Int },
  closed,
);

export const AgentGroupStateOut = Type.Object(
  {
    agentGroup: GroupKeyOut,
    mode: Type.Enum([...MODES]),
    state: Type.Enum([...GROUP_STATES]),
    allocatedCount: nullable(Int),
    currentStartTime: nullable(Type.String({ format: "date-time" })),
    currentEndTime: nullable(Type.String({ format: "date-time" })),
    phoneNumber: nullable(Str),
    counts: AgentGroupCountsOut,
  },
  closed,
);

/** `data` of a method that returns NONE: always empty. */
export const Nothing = Type.Array(Type.Unknown(), { maxItems: 0 });

export const IssueSchema = Type.Object(
  {
    code: Type.Enum(Object.keys(CATALOGUE) as Code[]),
    type: Type.Enum(["Protocol", "Security", "Organization", "Identity", "ContactCenter", "Platform"]),
    message: Str,
    severity: Type.Enum(["Error", "Warning"]),
    argumentIndex: Type.Optional(Type.Integer({ minimum: 0 })),
    attributeName: Type.Optional(Str),
    context: Type.Optional(Str),
  },
  closed,
);

/** The Response envelope whose `data` holds items of `item`. */
export function Envelope<T extends TSchema>(item: T) {
  return Type.Object(
    {
      data: Type.Array(item),
      dataOffset: Type.Integer({ minimum: 0 }),
      errors: Type.Array(IssueSchema),
      warnings: Type.Array(IssueSchema),
    },
    closed,
  );
}

/** The envelope of a failed call: no data, at least one error. */
export const ErrorEnvelope = Type.Object(
  {
    data: Nothing,
    dataOffset: Type.Integer({ minimum: 0 }),
    errors: Type.Array(IssueSchema, { minItems: 1 }),
    warnings: Type.Array(IssueSchema),
  },
  closed,
);

/** `data`'s item for a method that returns NONE: there is none, `data` is always []. */
export const NONE = Type.Never();

/** What each method answers in `data`: the schema of one item. */
export const METHOD_RESULTS = {
  createSession: SessionOut,
  deleteSession: NONE,
  showCurrentSession: SessionOut,
  createOrg: OrgOut,
  showOrg: OrgOut,
  listOrgs: OrgOut,
  changeOrg: OrgOut,
  deleteOrg: NONE,
  createUsers: UserOut,
  createUsersUsingString: UserOut,
  showUser: UserOut,
  listUsers: UserOut,
  changeUser: UserOut,
  deleteUsers: NONE,
  changePassword: NONE,
  resetPassword: NONE,
  createAgents: AgentStateOut,
  createAgentsUsingString: AgentStateOut,
  acquireAgent: AgentStateOut,
  releaseAgent: AgentStateOut,
  deleteAgents: NONE,
  showAgentStateUsingUser: AgentStateOut,
  showAgentStateUsingDevice: AgentStateOut,
  listAgentStatesUsingEntity: AgentStateOut,
  changeAgentState: AgentStateOut,
  showAgentGroupState: AgentGroupStateOut,
  listAgentGroupStates: AgentGroupStateOut,
  changeAgentGroupState: NONE,
  createAgentGroup: AgentGroupOut,
  deleteAgentGroup: NONE,
  showAgentGroup: AgentGroupOut,
  changeAgentGroup: AgentGroupOut,
  createScheduleGroup: ScheduleGroupOut,
  deleteScheduleGroup: NONE,
  showScheduleGroup: ScheduleGroupOut,
} as const satisfies { [M in MethodName]: TSchema };

/** The item type of a method's `data`. */
export type ResultItem<M extends MethodName> = Static<(typeof METHOD_RESULTS)[M]>;

// ---- events (SPEC §6) ------------------------------------------------------

export const AccountKeyOut = Type.Object({ internalId: Str, externalId: Str }, closed);

export const AgentStateDeletedOut = Type.Object(
  { internalId: Str, agent: UserKeyOut, agentGroup: GroupKeyOut },
  closed,
);
export const AgentGroupDeletedOut = Type.Object({ internalId: Str, externalId: Str }, closed);
export const ScheduleGroupDeletedOut = Type.Object(
  { internalId: Str, externalId: nullable(Str), parent: Type.Object({ internalId: Str }, closed) },
  closed,
);

/** Each event type and the schema of its `data`: the object after the change, or its ids when deleted. */
export const EVENT_DATA = {
  "agentState.changed": AgentStateOut,
  "agentState.deleted": AgentStateDeletedOut,
  "agentState.breakExceeded": AgentStateOut,
  "agentGroup.created": AgentGroupOut,
  "agentGroup.changed": AgentGroupOut,
  "agentGroup.deleted": AgentGroupDeletedOut,
  "agentGroupState.changed": AgentGroupStateOut,
  "scheduleGroup.created": ScheduleGroupOut,
  "scheduleGroup.deleted": ScheduleGroupDeletedOut,
  "user.created": UserOut,
  "user.changed": UserOut,
  "user.deleted": UserOut,
  "org.created": OrgOut,
  "org.changed": OrgOut,
  "org.deleted": OrgOut,
} as const;

export type EventType = keyof typeof EVENT_DATA;
export const EVENT_TYPES = Object.keys(EVENT_DATA) as EventType[];

function eventOf<K extends EventType>(type: K) {
  return Type.Object(
    {
      seq: Type.Integer({ minimum: 1 }),
      type: Type.Literal(type),
      time: Type.String({ format: "date-time" }),
      account: nullable(AccountKeyOut),
      data: EVENT_DATA[type],
      /** why the change happened, when not by a call: "leaseExpired" */
      reason: Type.Optional(Type.Literal("leaseExpired")),
    },
    closed,
  );
}

type EventSchemas = { [K in EventType]: ReturnType<typeof eventOf<K>> };

/** One schema per event type: `{seq, type, time, account, data}` with that type's data. */
export const EVENTS = Object.fromEntries(EVENT_TYPES.map((type) => [type, eventOf(type)])) as EventSchemas;

/** Any event of the stream. */
export const EventSchema = Type.Union(EVENT_TYPES.map((type) => EVENTS[type]));

/** The first event of `?snapshot=true`; its SSE id is the seq S it is consistent with. */
export const SnapshotOut = Type.Object(
  { agentStates: Type.Array(AgentStateOut), agentGroupStates: Type.Array(AgentGroupStateOut) },
  closed,
);

export type IssueOut = Static<typeof IssueSchema>;
export type OrgOutput = Static<typeof OrgOut>;
export type UserOutput = Static<typeof UserOut>;
export type SessionOutput = Static<typeof SessionOut>;
export type AgentGroupOutput = Static<typeof AgentGroupOut>;
export type ScheduleGroupOutput = Static<typeof ScheduleGroupOut>;
export type AgentStateOutput = Static<typeof AgentStateOut>;
export type AgentGroupStateOutput = Static<typeof AgentGroupStateOut>;
export type Snapshot = Static<typeof SnapshotOut>;
/** An event of one type, with that type's data. */
export type EventOf<K extends EventType> = Static<EventSchemas[K]>;
/** Any event of the stream, discriminated by `type`. */
export type CallboardEvent = { [K in EventType]: EventOf<K> }[EventType];
