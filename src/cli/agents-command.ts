/**
 * `callboard agents list --group <externalId> [--account <externalId>] [--json]`:
 * the agents of a group and their states, as a table or as JSON.
 */
import type { Command } from "commander";
import type { AgentState, CallboardClient } from "../client/index.js";
import type { Io } from "./index.js";
import type { CommandRunner } from "./outcome.js";
import { clientFromEnv } from "./settings.js";
import { elapsed, renderTable } from "./table.js";

const PAGE = 1000;
/** The summary line's order (domain/agent-state.ts's, not imported: the CLI loads no server code). */
const WORK_STATES = ["LoggedOut", "NotReady", "Ready", "Break"] as const;

/** The group's id, looked up by externalId in the caller's scope (or in one Account). */
export async function findGroupId(client: CallboardClient, group: string, account?: string): Promise<string> {
  const parent = account ? { externalId: account, type: "Account" } : undefined;
  const found = await client.showAgentGroup({ agentGroup: { externalId: group, ...(parent ? { parent } : {}) } });
  const id = found.data[0]?.internalId;
  if (!id) throw new Error(`agent group ${group} answered no data`);
  return id;
}

export async function listAgents(client: CallboardClient, groupId: string): Promise<AgentState[]> {
  const states: AgentState[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await client.listAgentStatesUsingEntity({
      baseEntity: { internalId: groupId },
      options: { offset, limit: PAGE },
    });
    states.push(...page.data);
    if (page.data.length < PAGE) return states;
  }
}

export function agentsTable(states: readonly AgentState[], now: Date): string {
  const rows = states.map((s) => [
    s.agent.externalId,
    `${s.agent.firstName} ${s.agent.lastName}`.trim(),
    s.breakExceeded ? `${s.currentWorkState} (exceeded)` : s.currentWorkState,
    s.currentContactState,
    s.currentDevice?.externalId ?? "-",
    s.currentPhoneNumber ?? "-",
    elapsed(s.workStateStartTime, now),
    s.currentScheduleGroup?.externalId ?? "-",
  ]);
  const table = renderTable(["AGENT", "NAME", "WORK STATE", "CONTACT", "DEVICE", "PHONE", "IN STATE", "SHIFT"], rows);
  const summary = WORK_STATES.map(
    (state) => [state, states.filter((s) => s.currentWorkState === state).length] as const,
  )
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`)
    .join(", ");
  return `${table}${states.length} agent${states.length === 1 ? "" : "s"}${summary ? `: ${summary}` : ""}\n`;
}

export function registerAgentsCommand(program: Command, io: Io, run: CommandRunner) {
  const agents = program.command("agents").description("Agents and their states.");
  agents
    .command("list")
    .description("List the agents of an agent group with their work and contact states.")
    .requiredOption("--group <externalId>", "the agent group")
    .option("--account <externalId>", "the Account of the group, when the externalId is in several")
    .option("--json", "print the AgentState objects as JSON instead of a table")
    .action((options: { group: string; account?: string; json?: boolean }) =>
      run(async () => {
        const client = clientFromEnv(io.env);
        const states = await listAgents(client, await findGroupId(client, options.group, options.account));
        io.stdout(options.json ? `${JSON.stringify(states, null, 2)}\n` : agentsTable(states, new Date()));
        return 0;
      }),
    );
}
