/**
 * Idempotency-Key (SPEC §1), on the test database (SQLite, or PostgreSQL from
 * test/postgres): the first successful response per (caller, key) is stored
 * with the change and replayed; another body → 409 OBJECT_EXISTS; a repeat
 * while the first runs → 409 INVALID_STATE with Retry-After; errors are not
 * stored; two instances on one database share the keys. createSession takes
 * a key too: scoped to the user its password authenticates, checked after the
 * password, replaying the same session while it lives.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { compose, type Runtime } from "../../src/compose.js";
import { loadConfig } from "../../src/config.js";
import { ok } from "../../src/domain/errors.js";
import { answerIdempotently } from "../../src/http/idempotency.js";
import { type PasswordHasher, scryptHasher } from "../../src/services/passwords.js";
import {
  claimKey,
  completeKey,
  type IdempotencyKeyTable,
  KEEP_KEYS_MS,
  pruneKeys,
} from "../../src/storage/idempotency.js";
import {
  ADMIN,
  type Auth,
  basic,
  ManualClock,
  makeAccount,
  makeUser,
  startApp,
  suiteAccount,
  suiteApp,
  TEST_DATABASE,
  type TestApp,
  unique,
  uniqueEmail,
} from "../factories/app.js";
import { userCount } from "../factories/inspect.js";

interface Sent {
  status: number;
  headers: Record<string, string | number | string[] | undefined>;
  text: string;
  body: { data: { internalId?: string }[]; errors: { code: string; context?: string }[]; warnings: unknown[] };
}

async function send(
  runtime: Runtime,
  method: string,
  body: unknown,
  key: string | undefined,
  auth: Auth = ADMIN,
): Promise<Sent> {
  const response = await runtime.app.inject({
    method: "POST",
    url: `/api/v1/${method}`,
    headers: {
      "content-type": "application/json",
      authorization: basic(auth),
      ...(key === undefined ? {} : { "idempotency-key": key }),
    },
    payload: JSON.stringify(body),
  });
  return { status: response.statusCode, headers: response.headers, text: response.body, body: response.json() };
}

/** createSession with a key and no Authorization header; `query` is the URL's, e.g. `?cookie=true`. */
async function signIn(runtime: Runtime, body: unknown, key: string, query = ""): Promise<Sent> {
  const response = await runtime.app.inject({
    method: "POST",
    url: `/api/v1/createSession${query}`,
    headers: { "content-type": "application/json", "idempotency-key": key },
    payload: JSON.stringify(body),
  });
  return { status: response.statusCode, headers: response.headers, text: response.body, body: response.json() };
}

