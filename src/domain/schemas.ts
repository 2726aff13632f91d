/**
 * The wire types, one TypeBox schema each. They check structure only: JSON
 * types, no unknown fields, no coercion. Values (enumerations, ranges, formats)
 * are checked by the services, because the SPEC gives each its own error code
 * (a bad `initialWorkState` is INVALID_STATE, a bad `mode` ATTRIBUTE_INVALID_DATA).
 * Every field a client may echo back (audit fields, ids) is accepted; every
 * optional field may be null.
 */
import { type Static, type TSchema, Type } from "typebox";

const closed = { additionalProperties: false } as const;

function nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

function opt<T extends TSchema>(schema: T) {
  return Type.Optional(nullable(schema));
}

const Str = Type.String();
const Num = Type.Number();
const Bool = Type.Boolean();

export const Attribute = Type.Object({ name: Str, value: nullable(Str) }, closed);
export const Attributes = Type.Array(Attribute);

const UserKey = Type.Object({ externalId: opt(Str), internalId: opt(Str) }, closed);

const audit = {
  createdDate: opt(Str),
  updatedDate: opt(Str),
  createdBy: opt(UserKey),
  modifiedBy: opt(UserKey),
};

const orgKeyFields = { internalId: opt(Str), externalId: opt(Str), type: opt(Str) };
const SuperEnterpriseKey = Type.Object({ ...orgKeyFields, parent: opt(Type.Null()) }, closed);
const EnterpriseKey = Type.Object({ ...orgKeyFields, parent: opt(SuperEnterpriseKey) }, closed);
const AccountKey = Type.Object({ ...orgKeyFields, parent: opt(EnterpriseKey) }, closed);

/** A reference to an org, or to an agent group or schedule group named as an org. */
export const OrgRef = Type.Object({ ...orgKeyFields, parent: opt(AccountKey) }, closed);

export const Org = Type.Object(
  { ...orgKeyFields, parent: opt(AccountKey), attributes: opt(Attributes), preferences: opt(Attributes), ...audit },
  closed,
);

export const User = Type.Object(
  {
    internalId: opt(Str),
    externalId: opt(Str),
    loginEnabled: opt(Bool),
    firstName: opt(Str),
    lastName: opt(Str),
    email: opt(Str),
    timeZone: opt(Str),
    locale: opt(Str),
    roles: opt(Type.Array(Str)),
    defaultPhoneNumber: opt(Str),
    org: opt(OrgRef),
    attributes: opt(Attributes),
    preferences: opt(Attributes),
    password: opt(Str),
    ...audit,
  },
  closed,
);

export const Session = Type.Object({ internalId: nullable(Str), user: User, expires: nullable(Str) }, closed);

export const ScheduleEntry = Type.Object(
  {
    day: opt(Str),
    startTime: opt(Str),
    endTime: opt(Str),
    open24: opt(Bool),
    timeZone: opt(Str),
    phoneNumber: opt(Str),
    allocatedCount: opt(Num),
  },
  closed,
);

export const AgentGroup = Type.Object(
  {
    internalId: opt(Str),
    externalId: opt(Str),
    parent: opt(OrgRef),
    type: opt(Str),
    mode: opt(Str),
    intensity: opt(Num),
    initialWorkState: opt(Str),
    maxBreakTime: opt(Num),
    currentSchedule: opt(Type.Array(ScheduleEntry)),
    tags: opt(Type.Array(Str)),
    attributes: opt(Attributes),
    configuration: opt(Attributes),
    ...audit,
  },
  closed,
);

export const ScheduleGroup = Type.Object(
  {
    internalId: opt(Str),
    externalId: opt(Str),
    parent: opt(OrgRef),
    type: opt(Str),
    schedule: opt(Type.Array(ScheduleEntry)),
    attributes: opt(Attributes),
    ...audit,
  },
  closed,
);

export const Device = Type.Object({ internalId: opt(Str), externalId: opt(Str), attributes: opt(Attributes) }, closed);

const AgentGroupCounts = Type.Object(
  {
    agents: opt(Num),
    loggedIn: opt(Num),
    ready: opt(Num),
    notReady: opt(Num),
    onBreak: opt(Num),
    acquired: opt(Num),
    connected: opt(Num),
  },
  closed,
);

export const AgentState = Type.Object(
  {
    internalId: opt(Str),
    agent: opt(User),
    agentGroup: opt(OrgRef),
    currentScheduleGroup: opt(OrgRef),
    currentWorkState: opt(Str),
    requestedWorkState: opt(Str),
    requestedAction: opt(Str),
    currentContactState: opt(Str),
    currentDevice: opt(Device),
    currentPhoneNumber: opt(Str),
    workStateStartTime: opt(Str),
    contactStateStartTime: opt(Str),
    breakExceeded: opt(Bool),
    acquisition: opt(Type.Object({ id: opt(Str), expires: opt(Str) }, closed)),
    leaseSeconds: opt(Num),
    version: opt(Num),
    ...audit,
  },
  closed,
);

export const AgentGroupState = Type.Object(
  {
    agentGroup: opt(OrgRef),
    mode: opt(Str),
    state: opt(Str),
    allocatedCount: opt(Num),
    currentStartTime: opt(Str),
    currentEndTime: opt(Str),
    phoneNumber: opt(Str),
    counts: opt(AgentGroupCounts),
  },
  closed,
);

/** Paging; bounded like a 32-bit integer, which every database takes as OFFSET and LIMIT. */
const MAX_INT = 2_147_483_647;
export const ListOptions = Type.Object(
  {
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_INT })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_INT })),
  },
  closed,
);

export const Credentials = { externalId: Str, password: Str };

export type AttributeInput = Static<typeof Attribute>;
export type OrgRefInput = Static<typeof OrgRef>;
export type OrgInput = Static<typeof Org>;
export type UserInput = Static<typeof User>;
export type ScheduleEntryInput = Static<typeof ScheduleEntry>;
export type AgentGroupInput = Static<typeof AgentGroup>;
export type ScheduleGroupInput = Static<typeof ScheduleGroup>;
export type DeviceInput = Static<typeof Device>;
export type AgentStateInput = Static<typeof AgentState>;
export type AgentGroupStateInput = Static<typeof AgentGroupState>;
export type ListOptionsInput = Static<typeof ListOptions>;
