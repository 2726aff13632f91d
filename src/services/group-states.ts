/**
 * Agent group state (SPEC §5.10–12): computed on read from the schedule, the
 * override and the agents; changed by overriding state, window or allocated count.
 */
import {
  activeOverride,
  type GroupOverride,
  groupStateAt,
  isGroupState,
  type Mode,
  OVERRIDABLE,
  overrideUntil,
} from "../domain/agent-group.js";
import { attributeIssue, fail, type Issue, issue, type MethodResult, ok } from "../domain/errors.js";
import type { InputOf } from "../domain/methods.js";
import type { ScheduleEntry } from "../domain/schedule.js";
import { agentGroups } from "../storage/agent-groups.js";
import { agentStates, emptyCounts } from "../storage/agent-states.js";
import type { Handle } from "../storage/locks.js";
import type { AgentGroupRow } from "../storage/schema.js";
import type { Ctx, Deps } from "./context.js";
import { findAgentGroup, findOrg, notFound } from "./lookup.js";
import { listPage } from "./paging.js";
import { parseList } from "./present.js";
import { presentAgentGroupState } from "./present-agents.js";

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function overrideOf(row: Pick<AgentGroupRow, "override">): GroupOverride | null {
  return row.override ? (JSON.parse(row.override) as GroupOverride) : null;
}

export function scheduleOf(row: Pick<AgentGroupRow, "current_schedule">): ScheduleEntry[] {
  return parseList<ScheduleEntry>(row.current_schedule);
}

/** The state view of a group row at `now`, given its Ready agents. */
export function viewOf(row: AgentGroupRow, now: Date, readyAgents: number) {
  return groupStateAt(
    { mode: row.mode as Mode, schedule: scheduleOf(row), override: overrideOf(row) },
    now,
    readyAgents,
  );
}

export async function presentGroupStates(h: Handle, rows: readonly AgentGroupRow[], now: Date) {
  const counts = await agentStates.countByGroup(
    h,
    rows.map((r) => r.id),
  );
  return rows.map((row) => {
    const c = counts.get(row.id) ?? emptyCounts();
    return presentAgentGroupState(row, viewOf(row, now, c.ready), c);
  });
}

