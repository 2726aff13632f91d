/**
 * SYSTEM_LIMIT_EXCEEDED that says what to do: which limit, its value, and the
 * setting that raises it ("agents (1,000 per Account; CALLBOARD_MAX_AGENTS_PER_ACCOUNT)").
 */
import type { Limits } from "../config.js";
import { type Issue, type IssueDetails, issue, type Severity } from "../domain/errors.js";

type CountedLimit = Exclude<keyof Limits, "bulkItems" | "stringBytes" | "listResults">;

const DESCRIBED: Record<CountedLimit, { what: string; per: string; setting: string }> = {
  agentsPerAccount: { what: "agents", per: "Account", setting: "CALLBOARD_MAX_AGENTS_PER_ACCOUNT" },
  agentGroupsPerAccount: { what: "agent groups", per: "Account", setting: "CALLBOARD_MAX_AGENT_GROUPS_PER_ACCOUNT" },
  scheduleGroupsPerAgentGroup: {
    what: "schedule groups",
    per: "agent group",
    setting: "CALLBOARD_MAX_SCHEDULE_GROUPS_PER_AGENT_GROUP",
  },
  enterprisesPerSuperEnterprise: { what: "enterprises", per: "SuperEnterprise", setting: "CALLBOARD_MAX_ENTERPRISES" },
  accountsPerEnterprise: { what: "accounts", per: "Enterprise", setting: "CALLBOARD_MAX_ACCOUNTS_PER_ENTERPRISE" },
};

/** The limit reached: an error, or the warning of a bulk item that did not fit. */
export function limitIssue(
  name: CountedLimit,
  limits: Limits,
  details: Omit<IssueDetails, "subject"> = {},
  severity: Severity = "Error",
): Issue {
  const { what, per, setting } = DESCRIBED[name];
  const subject = `${what} (${limits[name].toLocaleString("en-US")} per ${per}; ${setting})`;
  return issue("SYSTEM_LIMIT_EXCEEDED", { type: "ContactCenter", ...details, subject }, severity);
}

/** ARG_TOO_LARGE for more agents in one bulk call than CALLBOARD_MAX_BULK_ITEMS allows, or undefined. */
export function tooManyAgents(count: number, limits: Limits): Issue | undefined {
  if (count <= limits.bulkItems) return undefined;
  return issue("ARG_TOO_LARGE", {
    subject: "agents",
    argumentIndex: 0,
    context: `at most ${limits.bulkItems} items (CALLBOARD_MAX_BULK_ITEMS)`,
  });
}
