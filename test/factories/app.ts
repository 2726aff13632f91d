/**
 * A Callboard app on a fresh in-memory database, driven through `app.inject`
 * (the production buildApp, no sockets), with helpers to call methods and to
 * make orgs and users with unique ids.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import pg from "pg";
import { compose, type Runtime } from "../../src/compose.js";
import { loadConfig } from "../../src/config.js";
import type { MethodResult } from "../../src/domain/errors.js";
import type { Clock } from "../../src/services/context.js";
import type { PasswordHasher } from "../../src/services/passwords.js";

export const ADMIN = { user: "admin@callboard.local", password: "admin-password" };

export interface Auth {
  user: string;
  password: string;
}

export interface Reply extends MethodResult<Record<string, unknown>> {
  status: number;
}

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(public time = new Date("2026-03-02T12:00:00.000Z")) {}
  now(): Date {
    return new Date(this.time.getTime());
  }
  advance(ms: number): void {
    this.time = new Date(this.time.getTime() + ms);
  }
  set(iso: string): void {
    this.time = new Date(iso);
  }
}

/** The database tests run on: CALLBOARD_TEST_DATABASE=postgres selects PostgreSQL. */
export const TEST_DATABASE = process.env.CALLBOARD_TEST_DATABASE === "postgres" ? "postgres" : "sqlite";
const PG_URL = process.env.CALLBOARD_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * A fresh schema on the test PostgreSQL server, so every test app starts from an
 * empty database as it does on SQLite. The URL sets it as the search_path.
 */
async function freshPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = unique("cb_");
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`create schema ${schema}`);
  const options = encodeURIComponent(`-c search_path=${schema}`);
  return {
    url: `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}options=${options}`,
    drop: () => admin(`drop schema ${schema} cascade`),
  };
}

export interface TestApp {
  runtime: Runtime;
  /** the database URL when on PostgreSQL, for a second instance */
  databaseUrl?: string | undefined;
  clock?: Clock | undefined;
  call(method: string, body: unknown, auth?: Auth | string | null): Promise<Reply>;
  close(): Promise<void>;
}

export function unique(prefix = "t"): string {
  return `${prefix}${randomBytes(5).toString("hex")}`;
}

export function uniqueEmail(prefix = "user"): string {
  return `${unique(prefix)}@example.com`;
}

export function basic(auth: Auth): string {
  return `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString("base64")}`;
}

export async function startApp(
  options: { env?: Record<string, string>; clock?: Clock; background?: boolean; passwords?: PasswordHasher } = {},
): Promise<TestApp> {
  const postgres = TEST_DATABASE === "postgres" ? await freshPostgres() : undefined;
  const config = loadConfig({
    CALLBOARD_DATA_DIR: ":memory:",
    CALLBOARD_ADMIN_USER: ADMIN.user,
    CALLBOARD_ADMIN_PASSWORD: ADMIN.password,
    CALLBOARD_PASSWORD_HASH_COST: "16",
    CALLBOARD_RATE_LIMIT: "0",
    CALLBOARD_AUTH_FAILURE_LIMIT: "0",
    ...(postgres ? { CALLBOARD_DATABASE_URL: postgres.url } : {}),
    ...options.env,
  });
  const runtime = await compose(config, {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.background === false ? { background: false } : {}),
    ...(options.passwords ? { passwords: options.passwords } : {}),
  });
  return {
    runtime,
    databaseUrl: postgres?.url,
    clock: options.clock,
    async call(method, body, auth = ADMIN) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (typeof auth === "string") headers.authorization = auth;
      else if (auth) headers.authorization = basic(auth);
      const response = await runtime.app.inject({
        method: "POST",
        url: `/api/v1/${method}`,
        headers,
        payload: typeof body === "string" ? body : JSON.stringify(body),
      });
      return { status: response.statusCode, ...(response.json() as MethodResult<Record<string, unknown>>) };
    },
    async close() {
      await runtime.close();
      await postgres?.drop();
    },
  };
}

/**
 * What `make` answers, made in a before hook of the enclosing describe block;
 * the getter answers it from that hook on, so a suite declares its fixture with
 * `const` instead of a `let` assigned in a hook.
 */