function parseDateTime(value: string): string | undefined {
  const m = ISO_DATE_TIME.exec(value);
  if (!m) return undefined;
  // Date.parse rolls 2026-02-30 over into March: check the day against the month.
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

export function groupStateMethods(deps: Deps) {
  const { db, config } = deps;

  return {
    async showAgentGroupState(ctx: Ctx, input: InputOf<"showAgentGroupState">): Promise<MethodResult> {
      const found = await findAgentGroup(db, ctx.actor, input.agentGroup, {
        argumentIndex: 0,
        type: "ContactCenter",
      });
      if (!found.ok) return fail(found.error);
      return ok(await presentGroupStates(db, [found.row], ctx.now));
    },

    async listAgentGroupStates(ctx: Ctx, input: InputOf<"listAgentGroupStates">): Promise<MethodResult> {
      const place = { argumentIndex: 0, type: "ContactCenter" as const };
      const ref = input.org;
      if (ref.type === "AgentGroup") {
        const group = await findAgentGroup(db, ctx.actor, ref, place);
        if (!group.ok) return fail(group.error);
        return ok(await presentGroupStates(db, [group.row], ctx.now));
      }
      if (ref.type && ref.type !== "Account") {
        return fail(
          issue("ARG_INVALID_TYPE", { subject: "org", argumentIndex: 0, context: "an Account or an AgentGroup" }),
        );
      }
      const org = await findOrg(db, ctx.actor, ref, place);
      if (!org.ok) {
        // An internalId without a type may name an agent group.
        if (ref.internalId && !ref.type) {
          const group = await findAgentGroup(db, ctx.actor, ref, place);
          if (group.ok) return ok(await presentGroupStates(db, [group.row], ctx.now));
        }
        return fail(org.error);
      }
      if (org.row.type !== "Account") {
        return fail(
          issue("ARG_INVALID_TYPE", { subject: "org", argumentIndex: 0, context: "an Account or an AgentGroup" }),
        );
      }
      return listPage(input.options, config.limits.listResults, async (offset, limit) => {
        const rows = await agentGroups.listInAccount(db, org.row.id, { offset, limit });
        return presentGroupStates(db, rows, ctx.now);
      });
    },

    async changeAgentGroupState(ctx: Ctx, input: InputOf<"changeAgentGroupState">): Promise<MethodResult> {
      const change = input.agentGroupState;
      if (!change.agentGroup) return fail(attributeIssue("ATTRIBUTE_NULL", "agentGroup"));
      const agentGroup = change.agentGroup;
      return db.write(async (tx) => {
        const place = { argumentIndex: 0, path: "agentGroup", type: "ContactCenter" } as const;
        const found = await findAgentGroup(tx, ctx.actor, agentGroup, place);
        if (!found.ok) return fail(found.error);
        // Locked until commit: acquisitions read the group under a share lock,
        // so each is wholly before this change or wholly after it.
        const row = await agentGroups.lockForChange(tx, found.row.id);
        if (!row) return fail(notFound(place, found.row.external_id));
        const mode = row.mode as Mode;
        const [current] = await presentGroupStates(tx, [row], ctx.now);
        if (!current) throw new Error("group state missing");
        const errors: Issue[] = [];
        const bad = (name: string, why: string) =>
          errors.push(attributeIssue("ATTRIBUTE_INVALID_FORMAT", name, 0, why));
        const allowed = (name: keyof Omit<GroupOverride, "until">) => {
          if (OVERRIDABLE[mode].includes(name)) return true;
          bad(name, `not changeable for a ${mode} group`);
          return false;
        };
        const given: Omit<GroupOverride, "until"> = {};
        if (
          change.allocatedCount != null &&
          change.allocatedCount !== current.allocatedCount &&
          allowed("allocatedCount")
        ) {
          if (
            Number.isInteger(change.allocatedCount) &&
            change.allocatedCount >= 0 &&
            change.allocatedCount <= 2_147_483_647
          ) {
            given.allocatedCount = change.allocatedCount;
          } else bad("allocatedCount", "an integer ≥ 0");
        }
        if (change.state != null && change.state !== current.state && allowed("state")) {
          if (isGroupState(change.state)) given.state = change.state;
          else bad("state", "Open or Closed");
        }
        for (const name of ["currentStartTime", "currentEndTime"] as const) {
          const value = change[name];
          if (value == null || value === current[name] || !allowed(name)) continue;
          const parsed = parseDateTime(value);
          if (parsed) given[name] = parsed;
          else bad(name, "an ISO 8601 dateTime with a zone");
        }
        if (change.mode != null && change.mode !== mode) bad("mode", "fixed at creation");
        if (change.phoneNumber != null && change.phoneNumber !== current.phoneNumber)
          bad("phoneNumber", "comes from the schedule");
        const previous = activeOverride(overrideOf(row), ctx.now);
        const start = given.currentStartTime ?? previous?.currentStartTime ?? current.currentStartTime;
        const end = given.currentEndTime ?? previous?.currentEndTime ?? current.currentEndTime;
        if ((given.currentStartTime || given.currentEndTime) && start && end && Date.parse(start) >= Date.parse(end)) {
          bad(
            given.currentEndTime ? "currentEndTime" : "currentStartTime",
            "currentStartTime must be before currentEndTime",
          );
        }
        if (errors.length > 0) return fail(errors);
        // A window override keeps both bounds: once the scheduled interval is
        // over, an extended window still knows where it started.
        if (given.currentStartTime || given.currentEndTime) {
          if (start) given.currentStartTime = start;
          if (end) given.currentEndTime = end;
        }
        if (Object.keys(given).length === 0) return ok();
        const merged: Omit<GroupOverride, "until"> = { ...previous, ...given };
        delete (merged as Partial<GroupOverride>).until;
        const override: GroupOverride = {
          ...merged,
          until: overrideUntil(scheduleOf(row), ctx.now, merged.currentEndTime),
        };
        await agentGroups.setOverride(
          tx,
          row.id,
          JSON.stringify(override),
          ctx.now.toISOString(),
          ctx.actor.externalId,
        );
        const [wire] = await presentGroupStates(tx, [{ ...row, override: JSON.stringify(override) }], ctx.now);
        tx.emit({ type: "agentGroupState.changed", orgPath: row.account_path, data: wire });
        return ok();
      });
    },
  };
}
