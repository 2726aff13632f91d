/**
 * createAgents and createAgentsUsingString (SPEC §5.1–2): whole-call errors
 * create nothing; each item that fails is one warning (naming every problem
 * the item has) and the others are created together in one transaction.
 *
 * Guards, taken in this order: the Account's lock (agent limit, phone numbers,
 * users becoming agents), then the agent group and its schedule groups kept
 * from deletion until the agents are in, so deleteAgentGroup and
 * deleteScheduleGroup either see the new agents or happen wholly before.
 */
import { isRegistrationMethod } from "../domain/agent-state.js";
import { checkInitialState, type InitialState } from "../domain/agent-state-input.js";
import { parseAgentString } from "../domain/agent-string.js";
import { attributeValue, type NamedValue, withAttribute } from "../domain/attributes.js";
import { type Code, fail, type Issue, issue, type MethodResult, ok, warning } from "../domain/errors.js";
import type { InputOf } from "../domain/methods.js";
import type { AgentStateInput } from "../domain/schemas.js";
import { externalIdProblem, normalizeLogin, normalizePhone } from "../domain/text.js";
import { agentGroups, scheduleGroups } from "../storage/agent-groups.js";
import { type AgentStateView, agentStates } from "../storage/agent-states.js";
import type { Tx } from "../storage/database.js";
import { orgs } from "../storage/orgs.js";
import type { AgentGroupRow, AgentStateRow, ScheduleGroupRow, UserRow } from "../storage/schema.js";
import { users } from "../storage/users.js";
import type { Ctx, Deps } from "./context.js";
import { limitIssue, tooManyAgents } from "./limits.js";
import { findAgentGroup, findScheduleGroup, notFound } from "./lookup.js";
import { attributesOf } from "./present.js";
import { presentAgentState } from "./present-agents.js";

const CC = { type: "ContactCenter" } as const;

/** One agent to create, from a User of createAgents or a line of createAgentsUsingString. */
interface AgentItem {
  /** the item's place inside the argument ("agents[3]"); none for a line of text */
  attribute?: string;
  label: string;
  externalId: string | null | undefined;
  registrationMethod?: string | undefined;
  phone?: string | undefined;
  scheduleGroup?: string | undefined;
}

interface Defaults extends InitialState {
  scheduleGroupId: string | null;
}

interface Problem {
  code: Code;
  field: string;
  why?: string;
}

/** One warning for a failed item: the first problem's code, every problem in the context. */
function itemWarning(item: AgentItem, problems: Problem[]): Issue {
  const [first] = problems;
  if (!first) throw new Error("an item warning needs a problem");
  const reasons = problems.map((p) => p.why).filter((why): why is string => why !== undefined);
  return warning(first.code, {
    subject: item.externalId || first.field,
    argumentIndex: 0,
    ...(item.attribute ? { attributeName: `${item.attribute}.${first.field}` } : {}),
    context: reasons.length > 0 ? `${item.label} (${reasons.join("; ")})` : item.label,
    ...CC,
  });
}

