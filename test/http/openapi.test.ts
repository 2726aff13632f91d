/**
 * The OpenAPI document: served, identical to the committed copy (so the
 * contract cannot drift without a reviewed diff), valid for a standard
 * validator, lint-clean for Redocly, and complete (every method, the stream,
 * the error statuses, the security schemes). And the reference page.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import SwaggerParser from "@apidevtools/swagger-parser";
import { CATALOGUE } from "../../src/domain/errors.js";
import { METHODS } from "../../src/domain/methods.js";
import { EVENT_TYPES } from "../../src/domain/results.js";
import { eventComponentName } from "../../src/http/openapi.js";
import { openApiText } from "../../src/http/write-openapi.js";
import { suiteApp } from "../factories/app.js";

const run = promisify(execFile);
const COMMITTED = new URL("../../docs/openapi.json", import.meta.url);
const NAMES = Object.keys(METHODS) as (keyof typeof METHODS)[];

// biome-ignore lint/suspicious/noExplicitAny: the suite walks a parsed JSON document whose shape it asserts as it goes.
type Json = Record<string, any>;

describe("GET /api/v1/openapi.json", () => {
  const t = suiteApp();
  const served = async (): Promise<Json> => {
    const response = await t.runtime.app.inject({ method: "GET", url: "/api/v1/openapi.json" });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers["content-type"]), /^application\/json/);
    return response.json() as Json;
  };

  it("is the committed docs/openapi.json (run `npm run openapi` after changing a schema)", async () => {
    const committed = readFileSync(COMMITTED, "utf8");
    assert.equal(openApiText(), committed, "docs/openapi.json is stale: run `npm run openapi`");
    assert.deepEqual(await served(), JSON.parse(committed));
  });

  it("validates as OpenAPI 3.1 with swagger-parser", async () => {
    const doc = await served();
    assert.equal(doc.openapi, "3.1.0");
    await SwaggerParser.validate(structuredClone(doc) as never);
  });

  it("lints with Redocly's recommended rules without an error or a warning", async () => {
    const { stdout } = await run(
      "node_modules/.bin/redocly",
      ["lint", "docs/openapi.json", "--format=json", "--config=redocly.yaml"],
      { env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } },
    );
    const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: unknown[] };
    assert.deepEqual(report.totals, { errors: 0, warnings: 0, ignored: 0 }, JSON.stringify(report.problems));
  });

  it("describes every method as a POST with its arguments in signature order, its result and its error statuses", async () => {
    const doc = await served();
    const methodPaths = Object.keys(doc.paths).filter(
      (p) => p !== "/api/v1/events" && p.startsWith("/api/v1/") && p !== "/api/v1/openapi.json",
    );
    assert.deepEqual(methodPaths.sort(), NAMES.map((n) => `/api/v1/${n}`).sort());
    for (const name of NAMES) {
      const op = doc.paths[`/api/v1/${name}`].post;
      assert.equal(op.operationId, name);
      const body = op.requestBody.content["application/json"].schema;
      assert.equal(body.additionalProperties, false);
      const args = Object.keys(METHODS[name].args);
      assert.deepEqual(Object.keys(body.properties), METHODS[name].list ? [...args, "options"] : args, name);
      assert.deepEqual(body.required ?? [], [...METHODS[name].required], name);
      const ok = op.responses["200"].content["application/json"].schema;
      assert.deepEqual(Object.keys(ok.properties), ["data", "dataOffset", "errors", "warnings"]);
      for (const status of ["400", "401", "413", "415", "429", "500"]) {
        assert.equal(op.responses[status].$ref, `#/components/responses/Error${status}`, `${name} ${status}`);
      }
      if (!METHODS[name].anonymous) assert.ok(op.responses["403"] && op.responses["404"] && op.responses["409"], name);
    }
    assert.deepEqual(doc.paths["/api/v1/createSession"].post.security, []);
    assert.equal(
      doc.paths["/api/v1/showAgentGroup"].post.responses["200"].content["application/json"].schema.properties.data.items
        .$ref,
      "#/components/schemas/AgentGroup",
    );
    assert.deepEqual(doc.paths["/api/v1/deleteAgents"].post.parameters, [
      { $ref: "#/components/parameters/IdempotencyKey" },
    ]);
    assert.equal(doc.paths["/api/v1/listUsers"].post.parameters, undefined);
  });

  it("maps every status of the error catalogue to an error response naming its codes", async () => {
    const doc = await served();
    for (const [code, { status }] of Object.entries(CATALOGUE)) {
      assert.match(doc.components.responses[`Error${status}`].description, new RegExp(code));
    }
    assert.ok(doc.components.responses.Error429.headers["Retry-After"]);
    assert.deepEqual(doc.components.schemas.Issue.properties.code.enum, Object.keys(CATALOGUE));
  });

  it("describes the event stream, its query parameters and every event type", async () => {
    const doc = await served();
    const op = doc.paths["/api/v1/events"].get;
    assert.deepEqual(
      op.parameters.map((p: Json) => `${p.in}:${p.name}`),
      [
        "query:since",
        "query:snapshot",
        "query:types",
        "query:agentGroup",
        "query:format",
        "query:limit",
        "header:Last-Event-ID",
      ],
    );
    assert.ok(op.responses["200"].content["text/event-stream"]);
    assert.ok(op.responses["410"]);
    const events = doc.components.schemas.Event.anyOf.map((e: Json) => e.$ref);
    assert.deepEqual(
      events,
      EVENT_TYPES.map((type) => `#/components/schemas/${eventComponentName(type)}`),
    );
    const changed = doc.components.schemas.AgentStateChangedEvent;
    assert.deepEqual(changed.required, ["seq", "type", "time", "account", "data"]);
    assert.equal(changed.properties.type.const, "agentState.changed");
    assert.equal(changed.properties.data.$ref, "#/components/schemas/AgentState");
    assert.ok(doc.components.schemas.Snapshot.properties.agentStates);
  });

  it("declares Basic and Bearer security (and the wallboard's cookie)", async () => {
    const doc = await served();
    assert.deepEqual(doc.components.securitySchemes.basic, {
      type: "http",
      scheme: "basic",
      description: "externalId:password.",
    });
    assert.equal(doc.components.securitySchemes.bearer.scheme, "bearer");
    assert.deepEqual(doc.security, [{ basic: [] }, { bearer: [] }, { sessionCookie: [] }]);
  });
});

describe("GET /docs", () => {
  const t = suiteApp();

  it("is an HTML reference page with every method, the stream and the schemas, loading nothing from elsewhere", async () => {
    const response = await t.runtime.app.inject({ method: "GET", url: "/docs" });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers["content-type"]), /^text\/html/);
    const html = response.body;
    for (const name of NAMES) assert.ok(html.includes(`id="op-${name}"`), name);
    assert.ok(html.includes("GET /api/v1/events"));
    assert.ok(html.includes('id="schema-AgentState"'));
    assert.ok(html.includes('id="status-409"'));
    assert.doesNotMatch(html, /<script|<link|src="http|href="http/);
  });

  it("shows each argument with its type, linking the named schemas", async () => {
    const html = (await t.runtime.app.inject({ method: "GET", url: "/docs" })).body;
    const section = html.slice(html.indexOf('id="op-createAgents"'), html.indexOf('id="op-createAgentsUsingString"'));
    assert.match(section, /<code>agents<\/code><\/td><td><a href="#schema-UserInput">UserInput<\/a>\[\]<\/td><td>yes/);
    assert.match(section, /<a href="#schema-AgentState">AgentState<\/a>\[\]/);
  });
});
