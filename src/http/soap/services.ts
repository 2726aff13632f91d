/**
 * The four SOAP services of Engage 11.0 and the methods each answers, and
 * the XML view of the schemas both directions of the door walk: each method's
 * `arg1…argN` in signature order (list methods take `options` as one more
 * argument), the type names the WSDL gives the shared schemas, and how a JSON
 * Schema node reads as an XML element (optional, nillable, repeated, leaf).
 */
import type { TSchema } from "typebox";
import { METHODS, type MethodName, resultOf } from "../../domain/methods.js";
import * as R from "../../domain/results.js";
import * as S from "../../domain/schemas.js";

export const TNS = "http://www.soundbite.com/SOAPAPI2/110";

/**
 * Which service answers which method. engage-soap.md names the services;
 * the method pages of the original documentation group the methods the same
 * way (Security, Organization, Identity, Contact Center), so each group goes
 * to the service of that name.
 */
export const SOAP_SERVICES = {
  AuthenticationService: ["createSession", "deleteSession", "showCurrentSession"],
  OrganizationManagementService: ["createOrg", "showOrg", "listOrgs", "changeOrg", "deleteOrg"],
  IdentityManagementService: [
    "createUsers",
    "createUsersUsingString",
    "showUser",
    "listUsers",
    "changeUser",
    "deleteUsers",
    "changePassword",
    "resetPassword",
  ],
  ContactCenterManagementService: [
    "createAgents",
    "createAgentsUsingString",
    "acquireAgent",
    "releaseAgent",
    "deleteAgents",
    "showAgentStateUsingUser",
    "showAgentStateUsingDevice",
    "listAgentStatesUsingEntity",
    "changeAgentState",
    "showAgentGroupState",
    "listAgentGroupStates",
    "changeAgentGroupState",
    "createAgentGroup",
    "deleteAgentGroup",
    "showAgentGroup",
    "changeAgentGroup",
    "createScheduleGroup",
    "deleteScheduleGroup",
    "showScheduleGroup",
  ],
} as const satisfies Record<string, readonly MethodName[]>;

export type ServiceName = keyof typeof SOAP_SERVICES;
export const SERVICE_NAMES = Object.keys(SOAP_SERVICES) as ServiceName[];

export function servicePath(service: ServiceName): string {
  return `/SOAPAPI2/${service}110`;
}

/** The service that answers `method`. */
export function serviceOf(method: MethodName): ServiceName {
  const found = SERVICE_NAMES.find((service) => (SOAP_SERVICES[service] as readonly string[]).includes(method));
  if (!found) throw new Error(`no SOAP service answers ${method}`);
  return found;
}

export interface SoapArgument {
  /** the JSON door's name of the argument */
  name: string;
  schema: TSchema;
}

/** A method's arguments in signature order: `arg1` is the first. */
export function soapArguments(method: MethodName): SoapArgument[] {
  const spec = METHODS[method];
  const args: SoapArgument[] = Object.entries(spec.args).map(([name, schema]) => ({ name, schema: schema as TSchema }));
  if (spec.list) args.push({ name: "options", schema: S.ListOptions });
  return args;
}

/**
 * The WSDL's names of the shared schemas, found by identity (TypeBox composes
 * schemas by reference). Arguments keep the original's lower-case object
 * names (`user`, `org`, `agentState`): those are what legacy clients put in
 * `xsi:type`. What the server answers is exact and has its own types.
 */
