/**
 * Sessions and authentication (SPEC §2) through the production buildApp:
 * createSession, showCurrentSession, deleteSession, Basic and Bearer
 * credentials, expiry on the test's clock, and tokens stored only hashed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Auth, Reply, TestApp } from "../factories/app.js";
import { ADMIN, basic, ManualClock, makeAccount, makeUser, startApp, suiteApp, uniqueEmail } from "../factories/app.js";

interface SessionOut {
  internalId: string | null;
  expires: string | null;
  user: { externalId: string; roles: string[]; org: { internalId: string } };
}

const session = (reply: Reply) => reply.data[0] as unknown as SessionOut;
const bearer = (token: string) => `Bearer ${token}`;
const codes = (reply: Reply) => reply.errors.map((e) => e.code);

/**
 * A user written straight into the users table: the identity methods belong to
 * another suite, and a disabled user cannot be made through the API before
 * changeUser exists.
 */
async function insertUser(t: TestApp, options: { loginEnabled: boolean }): Promise<Auth> {
  const { deps } = t.runtime;
  const externalId = uniqueEmail("session");
  const password = "session-password";
  const now = deps.clock.now().toISOString();
  await deps.db.q
    .insertInto("users")
    .values({
      id: deps.newId(),
      external_id: externalId,
      login_key: externalId.toLowerCase(),
      org_id: "root",
      org_path: "/root/",
      login_enabled: options.loginEnabled ? 1 : 0,
      first_name: "Session",
      last_name: "Tester",
      email: externalId.toLowerCase(),
      time_zone: null,
      locale: null,
      roles: JSON.stringify(["Agent"]),
      default_phone_number: null,
      attributes: "[]",
      preferences: "[]",
      password_hash: await deps.passwords.hash(password),
      created_at: now,
      updated_at: now,
      created_by: null,
      modified_by: null,
    })
    .execute();
  return { user: externalId, password };
}

async function signIn(t: TestApp, auth: Auth = ADMIN): Promise<string> {
  const reply = await t.call("createSession", { externalId: auth.user, password: auth.password }, null);
  assert.equal(reply.status, 200, JSON.stringify(reply.errors));
  const token = session(reply).internalId;
  assert.ok(token);
  return token;
}

