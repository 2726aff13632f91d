import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CATALOGUE, type Issue, MAX_ERRORS } from "../../src/domain/errors.js";
import { METHODS } from "../../src/domain/methods.js";
import { attributeName, type CompiledMethod, compileMethod, decodeArguments } from "../../src/http/decode.js";

const createAgents = compileMethod(METHODS.createAgents);
const createSession = compileMethod(METHODS.createSession);
const createUsers = compileMethod(METHODS.createUsers);
const listUsers = compileMethod(METHODS.listUsers);
const changeAgentState = compileMethod(METHODS.changeAgentState);
const showCurrentSession = compileMethod(METHODS.showCurrentSession);

const goodAgents = { agents: [{ externalId: "a@example.com" }], agentGroup: { externalId: "g" }, initialState: {} };

function errorsOf(method: CompiledMethod, body: unknown): Issue[] {
  const decoded = decodeArguments(method, body);
  assert.equal(decoded.ok, false, "expected errors");
  return decoded.ok ? [] : decoded.errors;
}

/** [code, argumentIndex, attributeName] of each error: the placement is the point of most cases. */
function placed(method: CompiledMethod, body: unknown): [string, number | undefined, string | undefined][] {
  return errorsOf(method, body).map((e) => [e.code, e.argumentIndex, e.attributeName]);
}

describe("attributeName", () => {
  it("prefixes an array argument's name and indexes its items", () => {
    assert.equal(attributeName("agents", [3, "externalId"], true), "agents[3].externalId");
    assert.equal(attributeName("agents", [3], true), "agents[3]");
    assert.equal(attributeName("agents", [0, "attributes", 2, "value"], true), "agents[0].attributes[2].value");
    assert.equal(attributeName("agents", [], true), "agents");
  });

  it("names a path inside an object argument without the argument's name", () => {
    assert.equal(attributeName("agentState", ["agent", "loginEnabled"], false), "agent.loginEnabled");
    assert.equal(
      attributeName("agentGroup", ["currentSchedule", 1, "startTime"], false),
      "currentSchedule[1].startTime",
    );
    assert.equal(attributeName("agentGroup", ["tags", 0], false), "tags[0]");
    assert.equal(attributeName("agentGroup", ["intensity"], false), "intensity");
    assert.equal(attributeName("x", ["a", 0, 1, "b"], false), "a[0][1].b");
  });
});

