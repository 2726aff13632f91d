/**
 * Hostile input (SPEC §10): random bodies for every method, built from the
 * method's own argument names and the field names of the wire types, with
 * random JSON values. Every answer must be a catalogue envelope with a status
 * below 500, and the server must keep answering.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import fc from "fast-check";
import { CATALOGUE } from "../../src/domain/errors.js";
import { METHODS, type MethodName } from "../../src/domain/methods.js";
import { makeAccount, makeUser, suiteApp } from "../factories/app.js";
import { makeAgents, makeGroup } from "../factories/contact-center.js";

const FIELDS = [
  "internalId",
  "externalId",
  "type",
  "parent",
  "agent",
  "agentGroup",
  "currentScheduleGroup",
  "currentWorkState",
  "requestedWorkState",
  "requestedAction",
  "currentContactState",
  "currentDevice",
  "currentPhoneNumber",
  "version",
  "loginEnabled",
  "attributes",
  "name",
  "value",
  "roles",
  "password",
  "mode",
  "intensity",
  "initialWorkState",
  "maxBreakTime",
  "currentSchedule",
  "schedule",
  "day",
  "startTime",
  "endTime",
  "timeZone",
  "open24",
  "allocatedCount",
  "state",
  "currentStartTime",
  "currentEndTime",
  "offset",
  "limit",
  "firstName",
  "lastName",
  "email",
  "org",
];

const VALUES = [
  "Ready",
  "Break",
  "LoggedOut",
  "Login",
  "Logout",
  "Connected",
  "Acquired",
  "Standard",
  "Enhanced",
  "Account",
  "AgentGroup",
  "ScheduleGroup",
  "Enterprise",
  "root",
  "Monday",
  "09:00",
  "25:99",
  "America/New_York",
  "Not/AZone",
  "+15550100",
  "a@b.co",
  "",
  "\u0000",
  "x".repeat(300),
  "2026-03-02T10:00:00Z",
];

function body(method: MethodName, ids: string[]) {
  const leaf = fc.oneof(
    fc.constantFrom(...VALUES, ...ids),
    fc.string({ maxLength: 12 }),
    fc.integer({ min: -5, max: 5 }),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
  );
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom(...FIELDS), tie("value"), { maxKeys: 5 }),
    ),
  }));
  const names = [...Object.keys(METHODS[method].args), "options", "bogus"];
  return fc.dictionary(fc.constantFrom(...names), value, { maxKeys: names.length });
}

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
}

/** Values that fit a schema's structure, so they get past decoding into the service. */
function fromSchema(schema: JsonSchema, ids: string[], depth = 0): fc.Arbitrary<unknown> {
  // Optional fields are `T | null`: mostly T, so the service sees values.
  if (schema.anyOf) {
    return fc.oneof(
      ...schema.anyOf.map((s) => ({ weight: s.type === "null" ? 1 : 4, arbitrary: fromSchema(s, ids, depth) })),
    );
  }
  switch (schema.type) {
    case "object": {
      const props = Object.entries(schema.properties ?? {});
      if (depth > 3 || props.length === 0) return fc.constant({});
      const shape = Object.fromEntries(props.map(([k, v]) => [k, fromSchema(v, ids, depth + 1)]));
      return fc.record(shape, { requiredKeys: [] });
    }
    case "array":
      return fc.array(schema.items ? fromSchema(schema.items, ids, depth + 1) : fc.constant(null), { maxLength: 3 });
    case "string":
      return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...VALUES, ...ids) }, fc.string({ maxLength: 8 }));
    case "number":
      return fc.oneof(
        fc.integer({ min: -2, max: 3 }),
        fc.double({ noDefaultInfinity: true, noNaN: true }),
        fc.constantFrom(2 ** 31, 2 ** 53, 1e300),
      );
    case "integer":
      return fc.oneof(fc.integer({ min: -1, max: 3 }), fc.constantFrom(2 ** 31, 2 ** 53, 1e300));
    case "boolean":
      return fc.boolean();
    default:
      return fc.constant(null);
  }
}

function validBody(method: MethodName, ids: string[]) {
  const args = METHODS[method].args as Record<string, JsonSchema>;
  const shape = Object.fromEntries(Object.entries(args).map(([k, v]) => [k, fromSchema(v, ids)]));
  return fc.record(shape);
}

describe("hostile bodies for every method", () => {
  const t = suiteApp();
  const ids: string[] = [];
  before(async () => {
    const { accountId, enterpriseId } = await makeAccount(t);
    const group = await makeGroup(t, accountId);
    const agents = await makeAgents(t, accountId, group.internalId, 3, { ready: true });
    const supervisor = await makeUser(t, accountId, ["Supervisor"]);
    ids.push(accountId, enterpriseId, group.internalId, group.externalId, supervisor.user);
    for (const a of agents) ids.push(a.state.internalId, a.auth.user);
  });

  for (const method of Object.keys(METHODS) as MethodName[]) {
    it(`${method}: never a 500, always a catalogue envelope`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(body(method, ids), validBody(method, ids)), async (input) => {
          const reply = await t.call(method, input);
          assert.ok(reply.status < 500, `${reply.status} ${JSON.stringify(reply.errors)} for ${JSON.stringify(input)}`);
          assert.deepEqual(Object.keys(reply).sort(), ["data", "dataOffset", "errors", "status", "warnings"]);
          for (const found of [...reply.errors, ...reply.warnings]) assert.ok(found.code in CATALOGUE, found.code);
          const first = reply.errors[0];
          assert.equal(reply.status, first ? CATALOGUE[first.code].status : 200);
        }),
        { numRuns: 80 },
      );
    });
  }
});
