/**
 * Wrong ways to call a method (SPEC §1): another verb → 405 with Allow: POST;
 * an unknown name → 404 UNKNOWN_METHOD suggesting the nearest method when close.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { editDistance, nearestMethod } from "../../src/http/method-paths.js";
import { suiteApp } from "../factories/app.js";

describe("method paths", () => {
  const t = suiteApp();
  const inject = (
    method: "GET" | "PUT" | "DELETE" | "PATCH" | "POST" | "HEAD",
    url: string,
    body?: string,
    type?: string,
  ) =>
    t.runtime.app.inject({
      method,
      url,
      ...(body === undefined ? {} : { payload: body, headers: { "content-type": type ?? "application/json" } }),
    });

  for (const verb of ["GET", "PUT", "DELETE", "PATCH"] as const) {
    it(`${verb} on a method path is 405 with Allow: POST, UNKNOWN_METHOD naming the verb`, async () => {
      const response = await inject(verb, "/api/v1/showCurrentSession");
      assert.equal(response.statusCode, 405);
      assert.equal(response.headers.allow, "POST");
      const body = response.json();
      assert.deepEqual(body.data, []);
      assert.equal(body.errors.length, 1);
      assert.equal(body.errors[0].code, "UNKNOWN_METHOD");
      assert.match(body.errors[0].context, new RegExp(`^${verb} is not allowed`));
    });
  }

  it("is 405 before the body is read: a PUT with a body that is not JSON", async () => {
    const response = await inject("PUT", "/api/v1/acquireAgent", "<xml/>", "text/xml");
    assert.equal(response.statusCode, 405);
    assert.equal(response.headers.allow, "POST");
  });

  it("HEAD is 405 too, without a body", async () => {
    const response = await inject("HEAD", "/api/v1/listOrgs");
    assert.equal(response.statusCode, 405);
    assert.equal(response.headers.allow, "POST");
  });

  it("a GET on an unknown name is 404, not 405", async () => {
    const response = await inject("GET", "/api/v1/noSuchThing");
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().errors[0].code, "UNKNOWN_METHOD");
  });

  it("an unknown method with a typo is 404 UNKNOWN_METHOD suggesting the nearest method", async () => {
    const reply = await t.call("acquireAgnet", { agentState: {} });
    assert.equal(reply.status, 404);
    assert.deepEqual(
      reply.errors.map((e) => [e.code, e.message, e.context]),
      [["UNKNOWN_METHOD", "Unknown method 'acquireAgnet'", "did you mean 'acquireAgent'?"]],
    );
  });

  it("suggests across case, and not when nothing is close", async () => {
    assert.equal(
      (await t.call("showagentstateusinguser", {})).errors[0]?.context,
      "did you mean 'showAgentStateUsingUser'?",
    );
    const far = await t.call("reboot", {});
    assert.equal(far.status, 404);
    assert.equal(far.errors[0]?.code, "UNKNOWN_METHOD");
    assert.equal(far.errors[0]?.context, undefined);
  });

  it("the suggestion is the method at the smallest edit distance, within a quarter of the name", () => {
    assert.equal(editDistance("kitten", "sitting"), 3);
    assert.equal(editDistance("", "abc"), 3);
    assert.equal(nearestMethod("createAgent"), "createAgents");
    assert.equal(nearestMethod("listUser"), "listUsers");
    assert.equal(nearestMethod("deleteAgentsGroup"), "deleteAgentGroup");
    assert.equal(nearestMethod("xyz"), undefined);
    assert.equal(nearestMethod("createEverything"), undefined);
  });
});