/** The sessions of a login, counted in the database. */
async function sessionsOf(t: TestApp, login: string): Promise<number> {
  const row = await t.runtime.deps.db.q
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("users.login_key", "=", login.toLowerCase())
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const tokenOf = (sent: Sent) => sent.body.data[0]?.internalId ?? "";

async function showSession(t: TestApp, token: string) {
  return t.call("showCurrentSession", {}, `Bearer ${token}`);
}

const enterprise = () => ({ child: { externalId: unique("ent"), type: "Enterprise" }, parent: { internalId: "root" } });

/** A hasher whose hashes wait, once `shut`, until the test opens the gate again. */
function gatedHasher(): PasswordHasher & { shut(): void; open(): void } {
  const inner = scryptHasher(16);
  let gate = Promise.resolve();
  let open: () => void = () => undefined;
  return {
    ...inner,
    async hash(password) {
      await gate;
      return inner.hash(password);
    },
    shut() {
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
    },
    open: () => open(),
  };
}

describe(`Idempotency-Key on ${TEST_DATABASE}`, () => {
  const t = suiteApp();
  const acc = suiteAccount(t);

  it("replays the first response of a repeat, marked, and changes nothing", async () => {
    const key = unique("key-");
    const body = enterprise();
    const first = await send(t.runtime, "createOrg", body, key);
    assert.equal(first.status, 200);
    assert.equal(first.headers["idempotent-replayed"], undefined);
    const again = await send(t.runtime, "createOrg", body, key);
    assert.equal(again.status, 200);
    assert.equal(again.headers["idempotent-replayed"], "true");
    assert.equal(again.text, first.text);
    const listed = await t.call("listOrgs", { parent: { internalId: "root" } });
    const named = listed.data.filter((o) => o.externalId === body.child.externalId);
    assert.equal(named.length, 1);
  });

  it("refuses the key with another body: 409 OBJECT_EXISTS, nothing done", async () => {
    const key = unique("key-");
    assert.equal((await send(t.runtime, "createOrg", enterprise(), key)).status, 200);
    const other = enterprise();
    const refused = await send(t.runtime, "createOrg", other, key);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.errors[0]?.code, "OBJECT_EXISTS");
    assert.match(refused.body.errors[0]?.context ?? "", /another request/);
    const listed = await t.call("listOrgs", { parent: { internalId: "root" } });
    assert.ok(!listed.data.some((o) => o.externalId === other.child.externalId));
  });

  it("keeps keys per caller", async () => {
    const manager = await makeUser(t, acc.enterpriseId, ["Administrator"]);
    const key = unique("key-");
    const mine = {
      users: [{ externalId: uniqueEmail(), firstName: "A", lastName: "B", roles: ["Agent"] }],
      org: { internalId: acc.accountId },
    };
    const theirs = {
      users: [{ externalId: uniqueEmail(), firstName: "C", lastName: "D", roles: ["Agent"] }],
      org: { internalId: acc.accountId },
    };
    assert.equal((await send(t.runtime, "createUsers", mine, key)).status, 200);
    const other = await send(t.runtime, "createUsers", theirs, key, manager);
    assert.equal(other.status, 200);
    assert.equal(other.headers["idempotent-replayed"], undefined);
    assert.equal(other.body.data.length, 1);
  });

  it("refuses a key that is empty, too long or not visible ASCII: 400 ARG_INVALID_DATA", async () => {
    for (const key of ["", "a".repeat(256), "has space", "tab\tbed"]) {
      const before = await userCount(t);
      const body = {
        users: [{ externalId: uniqueEmail(), firstName: "A", lastName: "B" }],
        org: { internalId: acc.accountId },
      };
      const refused = await send(t.runtime, "createUsers", body, key);
      assert.equal(refused.status, 400, JSON.stringify(key));
      assert.equal(refused.body.errors[0]?.code, "ARG_INVALID_DATA");
      assert.equal(await userCount(t), before);
    }
    assert.equal((await send(t.runtime, "createOrg", enterprise(), `${"~".repeat(254)}!`)).status, 200);
  });

  it("does not store a response with errors: the repeat runs again, and may then succeed", async () => {
    const key = unique("key-");
    const child = { externalId: unique("acc"), type: "Account" };
    const missing = await send(t.runtime, "createOrg", { child, parent: { internalId: "nope" } }, key);
    assert.equal(missing.status, 404);
    const again = await send(t.runtime, "createOrg", { child, parent: { internalId: "nope" } }, key);
    assert.equal(again.status, 404);
    assert.equal(again.headers["idempotent-replayed"], undefined);
    const fixed = await send(t.runtime, "createOrg", { child, parent: { internalId: acc.enterpriseId } }, key);
    assert.equal(fixed.status, 200);
  });

  it("stores and replays a success that wrote nothing", async () => {
    const key = unique("key-");
    const options = { db: t.runtime.deps.db, leaseMs: 60_000, holdAfterCommitMs: 0 };
    const call = { caller: "u1", key, method: "changeAgentState" as const, body: { x: 1 }, nowMs: Date.now() };
    let runs = 0;
    const run = async () => {
      runs += 1;
      return ok([{ n: runs }]);
    };
    const first = await answerIdempotently(options, call, run);
    const again = await answerIdempotently(options, call, run);
    assert.equal(runs, 1);
    assert.equal(again.body, first.body);
    assert.equal(again.headers["idempotent-replayed"], "true");
  });
});

