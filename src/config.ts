/**
 * The configuration (SPEC §8), read from the environment once, validated as a
 * whole (every problem reported together), and frozen. Nothing else reads
 * process.env.
 */
import { MAX_LEASE_SECONDS } from "./domain/lease.js";
import { normalizeLogin } from "./domain/text.js";

export interface Limits {
  /** items per bulk call (createAgents, createUsers, deleteAgents, deleteUsers) */
  bulkItems: number;
  agentsPerAccount: number;
  agentGroupsPerAccount: number;
  scheduleGroupsPerAgentGroup: number;
  /** bytes of an agent or user string */
  stringBytes: number;
  /** results of one list call without paging */
  listResults: number;
  enterprisesPerSuperEnterprise: number;
  accountsPerEnterprise: number;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  adminUser: string;
  adminPassword: string | undefined;
  sync: "normal" | "full";
  logLevel: string;
  /** bytes of a request body */
  bodyLimit: number;
  requestTimeoutMs: number;
  sessionTtlSeconds: number;
  /** how long verified credentials are remembered */
  credentialCacheMs: number;
  /** scrypt N */
  passwordHashCost: number;
  /** requests per second per caller; 0 turns the limit off */
  rateLimit: number;
  /** failed sign-ins per minute per login before 429 (a third of it per address and login, ten times per address); 0 turns the limit off */
  authFailureLimit: number;
  eventRetentionDays: number;
  /** the lease of an acquisition when acquireAgent names none; 0: held until released */
  defaultLeaseSeconds: number;
  /** tests only (CALLBOARD_TEST_HOLD_AFTER_COMMIT_MS): an idempotent call waits this long between its commit and its answer */
  holdAfterCommitMs: number;
  limits: Limits;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({
  bulkItems: 1000,
  agentsPerAccount: 1000,
  agentGroupsPerAccount: 50,
  scheduleGroupsPerAgentGroup: 50,
  stringBytes: 100_000,
  listResults: 1000,
  enterprisesPerSuperEnterprise: 50,
  accountsPerEnterprise: 500,
});

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
      return fallback;
    }
    return value;
  };
  const choice = <T extends string>(name: string, fallback: T, allowed: readonly T[]): T => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      problems.push(`${name} must be one of ${allowed.join(", ")}, got '${raw}'`);
      return fallback;
    }
    return raw as T;
  };
  const databaseUrl = env.CALLBOARD_DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push("CALLBOARD_DATABASE_URL must be a postgres:// URL");
  }
  // Checked here, not at bootstrap, so that a bad value is reported with the
  // others instead of failing the first start half-way.
  const adminUser = env.CALLBOARD_ADMIN_USER || "admin@callboard.local";
  if (!normalizeLogin(adminUser)) {
    problems.push(`CALLBOARD_ADMIN_USER must be an email address or a phone number, got '${adminUser}'`);
  }
  const costText = env.CALLBOARD_PASSWORD_HASH_COST;
  const passwordHashCost = int("CALLBOARD_PASSWORD_HASH_COST", 16384, 2, 1 << 20);
  if (costText && (passwordHashCost & (passwordHashCost - 1)) !== 0) {
    problems.push("CALLBOARD_PASSWORD_HASH_COST must be a power of two");
  }
  const config: Config = {
    port: int("CALLBOARD_PORT", 7340, 0, 65535),
    host: env.CALLBOARD_HOST || "127.0.0.1",
    dataDir: env.CALLBOARD_DATA_DIR || "./data",
    databaseUrl,
    adminUser,
    adminPassword: env.CALLBOARD_ADMIN_PASSWORD || undefined,
    sync: choice("CALLBOARD_SYNC", "normal", ["normal", "full"] as const),
    logLevel: choice("CALLBOARD_LOG_LEVEL", "info", [
      "fatal",
      "error",
      "warn",
      "info",
      "debug",
      "trace",
      "silent",
    ] as const),
    bodyLimit: int("CALLBOARD_BODY_LIMIT", 2 * 1024 * 1024, 1024),
    requestTimeoutMs: int("CALLBOARD_REQUEST_TIMEOUT_MS", 30_000, 1000),
    sessionTtlSeconds: int("CALLBOARD_SESSION_TTL", 12 * 3600, 60),
    credentialCacheMs: int("CALLBOARD_CREDENTIAL_CACHE_MS", 60_000, 0),
    passwordHashCost,
    rateLimit: int("CALLBOARD_RATE_LIMIT", 10_000, 0),
    authFailureLimit: int("CALLBOARD_AUTH_FAILURE_LIMIT", 30, 0),
    eventRetentionDays: int("CALLBOARD_EVENT_RETENTION_DAYS", 7, 1),
    defaultLeaseSeconds: int("CALLBOARD_DEFAULT_LEASE_SECONDS", 0, 0, MAX_LEASE_SECONDS),
    holdAfterCommitMs: int("CALLBOARD_TEST_HOLD_AFTER_COMMIT_MS", 0, 0),
    limits: {
      bulkItems: int("CALLBOARD_MAX_BULK_ITEMS", DEFAULT_LIMITS.bulkItems, 1),
      agentsPerAccount: int("CALLBOARD_MAX_AGENTS_PER_ACCOUNT", DEFAULT_LIMITS.agentsPerAccount, 1),
      agentGroupsPerAccount: int("CALLBOARD_MAX_AGENT_GROUPS_PER_ACCOUNT", DEFAULT_LIMITS.agentGroupsPerAccount, 1),
      scheduleGroupsPerAgentGroup: int(
        "CALLBOARD_MAX_SCHEDULE_GROUPS_PER_AGENT_GROUP",
        DEFAULT_LIMITS.scheduleGroupsPerAgentGroup,
        1,
      ),
      stringBytes: int("CALLBOARD_MAX_STRING_BYTES", DEFAULT_LIMITS.stringBytes, 1),
      listResults: int("CALLBOARD_MAX_LIST_RESULTS", DEFAULT_LIMITS.listResults, 1),
      enterprisesPerSuperEnterprise: int("CALLBOARD_MAX_ENTERPRISES", DEFAULT_LIMITS.enterprisesPerSuperEnterprise, 1),
      accountsPerEnterprise: int("CALLBOARD_MAX_ACCOUNTS_PER_ENTERPRISE", DEFAULT_LIMITS.accountsPerEnterprise, 1),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) if (inner && typeof inner === "object") deepFreeze(inner);
  return Object.freeze(value);
}
