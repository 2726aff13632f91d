import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, DEFAULT_LIMITS, loadConfig } from "../../src/config.js";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail("expected a ConfigError");
}

describe("loadConfig", () => {
  it("has the defaults of SPEC §8", () => {
    const config = loadConfig({});
    assert.deepEqual(config, {
      port: 7340,
      host: "127.0.0.1",
      dataDir: "./data",
      databaseUrl: undefined,
      adminUser: "admin@callboard.local",
      adminPassword: undefined,
      sync: "normal",
      logLevel: "info",
      bodyLimit: 2 * 1024 * 1024,
      requestTimeoutMs: 30_000,
      sessionTtlSeconds: 12 * 3600,
      credentialCacheMs: 60_000,
      passwordHashCost: 16384,
      rateLimit: 10_000,
      authFailureLimit: 30,
      eventRetentionDays: 7,
      defaultLeaseSeconds: 0,
      holdAfterCommitMs: 0,
      limits: { ...DEFAULT_LIMITS },
    });
    assert.deepEqual(DEFAULT_LIMITS, {
      bulkItems: 1000,
      agentsPerAccount: 1000,
      agentGroupsPerAccount: 50,
      scheduleGroupsPerAgentGroup: 50,
      stringBytes: 100_000,
      listResults: 1000,
      enterprisesPerSuperEnterprise: 50,
      accountsPerEnterprise: 500,
    });
  });

  it("treats empty values as unset", () => {
    const config = loadConfig({
      CALLBOARD_PORT: "",
      CALLBOARD_HOST: "",
      CALLBOARD_DATABASE_URL: "",
      CALLBOARD_SYNC: "",
    });
    assert.equal(config.port, 7340);
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.sync, "normal");
  });

  it("reads every variable", () => {
    const config = loadConfig({
      CALLBOARD_PORT: "8080",
      CALLBOARD_HOST: "0.0.0.0",
      CALLBOARD_DATA_DIR: "/var/lib/callboard",
      CALLBOARD_DATABASE_URL: "postgresql://cb@db:5432/callboard",
      CALLBOARD_ADMIN_USER: "+1 800 682 5327",
      CALLBOARD_ADMIN_PASSWORD: "secret",
      CALLBOARD_SYNC: "full",
      CALLBOARD_LOG_LEVEL: "warn",
      CALLBOARD_BODY_LIMIT: "4096",
      CALLBOARD_REQUEST_TIMEOUT_MS: "5000",
      CALLBOARD_SESSION_TTL: "3600",
      CALLBOARD_CREDENTIAL_CACHE_MS: "0",
      CALLBOARD_PASSWORD_HASH_COST: "1024",
      CALLBOARD_RATE_LIMIT: "0",
      CALLBOARD_AUTH_FAILURE_LIMIT: "5",
      CALLBOARD_EVENT_RETENTION_DAYS: "30",
      CALLBOARD_DEFAULT_LEASE_SECONDS: "120",
      CALLBOARD_MAX_BULK_ITEMS: "10",
      CALLBOARD_MAX_AGENTS_PER_ACCOUNT: "11",
      CALLBOARD_MAX_AGENT_GROUPS_PER_ACCOUNT: "12",
      CALLBOARD_MAX_SCHEDULE_GROUPS_PER_AGENT_GROUP: "13",
      CALLBOARD_MAX_STRING_BYTES: "14",
      CALLBOARD_MAX_LIST_RESULTS: "15",
      CALLBOARD_MAX_ENTERPRISES: "16",
      CALLBOARD_MAX_ACCOUNTS_PER_ENTERPRISE: "17",
    });
    assert.deepEqual(config, {
      port: 8080,
      host: "0.0.0.0",
      dataDir: "/var/lib/callboard",
      databaseUrl: "postgresql://cb@db:5432/callboard",
      adminUser: "+1 800 682 5327",
      adminPassword: "secret",
      sync: "full",
      logLevel: "warn",
      bodyLimit: 4096,
      requestTimeoutMs: 5000,
      sessionTtlSeconds: 3600,
      credentialCacheMs: 0,
      passwordHashCost: 1024,
      rateLimit: 0,
      authFailureLimit: 5,
      eventRetentionDays: 30,
      defaultLeaseSeconds: 120,
      holdAfterCommitMs: 0,
      limits: {
        bulkItems: 10,
        agentsPerAccount: 11,
        agentGroupsPerAccount: 12,
        scheduleGroupsPerAgentGroup: 13,
        stringBytes: 14,
        listResults: 15,
        enterprisesPerSuperEnterprise: 16,
        accountsPerEnterprise: 17,
      },
    });
  });

  it("is frozen all the way down", () => {
    const config = loadConfig({});
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.limits));
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
  });

  it("does not read process.env when given an environment", () => {
    const saved = process.env.CALLBOARD_PORT;
    process.env.CALLBOARD_PORT = "1234";
    try {
      assert.equal(loadConfig({}).port, 7340);
    } finally {
      if (saved === undefined) delete process.env.CALLBOARD_PORT;
      else process.env.CALLBOARD_PORT = saved;
    }
  });

  it("reports every invalid value together in one ConfigError", () => {
    const problems = problemsOf({
      CALLBOARD_PORT: "http",
      CALLBOARD_SYNC: "sometimes",
      CALLBOARD_LOG_LEVEL: "loud",
      CALLBOARD_DATABASE_URL: "mysql://db/callboard",
      CALLBOARD_ADMIN_USER: "admin",
      CALLBOARD_BODY_LIMIT: "10",
      CALLBOARD_PASSWORD_HASH_COST: "1000",
      CALLBOARD_SESSION_TTL: "-5",
      CALLBOARD_MAX_BULK_ITEMS: "0",
    });
    const named = problems.map((problem) => problem.split(" ")[0]);
    assert.deepEqual(named.sort(), [
      "CALLBOARD_ADMIN_USER",
      "CALLBOARD_BODY_LIMIT",
      "CALLBOARD_DATABASE_URL",
      "CALLBOARD_LOG_LEVEL",
      "CALLBOARD_MAX_BULK_ITEMS",
      "CALLBOARD_PASSWORD_HASH_COST",
      "CALLBOARD_PORT",
      "CALLBOARD_SESSION_TTL",
      "CALLBOARD_SYNC",
    ]);
    const error = (() => {
      try {
        loadConfig({ CALLBOARD_PORT: "http", CALLBOARD_SYNC: "sometimes" });
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    assert.match(error?.message ?? "", /CALLBOARD_PORT[\s\S]*CALLBOARD_SYNC/, "the message lists them all");
  });

  it("accepts only whole numbers in range", () => {
    for (const value of ["1e3", "0x1F", "80.5", "-1", "65536", "99999999999999999999", " ", "8080a"]) {
      assert.equal(problemsOf({ CALLBOARD_PORT: value }).length, 1, JSON.stringify(value));
    }
    assert.equal(loadConfig({ CALLBOARD_PORT: "0" }).port, 0, "0 asks for any free port");
    assert.equal(loadConfig({ CALLBOARD_PORT: "65535" }).port, 65535);
  });

  it("asks for a power of two as the scrypt cost, reported once", () => {
    assert.equal(loadConfig({ CALLBOARD_PASSWORD_HASH_COST: "16" }).passwordHashCost, 16);
    assert.deepEqual(problemsOf({ CALLBOARD_PASSWORD_HASH_COST: "24" }), [
      "CALLBOARD_PASSWORD_HASH_COST must be a power of two",
    ]);
    assert.equal(problemsOf({ CALLBOARD_PASSWORD_HASH_COST: "many" }).length, 1);
  });

  it("accepts postgres:// and postgresql:// database URLs only", () => {
    assert.equal(loadConfig({ CALLBOARD_DATABASE_URL: "postgres://h/db" }).databaseUrl, "postgres://h/db");
    assert.equal(problemsOf({ CALLBOARD_DATABASE_URL: "sqlite:///tmp/x.db" }).length, 1);
  });

  it("accepts an email or a phone number as the administrator's login", () => {
    assert.equal(loadConfig({ CALLBOARD_ADMIN_USER: "Root@Example.com" }).adminUser, "Root@Example.com");
    assert.equal(problemsOf({ CALLBOARD_ADMIN_USER: "root" }).length, 1);
  });
});
