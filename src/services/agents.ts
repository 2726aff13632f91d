/**
 * Reading agents and removing them (SPEC §5.5–8): deleteAgents,
 * showAgentStateUsingUser, showAgentStateUsingDevice, listAgentStatesUsingEntity.
 * Creating them is create-agents.ts; changing their state change-agent-state.ts
 * and acquire.ts.
 */
import { attributeIssue, fail, type Issue, issue, type MethodResult, ok, warning } from "../domain/errors.js";
import type { InputOf } from "../domain/methods.js";
import { normalizeDevice, normalizeLogin } from "../domain/text.js";
import { type AgentStateView, agentStates } from "../storage/agent-states.js";
import { findAgentState, visibilityOf } from "./agent-lookup.js";
import type { Ctx, Deps } from "./context.js";
import { tooManyAgents } from "./limits.js";
import { findAgentGroup, findOrg, findScheduleGroup } from "./lookup.js";
import { listPage } from "./paging.js";
import { presentAgentState } from "./present-agents.js";

const CC = { type: "ContactCenter" } as const;

export function agentMethods(deps: Deps) {
  const { db, config } = deps;

  return {
    async deleteAgents(ctx: Ctx, input: InputOf<"deleteAgents">): Promise<MethodResult> {
      const large = tooManyAgents(input.agents.length, config.limits);
      if (large) return fail(large);
      return db.write(async (tx) => {
        const logins = input.agents.map((a) => (a.externalId ? normalizeLogin(a.externalId) : undefined));
        const wanted = [...new Set(logins.filter((l): l is string => l !== undefined))];
        // Locked until commit: an acquisition that took one of them first is
        // seen here (INVALID_STATE, kept); one that comes after finds it gone.
        const states = await agentStates.lockManyForChange(tx, visibilityOf(ctx.actor), wanted);
        const byLogin = new Map(
          states.map((s) => [normalizeLogin(s.user_external_id) ?? s.user_external_id, s] as const),
        );
        const warnings: Issue[] = [];
        const doomed = new Map<string, AgentStateView>();
        for (const [i, agent] of input.agents.entries()) {
          const login = logins[i];
          const state = login ? byLogin.get(login) : undefined;
          const place = {
            subject: agent.externalId ?? "",
            argumentIndex: 0,
            attributeName: `agents[${i}].externalId`,
            context: `agents[${i}]: ${agent.externalId ?? ""}`,
            ...CC,
          };
          if (!state || doomed.has(state.id)) warnings.push(warning("OBJECT_NOT_EXISTS", place));
          else if (state.contact_state !== "Idle")
            warnings.push(warning("INVALID_STATE", { ...place, context: `${place.context}: ${state.contact_state}` }));
          else doomed.set(state.id, state);
        }
        await agentStates.deleteMany(tx, [...doomed.keys()]);
        for (const state of doomed.values()) {
          tx.emit({
            type: "agentState.deleted",
            orgPath: state.account_path,
            data: {
              internalId: state.id,
              agent: { externalId: state.user_external_id },
              agentGroup: { internalId: state.agent_group_id, externalId: state.group_external_id },
            },
          });
        }
        return ok([], warnings);
      });
    },

    async showAgentStateUsingUser(ctx: Ctx, input: InputOf<"showAgentStateUsingUser">): Promise<MethodResult> {
      const found = await findAgentState(db, ctx.actor, { agent: input.agent }, { argumentIndex: 0, ...CC });
      if (!found.ok) return fail(found.error);
      return ok([presentAgentState(found.row, ctx.now)]);
    },

    async showAgentStateUsingDevice(ctx: Ctx, input: InputOf<"showAgentStateUsingDevice">): Promise<MethodResult> {
      const errors: Issue[] = [];
      if (!input.device.externalId) errors.push(attributeIssue("ATTRIBUTE_NULL", "externalId", 0));
      const org = await findOrg(db, ctx.actor, input.org, { argumentIndex: 1, ...CC });
      if (!org.ok) errors.push(org.error);
      else if (org.row.type !== "Account" && org.row.type !== "Enterprise") {
        errors.push(
          issue("ARG_INVALID_TYPE", { subject: "org", argumentIndex: 1, context: "an Account or an Enterprise" }),
        );
      }
      if (errors.length > 0 || !org.ok || !input.device.externalId) return fail(errors);
      const device = normalizeDevice(input.device.externalId);
      const row = await agentStates.connectedTo(db, visibilityOf(ctx.actor), org.row.path, device);
      return ok(row ? [presentAgentState(row, ctx.now)] : []);
    },

    async listAgentStatesUsingEntity(ctx: Ctx, input: InputOf<"listAgentStatesUsingEntity">): Promise<MethodResult> {
      const ref = input.baseEntity;
      const place = { argumentIndex: 0, ...CC };
      const wrongType = () =>
        fail(
          issue("ARG_INVALID_TYPE", {
            subject: "baseEntity",
            argumentIndex: 0,
            context: "an Account, AgentGroup or ScheduleGroup",
          }),
        );
      let filter: { column: "s.account_id" | "s.agent_group_id" | "s.schedule_group_id"; id: string } | undefined;
      if (ref.type === "AgentGroup" || (!ref.type && ref.internalId)) {
        const group = await findAgentGroup(db, ctx.actor, ref, place);
        if (group.ok) filter = { column: "s.agent_group_id", id: group.row.id };
        else if (ref.type) return fail(group.error);
      }
      if (!filter && (ref.type === "ScheduleGroup" || (!ref.type && ref.internalId))) {
        const sg = await findScheduleGroup(db, ctx.actor, ref, place);
        if (sg.ok) filter = { column: "s.schedule_group_id", id: sg.row.id };
        else if (ref.type) return fail(sg.error);
      }
      if (!filter) {
        if (ref.type && !["Account", "AgentGroup", "ScheduleGroup"].includes(ref.type)) return wrongType();
        if (!ref.type && !ref.internalId) {
          return fail(
            issue("ATTRIBUTE_NULL", {
              subject: "type",
              argumentIndex: 0,
              attributeName: "type",
              context: "type is needed with an externalId",
            }),
          );
        }
        const org = await findOrg(db, ctx.actor, ref, place);
        if (!org.ok) return fail(org.error);
        if (org.row.type !== "Account") return wrongType();
        filter = { column: "s.account_id", id: org.row.id };
      }
      const entity = filter;
      return listPage(input.options, config.limits.listResults, async (offset, limit) => {
        const rows = await agentStates.list(db, visibilityOf(ctx.actor), entity, { offset, limit });
        return rows.map((row) => presentAgentState(row, ctx.now));
      });
    },
  };
}