describe("sessions", () => {
  const clock = new ManualClock();
  const t = suiteApp({ clock });

  describe("createSession", () => {
    it("returns a session whose internalId is a bearer token", async () => {
      const reply = await t.call("createSession", { externalId: ADMIN.user, password: ADMIN.password }, null);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.errors, []);
      assert.equal(reply.data.length, 1);
      const created = session(reply);
      assert.equal(typeof created.internalId, "string");
      assert.ok((created.internalId ?? "").length >= 32, "a token long enough not to be guessed");
      const ttl = t.runtime.deps.config.sessionTtlSeconds;
      assert.equal(created.expires, new Date(clock.now().getTime() + ttl * 1000).toISOString());
      assert.equal(created.user.externalId, ADMIN.user);
      assert.deepEqual(created.user.roles, ["Administrator"]);
      assert.equal("password" in created.user, false, "the password is write-only");

      const shown = await t.call("showCurrentSession", {}, bearer(created.internalId ?? ""));
      assert.equal(shown.status, 200);
      assert.deepEqual(session(shown), created, "the same session, token included");
    });

    it("compares an email login case-insensitively", async () => {
      const reply = await t.call(
        "createSession",
        { externalId: ADMIN.user.toUpperCase(), password: ADMIN.password },
        null,
      );
      assert.equal(reply.status, 200);
    });

    it("gives every sign-in its own token", async () => {
      assert.notEqual(await signIn(t), await signIn(t));
    });

    it("answers 401 AUTHENTICATION_FAILURE for a wrong password, an unknown or a disabled user", async () => {
      const disabled = await insertUser(t, { loginEnabled: false });
      const attempts = [
        { externalId: ADMIN.user, password: "wrong" },
        { externalId: ADMIN.user, password: "" },
        { externalId: uniqueEmail("nobody"), password: ADMIN.password },
        { externalId: "not a login", password: "x" },
        { externalId: disabled.user, password: disabled.password },
      ];
      for (const body of attempts) {
        const reply = await t.call("createSession", body, null);
        assert.equal(reply.status, 401, JSON.stringify(body));
        assert.deepEqual(codes(reply), ["AUTHENTICATION_FAILURE"], JSON.stringify(body));
        assert.deepEqual(reply.data, []);
      }
    });

    it("does not tell an unknown user from a wrong password", async () => {
      const unknown = await t.call("createSession", { externalId: uniqueEmail("nobody"), password: "x" }, null);
      const wrong = await t.call("createSession", { externalId: ADMIN.user, password: "x" }, null);
      assert.deepEqual(unknown, wrong);
    });

    it("answers ARG_NULL for missing arguments", async () => {
      const reply = await t.call("createSession", {}, null);
      assert.equal(reply.status, 400);
      assert.deepEqual(
        reply.errors.map((e) => [e.code, e.argumentIndex]),
        [
          ["ARG_NULL", 0],
          ["ARG_NULL", 1],
        ],
      );
      const one = await t.call("createSession", { externalId: ADMIN.user }, null);
      assert.deepEqual(
        one.errors.map((e) => [e.code, e.argumentIndex]),
        [["ARG_NULL", 1]],
      );
    });

    it("stores the token only hashed", async () => {
      const token = await signIn(t);
      const rows = await t.runtime.deps.db.q.selectFrom("sessions").selectAll().execute();
      assert.ok(rows.length > 0);
      for (const row of rows) {
        for (const value of Object.values(row)) assert.equal(String(value).includes(token), false);
      }
    });
  });

  describe("showCurrentSession", () => {
    it("with Basic credentials, answers the user and no token", async () => {
      const reply = await t.call("showCurrentSession", {});
      assert.equal(reply.status, 200);
      const shown = session(reply);
      assert.equal(shown.internalId, null);
      assert.equal(shown.expires, null);
      assert.equal(shown.user.externalId, ADMIN.user);
      assert.equal(shown.user.org.internalId, "root");
    });

    it("with a Bearer token, answers that session", async () => {
      const token = await signIn(t);
      const reply = await t.call("showCurrentSession", {}, `bearer   ${token}`);
      assert.equal(reply.status, 200, "the scheme is case-insensitive");
      assert.equal(session(reply).internalId, token);
    });

    it("answers 401 NO_SESSION without credentials", async () => {
      for (const header of [null, "", "   "]) {
        const reply = await t.call("showCurrentSession", {}, header);
        assert.equal(reply.status, 401, JSON.stringify(header));
        assert.deepEqual(codes(reply), ["NO_SESSION"]);
      }
    });

    it("answers 401 AUTHENTICATION_FAILURE for a garbage Authorization header", async () => {
      const headers = [
        "garbage",
        "Bearer",
        "Bearer not-a-token",
        "Basic",
        "Basic !!!!",
        `Basic ${Buffer.from("no-colon").toString("base64")}`,
        basic({ user: ADMIN.user, password: "wrong" }),
        `Token ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString("base64")}`,
        `Digest username="${ADMIN.user}"`,
      ];
      for (const header of headers) {
        const reply = await t.call("showCurrentSession", {}, header);
        assert.equal(reply.status, 401, header);
        assert.deepEqual(codes(reply), ["AUTHENTICATION_FAILURE"], header);
      }
    });

    it("refuses Basic credentials of a disabled user", async () => {
      const disabled = await insertUser(t, { loginEnabled: false });
      const reply = await t.call("showCurrentSession", {}, disabled);
      assert.equal(reply.status, 401);
      assert.deepEqual(codes(reply), ["AUTHENTICATION_FAILURE"]);
    });

    it("lets an Agent see its own session", async () => {
      const agent = await insertUser(t, { loginEnabled: true });
      const reply = await t.call("showCurrentSession", {}, agent);
      assert.equal(reply.status, 200);
      assert.equal(session(reply).user.externalId, agent.user);
    });
  });

  describe("deleteSession", () => {
    it("ends the caller's session: its token then gets 401", async () => {
      const token = await signIn(t);
      const other = await signIn(t);
      assert.equal((await t.call("showCurrentSession", {}, bearer(token))).status, 200, "warms the credential cache");

      const reply = await t.call("deleteSession", {}, bearer(token));
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.data, []);
      assert.deepEqual(reply.errors, []);

      const after = await t.call("showCurrentSession", {}, bearer(token));
      assert.equal(after.status, 401);
      assert.deepEqual(codes(after), ["AUTHENTICATION_FAILURE"]);
      assert.equal((await t.call("deleteSession", {}, bearer(token))).status, 401);
      assert.equal((await t.call("showCurrentSession", {}, bearer(other))).status, 200, "other sessions remain");
    });

    it("answers 401 NO_SESSION when the call came with Basic credentials", async () => {
      const reply = await t.call("deleteSession", {});
      assert.equal(reply.status, 401);
      assert.deepEqual(codes(reply), ["NO_SESSION"]);
    });
  });

  describe("expiry", () => {
    it("refuses a token once CALLBOARD_SESSION_TTL has passed", async () => {
      const token = await signIn(t);
      const ttlMs = t.runtime.deps.config.sessionTtlSeconds * 1000;
      clock.advance(ttlMs - 1000);
      assert.equal((await t.call("showCurrentSession", {}, bearer(token))).status, 200, "still valid");
      clock.advance(2000);
      const expired = await t.call("showCurrentSession", {}, bearer(token));
      assert.equal(expired.status, 401);
      assert.deepEqual(codes(expired), ["AUTHENTICATION_FAILURE"]);
      assert.equal((await t.call("showCurrentSession", {})).status, 200, "Basic credentials do not expire");
    });
  });
});

