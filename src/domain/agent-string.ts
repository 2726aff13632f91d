/**
 * The text format of createAgentsUsingString (SPEC §5.2), ours since the
 * original Appendix is lost:
 *
 *   # lines starting with # and blank lines are ignored; LF or CRLF
 *   externalId[,registrationMethod[,currentPhoneNumber[,scheduleGroupExternalId]]]
 *
 * The outer rules (limits, control characters, comments, BOM) are the shared
 * ones of line-records.ts. This only splits fields and flags malformed lines;
 * the values are checked by the service, item by item, like createAgents'.
 */
import { type RecordLimits, splitFields, splitRecords } from "./line-records.js";

export const AGENT_FIELDS = 4;

export interface AgentLine {
  /** 1-based line number in the text, counting comment and blank lines */
  line: number;
  externalId: string;
  /** Each of these is absent when left empty on the line, so initialState applies. */
  registrationMethod?: string;
  currentPhoneNumber?: string;
  scheduleGroup?: string;
}

export interface MalformedLine {
  line: number;
  reason: string;
}

export type AgentStringOutcome =
  | { ok: false; code: "ARG_NULL" | "ARG_TOO_LARGE" | "ARG_INVALID_CHAR"; reason: string }
  | { ok: true; agents: AgentLine[]; malformed: MalformedLine[] };

/**
 * A whole-call failure, or the agents in text order and the malformed lines
 * (each becomes a warning ARG_INVALID_DATA with context "line N").
 */
export function parseAgentString(text: string, limits: RecordLimits): AgentStringOutcome {
  const split = splitRecords(text, limits);
  if (!split.ok) return split;
  const agents: AgentLine[] = [];
  const malformed: MalformedLine[] = [];
  for (const { line, text: record } of split.records) {
    const fields = splitFields(record);
    if (fields.length > AGENT_FIELDS) {
      malformed.push({
        line,
        reason: `more than ${AGENT_FIELDS} fields (externalId[,registrationMethod[,currentPhoneNumber[,scheduleGroup]]])`,
      });
      continue;
    }
    const [externalId = "", registrationMethod, currentPhoneNumber, scheduleGroup] = fields;
    if (externalId === "") {
      malformed.push({ line, reason: "empty externalId" });
      continue;
    }
    const agent: AgentLine = { line, externalId };
    if (registrationMethod) agent.registrationMethod = registrationMethod;
    if (currentPhoneNumber) agent.currentPhoneNumber = currentPhoneNumber;
    if (scheduleGroup) agent.scheduleGroup = scheduleGroup;
    agents.push(agent);
  }
  return { ok: true, agents, malformed };
}