export function createAgentMethods(deps: Deps) {
  const { db, config } = deps;

  /** Resolves the group and initialState, then creates the items that pass, warning for each that does not. */
  async function createAll(
    ctx: Ctx,
    tx: Tx,
    groupRef: InputOf<"createAgents">["agentGroup"],
    initialState: AgentStateInput,
    items: AgentItem[],
    earlyWarnings: Issue[],
  ): Promise<MethodResult> {
    const errors: Issue[] = [];
    const initial = checkInitialState(initialState, errors);
    const found = await findAgentGroup(tx, ctx.actor, groupRef, { argumentIndex: 1, ...CC });
    if (!found.ok) return fail([...errors, found.error]);
    await orgs.lockForChange(tx, found.row.account_id);
    const group = await agentGroups.keepForNewAgents(tx, found.row.id);
    if (!group) return fail([...errors, notFound({ argumentIndex: 1, ...CC }, found.row.external_id)]);
    const shifts = await scheduleGroups.keepForNewAgents(tx, group.id);
    let scheduleGroupId: string | null = null;
    if (initialState.currentScheduleGroup) {
      const sg = await findScheduleGroup(tx, ctx.actor, initialState.currentScheduleGroup, {
        argumentIndex: 2,
        path: "currentScheduleGroup",
        ...CC,
      });
      if (!sg.ok || !shifts.some((s) => s.id === sg.row.id)) {
        const name = initialState.currentScheduleGroup.internalId ?? initialState.currentScheduleGroup.externalId ?? "";
        errors.push(
          sg.ok
            ? issue("OBJECT_NOT_EXISTS", {
                subject: name,
                argumentIndex: 2,
                attributeName: "currentScheduleGroup",
                ...CC,
              })
            : sg.error,
        );
      } else scheduleGroupId = sg.row.id;
    }
    if (errors.length > 0) return fail(errors);
    const defaults: Defaults = { ...initial, scheduleGroupId };

    const logins = items.map((item) => (item.externalId ? normalizeLogin(item.externalId) : undefined));
    const wanted = [...new Set(logins.filter((l): l is string => l !== undefined))];
    const members = await users.keepForAgents(tx, group.account_id, wanted);
    const userByLogin = new Map(members.map((u) => [u.login_key, u]));
    const roster = await agentStates.accountRoster(
      tx,
      group.account_id,
      members.map((u) => u.id),
    );
    let agentCount = roster.count;

    const warnings: Issue[] = [...earlyWarnings];
    const rows: AgentStateRow[] = [];
    const userAttributes = new Map<string, NamedValue[]>();
    const now = ctx.now.toISOString();
    for (const [i, item] of items.entries()) {
      const problems: Problem[] = [];
      const user = whoBecomesAgent(item, logins[i], userByLogin, roster.agentUserIds, problems);
      const method = item.registrationMethod ?? defaults.registrationMethod;
      if (method !== null && !isRegistrationMethod(method)) {
        problems.push({ code: "ATTRIBUTE_INVALID_DATA", field: "registrationMethod", why: "Phone, SIP or WebRTC" });
      }
      let phone = defaults.phone;
      if (item.phone !== undefined) {
        phone = normalizePhone(item.phone) ?? null;
        if (!phone)
          problems.push({ code: "ATTRIBUTE_INVALID_DATA", field: "currentPhoneNumber", why: "not a phone number" });
      }
      if (phone !== null && roster.phones.has(phone)) {
        problems.push({ code: "OBJECT_EXISTS", field: "currentPhoneNumber", why: `${phone} is held by another agent` });
      }
      let scheduleGroup = defaults.scheduleGroupId;
      if (item.scheduleGroup !== undefined) {
        const sg = shifts.find((s) => s.external_id === item.scheduleGroup);
        if (sg) scheduleGroup = sg.id;
        else {
          problems.push({
            code: "OBJECT_NOT_EXISTS",
            field: "currentScheduleGroup",
            why: `no schedule group '${item.scheduleGroup}'`,
          });
        }
      }
      if (problems.length > 0 || !user) {
        warnings.push(itemWarning(item, problems));
        continue;
      }
      if (agentCount >= config.limits.agentsPerAccount) {
        warnings.push(
          limitIssue("agentsPerAccount", config.limits, { argumentIndex: 0, context: item.label }, "Warning"),
        );
        continue;
      }
      agentCount += 1;
      roster.agentUserIds.add(user.id);
      if (phone !== null) roster.phones.add(phone);
      if (method !== null && attributeValue(attributesOf(user.attributes), "registrationMethod") !== method) {
        userAttributes.set(user.id, withAttribute(attributesOf(user.attributes), "registrationMethod", method));
      }
      rows.push({
        id: deps.newId(),
        user_id: user.id,
        account_id: group.account_id,
        account_path: group.account_path,
        agent_group_id: group.id,
        schedule_group_id: scheduleGroup,
        work_state: defaults.workState,
        requested_work_state: null,
        contact_state: "Idle",
        device: null,
        phone_number: phone,
        work_state_start: now,
        contact_state_start: now,
        break_alerted: 0,
        acquisition_id: null,
        lease_expires: null,
        version: 1,
        created_at: now,
        updated_at: now,
        created_by: ctx.actor.externalId,
        modified_by: ctx.actor.externalId,
      });
    }
    await agentStates.insertMany(tx, rows);
    for (const [userId, attributes] of userAttributes) {
      await users.setAttributes(tx, userId, JSON.stringify(attributes), now, ctx.actor.externalId);
    }
    const usersById = new Map(
      members.map((u) => {
        const attributes = userAttributes.get(u.id);
        return [u.id, attributes ? { ...u, attributes: JSON.stringify(attributes) } : u] as const;
      }),
    );
    const created = viewsOf(group, rows, usersById, shifts);
    for (const state of created) tx.emit({ type: "agentState.changed", orgPath: group.account_path, data: state });
    return ok(created, warnings);
  }

  return {
    async createAgents(ctx: Ctx, input: InputOf<"createAgents">): Promise<MethodResult> {
      const large = tooManyAgents(input.agents.length, config.limits);
      if (large) return fail(large);
      const items: AgentItem[] = input.agents.map((user, i) => ({
        attribute: `agents[${i}]`,
        label: `agents[${i}]: ${user.externalId ?? ""}`,
        externalId: user.externalId,
      }));
      return db.write((tx) => createAll(ctx, tx, input.agentGroup, input.initialState, items, []));
    },

    async createAgentsUsingString(ctx: Ctx, input: InputOf<"createAgentsUsingString">): Promise<MethodResult> {
      const parsed = parseAgentString(input.agents, {
        maxBytes: config.limits.stringBytes,
        maxRecords: config.limits.bulkItems,
      });
      if (!parsed.ok) return fail(issue(parsed.code, { subject: "agents", argumentIndex: 0, context: parsed.reason }));
      const malformed = parsed.malformed.map((m) =>
        warning("ARG_INVALID_DATA", {
          subject: `line ${m.line}`,
          argumentIndex: 0,
          context: `line ${m.line}: ${m.reason}`,
          ...CC,
        }),
      );
      const items: AgentItem[] = parsed.agents.map((line) => ({
        label: `line ${line.line}: ${line.externalId}`,
        externalId: line.externalId,
        registrationMethod: line.registrationMethod,
        phone: line.currentPhoneNumber,
        scheduleGroup: line.scheduleGroup,
      }));
      return db.write((tx) => createAll(ctx, tx, input.agentGroup, input.initialState, items, malformed));
    },
  };
}