describe("session lifetime configuration", () => {
  it("uses CALLBOARD_SESSION_TTL", async () => {
    const clock = new ManualClock();
    const t = await startApp({ clock, env: { CALLBOARD_SESSION_TTL: "60" } });
    try {
      const reply = await t.call("createSession", { externalId: ADMIN.user, password: ADMIN.password }, null);
      assert.equal(session(reply).expires, new Date(clock.now().getTime() + 60_000).toISOString());
      clock.advance(61_000);
      const expired = await t.call("showCurrentSession", {}, bearer(session(reply).internalId ?? ""));
      assert.equal(expired.status, 401);
    } finally {
      await t.close();
    }
  });
});

describe("failed sign-ins", () => {
  const inject = (t: TestApp, auth: Auth | null, body: unknown, address: string, method = "showCurrentSession") =>
    t.runtime.app.inject({
      method: "POST",
      url: `/api/v1/${method}`,
      remoteAddress: address,
      headers: { "content-type": "application/json", ...(auth ? { authorization: basic(auth) } : {}) },
      payload: JSON.stringify(body),
    });

  it("after CALLBOARD_AUTH_FAILURE_LIMIT failures for a login even its good credentials get 429 until the bucket refills", async () => {
    const t = await startApp({ env: { CALLBOARD_AUTH_FAILURE_LIMIT: "3" } });
    try {
      const wrong = { user: ADMIN.user, password: "not-the-password" };
      // a third of the limit from one address, the rest from others: the login's bucket
      assert.equal((await inject(t, wrong, {}, "10.0.0.1")).statusCode, 401);
      const session = await inject(t, null, { externalId: ADMIN.user, password: "nope" }, "10.0.0.2", "createSession");
      assert.equal(session.statusCode, 401);
      assert.equal((await inject(t, wrong, {}, "10.0.0.3")).statusCode, 401);
      const blocked = await inject(t, ADMIN, {}, "10.0.0.4");
      assert.equal(blocked.statusCode, 429);
      assert.equal(blocked.json().errors[0].code, "RATE_LIMITED");
      assert.ok(Number(blocked.headers["retry-after"]) >= 1);
    } finally {
      await t.close();
    }
  });

  it("guessing at one login from an address does not keep another user behind it out", async () => {
    const t = await startApp({ env: { CALLBOARD_AUTH_FAILURE_LIMIT: "30" } });
    try {
      const { accountId } = await makeAccount(t);
      const victim = await makeUser(t, accountId, ["Agent"]);
      const bystander = await makeUser(t, accountId, ["Agent"]);
      const guesses = [];
      for (let i = 0; i < 40; i++)
        guesses.push((await inject(t, { ...victim, password: `guess-${i}` }, {}, "10.1.1.1")).statusCode);
      assert.deepEqual([...new Set(guesses)], [401, 429], "the guessing is throttled");
      assert.equal((await inject(t, bystander, {}, "10.1.1.1")).statusCode, 200, "a bystander at that address");
      const session = await inject(
        t,
        null,
        { externalId: bystander.user, password: bystander.password },
        "10.1.1.1",
        "createSession",
      );
      assert.equal(session.statusCode, 200);
      assert.equal((await inject(t, victim, {}, "10.2.2.2")).statusCode, 200, "the victim from elsewhere");
    } finally {
      await t.close();
    }
  });

  it("a spray of many logins from an address keeps out neither the users who signed in there nor anyone elsewhere", async () => {
    const t = await startApp({ env: { CALLBOARD_AUTH_FAILURE_LIMIT: "3" } });
    try {
      const { accountId } = await makeAccount(t);
      const regular = await makeUser(t, accountId, ["Agent"]);
      const newcomer = await makeUser(t, accountId, ["Agent"]);
      assert.equal((await inject(t, regular, {}, "10.3.3.3")).statusCode, 200);
      const sprayed = [];
      for (let i = 0; i < 40; i++)
        sprayed.push((await inject(t, { user: `spray${i}@example.com`, password: "x" }, {}, "10.3.3.3")).statusCode);
      assert.ok(sprayed.includes(429), "the spray is throttled by the address bucket");
      assert.equal(
        (await inject(t, regular, {}, "10.3.3.3")).statusCode,
        200,
        "a user who signed in from there before",
      );
      assert.equal((await inject(t, newcomer, {}, "10.4.4.4")).statusCode, 200, "anyone elsewhere");
    } finally {
      await t.close();
    }
  });

  it("successful calls do not count", async () => {
    const t = await startApp({ env: { CALLBOARD_AUTH_FAILURE_LIMIT: "2" } });
    try {
      for (let i = 0; i < 5; i++) assert.equal((await t.call("showCurrentSession", {})).status, 200);
    } finally {
      await t.close();
    }
  });
});