describe(`Idempotency-Key on createSession, on ${TEST_DATABASE}`, () => {
  const clock = new ManualClock();
  const t = suiteApp({ clock });
  const acc = suiteAccount(t);
  const credentials = (auth: Auth) => ({ externalId: auth.user, password: auth.password });

  it("replays the same session, marked, and opens no second one; the token is not stored", async () => {
    const user = await makeUser(t, acc.accountId, ["Supervisor"]);
    const key = unique("key-");
    const first = await signIn(t.runtime, credentials(user), key);
    assert.equal(first.status, 200);
    assert.equal(first.headers["idempotent-replayed"], undefined);
    const again = await signIn(t.runtime, credentials(user), key);
    assert.equal(again.status, 200);
    assert.equal(again.headers["idempotent-replayed"], "true");
    assert.equal(again.text, first.text);
    assert.equal(await sessionsOf(t, user.user), 1);
    assert.equal((await showSession(t, tokenOf(again))).status, 200);
    const kept = await t.runtime.deps.db.q
      .withTables<{ idempotency_keys: IdempotencyKeyTable }>()
      .selectFrom("idempotency_keys")
      .selectAll()
      .where("key", "=", key)
      .execute();
    assert.equal(kept.length, 1);
    for (const value of Object.values(kept[0] ?? {})) assert.equal(String(value).includes(tokenOf(first)), false);
  });

  it("sets the session cookie on the replay too", async () => {
    const user = await makeUser(t, acc.accountId, ["Supervisor"]);
    const key = unique("key-");
    const first = await signIn(t.runtime, credentials(user), key, "?cookie=true");
    const again = await signIn(t.runtime, credentials(user), key, "?cookie=true");
    assert.equal(again.headers["idempotent-replayed"], "true");
    const ttl = t.runtime.deps.config.sessionTtlSeconds;
    const expected = `callboard_session=${tokenOf(first)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${ttl}`;
    assert.equal(first.headers["set-cookie"], expected);
    assert.equal(again.headers["set-cookie"], expected);
  });

  it("refuses the key with another body (409 OBJECT_EXISTS) and opens no session", async () => {
    const user = await makeUser(t, acc.accountId, ["Supervisor"]);
    const key = unique("key-");
    assert.equal((await signIn(t.runtime, credentials(user), key)).status, 200);
    // The same user, its login spelled otherwise: another request.
    const refused = await signIn(t.runtime, { ...credentials(user), externalId: user.user.toUpperCase() }, key);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.errors[0]?.code, "OBJECT_EXISTS");
    assert.match(refused.body.errors[0]?.context ?? "", /another request/);
    assert.equal(await sessionsOf(t, user.user), 1);
  });

  it("checks the password first: a wrong one with a known key is 401, no replay", async () => {
    const user = await makeUser(t, acc.accountId, ["Supervisor"]);
    const key = unique("key-");
    const first = await signIn(t.runtime, credentials(user), key);
    const wrong = await signIn(t.runtime, { ...credentials(user), password: "not-the-password" }, key);
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.errors[0]?.code, "AUTHENTICATION_FAILURE");
    assert.equal(wrong.headers["idempotent-replayed"], undefined);
    assert.deepEqual(wrong.body.data, []);
    assert.equal(wrong.text.includes(tokenOf(first)), false);
    assert.equal(await sessionsOf(t, user.user), 1);
  });

  it("keeps the key per user: another user's sign-in with it is no replay of the first's", async () => {
    const one = await makeUser(t, acc.accountId, ["Supervisor"]);
    const other = await makeUser(t, acc.accountId, ["Supervisor"]);
    const key = unique("key-");
    const first = await signIn(t.runtime, credentials(one), key);
    const theirs = await signIn(t.runtime, credentials(other), key);
    assert.equal(theirs.status, 200);
    assert.equal(theirs.headers["idempotent-replayed"], undefined);
    assert.notEqual(tokenOf(theirs), tokenOf(first));
    const shown = await showSession(t, tokenOf(theirs));
    assert.equal((shown.data[0] as { user: { externalId: string } }).user.externalId, other.user);
    assert.equal(await sessionsOf(t, one.user), 1);
    assert.equal(await sessionsOf(t, other.user), 1);
    // The first user's replay is still its own.
    assert.equal((await signIn(t.runtime, credentials(one), key)).text, first.text);
  });

  it("opens a new session when the kept one was deleted or has expired, and replays that one next", async () => {
    const user = await makeUser(t, acc.accountId, ["Supervisor"]);
    const key = unique("key-");
    const first = await signIn(t.runtime, credentials(user), key);
    assert.deepEqual((await t.call("deleteSession", {}, `Bearer ${tokenOf(first)}`)).errors, []);
    const renewed = await signIn(t.runtime, credentials(user), key);
    assert.equal(renewed.status, 200);
    assert.equal(renewed.headers["idempotent-replayed"], undefined);
    assert.notEqual(tokenOf(renewed), tokenOf(first));
    assert.equal((await showSession(t, tokenOf(renewed))).status, 200);
    assert.equal((await signIn(t.runtime, credentials(user), key)).text, renewed.text);

    clock.advance(t.runtime.deps.config.sessionTtlSeconds * 1000 + 1000);
    const later = await signIn(t.runtime, credentials(user), key);
    assert.equal(later.status, 200);
    assert.equal(later.headers["idempotent-replayed"], undefined);
    assert.notEqual(tokenOf(later), tokenOf(renewed));
    assert.equal((await showSession(t, tokenOf(later))).status, 200);
    assert.equal(await sessionsOf(t, user.user), 2, "the expired one and the new one");
  });
});

