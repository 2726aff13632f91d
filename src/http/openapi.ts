/**
 * The OpenAPI 3.1 document, generated from the schemas the server validates with
 * (domain/schemas.ts, the arguments) and answers with (domain/results.ts), and
 * from the method table and the error catalogue. Pure: the same inputs give the
 * same document, byte for byte, which is what lets CI compare it with the
 * committed copy in docs/openapi.json.
 *
 * Why not @fastify/swagger: it documents the routes Fastify validates, and
 * Callboard has one parametric route (`POST /api/v1/:method`) whose bodies are
 * validated by the dispatcher; describing 35 methods through it would mean 35
 * fake routes. TypeBox schemas are already JSON Schema 2020-12, which OpenAPI
 * 3.1 takes as they are; the only work is naming the shared ones as components.
 */
import type { TSchema } from "typebox";
import { CATALOGUE, type Code } from "../domain/errors.js";
import { METHODS, type MethodName, type MethodSpec, resultOf } from "../domain/methods.js";
import * as R from "../domain/results.js";
import * as S from "../domain/schemas.js";

export type OpenApiDocument = Record<string, unknown> & {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, unknown> } & Record<string, unknown>;
};

/** The named schemas: every other schema is written inline where it is used. */
const COMPONENTS: Record<string, TSchema> = {
  // arguments
  AttributeInput: S.Attribute,
  OrgRef: S.OrgRef,
  OrgInput: S.Org,
  UserInput: S.User,
  ScheduleEntryInput: S.ScheduleEntry,
  AgentGroupInput: S.AgentGroup,
  ScheduleGroupInput: S.ScheduleGroup,
  DeviceInput: S.Device,
  AgentStateInput: S.AgentState,
  AgentGroupStateInput: S.AgentGroupState,
  ListOptions: S.ListOptions,
  // results
  Attribute: R.AttributeOut,
  UserKey: R.UserKeyOut,
  OrgKey: R.OrgKeyOut,
  GroupKey: R.GroupKeyOut,
  AccountKey: R.AccountKeyOut,
  Org: R.OrgOut,
  User: R.UserOut,
  Session: R.SessionOut,
  ScheduleEntry: R.ScheduleEntryOut,
  AgentGroup: R.AgentGroupOut,
  ScheduleGroup: R.ScheduleGroupOut,
  AgentUser: R.AgentUserOut,
  AgentState: R.AgentStateOut,
  AgentGroupCounts: R.AgentGroupCountsOut,
  AgentGroupState: R.AgentGroupStateOut,
  Issue: R.IssueSchema,
  ErrorEnvelope: R.ErrorEnvelope,
  // events
  AgentStateDeleted: R.AgentStateDeletedOut,
  AgentGroupDeleted: R.AgentGroupDeletedOut,
  ScheduleGroupDeleted: R.ScheduleGroupDeletedOut,
  Snapshot: R.SnapshotOut,
  ...Object.fromEntries(R.EVENT_TYPES.map((type) => [eventComponentName(type), R.EVENTS[type]])),
  Event: R.EventSchema,
};

export function eventComponentName(type: string): string {
  const [object = "", verb = ""] = type.split(".");
  return `${object[0]?.toUpperCase()}${object.slice(1)}${verb[0]?.toUpperCase()}${verb.slice(1)}Event`;
}

const TAGS = [
  { name: "Security", description: "Sessions: sign in with a password, get a bearer token, end it." },
  { name: "Organization", description: "The org tree: SuperEnterprise → Enterprise → Account." },
  { name: "Identity", description: "Users, their roles and passwords." },
  { name: "ContactCenter", description: "Agent groups, schedule groups, agents and their states." },
  { name: "Events", description: "The live event stream (SPEC §6)." },
  { name: "Operations", description: "Health, metrics and this document." },
] as const;

