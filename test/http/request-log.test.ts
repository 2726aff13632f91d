/**
 * One JSON log line per request (SPEC §7): API method, verb, path, status,
 * duration and request id; never a password, a token or a body. A 500 logs
 * its error under the request id the client was given.
 */
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { buildApp } from "../../src/http/app.js";
import { createServices } from "../../src/services/index.js";
import { ADMIN, basic, startApp, type TestApp } from "../factories/app.js";

type Line = Record<string, unknown>;

describe("request logs", () => {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  let t: TestApp;
  let app: Awaited<ReturnType<typeof buildApp>>;

  before(async () => {
    t = await startApp();
    const services = createServices(t.runtime.deps);
    // The production app, with one method that fails as a bug would.
    app = await buildApp({
      ...t.runtime.deps,
      services: {
        ...services,
        showOrg: async () => {
          throw new Error("boom in showOrg");
        },
      },
      logger: pino({ level: "info" }, stream),
    });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await t.close();
  });

  const post = (url: string, body: unknown, authorization?: string) =>
    app.inject({
      method: "POST",
      url,
      payload: JSON.stringify(body),
      headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
    });
  const requestLines = () => lines.filter((l) => l.msg === "request");

  it("writes one line per request with method, verb, path, status, duration and request id", async () => {
    lines.length = 0;
    await post("/api/v1/listOrgs", { parent: { internalId: "root" } }, basic(ADMIN));
    await post("/api/v1/noSuchMethod", {}, basic(ADMIN));
    await app.inject({ method: "GET", url: "/api/v1/listOrgs?x=1" });
    await app.inject({ method: "GET", url: "/healthz" });
    const logged = requestLines();
    assert.equal(logged.length, 4);
    assert.deepEqual(
      logged.map((l) => [l.method, l.verb, l.path, l.status]),
      [
        ["listOrgs", "POST", "/api/v1/listOrgs", 200],
        ["unknown", "POST", "/api/v1/noSuchMethod", 404],
        ["listOrgs", "GET", "/api/v1/listOrgs", 405],
        ["/healthz", "GET", "/healthz", 200],
      ],
    );
    for (const line of logged) {
      assert.equal(typeof line.durationMs, "number");
      assert.ok((line.durationMs as number) >= 0);
      assert.match(String(line.reqId), /\S/);
      assert.equal(line.level, 30);
    }
    assert.equal(new Set(logged.map((l) => l.reqId)).size, 4);
  });

  it("never logs a password, a token, a header or a body", async () => {
    lines.length = 0;
    const signIn = await post("/api/v1/createSession", { externalId: ADMIN.user, password: ADMIN.password });
    const token = (signIn.json() as { data: { internalId: string }[] }).data[0]?.internalId ?? "";
    assert.ok(token.length > 10);
    await post("/api/v1/showCurrentSession", {}, `Bearer ${token}`);
    await post("/api/v1/listOrgs", { parent: { internalId: "root" } }, basic(ADMIN));
    await post("/api/v1/createSession", { externalId: ADMIN.user, password: "wrong-secret" });
    const text = lines.map((l) => JSON.stringify(l)).join("\n");
    assert.equal(requestLines().length, 4);
    for (const secret of [ADMIN.password, "wrong-secret", token, basic(ADMIN).slice(6), "authorization", "root"]) {
      assert.ok(!text.includes(secret), `the log contains ${secret}`);
    }
  });

  it("logs a 500's error with the request id its response names", async () => {
    lines.length = 0;
    const response = await post("/api/v1/showOrg", { org: { internalId: "x" } }, basic(ADMIN));
    assert.equal(response.statusCode, 500);
    const body = response.json() as { errors: { code: string; context: string }[] };
    assert.equal(body.errors[0]?.code, "INTERNAL_ERROR");
    assert.doesNotMatch(JSON.stringify(body), /boom/);
    const requestId = body.errors[0]?.context.replace("request ", "");
    const failure = lines.find((l) => l.level === 50);
    assert.ok(failure, JSON.stringify(lines));
    assert.equal(failure.reqId, requestId);
    assert.equal((failure.err as { message: string }).message, "boom in showOrg");
    const [line] = requestLines();
    assert.deepEqual([line?.method, line?.status, line?.reqId], ["showOrg", 500, requestId]);
  });
});