describe(`Idempotency-Key while the first request runs, on ${TEST_DATABASE}`, () => {
  it("answers a repeat 409 INVALID_STATE with Retry-After, then the stored response", async () => {
    const passwords = gatedHasher();
    const t = await startApp({ passwords });
    try {
      const { accountId } = await makeAccount(t);
      passwords.shut();
      const key = unique("key-");
      const body = {
        users: [{ externalId: uniqueEmail(), firstName: "A", lastName: "B", roles: ["Agent"], password: "password-1" }],
        org: { internalId: accountId },
      };
      const first = send(t.runtime, "createUsers", body, key);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const busy = await send(t.runtime, "createUsers", body, key);
      assert.equal(busy.status, 409);
      assert.equal(busy.body.errors[0]?.code, "INVALID_STATE");
      assert.ok(Number(busy.headers["retry-after"]) >= 1);
      const otherBody = await send(t.runtime, "createUsers", { ...body, users: [] }, key);
      assert.equal(otherBody.body.errors[0]?.code, "OBJECT_EXISTS");
      passwords.open();
      const done = await first;
      assert.equal(done.status, 200);
      const replay = await send(t.runtime, "createUsers", body, key);
      assert.equal(replay.headers["idempotent-replayed"], "true");
      assert.equal(replay.text, done.text);
    } finally {
      await t.close();
    }
  });

  it("lets a later request take over an abandoned claim; the first then cannot commit", async () => {
    const t = await startApp();
    try {
      const q = t.runtime.deps.db.q;
      const request = { caller: "u", key: unique("k"), requestHash: "h", leaseMs: 1000, keepMs: KEEP_KEYS_MS };
      const first = await claimKey(q, { ...request, nowMs: 0 });
      assert.equal(first.kind, "claimed");
      assert.equal((await claimKey(q, { ...request, nowMs: 500 })).kind, "running");
      const second = await claimKey(q, { ...request, nowMs: 2000 });
      assert.equal(second.kind, "claimed");
      if (first.kind !== "claimed" || second.kind !== "claimed") return;
      assert.equal(await completeKey(q, { caller: "u", key: request.key, token: first.token }, 200, "{}"), false);
      assert.equal(await completeKey(q, { caller: "u", key: request.key, token: second.token }, 200, "{}"), true);
      assert.equal((await claimKey(q, { ...request, nowMs: 3000 })).kind, "replay");
      // kept 24 hours, then pruned; an expired key is claimed afresh
      assert.equal(await pruneKeys(q, KEEP_KEYS_MS, KEEP_KEYS_MS), 0);
      assert.equal((await claimKey(q, { ...request, nowMs: 2000 + KEEP_KEYS_MS + 1 })).kind, "claimed");
      assert.equal(await pruneKeys(q, 2 * KEEP_KEYS_MS + 5000, KEEP_KEYS_MS), 1);
    } finally {
      await t.close();
    }
  });
});

describe(`Idempotency-Key across two instances on one ${TEST_DATABASE} database`, () => {
  it("replays on one instance what the other stored, and refuses a repeat while the other runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "callboard-keys-"));
    const passwords = gatedHasher();
    const first = await startApp({ passwords, env: { CALLBOARD_DATA_DIR: dir } });
    const config = loadConfig({
      CALLBOARD_DATA_DIR: dir,
      CALLBOARD_ADMIN_USER: ADMIN.user,
      CALLBOARD_ADMIN_PASSWORD: ADMIN.password,
      CALLBOARD_PASSWORD_HASH_COST: "16",
      CALLBOARD_RATE_LIMIT: "0",
      CALLBOARD_AUTH_FAILURE_LIMIT: "0",
      ...(first.databaseUrl ? { CALLBOARD_DATABASE_URL: first.databaseUrl } : {}),
    });
    const second = await compose(config);
    try {
      const { accountId } = await makeAccount(first);
      passwords.shut();
      const key = unique("key-");
      const body = {
        users: [{ externalId: uniqueEmail(), firstName: "A", lastName: "B", roles: ["Agent"], password: "password-1" }],
        org: { internalId: accountId },
      };
      const running = send(first.runtime, "createUsers", body, key);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const busy = await send(second, "createUsers", body, key);
      assert.equal(busy.status, 409);
      assert.equal(busy.body.errors[0]?.code, "INVALID_STATE");
      passwords.open();
      const done = await running;
      assert.equal(done.status, 200);
      const replay = await send(second, "createUsers", body, key);
      assert.equal(replay.status, 200);
      assert.equal(replay.headers["idempotent-replayed"], "true");
      assert.equal(replay.text, done.text);
      const enterpriseBody = enterprise();
      const k2 = unique("key-");
      const made = await send(second, "createOrg", enterpriseBody, k2);
      const replayed = await send(first.runtime, "createOrg", enterpriseBody, k2);
      assert.equal(replayed.headers["idempotent-replayed"], "true");
      assert.equal(replayed.text, made.text);
    } finally {
      await second.close();
      await first.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
