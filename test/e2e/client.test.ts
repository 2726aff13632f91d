/**
 * The typed client over real HTTP: against the live server for the typed
 * calls and their errors, and against scripted fake servers for what a live
 * server cannot be made to do on cue (drop a connection, answer 429 or a
 * proxy's 502), to show that retries happen exactly where they are safe.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CallboardError, createClient, TransportError } from "../../src/client/index.js";
import { ADMIN, makeAccount, unique, uniqueEmail } from "../factories/app.js";
import { answer, fakeServer, hangUp, type LiveApp, startLiveApp } from "../factories/server.js";

describe("the typed client against the live server", () => {
  let live: LiveApp;
  before(async () => {
    live = await startLiveApp();
  });
  after(() => live.close());
  const admin = () => createClient({ baseUrl: live.url, auth: { user: ADMIN.user, password: ADMIN.password } });

  it("answers {data, warnings, dataOffset} typed by the result schemas", async () => {
    const cb = admin();
    const { accountId } = await makeAccount(live);
    const externalId = unique("grp");
    const created = await cb.createAgentGroup({
      agentGroup: { externalId, intensity: 3 },
      parent: { internalId: accountId },
    });
    const group = created.data[0];
    assert.ok(group);
    // Typed: a number and a string, not unknown.
    const intensity: number = group.intensity;
    const mode: "Standard" | "Enhanced" | "Remote" = group.mode;
    assert.equal(intensity, 3);
    assert.equal(mode, "Standard");
    assert.equal(group.externalId, externalId);
    assert.deepEqual(created.warnings, []);
    const listed = await cb.listAgentGroupStates({ org: { internalId: accountId }, options: { limit: 10 } });
    assert.equal(listed.dataOffset, 0);
    assert.deepEqual(
      listed.data.map((s) => s.agentGroup.internalId),
      [group.internalId],
    );
  });

  it("methods without arguments take no input, and a bearer token works as auth", async () => {
    const session = (
      await createClient({ baseUrl: live.url }).createSession({ externalId: ADMIN.user, password: ADMIN.password })
    ).data[0];
    assert.ok(session?.internalId);
    const cb = createClient({ baseUrl: live.url, auth: { token: session.internalId } });
    const current = await cb.showCurrentSession();
    assert.equal(current.data[0]?.user.externalId, ADMIN.user);
    assert.deepEqual((await cb.deleteSession()).data, []);
  });

  it("returns partial success as warnings", async () => {
    const { accountId } = await makeAccount(live);
    const good = uniqueEmail();
    const reply = await admin().createUsers({
      users: [
        { externalId: good, firstName: "A", lastName: "B", roles: ["Agent"] },
        { externalId: "not a login", firstName: "C", lastName: "D", roles: ["Agent"] },
      ],
      org: { internalId: accountId },
    });
    assert.deepEqual(
      reply.data.map((u) => u.externalId),
      [good],
    );
    assert.equal(reply.warnings.length, 1);
    assert.equal(reply.warnings[0]?.severity, "Warning");
  });

  it("throws a CallboardError carrying the status and every issue", async () => {
    await assert.rejects(admin().showOrg({ org: { internalId: "missing" } }), (error: unknown) => {
      assert.ok(error instanceof CallboardError);
      assert.equal(error.status, 404);
      assert.equal(error.code, "OBJECT_NOT_EXISTS");
      assert.equal(error.method, "showOrg");
      assert.equal(error.errors.length, 1);
      return true;
    });
    await assert.rejects(createClient({ baseUrl: live.url }).showCurrentSession(), {
      name: "CallboardError",
      status: 401,
      code: "NO_SESSION",
    });
    await assert.rejects(
      createClient({ baseUrl: live.url, auth: { user: ADMIN.user, password: "wrong" } }).listOrgs({
        parent: { internalId: "root" },
      }),
      { status: 401, code: "AUTHENTICATION_FAILURE" },
    );
  });

  it("raw() answers the envelope and the status whatever the errors", async () => {
    const envelope = await admin().raw("noSuchMethod", {});
    assert.equal(envelope.status, 404);
    assert.equal(envelope.errors[0]?.code, "UNKNOWN_METHOD");
  });

  it("a server that is not there is a TransportError", async () => {
    const gone = await fakeServer([]);
    await gone.close();
    await assert.rejects(createClient({ baseUrl: gone.url, retries: 0 }).deleteOrg({ org: {} }), TransportError);
  });
});

describe("the typed client's retries", () => {
  const fast = (url: string) => createClient({ baseUrl: url, retryDelayMs: 5, auth: { user: "u", password: "p" } });
  const found = answer(200, { data: [] });

  it("sends the idempotency key as Idempotency-Key", async () => {
    const server = await fakeServer([found]);
    try {
      await fast(server.url).deleteAgents({ agents: [] }, { idempotencyKey: "import-1-chunk-3" });
      await fast(server.url).deleteAgents({ agents: [] });
      assert.equal(server.seen[0]?.headers["idempotency-key"], "import-1-chunk-3");
      assert.equal(server.seen[1]?.headers["idempotency-key"], undefined);
      assert.equal(server.seen[0]?.headers["content-type"], "application/json");
      assert.match(String(server.seen[0]?.headers.authorization), /^Basic /);
    } finally {
      await server.close();
    }
  });

  it("retries a read-only method after a dropped connection", async () => {
    const server = await fakeServer([hangUp, found]);
    try {
      await fast(server.url).showOrg({ org: { internalId: "x" } });
      assert.equal(server.seen.length, 2);
    } finally {
      await server.close();
    }
  });

  it("does not retry a change sent without an idempotency key after a dropped connection", async () => {
    const server = await fakeServer([hangUp, found]);
    try {
      await assert.rejects(fast(server.url).releaseAgent({ agentState: {} }), TransportError);
      assert.equal(server.seen.length, 1);
    } finally {
      await server.close();
    }
  });

  it("retries a change sent with an idempotency key, with the same key and body", async () => {
    const server = await fakeServer([hangUp, hangUp, found]);
    try {
      await fast(server.url).releaseAgent({ agentState: { internalId: "a1" } }, { idempotencyKey: "k-1" });
      assert.equal(server.seen.length, 3);
      assert.deepEqual(
        server.seen.map((s) => [s.headers["idempotency-key"], s.body]),
        Array(3).fill(["k-1", '{"agentState":{"internalId":"a1"}}']),
      );
    } finally {
      await server.close();
    }
  });

  it("does not retry a change after a proxy's 502, retries a read", async () => {
    const badGateway = (_q: unknown, response: import("node:http").ServerResponse) => {
      response.writeHead(502, { "content-type": "text/html" });
      response.end("<h1>502 Bad Gateway</h1>");
    };
    const server = await fakeServer([badGateway, found, badGateway, found]);
    try {
      await fast(server.url).listOrgs({ parent: {} });
      assert.equal(server.seen.length, 2);
      await assert.rejects(fast(server.url).changeOrg({ org: {} }), { name: "TransportError", status: 502 });
      assert.equal(server.seen.length, 3);
    } finally {
      await server.close();
    }
  });

  it("waits Retry-After on 429, for any method, then answers", async () => {
    const limited = answer(
      429,
      { errors: [{ code: "RATE_LIMITED", type: "Platform", message: "Too many requests", severity: "Error" }] },
      { "retry-after": "1" },
    );
    const server = await fakeServer([limited, found]);
    try {
      const started = Date.now();
      await fast(server.url).changeAgentState({ agentState: {} });
      assert.ok(Date.now() - started >= 950, `waited ${Date.now() - started} ms`);
      assert.equal(server.seen.length, 2);
    } finally {
      await server.close();
    }
  });

  it("retries 503 for any method, and gives up after its retries with the last answer", async () => {
    const closing = answer(503, {
      errors: [{ code: "INTERNAL_ERROR", type: "Platform", message: "Internal error", severity: "Error" }],
    });
    const server = await fakeServer([closing, found]);
    try {
      await fast(server.url).createAgentGroup({ agentGroup: {}, parent: {} });
      assert.equal(server.seen.length, 2);
    } finally {
      await server.close();
    }
    const always = await fakeServer([closing]);
    try {
      await assert.rejects(createClient({ baseUrl: always.url, retries: 2, retryDelayMs: 1 }).deleteOrg({ org: {} }), {
        name: "CallboardError",
        status: 503,
      });
      assert.equal(always.seen.length, 3);
    } finally {
      await always.close();
    }
  });

  it("does not retry an answer with errors (nothing changed, retrying would answer the same)", async () => {
    const server = await fakeServer([
      answer(409, { errors: [{ code: "OBJECT_EXISTS", type: "Protocol", message: "x", severity: "Error" }] }),
    ]);
    try {
      await assert.rejects(fast(server.url).createOrg({ child: {}, parent: {} }), { code: "OBJECT_EXISTS" });
      assert.equal(server.seen.length, 1);
    } finally {
      await server.close();
    }
  });
});