function madeBefore<T>(what: string, make: () => Promise<T>): () => T {
  let made: T | undefined;
  before(async () => {
    made = await make();
  });
  return () => {
    if (made === undefined) throw new Error(`${what} is made in a before hook: use it in a test or a later hook`);
    return made;
  };
}

/**
 * The app of one describe block: started before its first test, closed after
 * its last. A `before` the suite adds afterwards runs once the app is up.
 */
export function suiteApp(options: Parameters<typeof startApp>[0] = {}): TestApp {
  const app = madeBefore("the suite's app", () => startApp(options));
  after(() => app().close());
  return {
    get runtime() {
      return app().runtime;
    },
    get databaseUrl() {
      return app().databaseUrl;
    },
    get clock() {
      return app().clock;
    },
    call: (method, body, auth) => app().call(method, body, auth),
    close: () => app().close(),
  };
}

/**
 * Two instances of the server on one database, for the suite: two runtimes on
 * one PostgreSQL schema, or on one SQLite file (two connections, as two
 * processes would have). Calls to `first` and `second` race at the database.
 */
export function suiteInstances(): { first: TestApp; second: TestApp } {
  const made = madeBefore("the suite's instances", async () => {
    const dir = TEST_DATABASE === "sqlite" ? mkdtempSync(join(tmpdir(), "callboard-pair-")) : undefined;
    const first = await startApp(dir ? { env: { CALLBOARD_DATA_DIR: dir } } : {});
    const shared: Record<string, string> = dir
      ? { CALLBOARD_DATA_DIR: dir }
      : { CALLBOARD_DATABASE_URL: first.databaseUrl ?? "" };
    const second = await startApp({ env: shared });
    return { first, second, dir };
  });
  after(async () => {
    const { first, second, dir } = made();
    await second.close();
    await first.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const facade = (pick: (m: ReturnType<typeof made>) => TestApp): TestApp => ({
    get runtime() {
      return pick(made()).runtime;
    },
    get databaseUrl() {
      return pick(made()).databaseUrl;
    },
    get clock() {
      return pick(made()).clock;
    },
    call: (method, body, auth) => pick(made()).call(method, body, auth),
    close: () => pick(made()).close(),
  });
  return { first: facade((m) => m.first), second: facade((m) => m.second) };
}

/** An Account made by `makeAccount`: its id, its Enterprise's, and its externalId. */
export interface Account {
  enterpriseId: string;
  accountId: string;
  account: string;
}

/** An Account of the suite, made in a before hook once `t` is up (see `suiteApp`). */
export function suiteAccount(t: TestApp): Account {
  const made = madeBefore("the suite's Account", () => makeAccount(t));
  return {
    get enterpriseId() {
      return made().enterpriseId;
    },
    get accountId() {
      return made().accountId;
    },
    get account() {
      return made().account;
    },
  };
}

/** An Enterprise and an Account under root, made by the bootstrap administrator. */
export async function makeAccount(t: TestApp): Promise<Account> {
  const enterprise = await t.call("createOrg", {
    child: { externalId: unique("ent"), type: "Enterprise" },
    parent: { internalId: "root" },
  });
  const enterpriseId = (enterprise.data[0] as { internalId: string }).internalId;
  const account = unique("acc");
  const created = await t.call("createOrg", {
    child: { externalId: account, type: "Account" },
    parent: { internalId: enterpriseId },
  });
  return { enterpriseId, accountId: (created.data[0] as { internalId: string }).internalId, account };
}

/** A user with the given roles in an org; answers its credentials. */
export async function makeUser(t: TestApp, orgId: string, roles: string[], externalId = uniqueEmail()): Promise<Auth> {
  const password = "password-1";
  const reply = await t.call("createUsers", {
    users: [{ externalId, firstName: "Test", lastName: "User", roles, password }],
    org: { internalId: orgId },
  });
  if (reply.errors.length || reply.warnings.length) throw new Error(`makeUser failed: ${JSON.stringify(reply)}`);
  return { user: externalId, password };
}