describe("decodeArguments", () => {
  it("answers the body itself when it is valid: nothing stripped, nothing coerced", () => {
    const body = {
      agents: [{ externalId: "+1 800 682 5327", loginEnabled: null, attributes: [{ name: "tags", value: null }] }],
      agentGroup: { externalId: "g", intensity: 0.5 },
      initialState: { currentWorkState: "Ready", version: 3 },
    };
    const decoded = decodeArguments(createAgents, body);
    assert.equal(decoded.ok, true);
    assert.equal(decoded.ok && decoded.input, body);
    assert.deepEqual(body.agentGroup, { externalId: "g", intensity: 0.5 });
  });

  it("rejects a body that is not an object with ARG_INVALID_DATA", () => {
    for (const body of [null, [], [goodAgents], "text", 5, true]) {
      assert.deepEqual(placed(createAgents, body), [["ARG_INVALID_DATA", undefined, undefined]], JSON.stringify(body));
    }
  });

  it("rejects an unknown argument with ARG_INVALID_DATA naming it", () => {
    const errors = errorsOf(createAgents, { ...goodAgents, agentGroupId: "x" });
    assert.deepEqual(
      errors.map((e) => [e.code, e.message, e.context]),
      [["ARG_INVALID_DATA", "Invalid Data 'agentGroupId'", "unknown argument 'agentGroupId'"]],
    );
  });

  it("answers ARG_NULL for each required argument missing or null, in signature order", () => {
    assert.deepEqual(placed(createAgents, { agentGroup: null }), [
      ["ARG_NULL", 0, undefined],
      ["ARG_NULL", 1, undefined],
      ["ARG_NULL", 2, undefined],
    ]);
    assert.equal(errorsOf(createAgents, {})[0]?.message, "Invalid Data, argument 'agents' must be non-null");
  });

  it("lets optional arguments be missing or null", () => {
    assert.equal(decodeArguments(listUsers, { org: { internalId: "x" } }).ok, true);
    assert.equal(decodeArguments(listUsers, { org: { internalId: "x" }, sample: null, options: null }).ok, true);
    assert.equal(decodeArguments(showCurrentSession, {}).ok, true);
  });

  it("answers ARG_INVALID_TYPE for an argument of the wrong JSON type", () => {
    assert.deepEqual(placed(createAgents, { agents: {}, agentGroup: [], initialState: "Ready" }), [
      ["ARG_INVALID_TYPE", 0, undefined],
      ["ARG_INVALID_TYPE", 1, undefined],
      ["ARG_INVALID_TYPE", 2, undefined],
    ]);
    assert.deepEqual(placed(createSession, { externalId: 5, password: "5" }), [["ARG_INVALID_TYPE", 0, undefined]]);
    assert.equal(decodeArguments(createSession, { externalId: "5", password: "5" }).ok, true);
  });

  it("answers ATTRIBUTE_INVALID_DATA, placed, for a wrong type inside an argument", () => {
    assert.deepEqual(placed(createAgents, { ...goodAgents, agents: [{ externalId: "a" }, { loginEnabled: "true" }] }), [
      ["ATTRIBUTE_INVALID_DATA", 0, "agents[1].loginEnabled"],
    ]);
    assert.deepEqual(placed(changeAgentState, { agentState: { agent: { loginEnabled: 0 }, version: "3" } }), [
      ["ATTRIBUTE_INVALID_DATA", 0, "agent.loginEnabled"],
      ["ATTRIBUTE_INVALID_DATA", 0, "version"],
    ]);
    assert.deepEqual(placed(createAgents, { ...goodAgents, agents: ["a@example.com"] }), [
      ["ATTRIBUTE_INVALID_DATA", 0, "agents[0]"],
    ]);
    const [first] = errorsOf(createAgents, { ...goodAgents, agents: [{ loginEnabled: "true" }] });
    assert.equal(first?.message, "Invalid Data 'agents[0].loginEnabled'");
    assert.equal(first?.context, "must be boolean");
  });

  it("reports one issue per place, not the branches of a nullable field", () => {
    assert.deepEqual(placed(createAgents, { ...goodAgents, agentGroup: { parent: { parent: { externalId: 5 } } } }), [
      ["ATTRIBUTE_INVALID_DATA", 1, "parent.parent.externalId"],
    ]);
    assert.deepEqual(placed(createAgents, { ...goodAgents, agentGroup: { parent: 5 } }), [
      ["ATTRIBUTE_INVALID_DATA", 1, "parent"],
    ]);
  });

  it("names an unknown attribute inside an argument", () => {
    const errors = errorsOf(createAgents, { ...goodAgents, agentGroup: { externalId: "g", colour: "red" } });
    assert.deepEqual(
      errors.map((e) => [e.code, e.argumentIndex, e.attributeName, e.context]),
      [["ATTRIBUTE_INVALID_DATA", 1, "colour", "unknown attribute"]],
    );
    assert.deepEqual(placed(createUsers, { users: [{ org: { id: "x" } }], org: {} }), [
      ["ATTRIBUTE_INVALID_DATA", 0, "users[0].org.id"],
    ]);
  });

  it("answers ATTRIBUTE_NULL for a missing required attribute", () => {
    assert.deepEqual(placed(createUsers, { users: [{ attributes: [{ value: "x" }] }], org: {} }), [
      ["ATTRIBUTE_NULL", 0, "users[0].attributes[0].name"],
    ]);
  });

  it("rejects numbers that are not finite", () => {
    assert.deepEqual(placed(createAgents, { ...goodAgents, agentGroup: { intensity: Number.POSITIVE_INFINITY } }), [
      ["ATTRIBUTE_INVALID_DATA", 1, "intensity"],
    ]);
    assert.deepEqual(placed(createAgents, { ...goodAgents, initialState: { version: Number.NaN } }), [
      ["ATTRIBUTE_INVALID_DATA", 2, "version"],
    ]);
    assert.deepEqual(placed(createSession, { externalId: Number.NEGATIVE_INFINITY, password: "x" }), [
      ["ARG_INVALID_DATA", 0, undefined],
    ]);
    assert.deepEqual(placed(createSession, JSON.parse('{"externalId": "a", "password": -1e400}')), [
      ["ARG_INVALID_DATA", 1, undefined],
    ]);
  });

  it("answers ARG_INVALID_CHAR for ill-formed strings, in values and in keys", () => {
    const errors = errorsOf(createSession, { externalId: "\ud800", password: "x" });
    assert.deepEqual(
      errors.map((e) => [e.code, e.argumentIndex, e.message]),
      [["ARG_INVALID_CHAR", 0, "Invalid Data, argument 'externalId' contains invalid characters"]],
    );
    assert.deepEqual(placed(createAgents, { ...goodAgents, agents: [{ externalId: "a\udfffb" }] }), [
      ["ARG_INVALID_CHAR", 0, "agents[0].externalId"],
    ]);
    assert.deepEqual(placed(createAgents, { ...goodAgents, agentGroup: { "\udc00": 1 } }), [
      ["ARG_INVALID_CHAR", 1, undefined],
    ]);
    assert.equal(decodeArguments(createSession, { externalId: "😀@example.com", password: "x" }).ok, true);
  });

  it("answers ARG_INVALID_CHAR for a NUL anywhere, which PostgreSQL cannot store or compare", () => {
    assert.deepEqual(placed(createAgents, { ...goodAgents, agents: [{ externalId: "a\u0000b" }] }), [
      ["ARG_INVALID_CHAR", 0, "agents[0].externalId"],
    ]);
    assert.deepEqual(placed(createAgents, { ...goodAgents, agentGroup: { "x\u0000": 1 } }), [
      ["ARG_INVALID_CHAR", 1, undefined],
    ]);
    assert.equal(decodeArguments(createSession, { externalId: "a\u0007@example.com", password: "x" }).ok, true);
  });

  it("rejects nesting deeper than 32 levels with ARG_INVALID_DATA", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 1000; i++) deep = [deep];
    const errors = errorsOf(createSession, { externalId: deep, password: "x" });
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.code, "ARG_INVALID_DATA");
    assert.equal(errors[0]?.argumentIndex, 0);
    assert.equal(errors[0]?.context, "nested too deeply");
  });

  it("accepts options only on list methods, and checks them", () => {
    assert.equal(decodeArguments(listUsers, { org: {}, options: { offset: 0, limit: 1000 } }).ok, true);
    assert.deepEqual(placed(listUsers, { org: {}, options: { offset: -1, limit: 0, page: 2 } }), [
      ["ATTRIBUTE_INVALID_DATA", 2, "page"],
      ["ATTRIBUTE_INVALID_DATA", 2, "offset"],
      ["ATTRIBUTE_INVALID_DATA", 2, "limit"],
    ]);
    assert.deepEqual(placed(listUsers, { org: {}, options: { limit: 1.5 } }), [["ATTRIBUTE_INVALID_DATA", 2, "limit"]]);
    // Beyond a 32-bit integer no database takes it as OFFSET.
    assert.deepEqual(placed(listUsers, { org: {}, options: { offset: 2 ** 31 } }), [
      ["ATTRIBUTE_INVALID_DATA", 2, "offset"],
    ]);
    assert.deepEqual(placed(listUsers, { org: {}, options: [] }), [["ARG_INVALID_TYPE", 2, undefined]]);
    assert.deepEqual(placed(createUsers, { users: [], org: {}, options: {} }), [
      ["ARG_INVALID_DATA", undefined, undefined],
    ]);
  });

  it("returns every error of every argument, at most 100", () => {
    const few = placed(createUsers, { users: [{ externalId: 1 }, { firstName: 2 }, { roles: [3] }], org: 4, extra: 5 });
    assert.deepEqual(few, [
      ["ARG_INVALID_DATA", undefined, undefined],
      ["ATTRIBUTE_INVALID_DATA", 0, "users[0].externalId"],
      ["ATTRIBUTE_INVALID_DATA", 0, "users[1].firstName"],
      ["ATTRIBUTE_INVALID_DATA", 0, "users[2].roles[0]"],
      ["ARG_INVALID_TYPE", 1, undefined],
    ]);
    const users = Array.from({ length: 1000 }, (_, i) => ({ externalId: i, lastName: false }));
    const many = errorsOf(createUsers, { users, org: {} });
    assert.equal(many.length, MAX_ERRORS);
    assert.deepEqual(
      many.slice(0, 3).map((e) => e.attributeName),
      ["users[0].externalId", "users[0].lastName", "users[1].externalId"],
    );
    const scanned = errorsOf(createUsers, { users: users.map(() => ({ externalId: "\ud800" })), org: {} });
    assert.equal(scanned.length, MAX_ERRORS);
  });

  it("never throws and always answers a bounded list of catalogue errors", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.jsonValue(), (agents, agentGroup, initialState) => {
        const decoded = decodeArguments(createAgents, { agents, agentGroup, initialState });
        if (decoded.ok) return;
        assert.ok(decoded.errors.length >= 1 && decoded.errors.length <= MAX_ERRORS);
        for (const found of decoded.errors) {
          assert.ok(found.code in CATALOGUE);
          assert.equal(CATALOGUE[found.code].status, 400);
          assert.equal(found.severity, "Error");
        }
      }),
      { numRuns: 300 },
    );
  });
});
