/**
 * Agents (SPEC §5.1–2, 5–9): createAgents, createAgentsUsingString,
 * deleteAgents, showAgentStateUsingUser, showAgentStateUsingDevice,
 * listAgentStatesUsingEntity, changeAgentState.
 */

import {
  type AgentSituation,
  type ContactState,
  decideAll,
  isRegistrationMethod,
  isRequestedAction,
  isWorkState,
  type StateRequest,
  type WorkState,
} from "../domain/agent-state.js";
import { parseAgentString } from "../domain/agent-string.js";
import { attributeValue, type NamedValue, withAttribute } from "../domain/attributes.js";
import { fail, type Issue, issue, type MethodResult, ok, warning } from "../domain/errors.js";
import type { InputOf } from "../domain/methods.js";
import { isAgentOnly } from "../domain/roles.js";
import type { AgentStateInput } from "../domain/schemas.js";
import { externalIdProblem, normalizeDevice, normalizeLogin, normalizePhone } from "../domain/text.js";
import { type AgentStateView, heldInAccount } from "../storage/agent-states.js";
import { insertMany } from "../storage/bulk.js";
import type { Tx } from "../storage/database.js";
import { lockOrg } from "../storage/locks.js";
import type { AgentGroupRow, AgentStateRow, UserRow } from "../storage/schema.js";
import { under } from "../storage/scope.js";
import { attributeIssue } from "./agent-groups.js";
import { findAgentState, scopedStates, stateById } from "./agent-lookup.js";
import type { Ctx, Deps } from "./context.js";
import { findAgentGroup, findOrg, findScheduleGroup } from "./lookup.js";
import { listPage } from "./paging.js";
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

/** initialState, checked: what every created agent starts with unless its line overrides. */
interface Defaults {
  workState: WorkState;
  scheduleGroupId: string | null;
  phone: string | null;
  registrationMethod: string | null;
}

function checkInitialState(state: AgentStateInput, errors: Issue[]): Omit<Defaults, "scheduleGroupId"> {
  const bad = (name: string, why: string) => errors.push(attributeIssue("ATTRIBUTE_INVALID_DATA", name, 2, why));
  const workState = state.currentWorkState ?? "LoggedOut";
  if (!isWorkState(workState)) bad("currentWorkState", "LoggedOut, NotReady, Ready or Break");
  if (state.currentContactState != null && state.currentContactState !== "Idle")
    bad("currentContactState", "agents start Idle");
  let phone: string | null = null;
  if (state.currentPhoneNumber != null) {
    phone = normalizePhone(state.currentPhoneNumber) ?? null;
    if (!phone) bad("currentPhoneNumber", "a phone number in E.164 or E.123 form");
  }
  const method = attributeValue(state.agent?.attributes, "registrationMethod") ?? null;
  if (method !== null && !isRegistrationMethod(method))
    bad("agent.attributes.registrationMethod", "Phone, SIP or WebRTC");
  return { workState: isWorkState(workState) ? workState : "LoggedOut", phone, registrationMethod: method };
}