function tagOf(name: MethodName): string {
  if (/Agent|Schedule/.test(name)) return "ContactCenter";
  if (/Session$/.test(name)) return "Security";
  if (/Orgs?$/.test(name)) return "Organization";
  if (/Users?(UsingString)?$|Password$/.test(name)) return "Identity";
  return "ContactCenter";
}

/** Methods that change nothing: safe to retry, no idempotency key needed. */
export function isReadOnly(name: MethodName): boolean {
  return /^(show|list)/.test(name);
}

/**
 * A deep copy of a schema as plain JSON, with each named schema (found by
 * identity: TypeBox composes schemas by reference) replaced by a $ref.
 */
function toJson(schema: unknown, self?: unknown): unknown {
  if (schema === null || typeof schema !== "object") return schema;
  if (schema !== self) {
    const name = componentNames.get(schema as TSchema);
    if (name) return { $ref: `#/components/schemas/${name}` };
  }
  if (Array.isArray(schema)) return schema.map((item) => toJson(item));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) out[key] = toJson(value);
  // `opt(Type.Null())` is a union of null and null: one is enough.
  if (Array.isArray(out.anyOf)) {
    const seen = new Set<string>();
    out.anyOf = out.anyOf.filter((member) => {
      const key = JSON.stringify(member);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if ((out.anyOf as unknown[]).length === 1) {
      const [only] = out.anyOf as unknown[];
      delete out.anyOf;
      Object.assign(out, only);
    }
  }
  return out;
}

const componentNames = new Map<TSchema, string>(Object.entries(COMPONENTS).map(([name, schema]) => [schema, name]));

function requestSchema(name: MethodName): unknown {
  const spec: MethodSpec = METHODS[name];
  const properties: Record<string, unknown> = {};
  const names = Object.keys(spec.args);
  names.forEach((arg, index) => {
    const schema = toJson(spec.args[arg]) as Record<string, unknown>;
    const required = (spec.required as readonly string[]).includes(arg);
    const description = `argument ${index}${required ? "" : " (optional, may be null)"}`;
    properties[arg] = required ? { ...schema, description } : { anyOf: [schema, { type: "null" }], description };
  });
  if (spec.list) {
    properties.options = {
      anyOf: [toJson(S.ListOptions), { type: "null" }],
      description: `argument ${names.length}: paging (optional)`,
    };
  }
  const required = spec.required.length > 0 ? { required: [...spec.required] } : {};
  return { type: "object", properties, ...required, additionalProperties: false };
}

function responseSchema(name: MethodName): unknown {
  return toJson(R.Envelope(resultOf(name)));
}

/** The codes that answer with each HTTP status, for the error responses' descriptions. */
function codesByStatus(): Map<number, Code[]> {
  const byStatus = new Map<number, Code[]>();
  for (const [code, { status }] of Object.entries(CATALOGUE) as [Code, { status: number }][]) {
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return byStatus;
}

const STATUS_TEXT: Record<number, string> = {
  400: "Invalid arguments",
  401: "No credentials, or wrong ones",
  403: "The caller's roles do not allow this method",
  404: "A referenced object does not exist (or is outside the caller's scope), or no such method",
  409: "Conflict with the current state",
  410: "The resume point is older than the oldest event kept",
  413: "The body is over the byte limit",
  415: "The body is not JSON",
  429: "Too many requests",
  500: "Internal error",
};

function errorResponses(): Record<string, unknown> {
  const byStatus = codesByStatus();
  byStatus.set(413, ["ARG_TOO_LARGE"]);
  byStatus.set(415, ["ARG_INVALID_TYPE"]);
  byStatus.set(410, ["OBJECT_NOT_EXISTS"]);
  const out: Record<string, unknown> = {};
  for (const status of [...byStatus.keys()].sort((a, b) => a - b)) {
    const codes = byStatus.get(status) ?? [];
    const response: Record<string, unknown> = {
      description: `${STATUS_TEXT[status] ?? "Error"}: ${codes.join(", ")}. The first error's code decides the status.`,
      content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorEnvelope" } } },
    };
    if (status === 429) {
      response.headers = {
        "Retry-After": { description: "Seconds to wait before trying again.", schema: { type: "integer" } },
      };
    }
    out[`Error${status}`] = response;
  }
  return out;
}

function errorRefs(statuses: readonly number[]): Record<string, unknown> {
  return Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/Error${s}` }]));
}

function methodOperation(name: MethodName): Record<string, unknown> {
  const spec = METHODS[name];
  const readOnly = isReadOnly(name);
  // createSession, the one anonymous method, answers 409 only for its Idempotency-Key.
  const statuses = spec.anonymous ? [400, 401, 409, 413, 415, 429, 500] : [400, 401, 403, 404, 409, 413, 415, 429, 500];
  const result = resultOf(name);
  const returns =
    result === R.NONE
      ? "Returns nothing: `data` is `[]`."
      : `Returns ${componentNames.get(result) ?? "objects"} objects in \`data\`${spec.list ? " (paged by `options`)" : ""}.`;
  const operation: Record<string, unknown> = {
    operationId: name,
    tags: [tagOf(name)],
    summary: spec.summary,
    description: `${returns} Warnings in a 200 mean partial success; errors mean nothing changed.`,
    requestBody: {
      required: false,
      content: { "application/json": { schema: requestSchema(name) } },
    },
    responses: {
      "200": {
        description: "Success (errors is empty; warnings may report items that were skipped).",
        headers: readOnly
          ? undefined
          : {
              "Idempotent-Replayed": {
                description: "`true` when this is the stored response of an earlier call with the same key.",
                schema: { type: "string", enum: ["true"] },
              },
            },
        content: { "application/json": { schema: responseSchema(name) } },
      },
      ...errorRefs(statuses),
    },
  };
  if (!readOnly) operation.parameters = [{ $ref: "#/components/parameters/IdempotencyKey" }];
  if (spec.anonymous) operation.security = [];
  return JSON.parse(JSON.stringify(operation)) as Record<string, unknown>;
}

function eventsOperation(): Record<string, unknown> {
  const query = (name: string, description: string, schema: unknown) => ({ name, in: "query", description, schema });
  return {
    operationId: "streamEvents",
    tags: ["Events"],
    summary: "The events in the caller's scope, live, in seq order (Server-Sent Events).",
    description: [
      "Each frame is `id: <seq>`, `event: <type>`, `data: <the event as JSON>` (see the `Event` schema).",
      `Event types: ${R.EVENT_TYPES.map((t) => `\`${t}\``).join(", ")}.`,
      "With `snapshot=true` the first frame is `event: snapshot` whose id is the seq S it is consistent with and",
      "whose data is a `Snapshot`; then every event after S. Resume with `Last-Event-ID` (it wins over `since`).",
      "A heartbeat comment every 15 s; a `retry:` hint. `format=json` answers a page of events in the envelope.",
    ].join(" "),
    parameters: [
      query(
        "since",
        "Start after this seq (0: the oldest event kept). Without it, and without Last-Event-ID, the stream starts at the present.",
        {
          type: "integer",
          minimum: 0,
        },
      ),
      query("snapshot", "Start with a snapshot of everything in scope (no resume point).", { type: "boolean" }),
      query("types", "Only these event types, comma-separated.", { type: "string", example: "agentState.changed" }),
      query("agentGroup", "Only the events of this agent group (its internalId).", { type: "string" }),
      query("format", "`json`: answer a page of events in the envelope instead of a stream.", {
        type: "string",
        enum: ["json"],
      }),
      query("limit", "With format=json: at most this many events.", { type: "integer", minimum: 1, maximum: 1000 }),
      {
        name: "Last-Event-ID",
        in: "header",
        description: "The seq of the last event received: the stream continues after it.",
        schema: { type: "string" },
      },
    ],
    responses: {
      "200": {
        description: "The stream (text/event-stream), or with format=json a page of events.",
        content: {
          "text/event-stream": {
            // OpenAPI 3.1 has no way to type the frames of a stream (3.2's itemSchema does):
            // this schema describes the JSON in each frame's `data`.
            schema: {
              description:
                "The JSON in each SSE frame's `data`: an `Event`, or (first, with snapshot=true) a `Snapshot`.",
              oneOf: [{ $ref: "#/components/schemas/Event" }, { $ref: "#/components/schemas/Snapshot" }],
            },
          },
          "application/json": {
            schema: toJson(R.Envelope(R.EventSchema)),
          },
        },
      },
      ...errorRefs([400, 401, 403, 410, 429, 500]),
    },
  };
}

function operationsPaths(): Record<string, Record<string, unknown>> {
  return {
    "/healthz": {
      get: {
        operationId: "health",
        tags: ["Operations"],
        summary: "200 when ready: database reachable, migrations done.",
        security: [],
        responses: {
          "200": {
            description: "Ready.",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  properties: { status: { type: "string", enum: ["ok"] } },
                  required: ["status"],
                },
              },
            },
          },
          "500": { $ref: "#/components/responses/Error500" },
        },
      },
    },
    "/metrics": {
      get: {
        operationId: "metrics",
        tags: ["Operations"],
        summary: "Prometheus metrics (text exposition format).",
        security: [],
        responses: {
          "200": { description: "Metrics.", content: { "text/plain": { schema: { type: "string" } } } },
          "500": { $ref: "#/components/responses/Error500" },
        },
      },
    },
    "/api/v1/openapi.json": {
      get: {
        operationId: "openapi",
        tags: ["Operations"],
        summary: "This document.",
        security: [],
        responses: {
          "200": {
            description: "The OpenAPI document.",
            content: { "application/json": { schema: { type: "object" } } },
          },
          "500": { $ref: "#/components/responses/Error500" },
        },
      },
    },
  };
}

export function buildOpenApi(version: string): OpenApiDocument {
  const paths: OpenApiDocument["paths"] = {};
  for (const name of Object.keys(METHODS) as MethodName[]) paths[`/api/v1/${name}`] = { post: methodOperation(name) };
  paths["/api/v1/events"] = { get: eventsOperation() };
  Object.assign(paths, operationsPaths());
  const schemas: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(COMPONENTS)) schemas[name] = toJson(schema, schema);
  return {
    openapi: "3.1.0",
    info: {
      title: "Callboard",
      version,
      summary: "A contact center's agent roster and agent state server.",
      description: [
        "Every method is `POST /api/v1/<method>` with a JSON object whose keys are the method's arguments.",
        "Every response, success or failure, is the envelope `{data, dataOffset, errors, warnings}`;",
        "the HTTP status is 200 when `errors` is empty, else the first error's (see the error responses).",
        "Another verb on a method path answers 405 with `Allow: POST`.",
      ].join(" "),
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [{ url: "http://127.0.0.1:7340", description: "A local server (the default port)." }],
    tags: TAGS.map((tag) => ({ ...tag })),
    security: [{ basic: [] }, { bearer: [] }, { sessionCookie: [] }],
    paths,
    components: {
      schemas,
      responses: errorResponses(),
      parameters: {
        IdempotencyKey: {
          name: "Idempotency-Key",
          in: "header",
          required: false,
          description:
            "1–255 visible ASCII characters. A repeat with the same key and body returns the stored response and changes nothing.",
          schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[\\x21-\\x7E]+$" },
        },
      },
      securitySchemes: {
        basic: { type: "http", scheme: "basic", description: "externalId:password." },
        bearer: { type: "http", scheme: "bearer", description: "The internalId of a Session (createSession)." },
        sessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: "callboard_session",
          description: "The session token in a cookie (createSession?cookie=true), for the wallboard.",
        },
      },
    },
  };
}