/** The user an item makes an agent, or undefined with the reason pushed to `problems`. */
function whoBecomesAgent(
  item: AgentItem,
  login: string | undefined,
  userByLogin: Map<string, UserRow>,
  agents: Set<string>,
  problems: Problem[],
): UserRow | undefined {
  const field = "externalId";
  const refuse = (code: Code, why?: string) => {
    problems.push(why === undefined ? { code, field } : { code, field, why });
    return undefined;
  };
  if (!item.externalId) return refuse("ARG_NULL");
  if (externalIdProblem(item.externalId) === "invalidChar") return refuse("ARG_INVALID_CHAR");
  const user = login ? userByLogin.get(login) : undefined;
  if (!user) return refuse("OBJECT_NOT_EXISTS", "no such user in the agent group's Account");
  if (!(JSON.parse(user.roles) as string[]).includes("Agent")) {
    return refuse("INVALID_OBJECT_TYPE", "the user does not have the Agent role");
  }
  if (agents.has(user.id)) return refuse("OBJECT_EXISTS", "already an agent");
  return user;
}

/** The wire states of rows just inserted, from what the call already read. */
function viewsOf(
  group: AgentGroupRow,
  rows: AgentStateRow[],
  usersById: Map<string, UserRow>,
  shifts: ScheduleGroupRow[],
) {
  const scheduleGroupNames = new Map(shifts.map((sg) => [sg.id, sg.external_id]));
  return rows.map((row) => {
    const user = usersById.get(row.user_id);
    if (!user) throw new Error("created agent without user");
    const view: AgentStateView = {
      ...row,
      user_external_id: user.external_id,
      user_first_name: user.first_name,
      user_last_name: user.last_name,
      user_login_enabled: user.login_enabled,
      user_attributes: user.attributes,
      group_external_id: group.external_id,
      group_max_break_time: group.max_break_time,
      group_initial_work_state: group.initial_work_state,
      schedule_group_external_id: row.schedule_group_id
        ? (scheduleGroupNames.get(row.schedule_group_id) ?? null)
        : null,
    };
    return presentAgentState(view, new Date(row.created_at));
  });
}