export function agentMethods(deps: Deps) {
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
    const found = await findAgentGroup(tx.q, ctx.actor, groupRef, { argumentIndex: 1, ...CC });
    if (!found.ok) return fail([...errors, found.error]);
    const group = found.row;
    await lockOrg(tx.q, group.account_id);
    const scheduleGroups = await tx.q
      .selectFrom("schedule_groups")
      .select(["id", "external_id"])
      .where("agent_group_id", "=", group.id)
      .execute();
    let scheduleGroupId: string | null = null;
    if (initialState.currentScheduleGroup) {
      const sg = await findScheduleGroup(tx.q, ctx.actor, initialState.currentScheduleGroup, {
        argumentIndex: 2,
        path: "currentScheduleGroup",
        ...CC,
      });
      if (!sg.ok || sg.row.agent_group_id !== group.id) {
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
    const users = wanted.length
      ? await tx.q
          .selectFrom("users")
          .selectAll()
          .where("login_key", "in", wanted)
          .where("org_id", "=", group.account_id)
          .execute()
      : [];
    const userByLogin = new Map(users.map((u) => [u.login_key, u]));
    const existingAgents = users.length
      ? await tx.q
          .selectFrom("agent_states")
          .select("user_id")
          .where(
            "user_id",
            "in",
            users.map((u) => u.id),
          )
          .execute()
      : [];
    const isAgent = new Set(existingAgents.map((a) => a.user_id));
    const phonesInUse = new Set(
      (
        await tx.q
          .selectFrom("agent_states")
          .select("phone_number")
          .where("account_id", "=", group.account_id)
          .where("phone_number", "is not", null)
          .execute()
      ).map((r) => r.phone_number),
    );
    const { n } = await tx.q
      .selectFrom("agent_states")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("account_id", "=", group.account_id)
      .executeTakeFirstOrThrow();
    let agentCount = Number(n);

    const warnings: Issue[] = [...earlyWarnings];
    const rows: AgentStateRow[] = [];
    const userAttributes = new Map<string, NamedValue[]>();
    const now = ctx.now.toISOString();
    for (const [i, item] of items.entries()) {
      const warn = (code: Parameters<typeof warning>[0], field: string, why?: string) =>
        warnings.push(
          warning(code, {
            subject: item.externalId || field,
            argumentIndex: 0,
            ...(item.attribute ? { attributeName: `${item.attribute}.${field}` } : {}),
            context: why ? `${item.label}: ${why}` : item.label,
            ...CC,
          }),
        );
      const idAttribute = "externalId";
      if (!item.externalId) {
        warn("ARG_NULL", idAttribute);
        continue;
      }
      if (externalIdProblem(item.externalId) === "invalidChar") {
        warn("ARG_INVALID_CHAR", idAttribute);
        continue;
      }
      const login = logins[i];
      const user = login ? userByLogin.get(login) : undefined;
      if (!user) {
        warn("OBJECT_NOT_EXISTS", idAttribute, "no such user in the agent group's Account");
        continue;
      }
      if (!(JSON.parse(user.roles) as string[]).includes("Agent")) {
        warn("INVALID_OBJECT_TYPE", idAttribute, "the user does not have the Agent role");
        continue;
      }
      if (isAgent.has(user.id)) {
        warn("OBJECT_EXISTS", idAttribute, "already an agent");
        continue;
      }
      const method = item.registrationMethod ?? defaults.registrationMethod;
      if (method !== null && !isRegistrationMethod(method)) {
        warn("ATTRIBUTE_INVALID_DATA", "registrationMethod", "Phone, SIP or WebRTC");
        continue;
      }
      let phone = defaults.phone;
      if (item.phone !== undefined) {
        phone = normalizePhone(item.phone) ?? null;
        if (!phone) {
          warn("ATTRIBUTE_INVALID_DATA", "currentPhoneNumber", "not a phone number");
          continue;
        }
      }
      if (phone !== null && phonesInUse.has(phone)) {
        warn("OBJECT_EXISTS", "currentPhoneNumber", `${phone} is held by another agent`);
        continue;
      }
      let scheduleGroup = defaults.scheduleGroupId;
      if (item.scheduleGroup !== undefined) {
        const sg = scheduleGroups.find((s) => s.external_id === item.scheduleGroup);
        if (!sg) {
          warn("OBJECT_NOT_EXISTS", "currentScheduleGroup", `no schedule group '${item.scheduleGroup}'`);
          continue;
        }
        scheduleGroup = sg.id;
      }
      if (agentCount >= config.limits.agentsPerAccount) {
        warnings.push(
          warning("SYSTEM_LIMIT_EXCEEDED", { subject: "agents", argumentIndex: 0, context: item.label, ...CC }),
        );
        continue;
      }
      agentCount += 1;
      isAgent.add(user.id);
      if (phone !== null) phonesInUse.add(phone);
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
        version: 1,
        created_at: now,
        updated_at: now,
        created_by: ctx.actor.externalId,
        modified_by: ctx.actor.externalId,
      });
    }
    await insertMany(tx.q, db.dialect, "agent_states", rows);
    for (const [userId, attributes] of userAttributes) {
      await tx.q
        .updateTable("users")
        .set({ attributes: JSON.stringify(attributes), updated_at: now, modified_by: ctx.actor.externalId })
        .where("id", "=", userId)
        .execute();
    }
    const usersById = new Map(
      users.map((u) => {
        const attributes = userAttributes.get(u.id);
        return [u.id, attributes ? { ...u, attributes: JSON.stringify(attributes) } : u] as const;
      }),
    );
    const created = viewsOf(group, rows, usersById, scheduleGroups);
    for (const state of created) tx.emit({ type: "agentState.changed", orgPath: group.account_path, data: state });
    return ok(created, warnings);
  }

  /** The wire states of rows just inserted, from what the call already read. */
  function viewsOf(
    group: AgentGroupRow,
    rows: AgentStateRow[],
    users: Map<string, UserRow>,
    scheduleGroups: { id: string; external_id: string | null }[],
  ) {
    const scheduleGroupNames = new Map(scheduleGroups.map((sg) => [sg.id, sg.external_id]));
    return rows.map((row) => {
      const user = users.get(row.user_id);
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

  function tooMany(count: number): Issue | undefined {
    if (count <= config.limits.bulkItems) return undefined;
    return issue("ARG_TOO_LARGE", {
      subject: "agents",
      argumentIndex: 0,
      context: `at most ${config.limits.bulkItems} items`,
    });
  }

  return {
    async createAgents(ctx: Ctx, input: InputOf<"createAgents">): Promise<MethodResult> {
      const large = tooMany(input.agents.length);
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

    async deleteAgents(ctx: Ctx, input: InputOf<"deleteAgents">): Promise<MethodResult> {
      const large = tooMany(input.agents.length);
      if (large) return fail(large);
      return db.write(async (tx) => {
        const logins = input.agents.map((a) => (a.externalId ? normalizeLogin(a.externalId) : undefined));
        const wanted = [...new Set(logins.filter((l): l is string => l !== undefined))];
        const states = wanted.length
          ? await scopedStates(tx.q, ctx.actor).where("u.login_key", "in", wanted).execute()
          : [];
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
        if (doomed.size > 0)
          await tx.q
            .deleteFrom("agent_states")
            .where("id", "in", [...doomed.keys()])
            .execute();
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
      const found = await findAgentState(db.q, ctx.actor, { agent: input.agent }, { argumentIndex: 0, ...CC });
      if (!found.ok) return fail(found.error);
      return ok([presentAgentState(found.row, ctx.now)]);
    },

    async showAgentStateUsingDevice(ctx: Ctx, input: InputOf<"showAgentStateUsingDevice">): Promise<MethodResult> {
      const errors: Issue[] = [];
      if (!input.device.externalId) errors.push(attributeIssue("ATTRIBUTE_NULL", "externalId", 0));
      const org = await findOrg(db.q, ctx.actor, input.org, { argumentIndex: 1, ...CC });
      if (!org.ok) errors.push(org.error);
      else if (org.row.type !== "Account" && org.row.type !== "Enterprise") {
        errors.push(
          issue("ARG_INVALID_TYPE", { subject: "org", argumentIndex: 1, context: "an Account or an Enterprise" }),
        );
      }
      if (errors.length > 0 || !org.ok || !input.device.externalId) return fail(errors);
      const row = await scopedStates(db.q, ctx.actor)
        .where(under("s.account_path", org.row.path))
        .where("s.device", "=", normalizeDevice(input.device.externalId))
        .where("s.contact_state", "=", "Connected")
        .orderBy("s.contact_state_start")
        .executeTakeFirst();
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
        const group = await findAgentGroup(db.q, ctx.actor, ref, place);
        if (group.ok) filter = { column: "s.agent_group_id", id: group.row.id };
        else if (ref.type) return fail(group.error);
      }
      if (!filter && (ref.type === "ScheduleGroup" || (!ref.type && ref.internalId))) {
        const sg = await findScheduleGroup(db.q, ctx.actor, ref, place);
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
        const org = await findOrg(db.q, ctx.actor, ref, place);
        if (!org.ok) return fail(org.error);
        if (org.row.type !== "Account") return wrongType();
        filter = { column: "s.account_id", id: org.row.id };
      }
      const { column, id } = filter;
      return listPage(input.options, config.limits.listResults, async (offset, limit) => {
        const rows = await scopedStates(db.q, ctx.actor)
          .where(column, "=", id)
          .orderBy("u.external_id")
          .orderBy("s.id")
          .offset(offset)
          .limit(limit)
          .execute();
        return rows.map((row) => presentAgentState(row, ctx.now));
      });
    },

    async changeAgentState(ctx: Ctx, input: InputOf<"changeAgentState">): Promise<MethodResult> {
      const change = input.agentState;
      const agentOnly = isAgentOnly(ctx.actor.roles);
      // Cached credentials are forgotten after the commit: forgetting them inside
      // the transaction would let a concurrent call cache the old state again.
      let forget: string | undefined;
      const result = await db.write(async (tx) => {
        const found = await findAgentState(tx.q, ctx.actor, change, { argumentIndex: 0, ...CC });
        if (!found.ok) return fail(found.error);
        const row = found.row;
        const errors: Issue[] = [];
        const bad = (name: string, why: string) => errors.push(attributeIssue("ATTRIBUTE_INVALID_DATA", name, 0, why));
        if (change.version != null && change.version !== row.version) {
          errors.push(attributeIssue("INVALID_STATE", "version", 0, `the current version is ${row.version}`));
        }
        let loginEnabled = row.user_login_enabled === 1;
        const givenLogin = change.agent?.loginEnabled;
        if (givenLogin != null && givenLogin !== loginEnabled) {
          if (agentOnly) errors.push(issue("PERMISSION_DENIED", { subject: "agent.loginEnabled" }));
          else loginEnabled = givenLogin;
        }
        const attributes = attributesOf(row.user_attributes);
        let nextAttributes: NamedValue[] = attributes;
        for (const given of change.agent?.attributes ?? []) {
          const current = attributeValue(attributes, given.name) ?? null;
          const value = given.value ?? null;
          if (value === current) continue;
          if (given.name !== "registrationMethod")
            bad(`agent.attributes.${given.name}`, "only registrationMethod changes");
          else if (value !== null && !isRegistrationMethod(value))
            bad("agent.attributes.registrationMethod", "Phone, SIP or WebRTC");
          else nextAttributes = withAttribute(nextAttributes, "registrationMethod", value);
        }
        let phone = row.phone_number;
        if (change.currentPhoneNumber !== undefined && change.currentPhoneNumber !== row.phone_number) {
          phone = change.currentPhoneNumber === null ? null : (normalizePhone(change.currentPhoneNumber) ?? null);
          if (change.currentPhoneNumber !== null && phone === null) bad("currentPhoneNumber", "not a phone number");
          else if (phone !== null && phone !== row.phone_number) {
            await lockOrg(tx.q, row.account_id);
            if (await heldInAccount(tx.q, "phone_number", row.account_id, phone, row.id))
              errors.push(
                attributeIssue("OBJECT_EXISTS", "currentPhoneNumber", 0, `${phone} is held by another agent`),
              );
          }
        }
        const requests: StateRequest[] = [];
        if (change.requestedAction != null) {
          if (isRequestedAction(change.requestedAction)) requests.push({ action: change.requestedAction });
          else bad("requestedAction", "Login or Logout");
        }
        if (change.requestedWorkState != null) {
          const wanted = change.requestedWorkState;
          if (!isWorkState(wanted)) bad("requestedWorkState", "LoggedOut, NotReady, Ready or Break");
          else requests.push(wanted === "LoggedOut" ? { action: "Logout" } : { workState: wanted });
        }
        checkEcho(change, row, bad);
        if (errors.length > 0) return fail(errors);

        const situation: AgentSituation = {
          workState: row.work_state as WorkState,
          requestedWorkState: row.requested_work_state as WorkState | null,
          contactState: row.contact_state as ContactState,
          loginEnabled,
        };
        const decision = decideAll(situation, requests, row.group_initial_work_state as WorkState);
        if (!decision.ok) {
          const name = decision.row.request === "WorkState" ? "requestedWorkState" : "requestedAction";
          return fail(attributeIssue("INVALID_STATE", name, 0, `${decision.row.request} when ${decision.row.when}`));
        }
        const { workState, requestedWorkState } = decision.next;
        const now = ctx.now.toISOString();
        const stateChanged =
          workState !== row.work_state || requestedWorkState !== row.requested_work_state || phone !== row.phone_number;
        const userChanged = loginEnabled !== (row.user_login_enabled === 1) || nextAttributes !== attributes;
        if (!stateChanged && !userChanged) return ok([presentAgentState(row, ctx.now)]);
        const updated = await tx.q
          .updateTable("agent_states")
          .set({
            work_state: workState,
            requested_work_state: requestedWorkState,
            phone_number: phone,
            ...(workState !== row.work_state ? { work_state_start: now, break_alerted: 0 } : {}),
            version: row.version + 1,
            updated_at: now,
            modified_by: ctx.actor.externalId,
          })
          .where("id", "=", row.id)
          .where("version", "=", row.version)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) {
          return fail(attributeIssue("INVALID_STATE", "version", 0, "changed concurrently; read it again"));
        }
        if (userChanged) {
          await tx.q
            .updateTable("users")
            .set({
              login_enabled: loginEnabled ? 1 : 0,
              attributes: JSON.stringify(nextAttributes),
              updated_at: now,
              modified_by: ctx.actor.externalId,
            })
            .where("id", "=", row.user_id)
            .execute();
          forget = row.user_id;
        }
        const wire = presentAgentState(await stateById(tx.q, row.id), ctx.now);
        tx.emit({ type: "agentState.changed", orgPath: row.account_path, data: wire });
        return ok([wire]);
      });
      if (forget && result.errors.length === 0) deps.credentials.forgetUser(forget);
      return result;
    },
  };
}

/**
 * Clients echo whole AgentStates: a read-only field equal to the current value
 * is ignored, a different one is an error naming it.
 */
function checkEcho(change: AgentStateInput, row: AgentStateView, bad: (name: string, why: string) => void): void {
  const readOnly = "cannot be changed by changeAgentState";
  const differs = (given: unknown, current: unknown) => given != null && given !== current;
  if (differs(change.currentWorkState, row.work_state)) bad("currentWorkState", `${readOnly}; use requestedWorkState`);
  if (differs(change.currentContactState, row.contact_state))
    bad("currentContactState", `${readOnly}; use acquireAgent/releaseAgent`);
  if (differs(change.workStateStartTime, row.work_state_start)) bad("workStateStartTime", readOnly);
  if (differs(change.contactStateStartTime, row.contact_state_start)) bad("contactStateStartTime", readOnly);
  if (differs(change.currentDevice?.externalId, row.device)) bad("currentDevice", readOnly);
  if (differs(change.agentGroup?.internalId, row.agent_group_id)) bad("agentGroup", readOnly);
  if (!change.agentGroup?.internalId && differs(change.agentGroup?.externalId, row.group_external_id))
    bad("agentGroup", readOnly);
  if (differs(change.currentScheduleGroup?.internalId, row.schedule_group_id)) bad("currentScheduleGroup", readOnly);
  if (differs(change.agent?.firstName, row.user_first_name)) bad("agent.firstName", readOnly);
  if (differs(change.agent?.lastName, row.user_last_name)) bad("agent.lastName", readOnly);
}
