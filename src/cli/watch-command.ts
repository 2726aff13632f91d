/**
 * `callboard watch [--group <externalId>] [--types <t1,t2>] [--since <seq>]`:
 * live events, one line each, until interrupted. The subscription resumes by
 * itself (Last-Event-ID) after a dropped connection or a proxy's error, and
 * says so on stderr, so stdout holds exactly one line per event.
 */
import type { Command } from "commander";
import type { CallboardEvent } from "../client/index.js";
import { findGroupId } from "./agents-command.js";
import type { Io } from "./index.js";
import type { CommandRunner } from "./outcome.js";
import { clientFromEnv, UsageProblem } from "./settings.js";

/** What an event is about, in a few words. */
export function describeEvent(event: CallboardEvent): string {
  switch (event.type) {
    case "agentState.changed":
    case "agentState.breakExceeded": {
      const s = event.data;
      const device = s.currentDevice ? ` device ${s.currentDevice.externalId}` : "";
      const pending = s.requestedWorkState ? ` (then ${s.requestedWorkState})` : "";
      return `${s.agent.externalId} ${s.currentWorkState}/${s.currentContactState}${pending}${device} v${s.version}`;
    }
    case "agentState.deleted":
      return `${event.data.agent.externalId} removed from ${event.data.agentGroup.externalId ?? event.data.agentGroup.internalId}`;
    case "agentGroupState.changed": {
      const s = event.data;
      return `${s.agentGroup.externalId ?? s.agentGroup.internalId} ${s.state} allocated ${s.allocatedCount ?? "-"}`;
    }
    case "user.created":
    case "user.changed":
    case "user.deleted":
      return event.data.externalId;
    default:
      return event.data.externalId ?? event.data.internalId;
  }
}

export function eventLine(event: CallboardEvent): string {
  const account = event.account ? ` [${event.account.externalId}]` : "";
  return `${event.time} #${event.seq} ${event.type}${account} ${describeEvent(event)}\n`;
}

export function registerWatchCommand(program: Command, io: Io, run: CommandRunner) {
  program
    .command("watch")
    .description("Print live events, one line each; resumes by itself after a dropped connection.")
    .option("--group <externalId>", "only the events of this agent group")
    .option("--account <externalId>", "the Account of the group, when the externalId is in several")
    .option("--types <types>", "only these event types, comma-separated (e.g. agentState.changed)")
    .option("--since <seq>", "start after this seq (0: the oldest kept) instead of now")
    .action((options: { group?: string; account?: string; types?: string; since?: string }) =>
      run(async () => {
        const client = clientFromEnv(io.env);
        if (options.since !== undefined && !/^\d+$/.test(options.since))
          throw new UsageProblem(`--since takes a seq (a whole number), not ${options.since}`);
        const agentGroup = options.group ? await findGroupId(client, options.group, options.account) : undefined;
        const types = options.types
          ?.split(",")
          .map((t) => t.trim())
          .filter(Boolean);
        const subscription = client.subscribe({
          ...(agentGroup ? { agentGroup } : {}),
          ...(types?.length ? { types } : {}),
          ...(options.since !== undefined ? { since: Number(options.since) } : {}),
          ...(io.interrupted ? { signal: io.interrupted() } : {}),
          onEvent: (event) => io.stdout(eventLine(event)),
          onStatus: (status, detail) => {
            if (status !== "closed") io.stderr(`callboard: ${status}${detail ? ` ${detail}` : ""}\n`);
          },
        });
        await subscription.done;
        return 0;
      }),
    );
}