export const TYPE_NAMES = new Map<TSchema, string>([
  [S.Attribute, "attribute"],
  [S.OrgRef, "orgRef"],
  [S.Org, "org"],
  [S.User, "user"],
  [S.ScheduleEntry, "scheduleEntry"],
  [S.AgentGroup, "agentGroup"],
  [S.ScheduleGroup, "scheduleGroup"],
  [S.Device, "device"],
  [S.AgentState, "agentState"],
  [S.AgentGroupState, "agentGroupState"],
  [S.ListOptions, "listOptions"],
  [R.AttributeOut, "attributeResult"],
  [R.UserKeyOut, "userKey"],
  [R.OrgKeyOut, "orgKey"],
  [R.GroupKeyOut, "groupKey"],
  [R.OrgOut, "orgResult"],
  [R.UserOut, "userResult"],
  [R.SessionOut, "sessionResult"],
  [R.ScheduleEntryOut, "scheduleEntryResult"],
  [R.AgentGroupOut, "agentGroupResult"],
  [R.ScheduleGroupOut, "scheduleGroupResult"],
  [R.AgentUserOut, "agentUserResult"],
  [R.AgentStateOut, "agentStateResult"],
  [R.AgentGroupCountsOut, "agentGroupCountsResult"],
  [R.AgentGroupStateOut, "agentGroupStateResult"],
  [R.IssueSchema, "issue"],
]);

/** The Response envelope of a method (its `<return>`) and the WSDL name of its type. */
export function responseOf(method: MethodName): { name: string; schema: TSchema } {
  const item = resultOf(method) as TSchema;
  const itemName = TYPE_NAMES.get(item);
  const base = itemName ? itemName.replace(/Result$/, "") : "none";
  return { name: `${base}Response`, schema: R.Envelope(item) };
}

// ---- reading a JSON Schema node as XML ----------------------------------------

type Json = Record<string, unknown>;

export type Leaf = "string" | "dateTime" | "number" | "integer" | "boolean" | "enum";

/** What one property (or argument) schema means for the element that carries it. */
export interface Shape {
  /** the schema of one element's content, without the null branch or the array */
  item: TSchema;
  nullable: boolean;
  repeated: boolean;
  /** only null is allowed (an always-empty element) */
  onlyNull: boolean;
  /** the array's items can never occur (`data` of a method that returns NONE) */
  never: boolean;
}

const isNull = (schema: Json) => schema.type === "null";

export function shapeOf(schema: TSchema): Shape {
  let members: Json[] = [schema as Json];
  const union = (schema as Json).anyOf;
  if (Array.isArray(union)) members = union as Json[];
  const nullable = members.some(isNull);
  const others = members.filter((member) => !isNull(member));
  if (others.length === 0) {
    return { item: schema, nullable: true, repeated: false, onlyNull: true, never: false };
  }
  const first = others[0] as Json;
  if (first.type === "array") {
    const items = (first.items ?? {}) as Json;
    return { item: items as TSchema, nullable, repeated: true, onlyNull: false, never: isNever(items) };
  }
  return { item: first as TSchema, nullable, repeated: false, onlyNull: false, never: false };
}

export function isNever(schema: Json): boolean {
  const not = schema.not as Json | undefined;
  return not !== undefined && typeof not === "object" && Object.keys(not).length === 0;
}

export function isOptional(schema: TSchema, parent?: TSchema, key?: string): boolean {
  if ((schema as Json)["~optional"] === true) return true;
  if (!parent || key === undefined) return false;
  const required = (parent as Json).required;
  return !(Array.isArray(required) && required.includes(key));
}

export function propertiesOf(schema: TSchema): Record<string, TSchema> | undefined {
  const json = schema as Json;
  return json.type === "object" && json.properties ? (json.properties as Record<string, TSchema>) : undefined;
}

export function leafOf(schema: TSchema): Leaf | undefined {
  const json = schema as Json;
  if (Array.isArray(json.enum) || json.const !== undefined) return "enum";
  switch (json.type) {
    case "string":
      return json.format === "date-time" ? "dateTime" : "string";
    case "number":
      return "number";
    case "integer":
      return "integer";
    case "boolean":
      return "boolean";
    default:
      return undefined;
  }
}

/** The values an enumeration or literal allows. */
export function enumValues(schema: TSchema): string[] {
  const json = schema as Json;
  if (Array.isArray(json.enum)) return json.enum.map(String);
  return json.const === undefined ? [] : [String(json.const)];
}
